package train

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
)

// TestNewStage checks the output rule of each stage and that a stage's
// generators are the ones named for its layer.
func TestNewStage(t *testing.T) {
	hidden := []models.Layer{{Units: 8, Activation: models.Sigmoid}, {Units: 8, Activation: models.ReLU}, {Units: 4, Activation: models.Sigmoid}}
	tests := []struct {
		k    int
		out  models.Activation
		loss losses.Reconstruction
	}{
		{0, models.Sigmoid, losses.ReconstructionBCE}, // pixels in [0, 1]
		{1, models.Sigmoid, losses.ReconstructionBCE}, // codes of a sigmoid layer
		{2, models.Linear, losses.ReconstructionMSE},  // codes of a relu layer
	}
	for _, tt := range tests {
		var asked []string
		s := NewStage(hidden, tt.k, StageOptions{Epochs: 3, Tied: true, Source: func(name string) *rand.PCG {
			asked = append(asked, name)
			return rng.Source(1, name)
		}})
		if s.Output != tt.out || s.Loss != tt.loss || s.Epochs != 3 || !s.Tied {
			t.Errorf("stage %d: output %s, loss %s, epochs %d, tied %v; want %s, %s, 3, true", tt.k, s.Output, s.Loss, s.Epochs, s.Tied, tt.out, tt.loss)
		}
		slices.Sort(asked)
		want := []string{"pretrain.K.corruption", "pretrain.K.init", "pretrain.K.shuffle"}
		for i := range want {
			want[i] = "pretrain." + string(rune('0'+tt.k)) + want[i][len("pretrain.K"):]
		}
		if !slices.Equal(asked, want) {
			t.Errorf("stage %d asked for the generators %v, want %v", tt.k, asked, want)
		}
		if s.Init.Uint64() != rng.New(1, want[1]).Uint64() {
			t.Errorf("stage %d: Init does not draw from %s", tt.k, want[1])
		}
		// Without a Source, the same generators come from the seed.
		seeded := NewStage(hidden, tt.k, StageOptions{Seed: 1})
		if seeded.Init.Uint64() != rng.New(1, want[1]).Uint64() || seeded.Shuffle.Uint64() != rng.New(1, want[2]).Uint64() {
			t.Errorf("stage %d: with Seed 1 the generators are not those named for the layer", tt.k)
		}
	}
}
