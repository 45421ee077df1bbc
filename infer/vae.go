package infer

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/gorgonia"
)

// ELBOStream names the random stream of a VAE's evaluation (see NewVAE).
const ELBOStream = "elbo"

// VAE is a variational autoencoder's inference graphs: the negative ELBO
// of inputs, their codes (the means of q(z|x)), their reconstructions,
// and the decoding of given codes. A VAE is not safe for concurrent use:
// its runs share buffers.
type VAE struct {
	model *models.VAE
	batch int
	seed  uint64
	// prog is x → the two terms of the negative ELBO, rec and kl.
	prog     *tape.Program
	rec, kl  *gorgonia.Node
	enc, dec *tape.Program // x → μ and z → Bernoulli means, compiled on first use
}

// NewVAE compiles m's evaluation graph for batches of batch examples (0
// means DefaultBatch). Its ELBO estimate draws one z per example from a
// generator seeded with seed (stream ELBOStream, see rng.Source) afresh at
// every Evaluate, so the same model and examples always give the same
// figure, whatever the batch, and evaluating draws nothing from a
// training run's own streams.
func NewVAE(m *models.VAE, batch int, seed uint64) (*VAE, error) {
	if batch == 0 {
		batch = DefaultBatch
	}
	if batch < 1 {
		return nil, fmt.Errorf("infer: batch size must be ≥ 1, got %d", batch)
	}
	g := models.NewGraph(false)
	dt := m.Mean.W.Value.Dtype()
	x := g.Input("x", dt, batch, m.Inputs())
	// The terms alone: their sum would be computed in place, in the
	// reconstruction term's buffer (see models.VAE.NegELBO).
	e, err := m.ELBOTerms(g, x, x)
	if err != nil {
		return nil, fmt.Errorf("infer: variational autoencoder: %w", err)
	}
	p := &tape.Program{Inputs: []*gorgonia.Node{x}}
	p.CompileInference(g)
	return &VAE{model: m, batch: batch, seed: seed, prog: p, rec: e.Reconstruction, kl: e.KL}, nil
}

// Batch returns the number of examples the graphs take per run.
func (v *VAE) Batch() int { return v.batch }

// CodeUnits returns the latent dimension, the features of Encode's
// examples.
func (v *VAE) CodeUnits() int { return v.model.Latent() }

// Check reports whether s fits the model: a consistent set of the model's
// inputs per example. A set that does not fit is a *DataError.
func (v *VAE) Check(s *datasets.Set) error { return CheckSet(s, v.model.Inputs(), 0) }

// ELBO is a variational autoencoder's evaluation on a set, in nats per
// example: NegELBO = Reconstruction + KL.
type ELBO struct {
	// NegELBO is the mean negative evidence lower bound, an upper bound
	// on −log p(x) (in expectation over the draw of z).
	NegELBO float64
	// Reconstruction is the mean −log p(x|z), z drawn from q(z|x): the
	// binary cross-entropy summed over the inputs.
	Reconstruction float64
	// KL is the mean KL(q(z|x) ‖ p(z)).
	KL float64
	// N is the number of examples evaluated.
	N int
}

// Evaluate returns the mean negative ELBO of the examples of s as the
// Loss (see ELBO).
func (v *VAE) Evaluate(s *datasets.Set) (Metrics, error) {
	e, err := v.ELBO(s)
	if err != nil {
		return Metrics{}, err
	}
	return Metrics{Loss: e.NegELBO, N: e.N}, nil
}

// ELBO returns the mean negative ELBO of the examples of s and its terms.
func (v *VAE) ELBO(s *datasets.Set) (ELBO, error) {
	if err := v.Check(s); err != nil {
		return ELBO{}, fmt.Errorf("infer: evaluate: %w", err)
	}
	if s.Len() == 0 {
		return ELBO{}, fmt.Errorf("infer: evaluate: %w", dataError(s, "is empty"))
	}
	v.prog.RNG = rng.Source(v.seed, ELBOStream)
	var rec, kl float64
	d := s.Dim()
	err := datasets.Chunks(s.Len(), v.batch, func(from, to int) error {
		tape.FillRows(v.prog.Feed[0], s.X[from*d:to*d])
		if _, err := v.prog.Run(); err != nil {
			return err
		}
		for _, l := range tape.Float64s(v.rec.Value())[:to-from] {
			rec += l
		}
		for _, l := range tape.Float64s(v.kl.Value())[:to-from] {
			kl += l
		}
		return nil
	})
	if err != nil {
		return ELBO{}, fmt.Errorf("infer: evaluate %s: %w", s.Name, err)
	}
	n := float64(s.Len())
	return ELBO{NegELBO: (rec + kl) / n, Reconstruction: rec / n, KL: kl / n, N: s.Len()}, nil
}

