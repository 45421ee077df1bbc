package optimizers

// Nesterov is stochastic gradient descent with Nesterov's accelerated
// momentum (Nesterov, "A method for solving the convex programming problem
// with convergence rate O(1/k²)", Soviet Mathematics Doklady 27, 1983;
// Sutskever, Martens, Dahl & Hinton, "On the importance of initialization
// and momentum in deep learning", ICML 2013), in the form of Bengio,
// Boulanger-Lewandowski & Pascanu ("Advances in optimizing recurrent
// networks", ICASSP 2013) where the stored parameters are the look-ahead
// point θ − γ v, so that the gradient g is taken there:
//
//	θ ← θ − γ² v_prev − (1 + γ) η g
//	v ← γ v_prev + η g
//
// with η = lr, γ = momentum and v = 0 initially.
//
// Buffers (State.Slots order): momentum_buffer (v).
type Nesterov struct {
	core
	momentum float64
}

var _ Optimizer = (*Nesterov)(nil)

func nesterovHyper() []hyperDef {
	return []hyperDef{
		def("lr", 0.01, nonNegative, "learning rate η; 0.01 is the customary default"),
		def("momentum", 0.9, unitOpen, "momentum γ, the fraction of the previous velocity kept; 0.9 averages about 10 steps"),
	}
}

func newNesterov(h map[string]float64, _ []float64) Optimizer {
	o := &Nesterov{momentum: h["momentum"]}
	o.core = newCore("nesterov", h, []string{"momentum_buffer"}, o)
	return o
}

func (o *Nesterov) begin(int) {}

func (o *Nesterov) update(theta, g []float64, s [][]float64) {
	lr, gamma := o.lr, o.momentum
	g, v := g[:len(theta)], s[0][:len(theta)]
	for i := range theta {
		prev := v[i]
		theta[i] -= gamma*gamma*prev + (1+gamma)*lr*g[i]
		v[i] = gamma*prev + lr*g[i]
	}
}
