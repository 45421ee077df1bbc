package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
)

// TestModelMemoryRefused: a recipe whose model or batches claim more memory
// than the machine (or Options.MemoryLimit) has is refused before anything
// is allocated, naming both sizes, and leaves no run directory; without
// the check these ended in Go's fatal out-of-memory or a makeslice panic.
func TestModelMemoryRefused(t *testing.T) {
	for _, tt := range []struct {
		name, recipe string
		set          []string
		limit        int64 // 0: the machine's
		want         string
	}{
		// Each width within the recipes' bound (2^24 units), the whole
		// beyond any machine.
		{"two layers of 16 million units", "mlp-csv", []string{"model.layers=[{units: 16000000, activation: relu}, {units: 16000000, activation: relu}]"}, 0,
			"PiB (256.0 T parameters of float32, with gradients and momentum's 1 slot;"},
		{"an autoencoder's two layers of 16 million units", "ae-csv", []string{"model.encoder=[{units: 16000000, activation: sigmoid}, {units: 16000000, activation: sigmoid}]"}, 0,
			"pipeline: ae-csv: the model needs about"},
		// Once recipes bound batch_size themselves, the recipe refuses it
		// first; either way, no makeslice panic.
		{"batch_size near 2^63", "mlp-csv", []string{"batch_size=9223372036854775000"}, 0, ""},
		{"a large batch", "mlp-csv", []string{"batch_size=190"}, 16 << 10,
			"batches of 190 examples through 15 values each), the limit is 16.0 KiB"},
		{"a wide model under a small limit", "ae-csv", []string{"model.encoder=[{units: 1000, activation: sigmoid}]"}, 16 << 10,
			"the limit is 16.0 KiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := recipes.Load(filepath.Join("testdata", "own", tt.recipe+".yaml"), recipes.Options{Set: tt.set})
			if err != nil {
				if tt.want == "" && strings.Contains(err.Error(), "batch_size") {
					return
				}
				t.Fatal(err)
			}
			if tt.want == "" {
				tt.want = "the model needs about"
			}
			out := filepath.Join(t.TempDir(), "run")
			_, err = Train(context.Background(), r, Options{Out: out, MemoryLimit: tt.limit})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if _, serr := os.Stat(out); serr == nil {
				t.Errorf("the refused run left %s behind", out)
			}
		})
	}
}