// Encode returns the means μ(x) of q(z|x) for the examples of s, as a set
// of the same examples (labels kept) with CodeUnits features each: the
// codes of a variational autoencoder.
func (v *VAE) Encode(s *datasets.Set) (*datasets.Set, error) {
	if err := v.Check(s); err != nil {
		return nil, fmt.Errorf("infer: encode: %w", err)
	}
	if v.enc == nil {
		g := models.NewGraph(false)
		x := g.Input("x", v.model.Mean.W.Value.Dtype(), v.batch, v.model.Inputs())
		mean, _, err := v.model.Encode(g, x)
		if err != nil {
			return nil, fmt.Errorf("infer: encode: %w", err)
		}
		v.enc = &tape.Program{Inputs: []*gorgonia.Node{x}, Out: mean}
		v.enc.CompileInference(g)
	}
	out, err := run(v.enc, s, v.CodeUnits(), v.batch)
	if err != nil {
		return nil, fmt.Errorf("infer: encode %s: %w", s.Name, err)
	}
	out.Name, out.Shape = s.Name+" codes", []int{v.CodeUnits()}
	return out, nil
}

// Reconstruct returns the decoding of each example's code μ(x): the
// Bernoulli means of p(x|z = μ(x)), shaped like s.
func (v *VAE) Reconstruct(s *datasets.Set) (*datasets.Set, error) {
	codes, err := v.Encode(s)
	if err != nil {
		return nil, fmt.Errorf("infer: reconstruct: %w", err)
	}
	out, err := v.Decode(codes)
	if err != nil {
		return nil, fmt.Errorf("infer: reconstruct: %w", err)
	}
	out.Name, out.Shape = s.Name+" reconstructions", append([]int(nil), s.Shape...)
	return out, nil
}

// Decode returns the Bernoulli means of p(x|z) for the codes z of codes
// (CodeUnits features each), Inputs values per example, labels kept.
func (v *VAE) Decode(codes *datasets.Set) (*datasets.Set, error) {
	if err := CheckSet(codes, v.CodeUnits(), 0); err != nil {
		return nil, fmt.Errorf("infer: decode: %w", err)
	}
	if v.dec == nil {
		g := models.NewGraph(false)
		z := g.Input("z", v.model.Mean.W.Value.Dtype(), v.batch, v.CodeUnits())
		r, err := v.model.Decode(g, z)
		if err != nil {
			return nil, fmt.Errorf("infer: decode: %w", err)
		}
		v.dec = &tape.Program{Inputs: []*gorgonia.Node{z}, Out: r}
		v.dec.CompileInference(g)
	}
	out, err := run(v.dec, codes, v.model.Inputs(), v.batch)
	if err != nil {
		return nil, fmt.Errorf("infer: decode %s: %w", codes.Name, err)
	}
	out.Name, out.Shape = codes.Name+" decoded", []int{v.model.Inputs()}
	return out, nil
}

// Sample returns n pictures decoded from codes drawn from the prior
// N(0, I) with r (CodeUnits draws per picture, in order, as
// models.StandardNormal makes them): new examples of what the model
// learned.
func (v *VAE) Sample(n int, r rand.Source) (*datasets.Set, error) {
	if n < 1 {
		return nil, fmt.Errorf("infer: sample: want at least one example, got %d", n)
	}
	g, ok := r.(*rand.Rand)
	if !ok {
		g = rand.New(r)
	}
	z := &datasets.Set{Name: "prior", X: make([]float32, n*v.CodeUnits()), Shape: []int{v.CodeUnits()}}
	for i := range z.X {
		z.X[i] = float32(g.NormFloat64())
	}
	out, err := v.Decode(z)
	if err != nil {
		return nil, fmt.Errorf("infer: sample: %w", err)
	}
	out.Name = "samples"
	return out, nil
}

// LatentGrid returns side² points of a 2-D latent plane, row by row from
// the top: z = (Φ⁻¹(u), Φ⁻¹(v)) for u, v evenly spaced in (0, 1) (the
// midpoints of side equal intervals), Φ the standard normal's CDF, so
// the grid covers the prior N(0, I) by equal probability rather than equal
// distance (Kingma & Welling 2014, figure 4). The first coordinate grows
// along a row, the second up the grid.
func LatentGrid(side int) *datasets.Set {
	s := &datasets.Set{Name: "latent grid", X: make([]float32, 0, 2*side*side), Shape: []int{2}}
	// Φ⁻¹(p) = √2 erf⁻¹(2p − 1).
	at := func(i int) float64 { return math.Sqrt2 * math.Erfinv(2*(float64(i)+0.5)/float64(side)-1) }
	for row := range side {
		for col := range side {
			s.X = append(s.X, float32(at(col)), float32(at(side-1-row)))
		}
	}
	return s
}

// run runs the one-input program p over the examples of s in chunks of
// batch and returns its outputs, width values per example.
func run(p *tape.Program, s *datasets.Set, width, batch int) (*datasets.Set, error) {
	d := s.Dim()
	out := &datasets.Set{X: make([]float32, s.Len()*width), Labels: s.Labels, Classes: s.Classes}
	err := datasets.Chunks(s.Len(), batch, func(from, to int) error {
		tape.FillRows(p.Feed[0], s.X[from*d:to*d])
		if _, err := p.Run(); err != nil {
			return err
		}
		copyFloat32s(out.X[from*width:to*width], p.Out.Value())
		return nil
	})
	return out, err
}

// Close releases the compiled graphs.
func (v *VAE) Close() {
	v.prog.Close()
	if v.enc != nil {
		v.enc.Close()
	}
	if v.dec != nil {
		v.dec.Close()
	}
}
