package recipes

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/schedules"
)

// The schedule key (optional) sets the learning rate of every update of the
// (fine-)tuning run: a name, the schedule's parameters by name, and for the
// fixed schedules an optional linear warm-up of `warmup` updates:
//
//	schedule: {name: cosine, min_lr: 0.00001, warmup: 500}
//	schedule: {name: time-constant, tau: 2000}
//	schedule: {name: step, every: 4000, gamma: 0.5}
//	schedule: {name: exponential, gamma: 0.9995}
//	schedule: {name: adaptive, every: 200, steps: 20, subset: 1000}
//
// η0 is the optimizer's lr. cosine anneals over the run's updates (epochs ×
// batches per epoch) after the warm-up. adaptive is the lecture's brute-force
// heuristic (schedules.Adaptive): every `every` updates, copies of the model
// train `steps` updates on a fixed subset of `subset` training examples
// with the current rate times each of `factors` (default [0.25, 0.5, 1, 2,
// 4]), and the run continues with the best.

// adaptiveName is the schedule name of the adaptive heuristic.
const adaptiveName = "adaptive"

// scheduleNames returns every name the schedule key accepts, sorted.
func scheduleNames() []string {
	names := append(schedules.Names(), adaptiveName)
	sort.Strings(names)
	return names
}

// schedule checks the schedule mapping and returns the recipe's
// learning-rate schedule: a fixed schedule (whose LR and Total the run fills
// in: the optimizer's rate and the number of updates), or the adaptive
// heuristic's settings, or neither when the recipe has no schedule.
func (d *doc) schedule(r *Recipe) (*schedules.Config, *schedules.AdaptiveConfig, error) {
	m := r.Schedule
	if len(m) == 0 {
		return nil, nil, nil
	}
	names := scheduleNames()
	name, ok := m["name"].(string)
	if v, set := m["name"]; set && !ok {
		return nil, nil, d.errorf("schedule.name", "cannot use %s: want one of %s", describe(v), strings.Join(names, ", "))
	}
	if name == "" {
		return nil, nil, d.errorf("schedule.name", "missing; want one of %s", strings.Join(names, ", "))
	}
	if !slices.Contains(names, name) {
		return nil, nil, d.errorf("schedule.name", "unknown schedule %q; want one of %s%s", name, strings.Join(names, ", "), didYouMean(name, names))
	}
	if name == adaptiveName {
		a, err := d.adaptive(r)
		return nil, a, err
	}

	c := &schedules.Config{Name: name, Params: map[string]float64{}}
	specs, _ := schedules.Spec(name)
	known := []string{"warmup"}
	for _, s := range specs {
		known = append(known, s.Name)
	}
	for _, k := range sortedKeys(m) {
		key := "schedule." + k
		switch {
		case k == "name":
			continue
		case !slices.Contains(known, k):
			return nil, nil, d.errorf(key, "%s has no parameter %q (known: %s)%s", name, k, strings.Join(known, ", "), didYouMean(k, known))
		case k == "warmup":
			n, err := d.count(key, m[k], 0, "a whole number of updates ≥ 0 (0 for none)")
			if err != nil {
				return nil, nil, err
			}
			c.Warmup = n
			continue
		}
		f, ok := number(m[k])
		if !ok {
			return nil, nil, d.errorf(key, "want a number, got %s", describe(m[k]))
		}
		c.Params[k] = f
	}
	// Check with η0 from the optimizer; the run's length is unknown until
	// the data are loaded, so cosine is checked here with one update left
	// after the warm-up, and again by the run.
	check := *c
	check.Total = c.Warmup + 1
	if oc, err := d.optimizer(r); err == nil {
		if o, err := optimizers.New(oc); err == nil {
			check.LR = o.LearningRate()
		}
	}
	if _, err := schedules.New(check); err != nil {
		return nil, nil, d.paramError("schedule", err)
	}
	return c, nil, nil
}

// adaptive checks the settings of the adaptive heuristic.
func (d *doc) adaptive(r *Recipe) (*schedules.AdaptiveConfig, error) {
	m := r.Schedule
	known := []string{"every", "factors", "steps", "subset"}
	c := &schedules.AdaptiveConfig{}
	for _, k := range sortedKeys(m) {
		key := "schedule." + k
		v := m[k]
		var err error
		switch k {
		case "name":
		case "every":
			c.Every, err = d.count(key, v, 1, "a whole number of updates ≥ 1")
		case "steps":
			c.Steps, err = d.count(key, v, 1, "a whole number of updates ≥ 1")
		case "subset":
			c.Subset, err = d.count(key, v, 1, "a number of training examples ≥ batch_size")
		case "factors":
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				return nil, d.errorf(key, "want a non-empty list of numbers, e.g. [0.25, 0.5, 1, 2, 4]")
			}
			for i, x := range list {
				f, ok := number(x)
				if !ok {
					return nil, d.errorf(fmt.Sprintf("%s.%d", key, i), "want a number, got %s", describe(x))
				}
				c.Factors = append(c.Factors, f)
			}
		case "warmup":
			return nil, d.errorf(key, "the adaptive heuristic chooses every rate itself; it takes no warmup")
		default:
			return nil, d.errorf(key, "adaptive has no parameter %q (known: %s)%s", k, strings.Join(known, ", "), didYouMean(k, known))
		}
		if err != nil {
			return nil, err
		}
	}
	for _, k := range []string{"every", "steps", "subset"} {
		if _, ok := m[k]; !ok {
			return nil, d.errorf("schedule", "adaptive needs %s (known: %s)", k, strings.Join(known, ", "))
		}
	}
	if err := c.Check(max(r.BatchSize, 1)); err != nil {
		return nil, d.paramError("schedule", err)
	}
	return c, nil
}

// count reads a whole number ≥ least at key, at most its limit (intLimit).
// As for the recipe's integer keys, a decimal is refused, 12.0 too.
func (d *doc) count(key string, v any, least int, want string) (int, error) {
	largest := math.MaxInt32
	if l, ok := intLimit(key); ok {
		largest = l.max
	}
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case uint64:
		n = int64(min(x, math.MaxInt64))
	case int:
		n = int64(x)
	default:
		return 0, d.errorf(key, "want %s, got %s", want, describe(v))
	}
	if n < int64(least) {
		return 0, d.errorf(key, "want %s, got %d", want, n)
	}
	if n > int64(largest) {
		return 0, d.errorf(key, "want %s, at most %d, got %d", want, largest, n)
	}
	return int(n), nil
}

// paramError locates a *schedules.ParamError at its key under at.
func (d *doc) paramError(at string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "schedules: ")
	var pe *schedules.ParamError
	if errors.As(err, &pe) {
		msg = strings.TrimPrefix(pe.Error(), "schedules: ")
		if pe.Key == "lr" {
			return d.errorf("optimizer.lr", "%s", msg)
		}
		return d.errorf(at+"."+pe.Key, "%s", msg)
	}
	return d.errorf(at, "%s", msg)
}
