package killtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// testRoot holds the runs the tests share (see trainAll).
var testRoot string

func TestMain(m *testing.M) {
	var err error
	if testRoot, err = os.MkdirTemp("", "killtest-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(testRoot)
	os.Exit(code)
}

// tinyData writes an MNIST look-alike of random images (60 for training,
// 10 for test) in dir: 50 training examples once 10 are kept for
// validation.
func tinyData(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	write := func(name string, dims []uint32, below int) {
		b := []byte{0, 0, 0x08, byte(len(dims))}
		n := 1
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, d)
			n *= int(d)
		}
		for range n {
			b = append(b, byte(r.IntN(below)))
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("train-images-idx3-ubyte", []uint32{60, 28, 28}, 256)
	write("train-labels-idx1-ubyte", []uint32{60}, 10)
	write("t10k-images-idx3-ubyte", []uint32{10, 28, 28}, 256)
	write("t10k-labels-idx1-ubyte", []uint32{10}, 10)
}

// Tiny recipes of every kind of run: 50 training examples in batches of
// 10, so 5 updates an epoch.
const (
	mlpRecipe = `name: tiny-mlp
data: {name: mnist}
model: {type: mlp, layers: [{units: 4, activation: relu}]}
loss: cross-entropy
optimizer: {name: momentum, lr: 0.1, momentum: 0.9}
batch_size: 10
epochs: 3
`
	adaptiveRecipe = `name: tiny-adaptive
data: {name: mnist}
model: {type: mlp, layers: [{units: 4, activation: relu}]}
loss: cross-entropy
optimizer: {name: momentum, lr: 0.05, momentum: 0.9}
schedule: {name: adaptive, every: 4, steps: 1, subset: 20}
regularizers:
  dropout: {input: 0.2, hidden: [0.5]}
batch_size: 10
epochs: 3
`
	earlyStopRecipe = `name: tiny-early-stopping
data: {name: mnist}
model: {type: mlp, layers: [{units: 4, activation: relu}]}
loss: cross-entropy
optimizer: {name: adam, lr: 0.01}
early_stopping: {rule: patience, every: 3, patience: 60, increase: 1, threshold: 0, metric: loss}
batch_size: 10
epochs: 3
`
	autoencoderRecipe = `name: tiny-dae
data: {name: mnist}
model:
  type: autoencoder
  encoder: [{units: 8, activation: sigmoid}]
  tied: true
  output: sigmoid
  corruption: {type: mask, level: 0.3}
loss: bce
optimizer: {name: adam, lr: 0.001}
batch_size: 10
epochs: 2
`
	sdaeRecipe = `name: tiny-sdae
data: {name: mnist}
model:
  type: sdae
  encoder: [{units: 8, activation: relu}, {units: 6, activation: relu}]
  tied: true
pretrain:
  epochs: 2
  optimizer: {name: adam, lr: 0.001}
  corruption: {type: mask, level: 0.2}
loss: cross-entropy
optimizer: {name: adam, lr: 0.001}
regularizers:
  dropout: {input: 0.2, hidden: [0.5]}
batch_size: 10
epochs: 2
`
)

// cutLog cancels the run when its log shows at.
type cutLog struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	at     string
	cancel func()
}

func (c *cutLog) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.at) {
		c.cancel()
	}
	return n, err
}

// cut is one interruption of a run: where it happens (in the run's log;
// "" before it starts) and the report of the directory it leaves.
type cut struct {
	at, want string
}

// trained is a run directory of each kind, interrupted at each cut and
// finished, shared by the tests.
type trained struct {
	data string
	// dirs are copies of the run directory: after cut i (name/i) and
	// finished (name/done).
	dirs map[string]string
}

var (
	runsOnce sync.Once
	shared   *trained
	sharedOK bool
)

