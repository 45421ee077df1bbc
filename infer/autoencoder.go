package infer

import (
	"fmt"
	"slices"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/gorgonia"
)

// Autoencoder is an autoencoder's inference graph: x → code → reconstruction
// → reconstruction loss against x, never corrupted. An Autoencoder is not
// safe for concurrent use: its runs share buffers.
type Autoencoder struct {
	model models.Reconstructor
	batch int
	prog  *tape.Program
	code  *gorgonia.Node
	// enc is the encoder alone, x → code, for Encode; compiled on its
	// first use. The whole graph would also compute the decoder, its
	// output activation and the loss (for a first pretraining stage, as
	// many multiply-adds again as the code, and a log and an exp per
	// pixel), to read only the code.
	enc *tape.Program
}

// NewAutoencoder compiles m's inference graph (an *models.Autoencoder's or
// an *models.ConvAutoencoder's) for batches of batch examples (0 means
// DefaultBatch), with loss as Evaluate's measure ("" means mse; bce needs
// a sigmoid output).
func NewAutoencoder(m models.Reconstructor, loss losses.Reconstruction, batch int) (*Autoencoder, error) {
	if batch == 0 {
		batch = DefaultBatch
	}
	if batch < 1 {
		return nil, fmt.Errorf("infer: batch size must be ≥ 1, got %d", batch)
	}
	if loss == "" {
		loss = losses.ReconstructionMSE
	}
	if err := loss.Validate(); err != nil {
		return nil, fmt.Errorf("infer: %w", err)
	}
	if loss == losses.ReconstructionBCE && m.Output() != models.Sigmoid {
		return nil, fmt.Errorf("infer: the bce reconstruction loss needs a sigmoid output, the model's is %q", m.Output())
	}
	g := models.NewGraph(false)
	dt := m.DType()
	d := m.Inputs()
	x := g.Input("x", dt, batch, d)
	target := g.Input("target", dt, batch, d)
	z, err := m.Logits(g, x)
	if err != nil {
		return nil, fmt.Errorf("infer: autoencoder: %w", err)
	}
	r, err := m.Output().Apply(z)
	if err != nil {
		return nil, fmt.Errorf("infer: autoencoder: %w", err)
	}
	per, err := loss.PerExample(z, r, target)
	if err != nil {
		return nil, fmt.Errorf("infer: autoencoder: %w", err)
	}
	p := &tape.Program{Inputs: []*gorgonia.Node{x, target}, Per: per, Out: r}
	p.CompileInference(g)
	return &Autoencoder{model: m, batch: batch, prog: p, code: g.Activations[m.CodeName()]}, nil
}

// Batch returns the number of examples the graph takes per run.
func (a *Autoencoder) Batch() int { return a.batch }

// CodeUnits returns the size of a code, the features of Encode's examples.
func (a *Autoencoder) CodeUnits() int { return a.model.CodeUnits() }

// Evaluate returns the mean reconstruction loss of the inputs of s.
func (a *Autoencoder) Evaluate(s *datasets.Set) (Metrics, error) {
	if err := a.Check(s); err != nil {
		return Metrics{}, fmt.Errorf("infer: evaluate: %w", err)
	}
	if s.Len() == 0 {
		return Metrics{}, fmt.Errorf("infer: evaluate: %w", dataError(s, "is empty"))
	}
	var sum float64
	err := a.chunks(s, func(_, n int) {
		for _, l := range tape.Float64s(a.prog.Per.Value())[:n] {
			sum += l
		}
	})
	if err != nil {
		return Metrics{}, fmt.Errorf("infer: evaluate %s: %w", s.Name, err)
	}
	return Metrics{Loss: sum / float64(s.Len()), N: s.Len()}, nil
}

// Encode returns the codes h = f(x) of the examples of s, as a set of the
// same examples (labels kept) with CodeUnits features each.
func (a *Autoencoder) Encode(s *datasets.Set) (*datasets.Set, error) {
	if err := a.Check(s); err != nil {
		return nil, fmt.Errorf("infer: encode: %w", err)
	}
	if a.enc == nil {
		var err error
		if a.enc, err = compileEncoder(a.model, a.batch); err != nil {
			return nil, fmt.Errorf("infer: encode: %w", err)
		}
	}
	k, d := a.CodeUnits(), s.Dim()
	out := &datasets.Set{Name: s.Name + " codes", X: make([]float32, s.Len()*k), Shape: []int{k}, Labels: s.Labels, Classes: s.Classes}
	err := datasets.Chunks(s.Len(), a.batch, func(from, to int) error {
		tape.FillRows(a.enc.Feed[0], s.X[from*d:to*d])
		if _, err := a.enc.Run(); err != nil {
			return err
		}
		copyFloat32s(out.X[from*k:to*k], a.enc.Out.Value())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("infer: encode %s: %w", s.Name, err)
	}
	return out, nil
}

// Reconstruct returns g(f(x)) for the examples of s, shaped like s.
func (a *Autoencoder) Reconstruct(s *datasets.Set) (*datasets.Set, error) {
	if err := a.Check(s); err != nil {
		return nil, fmt.Errorf("infer: reconstruct: %w", err)
	}
	d := s.Dim()
	out := &datasets.Set{Name: s.Name + " reconstructions", X: make([]float32, len(s.X)), Shape: slices.Clone(s.Shape), Labels: s.Labels, Classes: s.Classes}
	err := a.chunks(s, func(from, n int) {
		copyFloat32s(out.X[from*d:(from+n)*d], a.prog.Out.Value())
	})
	if err != nil {
		return nil, fmt.Errorf("infer: reconstruct %s: %w", s.Name, err)
	}
	return out, nil
}

// compileEncoder compiles m's encoder alone, x → code, for batches of
// batch examples: the same layers, hence the same codes, as the code node
// of the whole inference graph.
func compileEncoder(m models.Reconstructor, batch int) (*tape.Program, error) {
	g := models.NewGraph(false)
	x := g.Input("x", m.DType(), batch, m.Inputs())
	h, err := m.Encode(g, x)
	if err != nil {
		return nil, fmt.Errorf("encoder: %w", err)
	}
	p := &tape.Program{Inputs: []*gorgonia.Node{x}, Out: h}
	p.CompileInference(g)
	return p, nil
}

// Close releases the compiled graphs.
func (a *Autoencoder) Close() {
	a.prog.Close()
	if a.enc != nil {
		a.enc.Close()
	}
}

// chunks runs the graph over s in chunks (the last one padded with zero
// rows) and calls fn with each chunk's first index and size while the
// graph's values are readable.
func (a *Autoencoder) chunks(s *datasets.Set, fn func(from, n int)) error {
	if err := a.Check(s); err != nil {
		return err
	}
	return datasets.Chunks(s.Len(), a.batch, func(from, to int) error {
		rows := s.X[from*s.Dim() : to*s.Dim()]
		tape.FillRows(a.prog.Feed[0], rows)
		tape.FillRows(a.prog.Feed[1], rows)
		if _, err := a.prog.Run(); err != nil {
			return err
		}
		fn(from, to-from)
		return nil
	})
}

// copyFloat32s copies the leading len(dst) elements of v into dst.
func copyFloat32s(dst []float32, v gorgonia.Value) {
	switch d := v.Data().(type) {
	case []float32:
		copy(dst, d)
	case []float64:
		for i := range dst {
			dst[i] = float32(d[i])
		}
	}
}
