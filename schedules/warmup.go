package schedules

// Warmup is a linear warm-up in front of another schedule (Goyal et al.,
// "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017, §2.2,
// gradual warm-up):
//
//	η_t = η0 · t / W             for t ≤ W
//	η_t = Then.Rate(t − W)       for t > W
//
// with W = Updates and η0 = LR. The schedule that follows is shifted: it
// starts at its own update 1 at update W + 1, so it begins at its η0 just
// after the ramp has reached η0, and a Cosine built by New with Config.Total
// anneals over the Total − W updates left. Any Schedule can follow.
//
// Set Config.Warmup for New to add it; it has no parameters of its own.
type Warmup struct {
	Updates int      // W ≥ 1
	LR      float64  // η0, the rate the ramp reaches at update W
	Then    Schedule // the schedule after the warm-up
}

var _ Schedule = Warmup{}

// Rate returns η0·t/W during the warm-up, then Then.Rate(t − W).
func (s Warmup) Rate(t int) float64 {
	t = max(t, 1)
	if t <= s.Updates {
		return s.LR * float64(t) / float64(s.Updates)
	}
	return s.Then.Rate(t - s.Updates)
}