// runCases are the runs the tests make, with where they are cut.
var runCases = []struct {
	name, recipe string
	cuts         []cut
	done         string // the finished run's report
}{
	{"mlp", mlpRecipe, []cut{
		{"", "mlp recipe, checkpoint (epoch 1, update 1)"},
		{"epoch 2/3", "mlp recipe, checkpoint (epoch 3, update 11), metrics (2 epochs)"},
	}, "mlp recipe, metrics (3 epochs), model, summary"},
	{"adaptive", adaptiveRecipe, []cut{
		{"epoch 1/3", "mlp recipe, checkpoint (epoch 2, update 6), metrics (1 epoch), adaptive log"},
	}, "mlp recipe, metrics (3 epochs), adaptive log, model, summary"},
	{"early-stopping", earlyStopRecipe, []cut{
		{"epoch 1/3", "mlp recipe, checkpoint (epoch 2, update 6), metrics (1 epoch)"},
	}, "mlp recipe, metrics (3 epochs), model, summary"},
	{"autoencoder", autoencoderRecipe, []cut{
		{"", "autoencoder recipe, checkpoint (epoch 1, update 1)"},
		{"epoch 1/2", "autoencoder recipe, checkpoint (epoch 2, update 6), metrics (1 epoch)"},
	}, "autoencoder recipe, metrics (2 epochs), 2 figures, model, summary"},
	{"sdae", sdaeRecipe, []cut{
		{"", "sdae recipe, checkpoint (pretrain layer 0, epoch 1, update 1)"},
		{"pretraining layer 2 of 2", "sdae recipe, checkpoint (pretrain layer 1, epoch 1, update 1), metrics (2 epochs), 2 figures"},
		{"fine-tuning", "sdae recipe, checkpoint (finetune, epoch 1, update 1), metrics (4 epochs), 2 figures"},
		{"epoch 1/2", "sdae recipe, checkpoint (finetune, epoch 2, update 6), metrics (5 epochs), 2 figures"},
	}, "sdae recipe, metrics (6 epochs), 2 figures, model, summary"},
}

