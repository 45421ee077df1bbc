package schedules

import "math"

// Cosine is cosine annealing without restarts (Loshchilov & Hutter, "SGDR:
// Stochastic Gradient Descent with Warm Restarts", ICLR 2017, eq. 5; the
// convention of PyTorch's CosineAnnealingLR stepped once per update):
//
//	η_t = η_min + ½ (η0 − η_min) (1 + cos(π · min(t − 1, T) / T))
//
// with η0 = LR, η_min = MinLR and T = Total. Update t uses the rate after
// t − 1 updates have been done: update 1 uses η0, update T (the last one of
// the run) uses η_min + ½(η0 − η_min)(1 + cos(π(T−1)/T)), just above η_min,
// and any update after T uses η_min.
//
// Built by New, T is Config.Total − Config.Warmup: the updates left after
// the warm-up, so the annealing ends with the run.
//
// Parameter: min_lr (η_min), 0 ≤ η_min ≤ η0, default 0.
type Cosine struct {
	LR    float64 // η0
	MinLR float64 // η_min
	Total int     // T ≥ 1, updates over which the rate falls from η0 to η_min
}

var _ Schedule = Cosine{}

func cosineParams() []paramDef {
	return []paramDef{
		{ParamSpec{Name: "min_lr", Default: 0, Want: "0 ≤ min_lr ≤ lr",
			Doc: "η_min, the rate reached at the end of the run"},
			func(x float64) bool { return x >= 0 && !math.IsInf(x, 1) }},
	}
}

func newCosine(c Config, p map[string]float64) (Schedule, error) {
	if c.Total < 1 {
		if c.Warmup > 0 {
			return nil, &ParamError{Schedule: "cosine", Key: "warmup", Value: float64(c.Warmup), Problem: "invalid",
				Want: "fewer than the run's " + fmtNum(float64(c.Total+c.Warmup)) + " updates, so that some are left to anneal"}
		}
		return nil, &ParamError{Schedule: "cosine", Key: "total", Value: float64(c.Total), Problem: "invalid",
			Want: "the number of updates in the run, ≥ 1"}
	}
	if m := p["min_lr"]; m > c.LR {
		return nil, &ParamError{Schedule: "cosine", Key: "min_lr", Value: m, Problem: "invalid",
			Want: "0 ≤ min_lr ≤ lr = " + fmtNum(c.LR)}
	}
	return Cosine{LR: c.LR, MinLR: p["min_lr"], Total: c.Total}, nil
}

// Rate returns η_min + ½(η0 − η_min)(1 + cos(π·min(t−1, T)/T)).
func (s Cosine) Rate(t int) float64 {
	done := min(max(t-1, 0), s.Total)
	return s.MinLR + 0.5*(s.LR-s.MinLR)*(1+math.Cos(math.Pi*float64(done)/float64(s.Total)))
}
