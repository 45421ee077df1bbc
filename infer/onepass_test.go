package infer

import (
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/tensor"
)

// TestEncodeMatchesWholeGraph checks that Encode, which runs the encoder
// alone, gives the very bits of the code node of the whole inference graph
// (encoder, decoder and loss), for both float types, a deep encoder and a
// padded last chunk.
func TestEncodeMatchesWholeGraph(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 6, DType: dt, Output: models.Sigmoid,
			Encoder: []models.Layer{{Units: 5, Activation: models.ReLU}, {Units: 3, Activation: models.Sigmoid}}}, rng.New(1, "init"))
		if err != nil {
			t.Fatal(err)
		}
		s := randomSet(11, 6, 4)
		a, err := NewAutoencoder(m, losses.ReconstructionBCE, 4)
		if err != nil {
			t.Fatal(err)
		}
		var want []float32
		k := a.CodeUnits()
		if err := a.chunks(s, func(_, n int) {
			c := make([]float32, n*k)
			copyFloat32s(c, a.code.Value())
			want = append(want, c...)
		}); err != nil {
			t.Fatal(err)
		}
		for round := range 2 { // the second Encode reuses the compiled encoder
			got, err := a.Encode(s)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.X, want) {
				t.Errorf("%v, round %d: Encode %v, the whole graph's code %v", dt, round, got.X, want)
			}
		}
		a.Close()
	}
}
