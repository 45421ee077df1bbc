package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// idxRecipe trains in a moment on writeIDXDir's data, given with DataDir.
const idxRecipe = `name: idx-tiny
data: {name: mnist}
model: {type: mlp, layers: [{units: 8, activation: relu}]}
loss: cross-entropy
optimizer: {name: sgd, lr: 0.1}
batch_size: 10
epochs: 2
`

// writeIDXDir writes an MNIST look-alike (random 28×28 bytes, 120
// training and 20 test pictures, the same every time) to dir, under
// MNIST's file names.
func writeIDXDir(t *testing.T, dir string) string {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	file := func(dims []uint32, below int) []byte {
		b := []byte{0, 0, 0x08, byte(len(dims))}
		n := 1
		for _, d := range dims {
			b = binary.BigEndian.AppendUint32(b, d)
			n *= int(d)
		}
		for range n {
			b = append(b, byte(r.IntN(below)))
		}
		return b
	}
	files := []struct {
		name string
		data []byte
	}{
		{"train-images-idx3-ubyte", file([]uint32{120, 28, 28}, 256)},
		{"train-labels-idx1-ubyte", file([]uint32{120}, 10)},
		{"t10k-images-idx3-ubyte", file([]uint32{20, 28, 28}, 256)},
		{"t10k-labels-idx1-ubyte", file([]uint32{20}, 10)},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// flipByte changes the last byte of the file at path.
func flipByte(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 1
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// provenanceCase is one way of coming back to a run trained with DataDir:
// what is done to its data or recipe first, the DataDir given, and the
// error wanted ("" for success).
type provenanceCase struct {
	name string
	// prepare changes the world before the run is resumed or evaluated;
	// data is the run's data directory, run the run's.
	prepare func(t *testing.T, data, run string) (dataDir string)
	want    string
}

var provenanceCases = []provenanceCase{
	{"the recorded directory, without DataDir",
		func(t *testing.T, data, run string) string { return "" }, ""},
	{"DataDir naming the recorded directory",
		func(t *testing.T, data, run string) string { return data }, ""},
	{"the same files moved elsewhere, given with DataDir",
		func(t *testing.T, data, run string) string {
			moved := data + "-moved"
			if err := os.Rename(data, moved); err != nil {
				t.Fatal(err)
			}
			return moved
		}, ""},
	{"the directory removed",
		func(t *testing.T, data, run string) string {
			if err := os.RemoveAll(data); err != nil {
				t.Fatal(err)
			}
			return ""
		}, "the run was trained on the mnist data in DATA (train-images-idx3-ubyte sha256 "},
	{"a file of the directory removed",
		func(t *testing.T, data, run string) string {
			if err := os.Remove(filepath.Join(data, "t10k-labels-idx1-ubyte")); err != nil {
				t.Fatal(err)
			}
			return ""
		}, "the run was trained on DATA/t10k-labels-idx1-ubyte (sha256 "},
	{"a file changed",
		func(t *testing.T, data, run string) string {
			flipByte(t, filepath.Join(data, "train-labels-idx1-ubyte"))
			return ""
		}, "DATA/train-labels-idx1-ubyte has changed since the run was trained on it (sha256 "},
	{"a file changed, and given again with DataDir",
		func(t *testing.T, data, run string) string {
			flipByte(t, filepath.Join(data, "t10k-images-idx3-ubyte"))
			return data
		}, "DATA/t10k-images-idx3-ubyte has changed since the run was trained on it"},
	{"other files given with DataDir",
		func(t *testing.T, data, run string) string {
			other := writeIDXDir(t, data+"-other")
			flipByte(t, filepath.Join(other, "t10k-labels-idx1-ubyte"))
			return other
		}, "DATA-other/t10k-labels-idx1-ubyte is not the file the run was trained on (sha256 "},
	{"other files given with DataDir, gzipped",
		func(t *testing.T, data, run string) string {
			other := data + "-gz"
			if err := os.MkdirAll(other, 0o755); err != nil {
				t.Fatal(err)
			}
			// The same content, other files: the run records what it read.
			b, err := os.ReadFile(filepath.Join(data, "t10k-images-idx3-ubyte"))
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"} {
				if err := os.Link(filepath.Join(data, name), filepath.Join(other, name)); err != nil {
					t.Fatal(err)
				}
			}
			writeGzip(t, filepath.Join(other, "t10k-images-idx3-ubyte.gz"), b)
			return other
		}, "DATA-gz/t10k-images-idx3-ubyte.gz is not the file the run was trained on"},
}

// trainedOn trains idxRecipe on a new copy of the tiny data in dir/data,
// stopped by a hook in its second epoch when cut, and returns the data
// and run directories.
func trainedOn(t *testing.T, dir string, cut bool) (data, run string) {
	t.Helper()
	r, err := recipes.Parse("idx-tiny", []byte(idxRecipe), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, run = writeIDXDir(t, filepath.Join(dir, "data")), filepath.Join(dir, "run")
	o := Options{Out: run, DataDir: data}
	stop := errors.New("stop")
	if cut {
		o.Hooks = []train.Hook{train.StepFunc(func(s train.StepInfo) error {
			if s.Epoch == 2 {
				return stop
			}
			return nil
		})}
	}
	if _, err := Train(context.Background(), r, o); (err != nil) != cut || (cut && !errors.Is(err, stop)) {
		t.Fatalf("train (cut %v): %v", cut, err)
	}
	return data, run
}

// checkProvenance fails unless err is nil when want is "", or holds want
// with DATA standing for data.
func checkProvenance(t *testing.T, err error, want, data string) {
	t.Helper()
	want = strings.ReplaceAll(want, "DATA", data)
	switch {
	case want == "" && err != nil:
		t.Fatalf("error %v, want none", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("error %v, want one with %q", err, want)
	}
}

// TestResumeReadsRecordedData: a run trained with DataDir and interrupted
// resumes on the same data without DataDir (not on the built-in MNIST),
// ending with the weights of the run never interrupted, and is refused
// when its data has gone or changed.
func TestResumeReadsRecordedData(t *testing.T) {
	_, whole := trainedOn(t, t.TempDir(), false)
	for _, tt := range provenanceCases {
		t.Run(tt.name, func(t *testing.T) {
			data, run := trainedOn(t, t.TempDir(), true)
			dataDir := tt.prepare(t, data, run)
			s, err := Resume(context.Background(), Options{Out: run, DataDir: dataDir})
			checkProvenance(t, err, tt.want, data)
			if err != nil {
				if _, serr := os.Stat(filepath.Join(run, runs.CheckpointFile)); serr != nil {
					t.Errorf("the refused resume lost the checkpoint: %v", serr)
				}
				return
			}
			if !bytes.Equal(read(t, run, runs.WeightsFile), read(t, whole, runs.WeightsFile)) {
				t.Error("the resumed run's weights differ from the uninterrupted run's")
			}
			if s.Data == nil || s.Data.Source != runs.DataDir || s.Data.Files["train"].SHA256 == "" {
				t.Errorf("summary's data record %+v, want the directory's files", s.Data)
			}
		})
	}
}

// TestEvaluateReadsRecordedData: a finished run trained with DataDir is
// evaluated on its own data without DataDir, to the figures it reported,
// and refused when its data has gone or changed.
func TestEvaluateReadsRecordedData(t *testing.T) {
	for _, tt := range provenanceCases {
		t.Run(tt.name, func(t *testing.T) {
			data, run := trainedOn(t, t.TempDir(), false)
			dataDir := tt.prepare(t, data, run)
			ev, err := Evaluate(context.Background(), run, DataOptions{Dir: dataDir})
			checkProvenance(t, err, tt.want, data)
			if err != nil {
				return
			}
			s, err := runs.ReadSummary(run)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Test.Error != s.TestError || ev.Test.N != s.Test {
				t.Errorf("evaluated to error %v on %d examples; the run reported %v on %d", ev.Test.Error, ev.Test.N, s.TestError, s.Test)
			}
		})
	}
}

// TestDataRecord: the summary and the checkpoint record where the data
// came from — built in, a directory, the user's files — with the digests
// of the files read.
func TestDataRecord(t *testing.T) {
	t.Run("directory", func(t *testing.T) {
		data, run := trainedOn(t, t.TempDir(), true)
		c, err := readCheckpoint(run)
		if err != nil {
			t.Fatal(err)
		}
		rec := c.meta.Data
		if rec == nil || rec.Name != "mnist" || rec.Source != runs.DataDir || rec.Dir != data || len(rec.Files) != 4 {
			t.Fatalf("checkpoint's data record %+v", rec)
		}
		f := rec.Files["train_labels"]
		if f.Path != filepath.Join(data, "train-labels-idx1-ubyte") || f.Bytes != 128 || len(f.SHA256) != 64 {
			t.Errorf("train_labels recorded as %+v", f)
		}
		if c.meta.Recipe == "" {
			t.Error("the checkpoint does not hold the recipe the run started with")
		}
	})
	t.Run("data.dir", func(t *testing.T) {
		dir := t.TempDir()
		data := writeIDXDir(t, filepath.Join(dir, "data"))
		r, err := recipes.Parse("idx-dir", []byte(strings.Replace(idxRecipe, "{name: mnist}", "{name: mnist, dir: "+data+"}", 1)), recipes.Options{})
		if err != nil {
			t.Fatal(err)
		}
		run := filepath.Join(dir, "run")
		s, err := Train(context.Background(), r, Options{Out: run})
		if err != nil {
			t.Fatal(err)
		}
		if s.Data == nil || s.Data.Source != runs.DataDir || s.Data.Dir != data {
			t.Fatalf("data record %+v, want the recipe's data.dir", s.Data)
		}
		flipByte(t, filepath.Join(data, "t10k-images-idx3-ubyte"))
		_, err = Evaluate(context.Background(), run, DataOptions{})
		checkProvenance(t, err, "DATA/t10k-images-idx3-ubyte has changed since the run was trained on it", data)
	})
	t.Run("data.name edited in a finished run", func(t *testing.T) {
		_, run := trainedOn(t, t.TempDir(), false)
		path := filepath.Join(run, runs.RecipeFile)
		text := strings.Replace(string(read(t, run, runs.RecipeFile)), "name: mnist", "name: kmnist", 1)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Evaluate(context.Background(), run, DataOptions{})
		checkProvenance(t, err, "recipe.yaml was changed since the run was trained (data.name mnist → kmnist)", "")
	})
	t.Run("built-in", func(t *testing.T) {
		_, s, err := trainWith(t, "mlp-mnist", nil, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		rec := s.Data
		if rec == nil || rec.Source != runs.DataBuiltIn || rec.Dir != "" {
			t.Fatalf("data record %+v, want the built-in MNIST", rec)
		}
		if f := rec.Files["train"]; f.Path != "train-images-idx3-ubyte.gz" || f.SHA256 != "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" {
			t.Errorf("train recorded as %+v, want the embedded file and its published digest", f)
		}
	})
	t.Run("files", func(t *testing.T) {
		dir := t.TempDir()
		for _, name := range []string{"train.csv", "test.csv"} {
			b := read(t, filepath.Join("testdata", "own"), name)
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		recipe := filepath.Join(dir, "mlp-csv.yaml")
		if err := os.WriteFile(recipe, read(t, filepath.Join("testdata", "own"), "mlp-csv.yaml"), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := recipes.Load(recipe, recipes.Options{})
		if err != nil {
			t.Fatal(err)
		}
		run := filepath.Join(dir, "run")
		s, err := Train(context.Background(), r, Options{Out: run})
		if err != nil {
			t.Fatal(err)
		}
		if s.Data == nil || s.Data.Source != runs.DataFiles || s.Data.Files["test"].Path != filepath.Join(dir, "test.csv") {
			t.Fatalf("data record %+v, want the csv files", s.Data)
		}
		flipByte(t, filepath.Join(dir, "test.csv"))
		_, err = Evaluate(context.Background(), run, DataOptions{})
		checkProvenance(t, err, "DATA/test.csv has changed since the run was trained on it", dir)
		if err := os.Remove(filepath.Join(dir, "test.csv")); err != nil {
			t.Fatal(err)
		}
		_, err = Evaluate(context.Background(), run, DataOptions{})
		checkProvenance(t, err, "the run was trained on DATA/test.csv (sha256 ", dir)
	})
}

// TestResumeRefusesEditedRecipe: a recipe.yaml edited between the
// interruption and the resume is refused, naming the keys changed, and
// the checkpoint is kept; comments and layout may change.
func TestResumeRefusesEditedRecipe(t *testing.T) {
	for _, tt := range []struct {
		name      string
		old, new_ string
		want      string
	}{
		{"a comment", "name: idx-tiny\n", "# tried lr 0.5 first\nname: idx-tiny\n", ""},
		{"the learning rate", "lr: 0.1", "lr: 0.5", "recipe.yaml was changed since the run started (optimizer.lr 0.1 → 0.5); a resumed run continues the recipe it started with: put it back, or train a new run"},
		{"the layers", "units: 8", "units: 16", "(model.layers.0.units 8 → 16)"},
		{"a key added", "epochs: 2\n", "epochs: 2\nregularizers: {l2: 0.001}\n", "(regularizers.l2 (none) → 0.001)"},
		{"the seed", "seed: 0", "seed: 9", "(seed 0 → 9)"},
		{"two keys", "batch_size: 10\nepochs: 2", "batch_size: 20\nepochs: 3", "(batch_size 10 → 20, epochs 2 → 3)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, run := trainedOn(t, t.TempDir(), true)
			path := filepath.Join(run, runs.RecipeFile)
			text := string(read(t, run, runs.RecipeFile))
			if !strings.Contains(text, tt.old) {
				t.Fatalf("recipe.yaml has no %q:\n%s", tt.old, text)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(text, tt.old, tt.new_, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Resume(context.Background(), Options{Out: run})
			checkProvenance(t, err, tt.want, "")
			if err != nil {
				if _, serr := os.Stat(filepath.Join(run, runs.CheckpointFile)); serr != nil {
					t.Errorf("the refused resume lost the checkpoint: %v", serr)
				}
			}
		})
	}
}

// writeGzip writes data gzipped to path.
func writeGzip(t *testing.T, path string, data []byte) {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
