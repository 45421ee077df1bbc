package optimizers

import "github.com/gorgonia-zoo/zoo/internal/vec"

// Momentum is stochastic gradient descent with classical (heavy-ball)
// momentum (Polyak, "Some methods of speeding up the convergence of
// iteration methods", USSR Computational Mathematics and Mathematical
// Physics 4(5), 1964; Rumelhart, Hinton & Williams, "Learning
// representations by back-propagating errors", Nature 323, 1986):
//
//	v ← γ v + η g
//	θ ← θ − v
//
// with η = lr, γ = momentum and v = 0 initially. The learning rate is inside
// the velocity, as in the lecture (PyTorch keeps it outside).
//
// Buffers (State.Slots order): momentum_buffer (v).
type Momentum struct {
	core
	momentum float64
}

var (
	_ Optimizer     = (*Momentum)(nil)
	_ float32Kernel = (*Momentum)(nil)
)

func momentumHyper() []hyperDef {
	return []hyperDef{
		def("lr", 0.01, nonNegative, "learning rate η; 0.01 is the customary default"),
		def("momentum", 0.9, unitOpen, "momentum γ, the fraction of the previous velocity kept; 0.9 averages about 10 steps"),
	}
}

func newMomentum(h map[string]float64, _ []float64) Optimizer {
	o := &Momentum{momentum: h["momentum"]}
	o.core = newCore("momentum", h, []string{"momentum_buffer"}, o)
	return o
}

func (o *Momentum) begin(int) {}

func (o *Momentum) update(theta, g []float64, s [][]float64) {
	lr, gamma := o.lr, o.momentum
	g, v := g[:len(theta)], s[0][:len(theta)]
	for i := range theta {
		v[i] = gamma*v[i] + lr*g[i]
		theta[i] -= v[i]
	}
}

// update32 is update for float32 data (see float32Kernel).
func (o *Momentum) update32(theta, g []float32, s [][]float64) {
	vec.Momentum(theta, g, s[0], o.lr, o.momentum)
}
