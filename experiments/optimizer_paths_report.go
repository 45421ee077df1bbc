package experiments

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/gorgonia-zoo/zoo/optimizers"
)

// pathsReport writes report.md: what was run, the final losses, the figures,
// and for each surface a paragraph on whether the lecture's claims showed,
// computed from the paths themselves so that it stays true when settings
// change.
func pathsReport(surfaces []surface, paths []*Path, quick bool) []byte {
	var b bytes.Buffer
	at := func(s, o string) *Path {
		for _, p := range paths {
			if p.Surface == s && p.Optimizer == o {
				return p
			}
		}
		return nil
	}
	names := optimizers.Names()

	b.WriteString("# Optimizer paths\n\n")
	if quick {
		b.WriteString("> **Quick run** (`--quick`): a fifth of the steps. The numbers below are a smoke test, not the experiment's results.\n\n")
	}
	fmt.Fprintf(&b, "Each of the %d optimizers of `optimizers` (the project's own implementations, not Gorgonia's solvers) "+
		"descends four two-dimensional surfaces through a real float64 Gorgonia graph of f(x, y): a 2-element parameter node, "+
		"`gorgonia.Grad`, a `TapeMachine` with `BindDualValues`, and `RunAll` / `Step` / `Reset` at every step, as in training. "+
		"Every path starts at a fixed point and takes a fixed number of steps; the loss is f as the graph computed it. "+
		"Data: `paths.csv` (every iterate); hyper-parameters in effect, defaults included: `hyperparams.json`.\n\n", len(names))
	b.WriteString("| surface | f | start | steps | minimum |\n|---|---|---|---|---|\n")
	for _, s := range surfaces {
		min := "none (unbounded below)"
		if s.minimum != nil {
			min = fmt.Sprintf("f(%g, %g) = %g", s.minimum[0], s.minimum[1], s.f(s.minimum[0], s.minimum[1]))
		}
		fmt.Fprintf(&b, "| %s | %s | (%g, %g) | %d | %s |\n", s.name, strings.TrimPrefix(s.formula, "f = "), s.start[0], s.start[1], at(s.name, names[0]).Steps, min)
	}

	b.WriteString("\nThe settings were chosen per surface to show each method's character (unlisted ones are the optimizer's defaults, " +
		"documented in its doc comment):\n\n| optimizer |")
	for _, s := range surfaces {
		fmt.Fprintf(&b, " %s |", s.name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(surfaces)) + "\n")
	for _, o := range names {
		fmt.Fprintf(&b, "| %s |", o)
		for _, s := range surfaces {
			fmt.Fprintf(&b, " %s |", settings(s.config(o)))
		}
		b.WriteString("\n")
	}

	b.WriteString("\n## Final loss\n\nf at the last iterate (the saddle is unbounded below: there, lower means further away from the saddle point).\n\n| optimizer |")
	for _, s := range surfaces {
		fmt.Fprintf(&b, " %s |", s.name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(surfaces)) + "\n")
	for _, o := range names {
		fmt.Fprintf(&b, "| %s |", o)
		for _, s := range surfaces {
			p := at(s.name, o)
			fmt.Fprintf(&b, " %.3g |", p.Loss[len(p.Loss)-1])
		}
		b.WriteString("\n")
	}

	for _, s := range surfaces {
		fmt.Fprintf(&b, "\n## %s\n\n![%s: contours of %s with every optimizer's path](%s.png)\n\n", s.name, s.name, s.formula, s.name)
		switch s.name {
		case "ravine":
			b.WriteString(ravineFindings(at))
		case "rosenbrock", "beale":
			b.WriteString(valleyFindings(s, at))
		case "saddle":
			b.WriteString(saddleFindings(at))
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// settings formats the hyper-parameters set explicitly in c.
func settings(c optimizers.Config) string {
	var parts []string
	keys := make([]string, 0, len(c.Hyper))
	for k := range c.Hyper {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %g", k, c.Hyper[k]))
	}
	if c.Betas != nil {
		parts = append(parts, fmt.Sprintf("betas %v", c.Betas))
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, ", ")
}

// stepLen returns the length of step k (from iterate k−1 to k).
func stepLen(p *Path, k int) float64 {
	return math.Hypot(p.X[k]-p.X[k-1], p.Y[k]-p.Y[k-1])
}

// signChanges counts the steps among the first n whose y has the other
// sign than before.
func signChanges(p *Path, n int) int {
	c := 0
	for k := 1; k <= min(n, p.Steps); k++ {
		if p.Y[k]*p.Y[k-1] < 0 {
			c++
		}
	}
	return c
}

// settled returns the first step from which |y| stays below tol, or −1.
func settled(p *Path, tol float64) int {
	s := -1
	for k := range p.Y {
		if math.Abs(p.Y[k]) >= tol {
			s = -1
		} else if s < 0 {
			s = k
		}
	}
	return s
}

func last(v []float64) float64 { return v[len(v)-1] }

func yesNo(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

func ravineFindings(at func(s, o string) *Path) string {
	var b strings.Builder
	sgd, mom, ada, rms := at("ravine", "sgd"), at("ravine", "momentum"), at("ravine", "adagrad"), at("ravine", "rmsprop")
	n := min(20, sgd.Steps)
	zz := signChanges(sgd, n)
	half := sgd.Steps / 2
	fmt.Fprintf(&b, "**SGD zig-zags across the ravine: %s.** With lr %g the steep direction (curvature 2) is multiplied by 1 − 2η = %g at every step, "+
		"so y changed sign in %d of SGD's first %d steps, while the shallow direction (curvature 1/10) only shrinks by %g per step: "+
		"after %d steps SGD was at x = %.3g. ",
		yesNo(zz >= n/2, "shown", "not shown"), sgd.Hyper["lr"], 1-2*sgd.Hyper["lr"].(float64), zz, n, 1-sgd.Hyper["lr"].(float64)/10, half, sgd.X[half])
	ms, ss := settled(mom, 0.01), settled(sgd, 0.01)
	better := ms >= 0 && (ss < 0 || ms < ss) && math.Abs(mom.X[half]) < math.Abs(sgd.X[half])
	fmt.Fprintf(&b, "**Momentum damps the oscillation and accelerates along the valley: %s.** With the same lr and γ = %g, momentum's |y| stayed below 0.01 from step %d on (SGD's from step %d), "+
		"and after %d steps it was at x = %.3g (SGD: %.3g); its final loss is %.3g against SGD's %.3g. ",
		yesNo(better, "shown", "not shown"), mom.Hyper["momentum"], ms, ss, half, mom.X[half], sgd.X[half], last(mom.Loss), last(sgd.Loss))
	overs := []string{}
	for _, o := range optimizers.Names() {
		p := at("ravine", o)
		if slices.Max(p.X) > 0.05 {
			overs = append(overs, fmt.Sprintf("%s (to x = %.2f)", o, slices.Max(p.X)))
		}
	}
	if len(overs) > 0 {
		fmt.Fprintf(&b, "Overshooting the minimum along the valley (x > 0): %s. ", strings.Join(overs, ", "))
	} else {
		b.WriteString("No method overshot the minimum along the valley (x > 0) here. ")
	}
	f, l := stepLen(ada, 1), stepLen(ada, ada.Steps)
	fmt.Fprintf(&b, "**Adagrad's steps shrink: %s.** Its first step had length %.3g (η in each coordinate, whatever the gradient's scale), its last %.3g, "+
		"because G only grows; it ended at x = %.3g, where RMSprop, whose average forgets old gradients, reached x = %.3g.\n",
		yesNo(l < f/10, "shown", "not shown"), f, l, last(ada.X), last(rms.X))
	return b.String()
}

func valleyFindings(s surface, at func(s, o string) *Path) string {
	var b strings.Builder
	var near, far []string
	for _, o := range optimizers.Names() {
		p := at(s.name, o)
		d := math.Hypot(last(p.X)-s.minimum[0], last(p.Y)-s.minimum[1])
		if d < 0.1 {
			near = append(near, o)
		} else {
			far = append(far, fmt.Sprintf("%s (%.2g away)", o, d))
		}
	}
	fmt.Fprintf(&b, "Within 0.1 of the minimum (%g, %g) after %d steps: %s. Further: %s. ",
		s.minimum[0], s.minimum[1], at(s.name, "sgd").Steps, listOr(near, "none"), listOr(far, "none"))
	sgd, mom, ada := at(s.name, "sgd"), at(s.name, "momentum"), at(s.name, "adagrad")
	// Could SGD simply take a bigger rate? Try more.
	lr := sgd.Hyper["lr"].(float64)
	var bigger []string
	for _, f := range []float64{1.25, 2, 4} {
		p, err := runPath(s, optimizers.Config{Name: "sgd", Hyper: map[string]float64{"lr": f * lr}}, sgd.Steps)
		if err != nil || !(last(p.Loss) < 1e3*p.Loss[0]) {
			bigger = append(bigger, fmt.Sprintf("lr %g diverges", f*lr))
			break
		}
		bigger = append(bigger, fmt.Sprintf("lr %g ends at %.3g", f*lr, last(p.Loss)))
	}
	same := "the same"
	if mom.Hyper["lr"].(float64) != lr {
		same = fmt.Sprintf("%g", mom.Hyper["lr"])
	}
	fmt.Fprintf(&b, "**Momentum accelerates: %s.** With %s lr and γ = %g momentum ends at loss %.3g, SGD with lr %g at %.3g (after %d steps: %.3g against %.3g). "+
		"For SGD alone, a larger rate: %s. ",
		yesNo(last(mom.Loss) < last(sgd.Loss) && mom.Loss[sgd.Steps/2] < sgd.Loss[sgd.Steps/2], "shown", "not shown"),
		same, mom.Hyper["momentum"], last(mom.Loss), lr, last(sgd.Loss), sgd.Steps/2, mom.Loss[sgd.Steps/2], sgd.Loss[sgd.Steps/2], strings.Join(bigger, ", "))
	fmt.Fprintf(&b, "Momentum's velocity carries it through the bends: its path spans x ∈ [%.2f, %.2f], y ∈ [%.2f, %.2f], SGD's x ∈ [%.2f, %.2f], y ∈ [%.2f, %.2f]. ",
		r2(slices.Min(mom.X)), r2(slices.Max(mom.X)), r2(slices.Min(mom.Y)), r2(slices.Max(mom.Y)),
		r2(slices.Min(sgd.X)), r2(slices.Max(sgd.X)), r2(slices.Min(sgd.Y)), r2(slices.Max(sgd.Y)))
	f, l := stepLen(ada, 1), stepLen(ada, ada.Steps)
	fmt.Fprintf(&b, "**Adagrad slows down: %s** (first step %.3g long, last %.3g; final loss %.3g). ",
		yesNo(l < f/10, "shown", "not shown"), f, l, last(ada.Loss))
	var overs []string
	for _, o := range optimizers.Names() {
		p := at(s.name, o)
		if mx := slices.Max(p.X); mx > s.minimum[0]+0.05 {
			overs = append(overs, fmt.Sprintf("%s (to x = %.2f)", o, mx))
		}
	}
	if len(overs) > 0 {
		fmt.Fprintf(&b, "Overshooting the minimum in x: %s.", strings.Join(overs, ", "))
	} else {
		b.WriteString("No method overshot the minimum in x.")
	}
	if s.name == "rosenbrock" {
		b.WriteString(" The valley floor is flat and curved, so methods that scale each coordinate (the adaptive family) or build up speed (momentum) travel along it, while SGD's largest stable rate is set by the steep walls.")
	}
	b.WriteString("\n")
	return b.String()
}

func saddleFindings(at func(s, o string) *Path) string {
	var b strings.Builder
	escape := func(p *Path) int {
		for k, y := range p.Y {
			if math.Abs(y) > 1 {
				return k
			}
		}
		return -1
	}
	describe := func(group []string) (string, int) {
		var parts []string
		worst := 0
		for _, o := range group {
			e := escape(at("saddle", o))
			if e < 0 {
				parts = append(parts, o+" never")
				worst = math.MaxInt
			} else {
				parts = append(parts, fmt.Sprintf("%s %d", o, e))
				worst = max(worst, e)
			}
		}
		return strings.Join(parts, ", "), worst
	}
	sgd := at("saddle", "sgd")
	adaptive := []string{"adagrad", "adadelta", "rmsprop", "adam", "adamax", "nadam", "amsgrad", "adamw", "qhadam"}
	a, aw := describe(adaptive)
	m, _ := describe([]string{"momentum", "nesterov", "aggmo"})
	se := escape(sgd)
	shown := aw != math.MaxInt && (se < 0 || aw < se)
	fmt.Fprintf(&b, "The start is %g away from the saddle point along the falling direction y, where the gradient is only 2y = %g. "+
		"**Adaptive methods leave the saddle: %s.** Steps until |y| > 1: %s; momentum methods: %s; SGD: %s (|y| = %.3g after %d steps). "+
		"SGD's step in y is 2ηy, so y only grows by a factor 1 + 2η = %g per step from a tiny value; the adaptive methods divide the gradient by its own running magnitude, "+
		"so they move along y by about η per step from the start, however small the gradient is. Momentum first descends x to the bottom of the saddle and then leaves "+
		"faster and faster, as its velocity in y compounds.\n",
		sgd.Y[0], 2*sgd.Y[0], yesNo(shown, "shown", "not shown"), a, m,
		yesNo(se >= 0, fmt.Sprintf("%d", se), "never"), math.Abs(last(sgd.Y)), sgd.Steps, 1+2*sgd.Hyper["lr"].(float64))
	return b.String()
}

func listOr(list []string, none string) string {
	if len(list) == 0 {
		return none
	}
	return strings.Join(list, ", ")
}

// r2 rounds v to 2 decimals for "%.2f" without printing -0.00.
func r2(v float64) float64 { return math.Round(v*100)/100 + 0 }
