package losses

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ProbabilityEpsilon is the ε of BinaryCrossEntropy: predicted probabilities
// are clipped into [ε, 1−ε] before the logarithms, so a prediction of exactly
// 0 or 1 costs at most −log ε ≈ 16.1 instead of +Inf. It is Keras's
// backend epsilon.
const ProbabilityEpsilon = 1e-7

// BinaryCrossEntropyWithLogits returns, for logits z and targets t (both
// [batch, features], targets in [0, 1]), the per-example binary
// cross-entropy of σ(z) against t, averaged over the features:
//
//	ℓ_i = (1/d) Σ_j −[t_ij log σ(z_ij) + (1−t_ij) log(1−σ(z_ij))]
//	    = (1/d) Σ_j max(z_ij, 0) − z_ij t_ij + log(1 + e^−|z_ij|)
//
// as a [batch] vector. The second form, used here, never takes the logarithm
// or exponential of a large number, so the loss stays finite and exact for
// any logit (a sigmoid followed by logarithms rounds σ(40) to 1 and gives
// log 0). Its gradient with respect to the logits is (σ(z_ij) − t_ij)/d
// times the incoming gradient; the targets get none.
//
// This is the form to train with: each feature is an independent Bernoulli
// output (multi-label classification, a binary mask, or the [0, 1] pixels
// an autoencoder reconstructs). A one-output classifier uses features = 1.
func BinaryCrossEntropyWithLogits(logits, targets *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkPair("binary cross-entropy with logits", logits, targets); err != nil {
		return nil, err
	}
	return gorgonia.ApplyOp(bceOp{logits: true}, logits, targets)
}

// BinaryCrossEntropy returns, for predicted probabilities p and targets t
// (both [batch, features], in [0, 1]), the per-example binary cross-entropy
// averaged over the features:
//
//	ℓ_i = (1/d) Σ_j −[t_ij log p̂_ij + (1−t_ij) log(1−p̂_ij)],
//	p̂ = clip(p, ε, 1−ε), ε = ProbabilityEpsilon,
//
// as a [batch] vector. Its gradient is that of the clipped function:
// (p̂ − t)/(p̂(1−p̂)d) where ε ≤ p ≤ 1−ε and 0 where p was clipped, so a
// saturated wrong prediction (p = 1 for t = 0) costs −log ε but gets no
// gradient. Prefer BinaryCrossEntropyWithLogits, fed the pre-sigmoid values,
// for training; this form suits outputs that are probabilities already.
func BinaryCrossEntropy(p, targets *gorgonia.Node) (*gorgonia.Node, error) {
	if err := checkPair("binary cross-entropy", p, targets); err != nil {
		return nil, err
	}
	return gorgonia.ApplyOp(bceOp{}, p, targets)
}

func checkPair(what string, a, b *gorgonia.Node) error {
	if a.Dims() != 2 || !a.Shape().Eq(b.Shape()) {
		return fmt.Errorf("losses: %s wants predictions and targets of the same [batch, features] shape, got %v and %v", what, a.Shape(), b.Shape())
	}
	if a.Dtype() != b.Dtype() {
		return fmt.Errorf("losses: %s: predictions are %v but targets %v", what, a.Dtype(), b.Dtype())
	}
	return nil
}

// bceOp is the per-example binary cross-entropy (z or p, t) → ℓ; logits
// selects the input form.
type bceOp struct{ logits bool }

func (op bceOp) name() string {
	if op.logits {
		return "BinaryCrossEntropyWithLogits"
	}
	return "BinaryCrossEntropy"
}

func (bceOp) Arity() int { return 2 }
func (bceOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, gorgonia.TensorType{Dims: 1, Of: a})
}
func (op bceOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("losses: %s wants a [batch, features] input, got %v", op.name(), in[0])
	}
	return tensor.Shape{s[0]}, nil
}
func (bceOp) ReturnsPtr() bool         { return false }
func (bceOp) CallsExtern() bool        { return false }
func (bceOp) OverwritesInput() int     { return -1 }
func (op bceOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo." + op.name())) }
func (op bceOp) Hashcode() uint32      { return hashOf(op) }
func (op bceOp) String() string        { return op.name() }

func (op bceOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	z, t, err := twoMatrices(op.name(), in)
	if err != nil {
		return nil, err
	}
	rows, cols := z.Shape()[0], z.Shape()[1]
	out := tensor.New(tensor.Of(z.Dtype()), tensor.WithShape(rows))
	switch zd := z.Data().(type) {
	case []float32:
		z, t, out := zd, t.Data().([]float32), out.Data().([]float32)
		byRows(len(out), cols, func(lo, hi int) {
			bceForward(op.logits, z[lo*cols:hi*cols], t[lo*cols:hi*cols], out[lo:hi], cols)
		})
	case []float64:
		z, t, out := zd, t.Data().([]float64), out.Data().([]float64)
		byRows(len(out), cols, func(lo, hi int) {
			bceForward(op.logits, z[lo*cols:hi*cols], t[lo*cols:hi*cols], out[lo:hi], cols)
		})
	}
	return out, nil
}

func (bceOp) DiffWRT(int) []bool { return []bool{true, false} }

func (op bceOp) SymDiff(in gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	dz, err := gorgonia.ApplyOp(bceGradOp(op), in[0], in[1], grad)
	return gorgonia.Nodes{dz, nil}, err
}

var _ gorgonia.UsePreallocDoer = bceGradOp{}

// bceGradOp is ∂ℓ/∂z (or ∂ℓ/∂p): (z, t, dℓ) → dz.
type bceGradOp struct{ logits bool }

func (op bceGradOp) name() string { return bceOp(op).name() + "Grad" }

func (bceGradOp) Arity() int { return 3 }
func (bceGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := gorgonia.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, gorgonia.TensorType{Dims: 1, Of: a}, m)
}
func (op bceGradOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("losses: %s: bad input shape %v", op.name(), in[0])
	}
	return s.Clone(), nil
}
func (bceGradOp) ReturnsPtr() bool         { return false }
func (bceGradOp) CallsExtern() bool        { return false }
func (bceGradOp) OverwritesInput() int     { return -1 }
func (op bceGradOp) WriteHash(h hash.Hash) { h.Write([]byte("zoo." + op.name())) }
func (op bceGradOp) Hashcode() uint32      { return hashOf(op) }
func (op bceGradOp) String() string        { return op.name() }

