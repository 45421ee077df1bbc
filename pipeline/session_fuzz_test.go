package pipeline

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// tinyMLP is a 6-hidden-3 network, like mlp(t, seed, hidden) but usable
// from a fuzz target's setup.
func tinyMLP(tb testing.TB, seed uint64, hidden int) *models.MLP {
	tb.Helper()
	c := models.MLPConfig{Inputs: 6, Classes: 3, Hidden: []models.Layer{{Units: hidden, Activation: models.ReLU}}}
	m, err := models.NewMLP(c, rng.New(seed, "init"))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// validCheckpoint returns the bytes of a checkpoint of a small mlp with a
// momentum optimizer, an example order, and, if stop is set, early-stopping
// state and best parameters.
func validCheckpoint(tb testing.TB, stop bool) []byte {
	tb.Helper()
	m := tinyMLP(tb, 1, 5)
	opt, err := optimizers.New(optimizers.Config{Name: "momentum"})
	if err != nil {
		tb.Fatal(err)
	}
	// One step's worth of state: the momentum buffers exist after the first
	// update.
	ost := opt.State()
	ost.Step = 3
	ost.Slots = nil
	for _, p := range m.Params() {
		ost.Slots = append(ost.Slots, [][]float64{make([]float64, p.Value.Shape().TotalSize())})
	}
	if err := opt.SetState(ost); err != nil {
		tb.Fatal(err)
	}
	st := &train.State{
		Epoch: 2, Pos: 4, Updates: 7, LossSum: 3.5, Steps: 2, Seconds: 0.25,
		Order:   []int{3, 1, 4, 0, 5, 9, 2, 6, 8, 7},
		Records: []train.Record{{Epoch: 1, TrainLoss: 1.5, LR: 0.1, Updates: 5}},
	}
	var stopper earlystop.Stopper
	if stop {
		p := &earlystop.Patience{Patience: 10, Increase: 2}
		stopper = p
		st.Best = nil
		for _, q := range m.Params() {
			st.Best = append(st.Best, q.Clone())
		}
	}
	dir := tb.TempDir()
	if err := saveCheckpoint(dir, st, m.Params(), nil, opt, newStreams(1, classifierStreams...), stopper, checkpointMeta{}); err != nil {
		tb.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, runs.CheckpointFile))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// rewrite decodes a checkpoint, lets edit change its tensors and metadata,
// and encodes it again.
func rewrite(tb testing.TB, data []byte, edit func(f *safetensors.File)) []byte {
	tb.Helper()
	f, err := safetensors.Decode(data, safetensors.Limits{})
	if err != nil {
		tb.Fatal(err)
	}
	edit(f)
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, f.Tensors, f.Metadata); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// setOrder replaces the "order" tensor.
func setOrder(shape []int, values ...int64) func(f *safetensors.File) {
	return func(f *safetensors.File) {
		data := make([]byte, 8*len(values))
		for i, v := range values {
			binary.LittleEndian.PutUint64(data[8*i:], uint64(v))
		}
		for i, t := range f.Tensors {
			if t.Name == "order" {
				f.Tensors[i] = safetensors.Tensor{Name: "order", DType: "I64", Shape: shape, Data: data}
			}
		}
	}
}

// FuzzLoadCheckpoint writes arbitrary bytes as a run's checkpoint and
// resumes from it: loadCheckpoint must return an error or a state the
// training loop can use, never panic, and must leave the model untouched
// when it fails. Loading may allocate at most 32 bytes per byte of the
// file (the file, its header and metadata decoded, the optimizer's slots
// and the order, which the file's tensors hold) and 1 MiB: a count in the
// metadata costs nothing the tensors do not back.
func FuzzLoadCheckpoint(f *testing.F) {
	for _, stop := range []bool{false, true} {
		good := validCheckpoint(f, stop)
		f.Add(good)
		f.Add(good[:len(good)/2])
		f.Add(rewrite(f, good, setOrder([]int{}, 0)))         // a scalar order
		f.Add(rewrite(f, good, setOrder([]int{2}, 0, 1<<40))) // an index beyond the data
		f.Add(rewrite(f, good, setOrder([]int{3}, 0, -1, 1))) // a negative index
		f.Add(rewrite(f, good, setOrder([]int{3}, 0, 0, 1)))  // a repeated index
		f.Add(rewrite(f, good, setOrder([]int{1, 2}, 1, 0)))  // a matrix
		f.Add(rewrite(f, good, func(f *safetensors.File) { f.Metadata = nil }))
		f.Add(rewrite(f, good, func(f *safetensors.File) {
			f.Metadata["zoo.checkpoint"] = strings.Replace(f.Metadata["zoo.checkpoint"], `"slots":1`, `"slots":1000000000`, 1)
		}))
		f.Add(rewrite(f, good, func(f *safetensors.File) {
			f.Metadata["zoo.checkpoint"] = strings.Replace(f.Metadata["zoo.checkpoint"], `"streams":{`, `"streams":{"x":"AA==",`, 1)
		}))
		f.Add(rewrite(f, good, func(f *safetensors.File) { f.Tensors = f.Tensors[1:] }))
	}
	f.Add([]byte{})

	dir := f.TempDir()
	path := filepath.Join(dir, runs.CheckpointFile)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, stop := range []bool{false, true} {
			m := tinyMLP(t, 2, 5)
			before := [][]float64{}
			for _, p := range m.Params() {
				before = append(before, p.Float64s())
			}
			opt, err := optimizers.New(optimizers.Config{Name: "momentum"})
			if err != nil {
				t.Fatal(err)
			}
			var stopper earlystop.Stopper
			if stop {
				stopper = &earlystop.Patience{Patience: 10, Increase: 2}
			}
			var st *train.State
			budget := 32*uint64(len(data)) + 1<<20
			if n := memory.Allocated(func() {
				st, _, err = loadCheckpoint(dir, m.Params(), nil, opt, newStreams(2, classifierStreams...), stopper, nil)
			}); n > budget {
				t.Fatalf("loading %d bytes allocated %d, more than the budget of %d (error %v)", len(data), n, budget, err)
			}
			if err != nil {
				if st != nil {
					t.Fatalf("state %+v with error %v", st, err)
				}
				if !strings.HasPrefix(err.Error(), "runs: resume: ") && !strings.HasPrefix(err.Error(), "pipeline: resume: ") {
					t.Fatalf("error %q lacks the runs: resume: (the file) or pipeline: resume: (its state) prefix", err)
				}
				for i, p := range m.Params() {
					if !slices.Equal(p.Float64s(), before[i]) {
						t.Fatalf("failed load changed parameter %s", p.Name)
					}
				}
				continue
			}
			if st.Order != nil {
				seen := make([]bool, len(st.Order))
				for _, v := range st.Order {
					if v < 0 || v >= len(seen) || seen[v] {
						t.Fatalf("accepted order %v, not a permutation", st.Order)
					}
					seen[v] = true
				}
			}
			if len(st.Best) != 0 && len(st.Best) != len(m.Params()) {
				t.Fatalf("accepted %d best parameters for %d", len(st.Best), len(m.Params()))
			}
		}
	})
}
