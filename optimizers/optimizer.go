package optimizers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gorgonia.org/gorgonia"
)

// Optimizer is a first-order optimizer. It satisfies gorgonia.Solver, so it
// can be used wherever Gorgonia expects a solver.
type Optimizer interface {
	// Step performs one update of every parameter in vgs, in place, and
	// increments the step count t (the first Step uses t = 1). Like
	// Gorgonia's own solvers, it then zeroes every gradient, because
	// Gorgonia's machines add new gradients to the stored ones. The
	// parameters must be given in the same order at every step: their
	// state is keyed by position. On error nothing is changed.
	gorgonia.Solver

	// Name returns the registry name, e.g. "adam".
	Name() string

	// LearningRate returns the current learning rate η.
	LearningRate() float64

	// SetLearningRate sets the learning rate used by the following steps;
	// learning-rate schedules call it before each Step. An invalid rate
	// (negative, infinite or NaN) makes the next Step fail.
	SetLearningRate(lr float64)

	// Steps returns the number of updates done so far (t).
	Steps() int

	// Hyper returns every hyper-parameter in effect, defaults included,
	// keyed by the names listed by Spec; "lr" is the current learning
	// rate. AggMo's betas are not included (see AggMo.Betas).
	Hyper() map[string]float64

	// State returns a deep copy of everything needed to continue exactly.
	State() *State

	// SetState restores a state returned by State of an optimizer of the
	// same name and configuration. It rejects a state of another optimizer,
	// another parameter count or other buffer lengths.
	SetState(*State) error
}

// Config selects an optimizer and its hyper-parameters.
type Config struct {
	// Name is the registry name, one of Names().
	Name string
	// Hyper holds hyper-parameters by name (see Spec); a missing one takes
	// its default.
	Hyper map[string]float64
	// Betas are AggMo's damping coefficients, one momentum buffer each;
	// empty means the default [0, 0.9, 0.99]. Other optimizers reject it.
	Betas []float64
}

// HyperSpec describes one hyper-parameter of an optimizer.
type HyperSpec struct {
	Name    string
	Default float64
	Doc     string
}

// State is a snapshot of an optimizer, as returned by Optimizer.State.
type State struct {
	// Name is the registry name of the optimizer.
	Name string
	// Step is the number of updates done (t).
	Step int
	// LR is the learning rate in effect.
	LR float64
	// Slots holds, per parameter in Step order, the optimizer's named
	// buffers in the fixed order documented by each optimizer (and
	// returned by its SlotNames method), each with one value per element
	// of the parameter. It is nil before the first Step.
	Slots [][][]float64
	// Extra holds scalar state some optimizers need (NAdam's running
	// product of momentum coefficients); nil otherwise.
	Extra []float64
}

// rule is the valid range of a hyper-parameter.
type rule int

const (
	nonNegative rule = iota // finite, ≥ 0
	positive                // finite, > 0
	unitOpen                // 0 ≤ x < 1
	unitClosed              // 0 ≤ x ≤ 1
)

func (r rule) ok(x float64) bool {
	switch r {
	case nonNegative:
		return x >= 0 && !math.IsInf(x, 1)
	case positive:
		return x > 0 && !math.IsInf(x, 1)
	case unitOpen:
		return x >= 0 && x < 1
	case unitClosed:
		return x >= 0 && x <= 1
	}
	return false
}

func (r rule) want(name string) string {
	switch r {
	case nonNegative:
		return "finite " + name + " ≥ 0"
	case positive:
		return "finite " + name + " > 0"
	case unitOpen:
		return "0 ≤ " + name + " < 1"
	default:
		return "0 ≤ " + name + " ≤ 1"
	}
}

// hyperDef is a HyperSpec with its valid range.
type hyperDef struct {
	HyperSpec
	rule rule
}

func def(name string, dflt float64, r rule, doc string) hyperDef {
	return hyperDef{HyperSpec{Name: name, Default: dflt, Doc: doc}, r}
}

// Docs shared by several optimizers.
const (
	docEps   = "term added for numerical stability"
	docBeta1 = "decay rate of the first-moment (mean) estimate m"
	docBeta2 = "decay rate of the second-moment (uncentred variance) estimate v"
)

