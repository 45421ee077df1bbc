package runs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
)

// FuzzLoadWeights loads arbitrary bytes as a model file into a small mlp:
// LoadWeights must fail cleanly or load exactly the model's tensors, never
// panic, and a failed load must leave the model as it was. It may
// allocate at most 32 bytes per byte of the file (the file, its header's
// JSON decoded, the tensors' values as floats) and 1 MiB.
func FuzzLoadWeights(f *testing.F) {
	dir := f.TempDir()
	saved := func(seed uint64, hidden int, meta map[string]string) []byte {
		m := tinyMLP(f, seed, hidden)
		path := filepath.Join(dir, "seed.safetensors")
		if err := SaveWeights(path, m.Params(), meta); err != nil {
			f.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		return data
	}
	good := saved(1, 5, map[string]string{"zoo.recipe": "name: x\n", "zoo.format": "1"})
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add(saved(1, 4, nil)) // other widths
	f.Add(rewrite(f, good, func(f *safetensors.File) { f.Tensors = f.Tensors[:3] }))
	f.Add(rewrite(f, good, func(f *safetensors.File) { f.Tensors[0].Name = "layers.9.weight" }))
	f.Add(rewrite(f, good, func(f *safetensors.File) {
		f.Tensors[1] = safetensors.F64(f.Tensors[1].Name, f.Tensors[1].Shape, make([]float64, 5))
	}))
	f.Add(rewrite(f, good, func(f *safetensors.File) { f.Tensors[1].Shape = []int{1, 5} }))
	f.Add(rewrite(f, good, func(f *safetensors.File) {
		f.Tensors[1] = safetensors.Tensor{Name: f.Tensors[1].Name, DType: "I32", Shape: []int{5}, Data: make([]byte, 20)}
	}))

	path := filepath.Join(dir, WeightsFile)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m := tinyMLP(t, 2, 5)
		var before [][]float64
		for _, p := range m.Params() {
			before = append(before, p.Float64s())
		}
		var err error
		budget := 32*uint64(len(data)) + 1<<20
		if n := memory.Allocated(func() { _, err = LoadWeights(path, m.Params()) }); n > budget {
			t.Fatalf("loading %d bytes allocated %d, more than the budget of %d (error %v)", len(data), n, budget, err)
		}
		if err == nil {
			want, derr := safetensors.Decode(data, safetensors.Limits{})
			if derr != nil || len(want.Tensors) != len(m.Params()) {
				t.Fatalf("loaded a file that does not decode to %d tensors: %v", len(m.Params()), derr)
			}
			return
		}
		if !strings.HasPrefix(err.Error(), "runs: load weights") {
			t.Fatalf("error %q lacks the runs: load weights prefix", err)
		}
		for i, p := range m.Params() {
			if !slices.Equal(p.Float64s(), before[i]) {
				t.Fatalf("failed load changed parameter %s", p.Name)
			}
		}
	})
}