func (op bceGradOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	return op.UsePreallocDo(nil, in...)
}

// UsePreallocDo writes dz into prealloc when it is a tensor of z's dtype and
// shape, and into a new tensor when prealloc is nil.
func (op bceGradOp) UsePreallocDo(prealloc gorgonia.Value, in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("losses: %s wants 3 inputs, got %d", op.name(), len(in))
	}
	z, t, err := twoMatrices(op.name(), in[:2])
	if err != nil {
		return nil, err
	}
	g, ok := in[2].(tensor.Tensor)
	if !ok || g.Dtype() != z.Dtype() || g.Shape().TotalSize() != z.Shape()[0] {
		return nil, fmt.Errorf("losses: %s: incoming gradient %v does not match %v", op.name(), in[2], z.Shape())
	}
	cols := z.Shape()[1]
	out, err := output(op.name(), prealloc, z)
	if err != nil {
		return nil, err
	}
	switch zd := z.Data().(type) {
	case []float32:
		z, t, g, out := zd, t.Data().([]float32), gradSlice[float32](g), out.Data().([]float32)
		byRows(len(g), cols, func(lo, hi int) {
			bceBackward(op.logits, z[lo*cols:hi*cols], t[lo*cols:hi*cols], g[lo:hi], out[lo*cols:hi*cols], cols)
		})
	case []float64:
		z, t, g, out := zd, t.Data().([]float64), gradSlice[float64](g), out.Data().([]float64)
		byRows(len(g), cols, func(lo, hi int) {
			bceBackward(op.logits, z[lo*cols:hi*cols], t[lo*cols:hi*cols], g[lo:hi], out[lo*cols:hi*cols], cols)
		})
	}
	return out, nil
}

// bceLogits is max(z, 0) − z t + log(1 + e^−|z|), the cross-entropy of
// σ(z) against t.
func bceLogits(z, t float64) float64 {
	return max(z, 0) - z*t + math.Log1p(math.Exp(-math.Abs(z)))
}

// sigmoid is σ(z) without overflow for either sign of z.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// clipProb is p clipped into [ε, 1−ε] and whether p was inside.
func clipProb(p float64) (float64, bool) {
	const eps = ProbabilityEpsilon
	switch {
	case p < eps:
		return eps, false
	case p > 1-eps:
		return 1 - eps, false
	}
	return p, true
}

// bceProb is −[t log p̂ + (1−t) log(1−p̂)]; terms with a zero weight are
// skipped, so a hard target costs one logarithm.
func bceProb(p, t float64) float64 {
	p, _ = clipProb(p)
	var l float64
	if t != 0 {
		l -= t * math.Log(p)
	}
	if t != 1 {
		l -= (1 - t) * math.Log1p(-p)
	}
	return l
}

func bceForward[T float32 | float64](logits bool, z, t, out []T, cols int) {
	f := bceProb
	if logits {
		f = bceLogits
	}
	for i := range out {
		var l float64
		for j := i * cols; j < (i+1)*cols; j++ {
			l += f(float64(z[j]), float64(t[j]))
		}
		out[i] = T(l / float64(cols))
	}
}

func bceBackward[T float32 | float64](logits bool, z, t, g, out []T, cols int) {
	for i := range g {
		s := float64(g[i]) / float64(cols)
		for j := i * cols; j < (i+1)*cols; j++ {
			zj, tj := float64(z[j]), float64(t[j])
			var d float64
			if logits {
				d = sigmoid(zj) - tj
			} else if p, inside := clipProb(zj); inside {
				d = (p - tj) / (p * (1 - p))
			}
			out[j] = T(s * d)
		}
	}
}
