package schedules

// Constant keeps the learning rate fixed:
//
//	η_t = η0
//
// with η0 = LR. It is the limit τ → ∞ of TimeConstant. It has no parameters.
type Constant struct {
	LR float64 // η0
}

var _ Schedule = Constant{}

func constantParams() []paramDef { return nil }

func newConstant(c Config, _ map[string]float64) (Schedule, error) {
	return Constant{LR: c.LR}, nil
}

// Rate returns LR for every t.
func (s Constant) Rate(int) float64 { return s.LR }
