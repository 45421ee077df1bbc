package infer

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/tape"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/gorgonia"
)

// smallVAE returns a VAE on 12 inputs and a set of n examples in [0, 1].
func smallVAE(t *testing.T, n int) (*models.VAE, *datasets.Set) {
	t.Helper()
	v, err := models.NewVAE(models.VAEConfig{Inputs: 12, Encoder: []models.Layer{{Units: 8, Activation: models.ReLU}}, Latent: 3}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	s := &datasets.Set{Name: "x", X: make([]float32, n*12), Shape: []int{3, 4}, Labels: make([]int, n), Classes: 2}
	for i := range s.X {
		s.X[i] = float32(r.Float64())
	}
	return v, s
}

// TestVAEELBOIsTheTrainingObjective checks the evaluation against the
// training graph's objective on the same examples and noise: the terms it
// reads are those the objective adds.
func TestVAEELBOIsTheTrainingObjective(t *testing.T) {
	const n = 10
	v, s := smallVAE(t, n)
	iv, err := NewVAE(v, 4, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer iv.Close()
	got, err := iv.ELBO(s)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.NegELBO-(got.Reconstruction+got.KL)) > 1e-9 || got.KL <= 0 || got.N != n {
		t.Fatalf("ELBO %+v: want NegELBO = Reconstruction + KL > Reconstruction over %d examples", got, n)
	}
	g := models.NewGraph(true)
	x := g.Input("x", v.Mean.W.Value.Dtype(), n, 12)
	e, err := v.NegELBO(g, x, x)
	if err != nil {
		t.Fatal(err)
	}
	cost := gorgonia.Must(gorgonia.Mean(e.Per))
	params, err := g.Nodes(v.Params())
	if err != nil {
		t.Fatal(err)
	}
	p := &tape.Program{Inputs: []*gorgonia.Node{x}, Per: e.Per}
	if err := p.CompileTraining(g, cost, params); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.RNG = rng.Source(7, ELBOStream) // the evaluation's noise, in the same order
	tape.FillRows(p.Feed[0], s.X)
	want, err := p.Run()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.NegELBO-want) > 1e-5*want {
		t.Errorf("evaluation %.7g nats, the training objective %.7g", got.NegELBO, want)
	}
}

// TestVAEEvaluationRepeats checks that an evaluation draws its own noise
// afresh: the same figure every time, at every batch size.
func TestVAEEvaluationRepeats(t *testing.T) {
	v, s := smallVAE(t, 10)
	var first ELBO
	for i, batch := range []int{1, 3, 10, 3, 64} {
		iv, err := NewVAE(v, batch, 7)
		if err != nil {
			t.Fatal(err)
		}
		got, err := iv.ELBO(s)
		iv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = got
		} else if got != first {
			t.Errorf("batch %d: %+v, batch 1: %+v", batch, got, first)
		}
	}
	other, err := NewVAE(v, 3, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if got, _ := other.ELBO(s); got.NegELBO == first.NegELBO {
		t.Error("another seed drew the same noise")
	}
}

func TestVAEEncodeDecode(t *testing.T) {
	v, s := smallVAE(t, 5)
	iv, err := NewVAE(v, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer iv.Close()
	codes, err := iv.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if codes.Len() != 5 || codes.Dim() != 3 || !slices.Equal(codes.Labels, s.Labels) {
		t.Fatalf("codes: %d × %d, labels %v", codes.Len(), codes.Dim(), codes.Labels)
	}
	rec, err := iv.Reconstruct(s)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := iv.Decode(codes)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.Shape, s.Shape) || !slices.Equal(rec.X, dec.X) {
		t.Errorf("the reconstruction (shape %v) is not the decoding of the codes", rec.Shape)
	}
	for _, p := range rec.X {
		if !(p > 0 && p < 1) {
			t.Fatalf("a decoded value %v is not a Bernoulli mean", p)
		}
	}
	a, err := iv.Sample(4, rand.NewPCG(3, 4))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := iv.Sample(4, rand.NewPCG(3, 4))
	if a.Len() != 4 || a.Dim() != 12 || !slices.Equal(a.X, b.X) {
		t.Errorf("samples: %d × %d, the same generator gives the same: %v", a.Len(), a.Dim(), slices.Equal(a.X, b.X))
	}
	if _, err := iv.Decode(s); err == nil {
		t.Error("Decode took 12-value examples for 3-value codes")
	}
	if _, err := iv.Encode(&datasets.Set{Name: "wide", X: make([]float32, 13), Shape: []int{13}}); err == nil {
		t.Error("Encode took 13-value examples")
	}
}

func TestLatentGrid(t *testing.T) {
	s := LatentGrid(4)
	if s.Len() != 16 || s.Dim() != 2 {
		t.Fatalf("%d × %d points", s.Len(), s.Dim())
	}
	// Φ⁻¹(1/8) and Φ⁻¹(7/8): the midpoints of 4 equal intervals of (0, 1).
	const q = 1.1503493803760083
	at := func(i int) (float64, float64) { return float64(s.X[2*i]), float64(s.X[2*i+1]) }
	for _, c := range []struct {
		i    int
		x, y float64
	}{{0, -q, q}, {3, q, q}, {12, -q, -q}, {15, q, -q}} {
		if x, y := at(c.i); math.Abs(x-c.x) > 1e-6 || math.Abs(y-c.y) > 1e-6 {
			t.Errorf("point %d is (%v, %v), want (%v, %v)", c.i, x, y, c.x, c.y)
		}
	}
}
