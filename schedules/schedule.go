package schedules

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Schedule gives the learning rate of update t, counted from 1 over the run.
// It satisfies train.Schedule.
type Schedule interface {
	Rate(t int) float64
}

// Config selects a schedule by name, as New builds it.
type Config struct {
	// Name is the registry name, one of Names().
	Name string
	// Params holds the schedule's parameters by name (see Spec); a missing
	// optional one takes its default, a missing required one is an error.
	Params map[string]float64
	// Warmup, if positive, is the number of updates of a linear warm-up
	// before the schedule (see Warmup); 0 means none.
	Warmup int
	// Total is the number of updates in the run. Only cosine needs it: it
	// anneals over the Total − Warmup updates after the warm-up.
	Total int
	// LR is η0, the base learning rate: the optimizer's lr.
	LR float64
}

// ParamSpec describes one parameter of a schedule.
type ParamSpec struct {
	Name string
	// Default is the value used when the parameter is not given; it is
	// meaningless when Required is true.
	Default  float64
	Required bool
	// Want is the valid range, e.g. "0 < gamma ≤ 1".
	Want string
	Doc  string
}

// ParamError reports a parameter (or a Config field) that is unknown,
// missing or out of range.
type ParamError struct {
	// Schedule is the registry name of the schedule.
	Schedule string
	// Key is the parameter's name, or "warmup", "total" or "lr" for the
	// Config fields Warmup, Total and LR.
	Key string
	// Value is the value given; it is NaN when the parameter is missing.
	Value float64
	// Problem is what is wrong: "unknown", "missing" or "invalid".
	Problem string
	// Want says what would be right: the valid range, or for an unknown
	// key the known ones.
	Want string
}

func (e *ParamError) Error() string {
	switch e.Problem {
	case "unknown":
		return fmt.Sprintf("schedules: %s has no parameter %q (known: %s)", e.Schedule, e.Key, e.Want)
	case "missing":
		return fmt.Sprintf("schedules: %s needs %s (want %s)", e.Schedule, e.Key, e.Want)
	}
	return fmt.Sprintf("schedules: %s: invalid %s %v (want %s)", e.Schedule, e.Key, e.Value, e.Want)
}

// paramDef is a ParamSpec with its validity check.
type paramDef struct {
	ParamSpec
	ok func(float64) bool
}

// entry is one registered schedule: its parameters and a constructor that
// receives c with validated values for all of them in p (defaults filled in).
type entry struct {
	name   string
	params func() []paramDef
	make   func(c Config, p map[string]float64) (Schedule, error)
}

// registry lists the schedules, sorted by name. It is a function rather than
// a variable so that the package has no global mutable state.
func registry() []entry {
	return []entry{
		{"constant", constantParams, newConstant},
		{"cosine", cosineParams, newCosine},
		{"exponential", exponentialParams, newExponential},
		{"step", stepParams, newStep},
		{"time-constant", timeConstantParams, newTimeConstant},
	}
}

// Names returns the registry names of all schedules, sorted.
func Names() []string {
	reg := registry()
	names := make([]string, len(reg))
	for i, e := range reg {
		names[i] = e.name
	}
	sort.Strings(names)
	return names
}

func lookup(name string) (entry, error) {
	for _, e := range registry() {
		if e.name == name {
			return e, nil
		}
	}
	hint := ""
	if name == "adaptive" {
		hint = "; the adaptive heuristic trains copies of the model to choose each rate: see NewAdaptive"
	}
	if name == "" {
		return entry{}, fmt.Errorf("schedules: no schedule name given (known: %s)", strings.Join(Names(), ", "))
	}
	return entry{}, fmt.Errorf("schedules: unknown schedule %q (known: %s)%s", name, strings.Join(Names(), ", "), hint)
}

// Spec returns the parameters of the named schedule, sorted by name. Warmup,
// Total and LR are Config fields, not parameters.
func Spec(name string) ([]ParamSpec, error) {
	e, err := lookup(name)
	if err != nil {
		return nil, err
	}
	defs := sortedDefs(e)
	out := make([]ParamSpec, len(defs))
	for i, d := range defs {
		out[i] = d.ParamSpec
	}
	return out, nil
}

func sortedDefs(e entry) []paramDef {
	defs := e.params()
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	return defs
}

// New returns the schedule c.Name with c.Params, preceded by a linear
// warm-up of c.Warmup updates when c.Warmup > 0. Every value is checked; a
// bad parameter or Config field gives a *ParamError.
func New(c Config) (Schedule, error) {
	e, err := lookup(c.Name)
	if err != nil {
		return nil, err
	}
	if !(c.LR >= 0) || math.IsInf(c.LR, 1) {
		return nil, &ParamError{Schedule: e.name, Key: "lr", Value: c.LR, Problem: "invalid", Want: "finite lr ≥ 0"}
	}
	if c.Warmup < 0 {
		return nil, &ParamError{Schedule: e.name, Key: "warmup", Value: float64(c.Warmup), Problem: "invalid", Want: "an integer ≥ 0 (0 for no warm-up)"}
	}
	if c.Total < 0 {
		return nil, &ParamError{Schedule: e.name, Key: "total", Value: float64(c.Total), Problem: "invalid", Want: "an integer ≥ 0"}
	}
	defs := sortedDefs(e)
	known := make([]string, len(defs))
	p := make(map[string]float64, len(defs))
	for i, d := range defs {
		known[i] = d.Name
	}
	keys := make([]string, 0, len(c.Params))
	for k := range c.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(known, k) {
			want := strings.Join(known, ", ")
			if len(known) == 0 {
				want = "none"
			}
			return nil, &ParamError{Schedule: e.name, Key: k, Value: c.Params[k], Problem: "unknown", Want: want}
		}
	}
	for _, d := range defs {
		v, given := c.Params[d.Name]
		switch {
		case !given && d.Required:
			return nil, &ParamError{Schedule: e.name, Key: d.Name, Value: math.NaN(), Problem: "missing", Want: d.Want}
		case !given:
			v = d.Default
		case !d.ok(v):
			return nil, &ParamError{Schedule: e.name, Key: d.Name, Value: v, Problem: "invalid", Want: d.Want}
		}
		p[d.Name] = v
	}
	if c.Warmup > 0 {
		// The schedule after the warm-up starts afresh at its update 1.
		c.Total -= c.Warmup
	}
	s, err := e.make(c, p)
	if err != nil {
		return nil, err
	}
	if c.Warmup > 0 {
		return Warmup{Updates: c.Warmup, LR: c.LR, Then: s}, nil
	}
	return s, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Checks shared by several schedules.

// isCount reports whether x is a whole number ≥ 1 that fits an int.
func isCount(x float64) bool {
	return x >= 1 && x == math.Trunc(x) && x <= math.MaxInt32
}

// isDecay reports whether 0 < x ≤ 1.
func isDecay(x float64) bool { return x > 0 && x <= 1 }

// fmtNum formats a number for messages.
func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
