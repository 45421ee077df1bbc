package optimizers

import "fmt"

// AggMo is aggregated momentum (Lucas, Sun, Zemel & Grosse, "Aggregated
// Momentum: Stability Through Passive Damping", ICLR 2019, Algorithm 1):
// K velocity buffers with different damping coefficients β_i are averaged,
//
//	b_i ← β_i b_i + g            for i = 0 … K−1
//	θ   ← θ − (η / K) Σ_i b_i
//
// with η = lr, the betas set by Config.Betas (default [0, 0.9, 0.99], the
// paper's recommendation) and b_i = 0 initially. The betas are not in
// Hyper, which has only "lr"; Betas returns them.
//
// Buffers (State.Slots order): momentum_buffer_0 … momentum_buffer_{K−1}
// (b_0 … b_{K−1}, in the order of the betas).
type AggMo struct {
	core
	betas []float64
}

var _ Optimizer = (*AggMo)(nil)

func aggmoHyper() []hyperDef {
	return []hyperDef{
		def("lr", 0.1, nonNegative, "learning rate η, divided among the K velocities; 0.1 as in Lucas et al.'s experiments"),
	}
}

func newAggMo(h map[string]float64, betas []float64) Optimizer {
	o := &AggMo{betas: betas}
	names := make([]string, len(betas))
	for i := range names {
		names[i] = fmt.Sprintf("momentum_buffer_%d", i)
	}
	o.core = newCore("aggmo", h, names, o)
	return o
}

// Betas returns a copy of the damping coefficients, one per buffer.
func (o *AggMo) Betas() []float64 { return append([]float64(nil), o.betas...) }

func (o *AggMo) begin(int) {}

func (o *AggMo) update(theta, g []float64, s [][]float64) {
	n := len(theta)
	g = g[:n]
	step := o.lr / float64(len(o.betas))
	for i := range theta {
		var sum float64
		for k, beta := range o.betas {
			b := s[k][:n]
			b[i] = beta*b[i] + g[i]
			sum += b[i]
		}
		theta[i] -= step * sum
	}
}
