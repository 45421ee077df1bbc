package schedules

import "math"

// TimeConstant is the lecture's time-constant decay (docs/lecture.md §2), a piecewise form
// of the "search then converge" schedules of Darken & Moody ("Note on
// Learning Rate Schedules for Stochastic Optimization", NIPS 1990, whose
// η0/(1 + t/τ) also keeps η0 while t ≪ τ and falls as η0·τ/t after):
//
//	η_t = η0 · τ / max(t, τ)
//
// with η0 = LR and τ = Tau: constant for the first τ updates, then
// proportional to 1/t (η_{2τ} = η0/2, η_{10τ} = η0/10). τ = +Inf gives
// the constant rate η0.
//
// Parameter: tau (τ, required), a number ≥ 1, or +Inf (.inf in YAML).
type TimeConstant struct {
	LR  float64 // η0
	Tau float64 // τ ≥ 1
}

var _ Schedule = TimeConstant{}

func timeConstantParams() []paramDef {
	return []paramDef{{
		ParamSpec: ParamSpec{Name: "tau", Required: true, Want: "tau ≥ 1, or .inf for a constant rate",
			Doc: "τ: the rate stays η0 for τ updates, then falls as η0·τ/t"},
		ok: func(x float64) bool { return x >= 1 },
	}}
}

func newTimeConstant(c Config, p map[string]float64) (Schedule, error) {
	return TimeConstant{LR: c.LR, Tau: p["tau"]}, nil
}

// Rate returns η0·τ/max(t, τ).
func (s TimeConstant) Rate(t int) float64 {
	if math.IsInf(s.Tau, 1) {
		return s.LR
	}
	return s.LR * s.Tau / math.Max(float64(t), s.Tau)
}