// trainAll makes the runs of runCases, once for all the tests, keeping a
// copy of the directory after every cut and at the end.
func trainAll(t *testing.T) *trained {
	t.Helper()
	runsOnce.Do(func() {
		root := testRoot
		shared = &trained{data: filepath.Join(root, "data"), dirs: map[string]string{}}
		tinyData(t, shared.data)
		for _, c := range runCases {
			r, err := recipes.Parse(c.name+".yaml", []byte(c.recipe), recipes.Options{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			dir := filepath.Join(root, c.name, "run")
			o := pipeline.Options{Out: dir, DataDir: shared.data}
			for i, cu := range c.cuts {
				ctx, cancel := context.WithCancel(context.Background())
				if cu.at == "" {
					cancel()
				}
				o.Log = &cutLog{at: cu.at, cancel: cancel}
				if i == 0 {
					_, err = pipeline.Train(ctx, r, o)
				} else {
					_, err = pipeline.Resume(ctx, o)
				}
				cancel()
				if err == nil {
					t.Fatalf("%s: the run cut at %q finished", c.name, cu.at)
				}
				shared.save(t, c.name, i, dir)
			}
			if _, err := pipeline.Resume(context.Background(), pipeline.Options{Out: dir, DataDir: shared.data}); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			shared.save(t, c.name, -1, dir)
		}
		sharedOK = true
	})
	if !sharedOK {
		t.Fatal("the runs failed (see the first test)")
	}
	return shared
}

// save copies dir as the run after cut i (-1: finished).
func (tr *trained) save(t *testing.T, name string, i int, dir string) {
	t.Helper()
	key := name + "/done"
	if i >= 0 {
		key = name + "/" + strconv.Itoa(i)
	}
	to := filepath.Join(filepath.Dir(dir), strings.ReplaceAll(key, "/", "-"))
	if err := os.CopyFS(to, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	tr.dirs[key] = to
}

// copyRun copies the run saved as key to a new directory.
func (tr *trained) copyRun(t *testing.T, key string) string {
	t.Helper()
	from, ok := tr.dirs[key]
	if !ok {
		t.Fatalf("no run %s", key)
	}
	to := filepath.Join(t.TempDir(), "run")
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestCheckRuns checks the directories real runs of every kind leave when
// interrupted at chosen places (within an sdae's pretraining and
// fine-tuning) and when finished.
func TestCheckRuns(t *testing.T) {
	tr := trainAll(t)
	for _, c := range runCases {
		t.Run(c.name, func(t *testing.T) {
			for i, cu := range c.cuts {
				rep, err := Check(tr.dirs[c.name+"/"+strconv.Itoa(i)], tr.data)
				if err != nil {
					t.Fatalf("cut %d (%q): %v", i, cu.at, err)
				}
				if got := rep.String(); got != cu.want {
					t.Errorf("cut %d (%q):\n got %s\nwant %s", i, cu.at, got, cu.want)
				}
			}
			rep, err := Check(tr.dirs[c.name+"/done"], tr.data)
			if err != nil {
				t.Fatalf("finished: %v", err)
			}
			if got := rep.String(); got != c.done {
				t.Errorf("finished:\n got %s\nwant %s", got, c.done)
			}
		})
	}
}

// TestCheckStray checks that the temporary file of a write killed before
// its rename is listed, not an error, and gone after a resume.
func TestCheckStray(t *testing.T) {
	tr := trainAll(t)
	dir := tr.copyRun(t, "mlp/0")
	stray := filepath.Join(dir, ".checkpoint.safetensors.tmp-123")
	if err := os.WriteFile(stray, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep, err := Check(dir, tr.data); err != nil || len(rep.Stray) != 1 {
		t.Errorf("with a stray file: %v, %v", rep, err)
	}
	if _, err := pipeline.Resume(context.Background(), pipeline.Options{Out: dir, DataDir: tr.data}); err != nil {
		t.Fatal(err)
	}
	if rep, err := Check(dir, tr.data); err != nil || len(rep.Stray) != 0 || !rep.Summary {
		t.Errorf("resumed: %v, %v", rep, err)
	}
}

// editCheckpoint rewrites the checkpoint in dir: edit changes its tensors
// and its zoo.checkpoint metadata, decoded as JSON.
func editCheckpoint(t *testing.T, dir string, edit func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor) {
	t.Helper()
	path := filepath.Join(dir, runs.CheckpointFile)
	f, err := safetensors.ReadFile(path, safetensors.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	if err := json.Unmarshal([]byte(f.Metadata["zoo.checkpoint"]), &meta); err != nil {
		t.Fatal(err)
	}
	ts := edit(f.Tensors, meta)
	text, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := safetensors.WriteFile(path, ts, map[string]string{"zoo.checkpoint": string(text)}); err != nil {
		t.Fatal(err)
	}
}

// without drops the tensor named.
func without(name string) func([]safetensors.Tensor, map[string]any) []safetensors.Tensor {
	return func(ts []safetensors.Tensor, _ map[string]any) []safetensors.Tensor {
		return slices.DeleteFunc(ts, func(t safetensors.Tensor) bool { return t.Name == name })
	}
}

// state sets a field of the checkpoint's loop state.
func state(key string, v any) func([]safetensors.Tensor, map[string]any) []safetensors.Tensor {
	return func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
		meta["state"].(map[string]any)[key] = v
		return ts
	}
}

// TestCheckDamaged checks that damaged and inconsistent run directories
// are rejected: each case edits a copy of a run saved by trainAll.
func TestCheckDamaged(t *testing.T) {
	tr := trainAll(t)
	write := func(name, text string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	edit := func(f func([]safetensors.Tensor, map[string]any) []safetensors.Tensor) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) { editCheckpoint(t, dir, f) }
	}
	copyFrom := func(key, name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(tr.dirs[key], name))
			if err != nil {
				t.Fatal(err)
			}
			write(name, string(b))(t, dir)
		}
	}
	metrics := func(f func(text string) string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, runs.MetricsFile))
			if err != nil {
				t.Fatal(err)
			}
			write(runs.MetricsFile, f(string(b)))(t, dir)
		}
	}
	for _, tt := range []struct {
		name, run string
		damage    func(t *testing.T, dir string)
		want      string
	}{
		{"weights", "mlp/done", write(runs.WeightsFile, "not a model"), "load weights"},
		{"truncated checkpoint", "mlp/1", func(t *testing.T, dir string) {
			b, err := os.ReadFile(filepath.Join(dir, runs.CheckpointFile))
			if err != nil {
				t.Fatal(err)
			}
			write(runs.CheckpointFile, string(b[:len(b)/2]))(t, dir)
		}, "truncated"},
		{"metrics header", "mlp/done", write(runs.MetricsFile, "epoch,train_loss\n1,2\n"), "unknown columns"},
		{"staged metrics in an mlp run", "mlp/done", copyFrom("autoencoder/done", runs.MetricsFile), "unexpected header"},
		{"mlp metrics in an sdae run", "sdae/3", copyFrom("mlp/1", runs.MetricsFile), "unexpected header"},
		{"recipe", "mlp/done", write(runs.RecipeFile, "name: [\n"), "recipe"},
		{"unknown file", "mlp/1", write("notes.txt", "hello"), "unexpected file notes.txt"},
		{"metrics row", "mlp/1", metrics(func(s string) string { return strings.Replace(s, "\n2,", "\n2,9", 1) }), "the checkpoint's record"},
		{"metrics behind", "mlp/1", metrics(func(s string) string { return s[:strings.Index(s, "\n")+1] }), "0 epochs, the checkpoint has 2: want 1 to 3"},
		{"metrics out of order", "sdae/3", metrics(func(s string) string { return strings.Replace(s, "pretrain,1,1,", "pretrain,1,2,", 1) }), "want pretrain layer 1 epoch 1"},
		{"metrics without checkpoint", "mlp/1", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, runs.CheckpointFile))
		}, "without a checkpoint"},
		{"missing optimizer buffer", "mlp/1", edit(without("optimizer.layers.0.weight.0")), `no tensor "optimizer.layers.0.weight.0"`},
		{"missing parameter", "autoencoder/1", edit(without("decoder.0.bias")), `no tensor "decoder.0.bias"`},
		{"stage decoder missing", "sdae/1", edit(without("decoder.0.bias")), `no tensor "decoder.0.bias"`},
		{"resized parameter", "mlp/1", edit(func(ts []safetensors.Tensor, _ map[string]any) []safetensors.Tensor {
			for i, t := range ts {
				if t.Name == "layers.1.bias" {
					ts[i] = safetensors.F64(t.Name, []int{3}, []float64{1, 2, 3})
				}
			}
			return ts
		}), `tensor "layers.1.bias" is F64 [3], want F64 [10]`},
		{"extra tensor", "sdae/1", edit(func(ts []safetensors.Tensor, _ map[string]any) []safetensors.Tensor {
			return append(ts, safetensors.F64("optimizer.layers.0.bias.0", []int{8}, make([]float64, 8)))
		}), `unexpected tensor "optimizer.layers.0.bias.0"`},
		{"order not a permutation", "mlp/0", edit(func(ts []safetensors.Tensor, _ map[string]any) []safetensors.Tensor {
			for _, t := range ts {
				if t.Name == "order" {
					copy(t.Data[8:16], t.Data[0:8])
				}
			}
			return ts
		}), "not a permutation"},
		{"order too short", "mlp/0", edit(func(ts []safetensors.Tensor, _ map[string]any) []safetensors.Tensor {
			for i, t := range ts {
				if t.Name == "order" {
					ts[i] = safetensors.Tensor{Name: "order", DType: "I64", Shape: []int{2}, Data: t.Data[:16]}
				}
			}
			return ts
		}), `tensor "order" is I64 [2], want I64 [50]`},
		{"epoch beyond the run", "mlp/1", edit(state("epoch", 4)), "inconsistent state"},
		{"updates", "mlp/1", edit(state("updates", 99)), "updates"},
		{"missing stream", "mlp/1", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			delete(meta["streams"].(map[string]any), "dropout")
			return ts
		}), "random streams"},
		{"bad stream", "autoencoder/1", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			meta["streams"].(map[string]any)["corruption"] = "AAAA"
			return ts
		}), `random stream "corruption"`},
		{"optimizer", "mlp/1", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			meta["optimizer"].(map[string]any)["name"] = "adam"
			return ts
		}), `optimizer "adam"`},
		{"no adaptive state", "adaptive/0", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			delete(meta, "adaptive")
			return ts
		}), "adaptive schedule state"},
		{"no early-stopping state", "early-stopping/0", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			delete(meta, "early_stop")
			return ts
		}), "early-stopping state"},
		{"phase of another run", "mlp/1", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			meta["phase"] = "finetune"
			return ts
		}), `checkpoint of phase "finetune"`},
		{"sdae layer", "sdae/1", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			meta["layer"] = 0
			return ts
		}), "records of finished pretraining stages"},
		{"sdae pretrain records", "sdae/3", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			pre := meta["pretrain"].([]any)
			meta["pretrain"] = pre[:len(pre)-1]
			return ts
		}), "records of finished pretraining stages"},
		{"sdae layer summaries", "sdae/3", edit(func(ts []safetensors.Tensor, meta map[string]any) []safetensors.Tensor {
			meta["layers"].([]any)[1].(map[string]any)["epochs"] = 5
			return ts
		}), "layer 1 pretrained 5 epochs"},
		{"model too early", "sdae/3", copyFrom("sdae/done", runs.WeightsFile), "model.safetensors, but metrics.csv has 5"},
		{"summary epochs", "autoencoder/done", func(t *testing.T, dir string) {
			s, err := runs.ReadSummary(dir)
			if err != nil {
				t.Fatal(err)
			}
			s.Epochs = 7
			b, _ := json.Marshal(s)
			write(runs.SummaryFile, string(b))(t, dir)
		}, "summary says 7 epochs"},
		{"adaptive log in an autoencoder run", "autoencoder/done", copyFrom("adaptive/done", runs.AdaptiveFile), "without the adaptive schedule"},
		{"adaptive log", "adaptive/done", write(runs.AdaptiveFile, "update,candidate_lr,subset_loss,chosen\n5,0.1,2.3,0\n"), "chose 0 rates"},
		{"figure", "autoencoder/done", write(runs.FiltersFile, "\x89PNG\r\n\x1a\n broken"), "filters.png"},
		{"figures in an mlp run", "mlp/done", copyFrom("autoencoder/done", runs.ReconstructionsFile), "in an mlp run"},
		{"figures before training ends", "autoencoder/1", copyFrom("autoencoder/done", runs.ReconstructionsFile), "before the training is over"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := tr.copyRun(t, tt.run)
			if _, err := Check(dir, tr.data); err != nil {
				t.Fatalf("undamaged: %v", err)
			}
			tt.damage(t, dir)
			if _, err := Check(dir, tr.data); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}
