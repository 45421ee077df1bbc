package schedules

import "math"

// Step is step decay, the schedule of the ResNet paper (He, Zhang, Ren &
// Sun, "Deep Residual Learning for Image Recognition", CVPR 2016, which
// divides the rate by 10 at fixed points; PyTorch's StepLR):
//
//	η_t = η0 · γ^⌊(t − 1) / every⌋
//
// with η0 = LR, so updates 1 … every use η0, the next every updates η0·γ,
// and so on.
//
// Parameters: every (required), a whole number of updates ≥ 1; gamma (γ),
// 0 < γ ≤ 1, default 0.1.
type Step struct {
	LR    float64 // η0
	Every int     // updates between decays, ≥ 1
	Gamma float64 // γ, the factor applied at each decay
}

var _ Schedule = Step{}

func stepParams() []paramDef {
	return []paramDef{
		{ParamSpec{Name: "every", Required: true, Want: "a whole number of updates ≥ 1",
			Doc: "updates between two decays"}, isCount},
		{ParamSpec{Name: "gamma", Default: 0.1, Want: "0 < gamma ≤ 1",
			Doc: "γ: the rate is multiplied by γ every `every` updates; 0.1 as in He et al."}, isDecay},
	}
}

func newStep(c Config, p map[string]float64) (Schedule, error) {
	return Step{LR: c.LR, Every: int(p["every"]), Gamma: p["gamma"]}, nil
}

// Rate returns η0·γ^⌊(t−1)/every⌋.
func (s Step) Rate(t int) float64 {
	t = max(t, 1)
	return s.LR * math.Pow(s.Gamma, float64((t-1)/s.Every))
}
