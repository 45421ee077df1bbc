package schedules

import "math"

// Exponential decays the rate by the same factor at every update (PyTorch's
// ExponentialLR stepped once per update):
//
//	η_t = η0 · γ^(t − 1)
//
// with η0 = LR, so the first update uses η0. A half-life of h updates is
// γ = 2^(−1/h).
//
// Parameter: gamma (γ, required), 0 < γ ≤ 1.
type Exponential struct {
	LR    float64 // η0
	Gamma float64 // γ
}

var _ Schedule = Exponential{}

func exponentialParams() []paramDef {
	return []paramDef{
		{ParamSpec{Name: "gamma", Required: true, Want: "0 < gamma ≤ 1",
			Doc: "γ: the rate is multiplied by γ at every update"}, isDecay},
	}
}

func newExponential(c Config, p map[string]float64) (Schedule, error) {
	return Exponential{LR: c.LR, Gamma: p["gamma"]}, nil
}

// Rate returns η0·γ^(t−1).
func (s Exponential) Rate(t int) float64 {
	t = max(t, 1)
	return s.LR * math.Pow(s.Gamma, float64(t-1))
}