// entry is one registered optimizer: its hyper-parameters and a constructor
// that receives validated values for all of them (and, for AggMo, the betas).
type entry struct {
	name  string
	hyper func() []hyperDef
	make  func(h map[string]float64, betas []float64) Optimizer
}

// registry lists the optimizers, sorted by name. It is a function rather
// than a variable so that the package has no global mutable state.
func registry() []entry {
	return []entry{
		{"adadelta", adadeltaHyper, newAdaDelta},
		{"adagrad", adagradHyper, newAdaGrad},
		{"adam", adamHyper, newAdam},
		{"adamax", adamaxHyper, newAdaMax},
		{"adamw", adamwHyper, newAdamW},
		{"aggmo", aggmoHyper, newAggMo},
		{"amsgrad", amsgradHyper, newAMSGrad},
		{"momentum", momentumHyper, newMomentum},
		{"nadam", nadamHyper, newNAdam},
		{"nesterov", nesterovHyper, newNesterov},
		{"qhadam", qhadamHyper, newQHAdam},
		{"rmsprop", rmspropHyper, newRMSProp},
		{"sgd", sgdHyper, newSGD},
	}
}

func lookup(name string) (entry, error) {
	for _, e := range registry() {
		if e.name == name {
			return e, nil
		}
	}
	return entry{}, fmt.Errorf("optimizers: unknown optimizer %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Names returns the registry names of all optimizers, sorted.
func Names() []string {
	reg := registry()
	names := make([]string, len(reg))
	for i, e := range reg {
		names[i] = e.name
	}
	sort.Strings(names)
	return names
}

// Spec returns the hyper-parameters of the named optimizer with their
// defaults and documentation, sorted by name. AggMo's betas, a list set
// through Config.Betas, are not included.
func Spec(name string) ([]HyperSpec, error) {
	e, err := lookup(name)
	if err != nil {
		return nil, err
	}
	defs := sortedDefs(e)
	specs := make([]HyperSpec, len(defs))
	for i, d := range defs {
		specs[i] = d.HyperSpec
	}
	return specs, nil
}

func sortedDefs(e entry) []hyperDef {
	defs := e.hyper()
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	return defs
}

// defaultBetas are AggMo's default damping coefficients (Lucas et al. 2019).
func defaultBetas() []float64 { return []float64{0, 0.9, 0.99} }

// New returns the optimizer c.Name configured with c.Hyper; hyper-parameters
// not given take their defaults. Every value is validated.
func New(c Config) (Optimizer, error) {
	e, err := lookup(c.Name)
	if err != nil {
		return nil, err
	}
	defs := sortedDefs(e)
	known := make([]string, len(defs))
	h := make(map[string]float64, len(defs))
	for i, d := range defs {
		known[i] = d.Name
		h[d.Name] = d.Default
	}

	given := make([]string, 0, len(c.Hyper))
	for k := range c.Hyper {
		given = append(given, k)
	}
	sort.Strings(given)
	for _, k := range given {
		if _, ok := h[k]; !ok {
			hint := ""
			if k == "betas" && e.name == "aggmo" {
				hint = "; set Config.Betas"
			}
			return nil, fmt.Errorf("optimizers: %s has no hyper-parameter %q (known: %s)%s", e.name, k, strings.Join(known, ", "), hint)
		}
		h[k] = c.Hyper[k]
	}
	for _, d := range defs {
		if v := h[d.Name]; !d.rule.ok(v) {
			return nil, fmt.Errorf("optimizers: %s: invalid %s %v (want %s)", e.name, d.Name, v, d.rule.want(d.Name))
		}
	}

	var betas []float64
	if e.name == "aggmo" {
		betas = defaultBetas()
		if len(c.Betas) > 0 {
			betas = append([]float64(nil), c.Betas...)
		}
		for i, b := range betas {
			if !unitOpen.ok(b) {
				return nil, fmt.Errorf("optimizers: aggmo: invalid betas[%d] %v (want 0 ≤ beta < 1)", i, b)
			}
		}
	} else if len(c.Betas) > 0 {
		return nil, fmt.Errorf("optimizers: %s does not take betas (Config.Betas is for aggmo only)", e.name)
	}
	return e.make(h, betas), nil
}
