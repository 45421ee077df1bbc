package models

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"gorgonia.org/tensor"
)

// The estimate counts exactly the parameters the built model has.
func TestSizeCountsParams(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	mlps := []MLPConfig{
		{Inputs: 784, Classes: 10},
		{Inputs: 784, Hidden: []Layer{{Units: 100, Activation: ReLU}, {Units: 30, Activation: Tanh}}, Classes: 10, DType: tensor.Float64},
	}
	for _, c := range mlps {
		m, err := NewMLP(c, r)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Size().Params, float64(Count(m.Params())); got != want {
			t.Errorf("mlp %+v: Size().Params = %v, the model has %v", c, got, want)
		}
	}
	aes := []AutoencoderConfig{
		{Inputs: 20, Encoder: []Layer{{Units: 5, Activation: Sigmoid}}},
		{Inputs: 20, Encoder: []Layer{{Units: 8, Activation: ReLU}, {Units: 3, Activation: Linear}}},
		{Inputs: 20, Encoder: []Layer{{Units: 8, Activation: ReLU}, {Units: 3, Activation: Linear}}, Tied: true},
		{Inputs: 20, Encoder: []Layer{{Units: 8, Activation: ReLU}}, Decoder: []Layer{{Units: 11, Activation: ReLU}, {Units: 6, Activation: ReLU}}},
	}
	for _, c := range aes {
		a, err := NewAutoencoder(c, r)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Size().Params, float64(Count(a.Params())); got != want {
			t.Errorf("autoencoder %+v: Size().Params = %v, the model has %v", c, got, want)
		}
	}
}

// Hostile configs: each claims more than the limit, and the estimate says
// so without wrapping around.
func TestFootprintRefusesClaims(t *testing.T) {
	limit := memory.Of(1 << 30)
	for _, c := range []struct {
		name string
		f    Footprint
		want string
	}{
		{"a billion units", Footprint{Size: MLPConfig{Inputs: 784, Hidden: []Layer{{Units: 1_000_000_000}}, Classes: 10}.Size(), Batch: 100, Training: true, Optimizer: "adam", Slots: 2},
			"the model needs about 18.8 TiB (795.0 G parameters of float32, with gradients and adam's 2 slots; batches of 100 examples through 1.0 G values each), the limit is 1.0 GiB"},
		{"units near 2^63", Footprint{Size: MLPConfig{Inputs: 784, Hidden: []Layer{{Units: math.MaxInt64}, {Units: math.MaxInt64}}, Classes: 10}.Size(), Batch: 1},
			"EiB (8.5e+37 parameters of float32; batches of 1 example through 1.8e+19 values each), the limit is 1.0 GiB"},
		{"batch near 2^63", Footprint{Size: MLPConfig{Inputs: 784, Classes: 10}.Size(), Batch: math.MaxInt64 - 1, Training: true},
			"batches of 9223372036854775806 examples"},
		{"autoencoder", Footprint{Size: AutoencoderConfig{Inputs: 784, Encoder: []Layer{{Units: 1 << 40}}, Tied: true}.Size(), Batch: 100},
			"parameters of float32; batches"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.f.Check(limit)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
	small := Footprint{Size: MLPConfig{Inputs: 784, Hidden: []Layer{{Units: 100}}, Classes: 10}.Size(), Batch: 100, Training: true, Slots: 2}
	if err := small.Check(limit); err != nil {
		t.Errorf("a small model is refused: %v", err)
	}
}
