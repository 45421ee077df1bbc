package recipes

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// The names a recipe may use.
var (
	modelTypes = []string{FamilyAutoencoder, FamilyConvAutoencoder, FamilyMLP, FamilySDAE, FamilyVAE}
	lossNames  = []string{"cross-entropy", "dice"}
)

// check validates the recipe's values, returning the first problem, and
// turns them into the recipe's Spec.
func (d *doc) check(r *Recipe) (*Spec, error) {
	sp := &Spec{Name: r.Name, Seed: r.Seed, Data: r.Data, BatchSize: r.BatchSize, Epochs: r.Epochs}
	if err := d.checkValues(r, sp); err != nil {
		return nil, err
	}
	return sp, nil
}

// checkValues checks r and fills in sp as it goes.
func (d *doc) checkValues(r *Recipe, sp *Spec) error {
	// The name names the default run directory, zoo-runs/NAME-<time>: it must
	// not lead anywhere else.
	if err := d.checkLimits(r); err != nil {
		return err
	}
	if strings.ContainsAny(r.Name, "/\\\x00") {
		return d.errorf("name", "must not contain / or \\ (it names the run directory zoo-runs/NAME-<time>), got %q", r.Name)
	}
	if err := oneOf(d, "data.name", r.Data.Name, datasets.Names()); err != nil {
		return err
	}
	src, _ := datasets.Lookup(r.Data.Name)
	if err := d.checkData(r.Data, src); err != nil {
		return err
	}
	if r.Loss == "dice" && (len(r.Data.Positive) == 0 || r.Model.Type != FamilyMLP) {
		return d.errorf("loss", "the dice loss trains a two-class mlp: set data.positive (e.g. [0] for \"is it a 0?\")")
	}
	if err := oneOf(d, "model.type", r.Model.Type, modelTypes); err != nil {
		return err
	}
	for i, l := range r.Model.Layers {
		key := fmt.Sprintf("model.layers.%d", i)
		if l.Units < 1 {
			return d.errorf(key+".units", "a layer needs ≥ 1 unit, got %d", l.Units)
		}
		if l.Activation == "" {
			return d.errorf(key+".activation", "missing; want one of linear, relu, sigmoid, tanh")
		}
		if _, err := models.ParseActivation(l.Activation); err != nil {
			return d.errorf(key+".activation", "unknown activation %q; want one of linear, relu, sigmoid, tanh%s", l.Activation, didYouMean(l.Activation, []string{"linear", "relu", "sigmoid", "tanh"}))
		}
	}
	if _, err := models.ParseInit(r.Model.Init); err != nil {
		return d.errorf("model.init", "unknown init %q; want glorot or he%s", r.Model.Init, didYouMean(r.Model.Init, []string{"glorot", "he"}))
	}
	if err := d.checkAutoencoder(r, sp); err != nil {
		return err
	}
	if err := oneOf(d, "loss", r.Loss, lossNamesFor(r.Model.Type)); err != nil {
		return err
	}
	var err error
	if sp.Optimizer, err = d.optimizer(r); err != nil {
		return err
	}
	if err := d.checkRegularization(r); err != nil {
		return err
	}
	if r.BatchSize < 1 {
		return d.errorf("batch_size", "must be ≥ 1, got %d", r.BatchSize)
	}
	if r.Epochs < 1 {
		return d.errorf("epochs", "must be ≥ 1, got %d", r.Epochs)
	}
	if sp.Schedule, sp.Adaptive, err = d.schedule(r); err != nil {
		return err
	}
	if sp.Init, err = d.checkInit(r); err != nil {
		return err
	}
	return d.fillSpec(r, sp)
}

func oneOf(d *doc, key, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	if v == "" {
		return d.errorf(key, "missing; want one of %s", strings.Join(allowed, ", "))
	}
	return d.errorf(key, "unknown value %q; want one of %s%s", v, strings.Join(allowed, ", "), didYouMean(v, allowed))
}

func didYouMean(v string, candidates []string) string {
	if s := suggest(v, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// optimizer turns the optimizer mapping into a checked optimizers.Config.
func (d *doc) optimizer(r *Recipe) (optimizers.Config, error) {
	return d.optimizerAt("optimizer", r.Optimizer)
}

// optimizerAt checks the optimizer mapping m found at key (optimizer, or
// pretrain.optimizer, …).
func (d *doc) optimizerAt(at string, m map[string]any) (optimizers.Config, error) {
	c := optimizers.Config{Hyper: map[string]float64{}}
	name, ok := m["name"].(string)
	if v, set := m["name"]; set && !ok {
		return c, d.errorf(at+".name", "cannot use %s: want one of %s", describe(v), strings.Join(optimizers.Names(), ", "))
	}
	if name == "" {
		return c, d.errorf(at+".name", "missing; want one of %s", strings.Join(optimizers.Names(), ", "))
	}
	c.Name = name
	specs, err := optimizers.Spec(name)
	if err != nil {
		return c, d.errorf(at+".name", "unknown optimizer %q; want one of %s%s", name, strings.Join(optimizers.Names(), ", "), didYouMean(name, optimizers.Names()))
	}
	known := map[string]bool{}
	var knownNames []string
	for _, s := range specs {
		known[s.Name] = true
		knownNames = append(knownNames, s.Name)
	}
	if name == "aggmo" {
		knownNames = append(knownNames, "betas")
	}
	for _, k := range sortedKeys(m) {
		key := at + "." + k
		v := m[k]
		switch {
		case k == "name":
			continue
		case k == "betas" && name == "aggmo":
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				return c, d.errorf(key, "want a non-empty list of numbers, e.g. [0, 0.9, 0.99]")
			}
			for i, x := range list {
				f, ok := number(x)
				if !ok {
					return c, d.errorf(fmt.Sprintf("%s.%d", key, i), "want a number, got %s", describe(x))
				}
				c.Betas = append(c.Betas, f)
			}
			continue
		case !known[k]:
			return c, d.errorf(key, "%s has no hyper-parameter %q (known: %s)%s", name, k, strings.Join(knownNames, ", "), didYouMean(k, knownNames))
		}
		f, ok := number(v)
		if !ok {
			return c, d.errorf(key, "want a number, got %s", describe(v))
		}
		// Check each value alone, so the error points at its own line.
		if _, err := optimizers.New(optimizers.Config{Name: name, Hyper: map[string]float64{k: f}}); err != nil {
			return c, d.errorf(key, "%s", strings.TrimPrefix(err.Error(), "optimizers: "))
		}
		c.Hyper[k] = f
	}
	if _, err := optimizers.New(c); err != nil {
		return c, d.errorf(at, "%s", strings.TrimPrefix(err.Error(), "optimizers: "))
	}
	return c, nil
}

// number accepts the numeric types a YAML decoder produces, and numbers in
// exponent form without a dot (1e-3), which YAML 1.1 decoders read as strings.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil && !math.IsNaN(f)
	case float64:
		return x, !math.IsNaN(x)
	case uint64:
		return float64(x), true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	}
	return 0, false
}
