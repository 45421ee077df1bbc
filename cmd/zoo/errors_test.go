//go:build unix

package main

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/sweeps"
)

// tinyRecipe trains in well under a second on tinyMNIST's data.
const tinyRecipe = `name: tiny
data: {name: mnist}
model: {type: mlp, layers: [{units: 8, activation: relu}]}
loss: cross-entropy
optimizer: {name: sgd, lr: 0.1}
batch_size: 10
epochs: 2
`

// idxFile is an IDX file of unsigned bytes.
func idxFile(dims []uint32, data []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

// tinyMNIST writes an MNIST look-alike of random 28×28 images (120 for
// training, 20 for test) to dir, after edit, if not nil, changed its files
// (keyed by their standard names).
func tinyMNIST(t *testing.T, dir string, edit func(files map[string][]byte)) string {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	bytesOf := func(n, below int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(below))
		}
		return b
	}
	files := map[string][]byte{
		"train-images-idx3-ubyte": idxFile([]uint32{120, 28, 28}, bytesOf(120*784, 256)),
		"train-labels-idx1-ubyte": idxFile([]uint32{120}, bytesOf(120, 10)),
		"t10k-images-idx3-ubyte":  idxFile([]uint32{20, 28, 28}, bytesOf(20*784, 256)),
		"t10k-labels-idx1-ubyte":  idxFile([]uint32{20}, bytesOf(20, 10)),
	}
	if edit != nil {
		edit(files)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// copyDir copies the regular files of src into a new directory dst.
func copyDir(t *testing.T, src, dst string) string {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	des, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		data := readFile(t, src, de.Name())
		if err := os.WriteFile(filepath.Join(dst, de.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// edit rewrites the file path with f applied to its content.
func edit(t *testing.T, path string, f func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pngBomb returns a 77-byte PNG whose header claims w×h RGBA pixels.
func pngBomb(w, h uint32) []byte { return pngHeaderOf(w, h, 8, 6) }

// pngHeaderOf is pngBomb for the given bit depth and colour type (0 grey,
// 6 RGBA).
func pngHeaderOf(w, h uint32, depth, colour byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, colour
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1000))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// fixture is what the rows of the table share: a data directory, a recipe
// file, a finished run and an interrupted one (with a checkpoint), all
// trained on the tiny data set.
type fixture struct {
	dir, data, recipe, done, cut string
}

func newFixture(t *testing.T) *fixture {
	dir := t.TempDir()
	d := &fixture{dir: dir, data: tinyMNIST(t, filepath.Join(dir, "data"), nil), recipe: filepath.Join(dir, "tiny.yaml")}
	if err := os.WriteFile(d.recipe, []byte(tinyRecipe), 0o644); err != nil {
		t.Fatal(err)
	}
	d.done = filepath.Join(dir, "done")
	if code, _, stderr := zoo(t, "train", d.recipe, "--data", d.data, "--out", d.done); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	// Ctrl-C before the first update: the run stops after it, with a
	// checkpoint.
	d.cut = filepath.Join(dir, "cut")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"train", d.recipe, "--data", d.data, "--out", d.cut}, &out, &errOut); code != exitStopped {
		t.Fatalf("interrupted train: exit %d: %s", code, errOut.String())
	}
	return d
}

// recipeFile writes the tiny recipe with old replaced by new.
func (d *fixture) recipeFile(t *testing.T, name, old, new string) string {
	t.Helper()
	if !strings.Contains(tinyRecipe, old) {
		t.Fatalf("the tiny recipe has no %q", old)
	}
	path := filepath.Join(d.dir, name)
	if err := os.WriteFile(path, []byte(strings.Replace(tinyRecipe, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeText writes text to path.
func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// errorCase is one row of docs/errors.md.
type errorCase struct {
	name string
	// args returns the command line, after preparing what it needs.
	args func(t *testing.T, d *fixture) []string
	code int
	// want is the whole of stderr, one line: DIR stands for the test's
	// directory and NNN for a number that changes from run to run.
	want string
	// skipRoot skips the row as root, for whom permissions do not apply.
	skipRoot bool
	// fileSize, if set, runs zoo in a child process that may not write
	// files beyond this many bytes (RLIMIT_FSIZE): a disk that fills up
	// while saving.
	fileSize int64
	// interrupt cancels the context first, as Ctrl-C would.
	interrupt bool
}

var errorCases = []errorCase{
	{
		name: "missing recipe file",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", filepath.Join(d.dir, "missing.yaml")}
		},
		code: 1,
		want: `zoo: recipes: "DIR/missing.yaml" is neither a built-in recipe (see zoo list) nor a readable file: stat DIR/missing.yaml: no such file or directory`,
	},
	{
		name: "unknown built-in recipe",
		args: func(t *testing.T, d *fixture) []string { return []string{"train", "mlp-mnsit"} },
		code: 1,
		want: `zoo: recipes: "mlp-mnsit" is neither a built-in recipe (see zoo list) nor a readable file: stat mlp-mnsit: no such file or directory (did you mean "mlp-mnist"?)`,
	},
	{
		name: "recipe: unknown key",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "key.yaml", "epochs: 2\n", "epochs: 2\nepoch: 3\n")}
		},
		code: 1,
		want: `zoo: recipe DIR/key.yaml, line 8: unknown field "epoch"; did you mean "epochs"?`,
	},
	{
		name: "recipe: wrong type",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "type.yaml", "epochs: 2", "epochs: two")}
		},
		code: 1,
		want: `zoo: recipe DIR/type.yaml, line 7: epochs: cannot use "two": want an integer`,
	},
	{
		name: "recipe: out-of-range value",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "range.yaml", "lr: 0.1", "lr: -0.1")}
		},
		code: 1,
		want: `zoo: recipe DIR/range.yaml, line 5: optimizer.lr: sgd: invalid lr -0.1 (want finite lr ≥ 0)`,
	},
	{
		name: "recipe: unknown optimizer",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "opt.yaml", "name: sgd", "name: adma")}
		},
		code: 1,
		want: `zoo: recipe DIR/opt.yaml, line 5: optimizer.name: unknown optimizer "adma"; want one of adadelta, adagrad, adam, adamax, adamw, aggmo, amsgrad, momentum, nadam, nesterov, qhadam, rmsprop, sgd (did you mean "adam"?)`,
	},
	{
		name: "recipe: unknown model type",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "model.yaml", "type: mlp", "type: mpl")}
		},
		code: 1,
		want: `zoo: recipe DIR/model.yaml, line 3: model.type: unknown value "mpl"; want one of autoencoder, conv-autoencoder, mlp, sdae, vae (did you mean "mlp"?)`,
	},
	{
		name: "recipe: name with a path (would escape runs/)",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "escape.yaml", "name: tiny", "name: ../../escaped")}
		},
		code: 1,
		want: `zoo: recipe DIR/escape.yaml, line 1: name: must not contain / or \ (it names the run directory zoo-runs/NAME-<time>), got "../../escaped"`,
	},
	{
		name: "recipe: YAML aliases (billion laughs)",
		args: func(t *testing.T, d *fixture) []string {
			laughs := "a: &a [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]\n" +
				"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
				"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
				"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
				"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n" +
				"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n" +
				"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n" +
				"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
			return []string{"train", d.recipeFile(t, "laughs.yaml", "epochs: 2\n", "epochs: 2\nquick:\n  "+strings.ReplaceAll(laughs, "\n", "\n  ")+"\n")}
		},
		code: 1,
		want: `zoo: recipe DIR/laughs.yaml, line 10: YAML aliases (*name) are not allowed in recipes; write the value out`,
	},
	{
		name: "recipe path that is not a recipe",
		args: func(t *testing.T, d *fixture) []string { return []string{"train", "/dev/zero"} },
		code: 1,
		want: `zoo: load recipe /dev/zero: open /dev/zero: is a character device, not a file`,
	},
	{
		name: "--set: unknown key",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--set", "optimizer.lrr=0.1"}
		},
		code: 1,
		want: `zoo: recipe DIR/tiny.yaml, --set optimizer.lrr=0.1: optimizer.lrr: sgd has no hyper-parameter "lrr" (known: lr) (did you mean "lr"?)`,
	},
	{
		name: "--data: missing directory",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", filepath.Join(d.dir, "nodata"), "--out", filepath.Join(d.dir, "o-nodata")}
		},
		code: 1,
		want: `zoo: datasets: mnist: data directory: stat DIR/nodata: no such file or directory`,
	},
	{
		name: "--data: a file, not a directory",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.recipe, "--out", filepath.Join(d.dir, "o-file")}
		},
		code: 1,
		want: `zoo: datasets: mnist: data directory DIR/tiny.yaml is not a directory`,
	},
	{
		name: "--data: unreadable directory",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.data, filepath.Join(d.dir, "data-locked"))
			if err := os.Chmod(dir, 0); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o755) })
			return []string{"train", d.recipe, "--data", dir, "--out", filepath.Join(d.dir, "o-locked")}
		},
		skipRoot: true,
		code:     1,
		want:     `zoo: datasets: mnist: stat DIR/data-locked/train-images-idx3-ubyte: permission denied`,
	},
	{
		name: "MNIST file with a wrong magic number",
		args: func(t *testing.T, d *fixture) []string {
			dir := tinyMNIST(t, filepath.Join(d.dir, "data-magic"), func(files map[string][]byte) {
				copy(files["train-images-idx3-ubyte"], "PK")
			})
			return []string{"train", d.recipe, "--data", dir, "--out", filepath.Join(d.dir, "o-magic")}
		},
		code: 1,
		want: `zoo: datasets: read DIR/data-magic/train-images-idx3-ubyte: idx: bad magic 0x504b (want 0x0000 then type and dimension count)`,
	},
	{
		name: "truncated MNIST file",
		args: func(t *testing.T, d *fixture) []string {
			dir := tinyMNIST(t, filepath.Join(d.dir, "data-short"), func(files map[string][]byte) {
				f := files["t10k-images-idx3-ubyte"]
				files["t10k-images-idx3-ubyte"] = f[:len(f)-100]
			})
			return []string{"train", d.recipe, "--data", dir, "--out", filepath.Join(d.dir, "o-short")}
		},
		code: 1,
		want: `zoo: datasets: read DIR/data-short/t10k-images-idx3-ubyte: idx: truncated: want 15680 data bytes, got 15580: unexpected EOF`,
	},
	{
		name: "image/label count mismatch",
		args: func(t *testing.T, d *fixture) []string {
			dir := tinyMNIST(t, filepath.Join(d.dir, "data-count"), func(files map[string][]byte) {
				files["train-labels-idx1-ubyte"] = idxFile([]uint32{119}, make([]byte, 119))
			})
			return []string{"train", d.recipe, "--data", dir, "--out", filepath.Join(d.dir, "o-count")}
		},
		code: 1,
		want: `zoo: datasets: mnist: train-images-idx3-ubyte has 120 images but train-labels-idx1-ubyte has 119 labels`,
	},
	{
		name: "label that is not a digit",
		args: func(t *testing.T, d *fixture) []string {
			dir := tinyMNIST(t, filepath.Join(d.dir, "data-label"), func(files map[string][]byte) {
				f := files["t10k-labels-idx1-ubyte"]
				f[len(f)-1] = 12
			})
			return []string{"train", d.recipe, "--data", dir, "--out", filepath.Join(d.dir, "o-label")}
		},
		code: 1,
		want: `zoo: datasets: mnist: t10k-labels-idx1-ubyte: label 12 of example 19 is not a digit`,
	},
	{
		name: "csv: a value that is not a number",
		args: func(t *testing.T, d *fixture) []string {
			writeText(t, filepath.Join(d.dir, "bad.csv"), "x1,x2,label\n1,2,0\n3,abc,1\n")
			return []string{"train", d.recipeFile(t, "csv.yaml", "data: {name: mnist}", "data: {name: csv, files: {train: bad.csv, test: bad.csv}, label: label}")}
		},
		code: 1,
		want: `zoo: datasets: csv DIR/bad.csv line 3 column "x2": cannot read "abc" as a number`,
	},
	{
		name: "csv: test file with other columns than train",
		args: func(t *testing.T, d *fixture) []string {
			writeText(t, filepath.Join(d.dir, "good.csv"), "x1,x2,label\n1,2,0\n3,4,1\n")
			writeText(t, filepath.Join(d.dir, "other.csv"), "x2,x1,label\n1,2,0\n")
			return []string{"train", d.recipeFile(t, "csv-header.yaml", "data: {name: mnist}", "data: {name: csv, files: {train: good.csv, test: other.csv}, label: label}")}
		},
		code: 1,
		want: `zoo: datasets: csv DIR/other.csv line 1: header x2,x1,label differs from the training file's x1,x2,label (DIR/good.csv): the columns must be the same, in the same order`,
	},
	{
		name: "npy: header claims more data than the file holds",
		args: func(t *testing.T, d *fixture) []string {
			h := "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 784), }"
			h += strings.Repeat(" ", 128-10-len(h)-1) + "\n" // data aligned to 64 bytes
			writeText(t, filepath.Join(d.dir, "short.npy"), "\x93NUMPY\x01\x00"+string([]byte{byte(len(h)), 0})+h+strings.Repeat("\x00", 1000))
			return []string{"train", d.recipeFile(t, "npy.yaml", "data: {name: mnist}", "data: {name: npy, files: {train: short.npy, train_labels: y.npy, test: short.npy, test_labels: y.npy}}")}
		},
		code: 1,
		want: `zoo: datasets: npy DIR/short.npy: truncated? the header's shape [100 784] of 4-byte elements is 313600 data bytes, the file has 1000`,
	},
	{
		name: "recipe: data files for mnist",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--set", "data.files.train=a.csv"}
		},
		code: 1,
		want: `zoo: recipe DIR/tiny.yaml, --set data.files.train=a.csv: data.files.train: mnist has its own files and split; data.files is for the data sets read from your files (csv, idx, npy)`,
	},
	{
		name: "recipe: csv without data.label",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "nolabel.yaml", "data: {name: mnist}", "data: {name: csv, files: {train: a.csv, test: b.csv}}")}
		},
		code: 1,
		want: `zoo: recipe DIR/nolabel.yaml, line 2: data.label: missing: name the column holding the classes`,
	},
	{
		name: "incompatible layer widths (weights vs recipe)",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "widths"))
			edit(t, filepath.Join(dir, runs.RecipeFile), func(b []byte) []byte {
				return bytes.Replace(b, []byte("units: 8"), []byte("units: 16"), 1)
			})
			return []string{"eval", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: runs: load weights DIR/widths/model.safetensors: tensor "layers.0.weight" has shape [784 8], the model wants [784 16]`,
	},
	{
		name: "model file of another architecture",
		args: func(t *testing.T, d *fixture) []string {
			other := filepath.Join(d.dir, "deeper")
			r := d.recipeFile(t, "deeper.yaml", "{units: 8, activation: relu}", "{units: 8, activation: relu}, {units: 8, activation: relu}")
			if code, _, stderr := zoo(t, "train", r, "--data", d.data, "--out", other); code != 0 {
				t.Fatalf("train: exit %d: %s", code, stderr)
			}
			dir := copyDir(t, d.done, filepath.Join(d.dir, "arch"))
			if err := os.WriteFile(filepath.Join(dir, runs.WeightsFile), readFile(t, other, runs.WeightsFile), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"eval", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: runs: load weights DIR/arch/model.safetensors: it holds 6 tensors, the model has 4 parameters: is it a model of another architecture?`,
	},
	{
		name: "truncated model file",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "trunc"))
			edit(t, filepath.Join(dir, runs.WeightsFile), func(b []byte) []byte { return b[:1000] })
			return []string{"eval", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: runs: load weights: safetensors: DIR/trunc/model.safetensors: tensor "layers.0.weight": data_offsets [0 25088] go beyond the NNN-byte data section; is the file truncated?`,
	},
	{
		name: "picture claiming 40000×40000 pixels",
		args: func(t *testing.T, d *fixture) []string {
			path := filepath.Join(d.dir, "bomb.png")
			if err := os.WriteFile(path, pngBomb(40000, 40000), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"predict", d.done, path}
		},
		code: 1,
		want: `zoo: images: DIR/bomb.png: png picture of 40000×40000 pixels (1600.0 megapixels) is beyond the limit of 50 megapixels (images.MaxPixels)`,
	},
	{
		name: "eval: not a run directory",
		args: func(t *testing.T, d *fixture) []string { return []string{"eval", d.data} },
		code: 1,
		want: `zoo: pipeline: DIR/data is not a run directory: stat DIR/data/recipe.yaml: no such file or directory`,
	},
	{
		name: "eval: unfinished run",
		args: func(t *testing.T, d *fixture) []string { return []string{"eval", d.cut, "--data", d.data} },
		code: 1,
		want: `zoo: runs: the run in DIR/cut is unfinished (no model.safetensors yet); finish it with zoo train --resume DIR/cut`,
	},
	{
		name: "--init: weights of other layer widths",
		args: func(t *testing.T, d *fixture) []string {
			r := d.recipeFile(t, "wider.yaml", "units: 8", "units: 16")
			return []string{"train", r, "--init", d.done, "--data", d.data, "--out", filepath.Join(d.dir, "o-init")}
		},
		code: 1,
		want: `zoo: runs: init from DIR/done/model.safetensors: tensor "layers.0.weight" is F32 [784 8], the model wants F32 [784 16]; to take only the tensors that match and draw the others from the seed, set init.partial: true (--init-partial)`,
	},
	{
		name: "--init with --resume",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", "--resume", d.cut, "--init", d.done}
		},
		code: 1,
		want: `zoo: --resume continues the run exactly as it was started; --init cannot change it`,
	},
	{
		name: "--resume on a finished run",
		args: func(t *testing.T, d *fixture) []string { return []string{"train", "--resume", d.done} },
		code: 1,
		want: `zoo: pipeline: the run in DIR/done is finished (summary.json exists): nothing to resume`,
	},
	{
		name: "--resume on a foreign directory",
		args: func(t *testing.T, d *fixture) []string { return []string{"train", "--resume", d.data} },
		code: 1,
		want: `zoo: pipeline: DIR/data has no checkpoint.safetensors to resume from (is it a zoo run directory? runs are checkpointed after their first epoch): stat DIR/data/checkpoint.safetensors: no such file or directory`,
	},
	{
		name: "--resume of a run another process is using",
		args: func(t *testing.T, d *fixture) []string {
			if runtime.GOOS == "windows" {
				t.Skip("no flock: run directories are not locked")
			}
			unlock, err := runs.Lock(d.cut)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(unlock)
			return []string{"train", "--resume", d.cut}
		},
		code: 1,
		want: `zoo: runs: DIR/cut is in use by another zoo process (it holds DIR/cut/.zoo.lock): wait for it to finish, or stop it (Ctrl-C saves a checkpoint) and resume`,
	},
	{
		name: "--resume on a run killed before its first checkpoint",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.cut, filepath.Join(d.dir, "early"))
			os.Remove(filepath.Join(dir, runs.CheckpointFile))
			return []string{"train", "--resume", dir}
		},
		code: 1,
		want: `zoo: pipeline: the run in DIR/early stopped before its first checkpoint (runs are checkpointed after every epoch): nothing to resume; remove DIR/early and train again`,
	},
	{
		name: "--resume with a truncated checkpoint",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.cut, filepath.Join(d.dir, "cut-trunc"))
			edit(t, filepath.Join(dir, runs.CheckpointFile), func(b []byte) []byte { return b[:3000] })
			return []string{"train", "--resume", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: runs: resume: safetensors: DIR/cut-trunc/checkpoint.safetensors: tensor "layers.0.weight": data_offsets [0 50176] go beyond the NNN-byte data section; is the file truncated?`,
	},
	{
		name: "--resume after recipe.yaml was edited",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.cut, filepath.Join(d.dir, "cut-widths"))
			edit(t, filepath.Join(dir, runs.RecipeFile), func(b []byte) []byte {
				return bytes.Replace(b, []byte("units: 8"), []byte("units: 16"), 1)
			})
			return []string{"train", "--resume", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: pipeline: DIR/cut-widths/recipe.yaml was changed since the run started (model.layers.0.units 8 → 16); a resumed run continues the recipe it started with: put it back, or train a new run`,
	},
	{
		name: "--out under a regular file",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(d.recipe, "run")}
		},
		code: 1,
		want: `zoo: pipeline: create run directory: mkdir DIR/tiny.yaml: not a directory`,
	},
	{
		name: "--out not writable",
		args: func(t *testing.T, d *fixture) []string {
			dir := filepath.Join(d.dir, "readonly")
			if err := os.Mkdir(dir, 0o555); err != nil {
				t.Fatal(err)
			}
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(dir, "run")}
		},
		skipRoot: true,
		code:     1,
		want:     `zoo: pipeline: create run directory: mkdir DIR/readonly/run: permission denied`,
	},
	{
		name: "--out already holds a run",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", d.done}
		},
		code: 1,
		want: `zoo: runs: DIR/done already holds a run (summary.json exists); choose another --out or remove it`,
	},
	{
		name: "disk full while saving the model",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--epochs", "1", "--out", filepath.Join(d.dir, "full-model")}
		},
		fileSize: 16 << 10,
		code:     1,
		want:     `zoo: runs: save weights: safetensors: atomicfile: write DIR/full-model/model.safetensors: write content: write DIR/full-model/.model.safetensors.tmp-NNN: file too large (training finished but saving it failed, and the run has no checkpoint to resume from: train it again once the cause is fixed)`,
	},
	{
		name: "disk full while saving a checkpoint",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(d.dir, "full-checkpoint")}
		},
		fileSize: 16 << 10,
		code:     1,
		want:     `zoo: train: checkpoint: safetensors: atomicfile: write DIR/full-checkpoint/checkpoint.safetensors: write content: write DIR/full-checkpoint/.checkpoint.safetensors.tmp-NNN: file too large (metrics of the 1 finished epoch are in DIR/full-checkpoint; no model was saved)`,
	},
	{
		name: "interrupted, disk full while saving the checkpoint",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(d.dir, "full-interrupted")}
		},
		fileSize:  16 << 10,
		interrupt: true,
		code:      exitStopped,
		want:      `zoo: interrupted (context canceled), and saving the checkpoint failed: train: checkpoint: safetensors: atomicfile: write DIR/full-interrupted/checkpoint.safetensors: write content: write DIR/full-interrupted/.checkpoint.safetensors.tmp-NNN: file too large; the previous checkpoint, if any, is kept: zoo train --resume DIR/full-interrupted`,
	},
	{
		name: "interrupted (Ctrl-C, SIGTERM)",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(d.dir, "interrupted")}
		},
		interrupt: true,
		code:      exitStopped,
		want:      `zoo: interrupted (context canceled): stopped after a whole update and saved a checkpoint; continue with: zoo train --resume DIR/interrupted`,
	},
	{
		name: "divergence",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--set", "optimizer.lr=1e20", "--out", filepath.Join(d.dir, "diverged")}
		},
		code: exitDiverged,
		want: `zoo: train: diverged at update 2 (epoch 1): loss is NaN with learning rate 1e+20; try a smaller learning rate (for example 1e+19) (metrics of the 0 finished epochs are in DIR/diverged; no model was saved)`,
	},
	// A run's data (issue 18, item 4): resume and eval read the data the
	// run recorded, and refuse it gone or changed.
	{
		name: "--resume: the run's data directory is gone",
		args: func(t *testing.T, d *fixture) []string {
			data, run := d.runOn(t, "gone", true)
			if err := os.RemoveAll(data); err != nil {
				t.Fatal(err)
			}
			return []string{"train", "--resume", run}
		},
		code: 1,
		want: `zoo: pipeline: the run was trained on the mnist data in DIR/gone-data (train-images-idx3-ubyte sha256 ab95de542836…); that directory is gone: give --data with a directory holding the same files`,
	},
	{
		name: "--resume: a file of the run's data changed",
		args: func(t *testing.T, d *fixture) []string {
			data, run := d.runOn(t, "changed", true)
			edit(t, filepath.Join(data, "train-labels-idx1-ubyte"), func(b []byte) []byte { b[len(b)-1] ^= 1; return b })
			return []string{"train", "--resume", run}
		},
		code: 1,
		want: `zoo: pipeline: DIR/changed-data/train-labels-idx1-ubyte has changed since the run was trained on it (sha256 ca2cb67aef8c…, 128 bytes; it was e48eb54facbd…, 128 bytes): put back the file the run was trained on`,
	},
	{
		name: "eval: the run's data directory is gone",
		args: func(t *testing.T, d *fixture) []string {
			data, run := d.runOn(t, "eval-gone", false)
			if err := os.RemoveAll(data); err != nil {
				t.Fatal(err)
			}
			return []string{"eval", run}
		},
		code: 1,
		want: `zoo: pipeline: the run was trained on the mnist data in DIR/eval-gone-data (train-images-idx3-ubyte sha256 ab95de542836…); that directory is gone: give --data with a directory holding the same files`,
	},
	{
		name: "eval: --data with other files",
		args: func(t *testing.T, d *fixture) []string {
			other := tinyMNIST(t, filepath.Join(d.dir, "other-data"), func(files map[string][]byte) {
				b := files["t10k-labels-idx1-ubyte"]
				b[len(b)-1] ^= 1
			})
			return []string{"eval", d.done, "--data", other}
		},
		code: 1,
		want: `zoo: pipeline: DIR/other-data/t10k-labels-idx1-ubyte is not the file the run was trained on (sha256 c929ba50e0c0…, 28 bytes; the run's DIR/data/t10k-labels-idx1-ubyte: 8da87bca25f5…, 28 bytes): give the same files`,
	},
	// Memory follows what an input proves (issue 18, item 1). SIZE is the
	// memory this machine has available; ZOO_MEMORY_LIMIT makes the other
	// rows the same on every machine.
	{
		name: "recipe: a model larger than memory",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "huge.yaml", "{units: 8, activation: relu}", "{units: 16000000, activation: relu}, {units: 16000000, activation: relu}"), "--data", d.data, "--out", filepath.Join(d.dir, "o-huge")}
		},
		code: 1,
		want: `zoo: pipeline: tiny: the model needs about 1.8 PiB (256.0 T parameters of float32, with gradients; batches of 10 examples through 32.0 M values each), this machine has SIZE available; make the model's layers or batch_size smaller`,
	},
	{
		name: "recipe: batches larger than memory",
		args: func(t *testing.T, d *fixture) []string {
			t.Setenv("ZOO_MEMORY_LIMIT", "1MiB")
			return []string{"train", d.recipe, "--data", d.data, "--set", "batch_size=100", "--out", filepath.Join(d.dir, "o-batch")}
		},
		code: 1,
		want: `zoo: pipeline: tiny: the model needs about 1.3 MiB (6370 parameters of float32, with gradients; batches of 100 examples through 802 values each), ZOO_MEMORY_LIMIT=1MiB allows 1.0 MiB; make the model's layers or batch_size smaller`,
	},
	{
		name: "eval: a run whose recipe.yaml claims a model larger than memory",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "huge-run"))
			t.Setenv("ZOO_MEMORY_LIMIT", "1GiB")
			edit(t, filepath.Join(dir, "recipe.yaml"), func(b []byte) []byte { return bytes.Replace(b, []byte("units: 8"), []byte("units: 16000000"), 1) })
			return []string{"eval", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: runs: DIR/huge-run/recipe.yaml: the model needs about 71.2 GiB (12.7 G parameters of float32; batches of 100 examples through 16.0 M values each), ZOO_MEMORY_LIMIT=1GiB allows 1.0 GiB`,
	},
	{
		name: "gzip IDX file claiming more than memory",
		args: func(t *testing.T, d *fixture) []string {
			t.Setenv("ZOO_MEMORY_LIMIT", "1GiB")
			dir := tinyMNIST(t, filepath.Join(d.dir, "data-claim"), func(files map[string][]byte) {
				var b bytes.Buffer
				zw := gzip.NewWriter(&b)
				zw.Write(idxFile([]uint32{2_700_000, 28, 28}, make([]byte, 1<<20)))
				zw.Close()
				files["train-images-idx3-ubyte"] = b.Bytes()
			})
			return []string{"train", d.recipe, "--data", dir, "--out", filepath.Join(d.dir, "o-claim")}
		},
		code: 1,
		want: `zoo: datasets: read DIR/data-claim/train-images-idx3-ubyte: idx: the data needs about 9.9 GiB (dimensions [2700000 28 28] of 1-byte elements, read and converted to float32), ZOO_MEMORY_LIMIT=1GiB allows 1.0 GiB`,
	},
	{
		name: "npy file larger than memory",
		args: func(t *testing.T, d *fixture) []string {
			t.Setenv("ZOO_MEMORY_LIMIT", "1MiB")
			h := "{'descr': '<f8', 'fortran_order': False, 'shape': (200, 784), }"
			h += strings.Repeat(" ", 128-10-len(h)-1) + "\n"
			writeText(t, filepath.Join(d.dir, "big.npy"), "\x93NUMPY\x01\x00"+string([]byte{byte(len(h)), 0})+h+strings.Repeat("\x00", 200*784*8))
			return []string{"train", d.recipeFile(t, "npy-big.yaml", "data: {name: mnist}", "data: {name: npy, files: {train: big.npy, train_labels: y.npy, test: big.npy, test_labels: y.npy}}")}
		},
		code: 1,
		want: `zoo: datasets: npy DIR/big.npy: the data needs about 1.8 MiB (shape [200 784] of 8-byte elements, read and converted to float32), ZOO_MEMORY_LIMIT=1MiB allows 1.0 MiB`,
	},
	{
		name: "ZOO_MEMORY_LIMIT that is not a size",
		args: func(t *testing.T, d *fixture) []string {
			t.Setenv("ZOO_MEMORY_LIMIT", "lots")
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(d.dir, "o-lots")}
		},
		code: 1,
		want: `zoo: datasets: read DIR/data/train-images-idx3-ubyte: idx: the data needs about 459.4 KiB (dimensions [120 28 28] of 1-byte elements, read and converted to float32), ZOO_MEMORY_LIMIT="lots" is not a size (want bytes, or a number with KiB, MiB, GiB or TiB)`,
	},
	{
		name: "picture of 8192×8192 16-bit pixels",
		args: func(t *testing.T, d *fixture) []string {
			path := filepath.Join(d.dir, "grey16.png")
			if err := os.WriteFile(path, pngHeaderOf(8192, 8192, 16, 0), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"predict", d.done, path}
		},
		code: 1,
		want: `zoo: images: DIR/grey16.png: png picture of 8192×8192 pixels (67.1 megapixels) is beyond the limit of 50 megapixels (images.MaxPixels)`,
	},
	{
		name: "picture larger than memory",
		args: func(t *testing.T, d *fixture) []string {
			t.Setenv("ZOO_MEMORY_LIMIT", "256MiB")
			path := filepath.Join(d.dir, "wide.png")
			if err := os.WriteFile(path, pngBomb(7000, 7000), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"predict", d.done, path}
		},
		code: 1,
		want: `zoo: images: DIR/wide.png: the png picture of 7000×7000 pixels needs about 560.8 MiB (decoded and converted), ZOO_MEMORY_LIMIT=256MiB allows 256.0 MiB`,
	},
	{
		name: "compare: a 10 MB line in metrics.csv",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "longline"))
			edit(t, filepath.Join(dir, "metrics.csv"), func(b []byte) []byte {
				return append(b[:bytes.IndexByte(b, '\n')+1], bytes.Repeat([]byte("9"), 10<<20)...)
			})
			return []string{"compare", d.done, dir}
		},
		code: 1,
		want: `zoo: runs: DIR/longline/metrics.csv: line 2 is longer than 4096 bytes (runs.MaxMetricsLine): not a metrics.csv zoo writes`,
	},
	// Issue 18, the recipe parser: decimals, Go's words, --set mappings,
	// sizes and nesting.
	{
		name: "recipe: decimal in an integer key",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "decimal.yaml", "units: 8", "units: 12.5")}
		},
		code: 1,
		want: `zoo: recipe DIR/decimal.yaml, line 3: model.layers.0.units: cannot use "12.5": want an integer`,
	},
	{
		name: "integer flag: a decimal",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--epochs", "2.5"}
		},
		code: 1,
		want: `zoo: --epochs "2.5": want an integer`,
	},
	{
		name: "integer flag: out of range",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"filters", d.done, "--n", "99999999999999999999"}
		},
		code: 1,
		want: `zoo: --n "99999999999999999999": out of range (want an integer)`,
	},
	{
		name: "boolean flag: not true or false",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"eval", "--json=maybe", d.done}
		},
		code: 1,
		want: `zoo: --json "maybe": want true or false`,
	},
	{
		name: "--set: decimal in an integer key",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--set", "batch_size=32.9"}
		},
		code: 1,
		want: `zoo: recipe DIR/tiny.yaml, --set batch_size=32.9: batch_size: cannot use "32.9": want an integer`,
	},
	{
		name: "--set: decimal in the quick profile",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--quick", "--set", "quick.epochs=1.5"}
		},
		code: 1,
		want: `zoo: recipe DIR/tiny.yaml, quick profile (epochs=1.5, from --set quick.epochs=1.5): epochs: cannot use "1.5": want an integer`,
	},
	{
		name: "--set: a key inside a quick profile's key",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--quick", "--set", "quick.data.train=100"}
		},
		code: 1,
		want: `zoo: recipe DIR/tiny.yaml, --set quick.data.train=100: quick.data.train: cannot set a key inside "data"; the quick profile's keys are key paths (data.train): set it as a mapping, e.g. quick={epochs: 1, data.train: 1000}`,
	},
	{
		name: "recipe: negative seed",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "seed.yaml", "name: tiny\n", "name: tiny\nseed: -1\n")}
		},
		code: 1,
		want: `zoo: recipe DIR/seed.yaml, line 2: seed: cannot use "-1": want an integer ≥ 0`,
	},
	{
		name: "recipe: a string for a mapping",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "initstr.yaml", "epochs: 2\n", "epochs: 2\ninit: glorot\n")}
		},
		code: 1,
		want: `zoo: recipe DIR/initstr.yaml, line 8: init: cannot use "glorot": want a mapping with the keys from, partial`,
	},
	{
		name: "--set: a mapping, checked like the file",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--set", "regularizers.dropout={input: 1.5}"}
		},
		code: 1,
		want: `zoo: recipe DIR/tiny.yaml, --set regularizers.dropout={input: 1.5}: regularizers.dropout.input: must be a probability in [0, 1), got 1.5`,
	},
	{
		name: "recipe: batch size near 2^63",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "batch.yaml", "batch_size: 10", "batch_size: 9223372036854775807")}
		},
		code: 1,
		want: `zoo: recipe DIR/batch.yaml, line 6: batch_size: 9223372036854775807 is too large: a recipe allows at most 16777216 examples per update`,
	},
	{
		name: "recipe: a billion units, in a run's recipe.yaml",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "huge"))
			edit(t, filepath.Join(dir, runs.RecipeFile), func(b []byte) []byte {
				return bytes.Replace(b, []byte("units: 8"), []byte("units: 1000000000"), 1)
			})
			return []string{"eval", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: recipe DIR/huge/recipe.yaml, line NNN: model.layers.0.units: 1000000000 is too large: a recipe allows at most 16777216 units`,
	},
	{
		name: "recipe: nested 200 KB deep",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "nested.yaml", "epochs: 2\n", "epochs: 2\nquick: "+strings.Repeat("[", 200<<10)+"\n")}
		},
		code: 1,
		want: `zoo: recipe DIR/nested.yaml, line 8: nested 33 levels deep, more than the 32 a recipe may nest`,
	},
	{
		name: "recipe: too many values",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "wide.yaml", "epochs: 2\n", "epochs: 2\nquick: ["+strings.Repeat("0, ", 100000)+"]\n")}
		},
		code: 1,
		want: `zoo: recipe DIR/wide.yaml, line 8: more than the 10000 keys and list items a recipe may have`,
	},
	// Issue 18: rows of the hostile-input review.
	{
		name: "divergence without NaN (an exploding loss)",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--set", "optimizer.lr=1e6", "--out", filepath.Join(d.dir, "exploded")}
		},
		code: exitDiverged,
		want: `zoo: train: diverged at update 10 (epoch 1): the epoch's mean loss so far, 1.38e+23, has exploded (the first update's was 2.35) and is rising, with learning rate 1e+06; try a smaller learning rate (for example 100000) (metrics of the 0 finished epochs are in DIR/exploded; no model was saved)`,
	},
	{
		name: "own data: a test label no training example has",
		args: func(t *testing.T, d *fixture) []string {
			writeText(t, filepath.Join(d.dir, "own-train.csv"), ownCSV(12, 3, -1))
			writeText(t, filepath.Join(d.dir, "own-test7.csv"), ownCSV(6, 3, 7))
			return []string{"train", d.recipeFile(t, "own-labels.yaml", "data: {name: mnist}", "data: {name: csv, files: {train: own-train.csv, test: own-test7.csv}, label: label}")}
		},
		code: exitError,
		want: `zoo: datasets: csv DIR/own-test7.csv: example 5 has label 7, a class no training example has (the training labels go up to 2, in DIR/own-train.csv): a model could never learn it; label the test file as the training file is`,
	},
	{
		name: "own data: a test file of another shape",
		args: func(t *testing.T, d *fixture) []string {
			writeBytes(t, filepath.Join(d.dir, "own-x.npy"), npyFile("|u1", "(12, 2, 3)", make([]byte, 72)))
			writeBytes(t, filepath.Join(d.dir, "own-y.npy"), npyFile("|u1", "(12,)", []byte{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}))
			writeBytes(t, filepath.Join(d.dir, "own-tx.npy"), npyFile("|u1", "(2, 3, 2)", make([]byte, 12)))
			writeBytes(t, filepath.Join(d.dir, "own-ty.npy"), npyFile("|u1", "(2,)", []byte{0, 1}))
			return []string{"train", d.recipeFile(t, "own-shape.yaml", "data: {name: mnist}", "data: {name: npy, files: {train: own-x.npy, train_labels: own-y.npy, test: own-tx.npy, test_labels: own-ty.npy}}")}
		},
		code: exitError,
		want: `zoo: datasets: npy DIR/own-tx.npy: examples of shape [3 2], the training file's (DIR/own-x.npy) of shape [2 3]; every split's must have one shape`,
	},
	// Issue 18 (special files, a user's files, non-finite weights, messages
	// that blamed the wrong thing).
	{
		name: "data file that is a named pipe",
		args: func(t *testing.T, d *fixture) []string {
			dir := d.copyData(t, "data-fifo")
			mkfifo(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"))
			return []string{"train", d.recipe, "--data", dir, "--out", filepath.Join(d.dir, "o-fifo")}
		},
		code: 1,
		want: `zoo: datasets: open DIR/data-fifo/t10k-labels-idx1-ubyte: is a named pipe, not a file`,
	},
	{
		name: "directory where a data file should be",
		args: func(t *testing.T, d *fixture) []string {
			dir := d.copyData(t, "data-dir")
			mkdirAt(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"))
			return []string{"train", d.recipe, "--data", dir, "--out", filepath.Join(d.dir, "o-dir")}
		},
		code: 1,
		want: `zoo: datasets: open DIR/data-dir/t10k-labels-idx1-ubyte: is a directory, not a file`,
	},
	{
		name: "recipe file that is a named pipe",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", mkfifo(t, filepath.Join(d.dir, "fifo.yaml"))}
		},
		code: 1,
		want: `zoo: load recipe DIR/fifo.yaml: open DIR/fifo.yaml: is a named pipe, not a file`,
	},
	{
		name: "model.safetensors that is a named pipe",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "fifo-model"))
			mkfifo(t, filepath.Join(dir, runs.WeightsFile))
			return []string{"eval", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: runs: load weights: safetensors: open DIR/fifo-model/model.safetensors: is a named pipe, not a file`,
	},
	{
		name: "summary.json that is a named pipe",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "fifo-summary"))
			mkfifo(t, filepath.Join(dir, runs.SummaryFile))
			return []string{"inspect", dir}
		},
		code: 1,
		want: `zoo: runs: open DIR/fifo-summary/summary.json: is a named pipe, not a file`,
	},
	{
		name: "picture that is a named pipe",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"predict", d.done, mkfifo(t, filepath.Join(d.dir, "fifo.png"))}
		},
		code: 1,
		want: `zoo: images: open DIR/fifo.png: is a named pipe, not a file`,
	},
	{
		name: "--out holding a user's metrics.csv",
		args: func(t *testing.T, d *fixture) []string {
			dir := filepath.Join(d.dir, "mine")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeText(t, filepath.Join(dir, runs.MetricsFile), "my,own\n")
			return []string{"train", d.recipe, "--data", d.data, "--out", dir}
		},
		code: 1,
		want: `zoo: runs: DIR/mine is not empty and is not a zoo run (it holds metrics.csv): a run is written only into a new or empty directory, so that nothing there is overwritten; choose another --out`,
	},
	{
		name: "encode --out over an existing file",
		args: func(t *testing.T, d *fixture) []string {
			path := filepath.Join(d.dir, "mine.csv")
			writeText(t, path, "my,own\n")
			return []string{"encode", d.done, "--out", path}
		},
		code: 1,
		want: `zoo: --out DIR/mine.csv exists, and zoo does not overwrite files: remove it or choose another name`,
	},
	{
		name: "experiment --out not empty",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"experiment", "optimizer-paths", "--quick", "--out", d.data}
		},
		code: 1,
		want: `zoo: --out DIR/data is not empty (it holds t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, train-images-idx3-ubyte, and 1 more): results are written only into a new or empty directory, so that nothing there is overwritten; choose another --out`,
	},
	{
		name: "--resume of a run in its first epoch",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.cut, filepath.Join(d.dir, "live"))
			if err := os.Remove(filepath.Join(dir, runs.CheckpointFile)); err != nil {
				t.Fatal(err)
			}
			unlock, err := runs.Lock(dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(unlock)
			return []string{"train", "--resume", dir}
		},
		code: 1,
		want: `zoo: runs: DIR/live is in use by another zoo process (it holds DIR/live/.zoo.lock): wait for it to finish, or stop it (Ctrl-C saves a checkpoint) and resume`,
	},
	{
		name: "--resume of a checkpoint without recipe.yaml",
		args: func(t *testing.T, d *fixture) []string {
			dir := filepath.Join(d.dir, "foreign")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, runs.CheckpointFile), readFile(t, d.cut, runs.CheckpointFile), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"train", "--resume", dir}
		},
		code: 1,
		want: `zoo: pipeline: DIR/foreign has a checkpoint.safetensors but no recipe.yaml: it is not a zoo run directory, and nothing in it was changed`,
	},
	{
		name: "NaN weight in model.safetensors",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "nan"))
			setValue(t, filepath.Join(dir, runs.WeightsFile), "layers.0.weight", 5, math.NaN())
			return []string{"predict", dir, filepath.Join(d.dir, "any.png"), "--json"}
		},
		code: 1,
		want: `zoo: runs: load weights DIR/nan/model.safetensors: tensor "layers.0.weight" holds NaN at index 5: a model's weights are finite numbers (is the file damaged, or saved from a diverged model?)`,
	},
	{
		name: "--init from weights with an infinity",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "inf"))
			setValue(t, filepath.Join(dir, runs.WeightsFile), "layers.1.bias", 3, math.Inf(-1))
			return []string{"train", d.recipe, "--data", d.data, "--init", dir, "--out", filepath.Join(d.dir, "o-inf")}
		},
		code: 1,
		want: `zoo: runs: init from DIR/inf/model.safetensors: tensor "layers.1.bias" holds -Inf at index 3: a model's weights are finite numbers (is the file damaged, or saved from a diverged model?)`,
	},
	{
		name: "--resume of a checkpoint holding NaN",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.cut, filepath.Join(d.dir, "cut-nan"))
			setValue(t, filepath.Join(dir, runs.CheckpointFile), "layers.0.bias", 2, math.NaN())
			return []string{"train", "--resume", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: runs: resume: DIR/cut-nan/checkpoint.safetensors: tensor "layers.0.bias" holds NaN at index 2: the checkpoint is damaged (training stops before a non-finite value reaches one), so the run cannot be resumed from it`,
	},
	{
		name: "--resume of a checkpoint whose metadata has a string for a number",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.cut, filepath.Join(d.dir, "cut-meta"))
			path := filepath.Join(dir, runs.CheckpointFile)
			f, err := safetensors.ReadFile(path, safetensors.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			meta := regexp.MustCompile(`"epoch":[0-9]+`).ReplaceAllString(f.Metadata["zoo.checkpoint"], `"epoch":"one"`)
			if meta == f.Metadata["zoo.checkpoint"] {
				t.Fatal("no state.epoch in the checkpoint's metadata")
			}
			f.Metadata["zoo.checkpoint"] = meta
			if err := safetensors.WriteFile(path, f.Tensors, f.Metadata); err != nil {
				t.Fatal(err)
			}
			return []string{"train", "--resume", dir, "--data", d.data}
		},
		code: 1,
		want: `zoo: runs: resume: DIR/cut-meta/checkpoint.safetensors: no readable zoo.checkpoint metadata: "state.epoch" is a string; want an integer in range`,
	},
	{
		name: "summary.json whose input_shape lies",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "lie"))
			edit(t, filepath.Join(dir, runs.SummaryFile), func(b []byte) []byte {
				return regexp.MustCompile(`"input_shape": \[[^]]*\]`).ReplaceAll(b, []byte(`"input_shape": [28, 27]`))
			})
			return []string{"predict", dir, filepath.Join(d.dir, "any.png")}
		},
		code: 1,
		want: `zoo: runs: DIR/lie/summary.json says input_shape [28 27], examples of 756 values, but the first layer of model.safetensors (layers.0.weight [784 8]) takes 784 inputs: is summary.json damaged, or from another run?`,
	},
	{
		name: "summary.json with a string for a number",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "sumkind"))
			edit(t, filepath.Join(dir, runs.SummaryFile), func(b []byte) []byte {
				return regexp.MustCompile(`"epochs": [0-9]+`).ReplaceAll(b, []byte(`"epochs": "two"`))
			})
			return []string{"inspect", dir}
		},
		code: 1,
		want: `zoo: runs: DIR/sumkind/summary.json: "epochs" is a string; want an integer in range: is the file damaged?`,
	},
	{
		name: "filters --n 0",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"filters", d.done, "--out", filepath.Join(d.dir, "f.png"), "--n", "0"}
		},
		code: 1,
		want: `zoo: --n 0: want at least one unit (a number above the layer's units draws them all)`,
	},
	{
		name: "inspect: a finished run whose recipe.yaml was edited",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.done, filepath.Join(d.dir, "edited-run"))
			edit(t, filepath.Join(dir, "recipe.yaml"), func(b []byte) []byte { return bytes.Replace(b, []byte("epochs: 2"), []byte("epochs: 5"), 1) })
			return []string{"inspect", dir}
		},
		code: 1,
		want: `zoo: runs: DIR/edited-run/recipe.yaml was changed since the run was trained (epochs 2 → 5); the model was trained with the recipe kept in its model.safetensors: put recipe.yaml back as it was`,
	},
	{
		name: "eval of a run still training",
		args: func(t *testing.T, d *fixture) []string {
			dir := copyDir(t, d.cut, filepath.Join(d.dir, "training"))
			unlock, err := runs.Lock(dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(unlock)
			return []string{"eval", dir}
		},
		code: 1,
		want: `zoo: runs: the run in DIR/training is still training (another zoo process holds DIR/training/.zoo.lock): open it once it has finished`,
	},
	{
		name: "sweep: an unknown key",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimiser.lr=0.1,0.2", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: point 0 (optimiser.lr=0.1): recipe built-in mlp-mnist, --set optimiser.lr=0.1: optimiser.lr: no key "optimiser" here (known: batch_size, data, description, early_stopping, epochs, init, loss, model, name, optimizer, pretrain, quick, regularizers, schedule, seed); did you mean "optimizer"?`,
	},
	{
		name: "sweep: an empty grid",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: --grid optimizer.lr=: no values: want optimizer.lr=v1,v2,…`,
	},
	{
		name: "sweep: a range on a non-numeric key",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--random", "4", "--range", "loss=lin:0:1", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: --range loss: loss is not a numeric key (it holds a string): sweep its values with --grid loss=v1,v2,…`,
	},
	{
		name: "sweep: a fractional range on an integer key",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--random", "4", "--range", "batch_size=lin:10.5:100", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: --range batch_size=lin:10.5:100: batch_size is an integer key: give integer bounds`,
	},
	{
		name: "sweep: more points than the limit",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=1,2,3,4,5,6,7,8,9", "--grid", "batch_size=1,2,3,4,5,6,7,8", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: the sweep has 72 points, more than 64: add --yes to train them all`,
	},
	{
		name: "sweep: a key given twice",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--set", "batch_size=10", "--grid", "batch_size=20,30", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: --grid batch_size=20,30 sets batch_size, which --set batch_size=10 sets already: give each key once`,
	},
	{
		name: "sweep: another sweep's directory",
		args: func(t *testing.T, d *fixture) []string {
			dir := filepath.Join(d.dir, "other-sweep")
			s, err := sweeps.New(sweeps.Plan{Recipe: "mlp-mnist", Grid: []string{"optimizer.lr=0.1,0.2"}}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := sweeps.Open(dir, s); err != nil {
				t.Fatal(err)
			}
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=0.1,0.3", "--out", dir}
		},
		code: 1,
		want: `zoo: sweeps: DIR/other-sweep holds another sweep (grid: optimizer.lr=0.1,0.2 there, optimizer.lr=0.1,0.3 here): choose another --out, or repeat that sweep's own command to resume it`,
	},
	{
		name: "sweep: --out a run directory",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=0.1,0.3", "--out", d.done}
		},
		code: 1,
		want: `zoo: sweeps: --out DIR/done is not empty and holds no sweep (no sweep.json): choose another --out`,
	},
	{
		name: "sweep status of a run directory",
		args: func(t *testing.T, d *fixture) []string { return []string{"sweep", "status", d.done} },
		code: 1,
		want: `zoo: sweeps: DIR/done is not a sweep directory (it has no sweep.json; zoo sweep RECIPE --out DIR/done creates one)`,
	},
	{
		name: "sweep: a Slurm flag without --on slurm",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=0.1,0.2", "--time", "30", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: --time is for a sweep on Slurm: add --on slurm`,
	},
	{
		name: "sweep: --jobs on Slurm",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=0.1,0.2", "--on", "slurm", "--jobs", "2", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: --jobs 2 is for a sweep on this machine: on Slurm each point is its own task (give it cores with --cpus-per-task)`,
	},
	{
		name: "sweep: a time limit Slurm would refuse",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=0.1,0.2", "--on", "slurm", "--time", "2h", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: --time "2h": want one of Slurm's formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds, or infinite (e.g. 30, 2:00:00, 1-12)`,
	},
	{
		name: "sweep: --on slurm where there is no Slurm",
		args: func(t *testing.T, d *fixture) []string {
			t.Setenv("PATH", t.TempDir())
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=0.1,0.2", "--on", "slurm", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: sbatch not found: is this a Slurm login node?`,
	},
	{
		name: "eval: unknown --split",
		args: func(t *testing.T, d *fixture) []string { return []string{"eval", d.done, "--split", "tests"} },
		code: 1,
		want: `zoo: --split "tests": want train, validation or test`,
	},
	{
		name: "eval: negative --limit",
		args: func(t *testing.T, d *fixture) []string { return []string{"eval", d.done, "--limit", "-5"} },
		code: 1,
		want: `zoo: --limit -5: want a number of examples, or 0 for the whole split`,
	},
	{
		name: "default run directory in a Go package",
		args: func(t *testing.T, d *fixture) []string {
			dir := filepath.Join(d.dir, "gosrc")
			if err := os.MkdirAll(filepath.Join(dir, "zoo-runs"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeText(t, filepath.Join(dir, "zoo-runs", "x.go"), "package x\n")
			t.Chdir(dir)
			return []string{"train", d.recipe, "--data", d.data}
		},
		code: 1,
		want: `zoo: the default run directory zoo-runs/tiny-NNN-NNN would be inside a Go source package (zoo-runs holds x.go): give the run directory with --out`,
	},
	{
		name: "recipe: adaptive input noise",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(d.dir, "adaptive-noise"),
				"--set", "regularizers.noise={method: adaptive, sigma: 0.1, step: 0.1, steps: 2, bound: 1}"}
		},
		code: 1,
		want: `zoo: recipe DIR/tiny.yaml, --set regularizers.noise={method: adaptive, sigma: 0.1, step: 0.1, steps: 2, bound: 1}: regularizers.noise.method: adaptive noise is not available in a recipe (it is regularizers.AdaptiveNoise, for Go programs); use random or stochastic`,
	},
	{
		name: "sweep: a damaged sweep.json",
		args: func(t *testing.T, d *fixture) []string {
			dir := filepath.Join(d.dir, "damaged-sweep")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeText(t, filepath.Join(dir, "sweep.json"), `{"version": 1, "points": []}`)
			return []string{"sweep", "status", dir}
		},
		code: 1,
		want: `zoo: sweeps: DIR/damaged-sweep/sweep.json: it lists no points: the file is damaged`,
	},
	{
		name: "sweep: a damaged failure record",
		args: func(t *testing.T, d *fixture) []string {
			dir := filepath.Join(d.dir, "damaged-failure")
			s, err := sweeps.New(sweeps.Plan{Recipe: "mlp-mnist", Grid: []string{"optimizer.lr=0.1,0.2"}}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := sweeps.Open(dir, s); err != nil {
				t.Fatal(err)
			}
			writeText(t, filepath.Join(dir, "logs", "000.failed"), "garbage")
			return []string{"sweep", "report", dir}
		},
		code: 1,
		want: `zoo: sweeps: DIR/damaged-failure/logs/000.failed: not valid JSON at byte 1: invalid character 'g' looking for beginning of value: the file is damaged; remove it, and the next run of the sweep trains point 0 again`,
	},
	{
		name: "sweep: --eta below 2",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=0.1,0.2", "--halving", "--eta", "0", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: --eta 0: want 2 or more (the best 1/eta of the points continue at each rung)`,
	},
	{
		name: "sweep: a grid value written twice",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--grid", "optimizer.lr=0.1,0.3,1e-1", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: --grid optimizer.lr=0.1,0.3,1e-1: the values 0.1 and 1e-1 are the same setting: give it once`,
	},
	{
		name: "sweep: more points than a sweep may have",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "mlp-mnist", "--random", "1000000", "--range", "optimizer.lr=log:1e-4:1", "--yes", "--out", filepath.Join(d.dir, "sw")}
		},
		code: 1,
		want: `zoo: sweeps: the sweep has 1000000 points, more than the 10000 a sweep may have: sweep fewer values, or split it into several sweeps`,
	},
	{
		name: "sweep: a recipe file edited since the sweep began",
		args: func(t *testing.T, d *fixture) []string {
			recipe := filepath.Join(d.dir, "edited.yaml")
			writeText(t, recipe, tinyRecipe)
			dir := filepath.Join(d.dir, "edited-sweep")
			s, err := sweeps.New(sweeps.Plan{Recipe: recipe, Grid: []string{"optimizer.lr=0.1,0.2"}}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := sweeps.Open(dir, s); err != nil {
				t.Fatal(err)
			}
			writeText(t, recipe, tinyRecipe+"# edited\n")
			return []string{"sweep", recipe, "--grid", "optimizer.lr=0.1,0.2", "--out", dir}
		},
		code: 1,
		want: `zoo: sweeps: the recipe DIR/edited.yaml has changed since the sweep in DIR/edited-sweep was created: restore it to resume the sweep, or sweep the edited recipe into another --out`,
	},
	{
		name: "sweep report: --out an existing file",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"sweep", "report", d.dir, "--out", d.recipe}
		},
		code: 1,
		want: `zoo: --out DIR/tiny.yaml exists, and zoo does not overwrite files: remove it or choose another name`,
	},
	{
		name: "early stopping that would never validate",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(d.dir, "never-validates"),
				"--set", "early_stopping={every: 1000, patience: 2000}"}
		},
		code: 1,
		want: `zoo: pipeline: early_stopping.every 1000 is more than the run's 20 updates (10 an epoch × 2 epochs), so the rule would never validate: lower it, or leave it out to validate after every epoch`,
	},
	{
		name: "train --cpuprofile over an existing file",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", filepath.Join(d.dir, "profiled"), "--cpuprofile", d.recipe}
		},
		code: 1,
		want: `zoo: --cpuprofile DIR/tiny.yaml exists, and zoo does not overwrite files: remove it or choose another name`,
	},
	{
		name: "shipped model: unknown name",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"eval", "zoo:sdae-mnsit"}
		},
		code: 1,
		want: `zoo: shipped: no trained model zoo:sdae-mnsit; zoo ships zoo:dae-mnist, zoo:mlp-mnist, zoo:sdae-mnist (see zoo list)`,
	},
	{
		name: "shipped model: a recipe that does not ship trained",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--init", "zoo:ae-mnist", "--out", filepath.Join(d.dir, "from-ae")}
		},
		code: 1,
		want: `zoo: shipped: no trained model zoo:ae-mnist: the built-in recipe ae-mnist does not ship trained (train it with zoo train ae-mnist); zoo ships zoo:dae-mnist, zoo:mlp-mnist, zoo:sdae-mnist`,
	},
	{
		name: "shipped model: resumed",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", "--resume", "zoo:sdae-mnist"}
		},
		code: 1,
		want: `zoo: --resume zoo:sdae-mnist: a shipped model is finished and read-only, so nothing resumes it; start a new run from its weights with zoo train sdae-mnist --init zoo:sdae-mnist`,
	},
	{
		name: "shipped model: trained into",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipe, "--data", d.data, "--out", "zoo:mlp-mnist"}
		},
		code: 1,
		want: `zoo: --out zoo:mlp-mnist: zoo:NAME names a shipped model, which is read-only; write the run to another directory (./zoo:mlp-mnist for a directory of that name)`,
	},
	{
		name: "conv-autoencoder: a stage without its kernel",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "conv.yaml", "model: {type: mlp, layers: [{units: 8, activation: relu}]}\nloss: cross-entropy",
				"model: {type: conv-autoencoder, conv: [{filters: 4, activation: relu, pool: 2}], output: sigmoid}\nloss: bce")}
		},
		code: 1,
		want: `zoo: recipe DIR/conv.yaml, line 3: model.conv.0.kernel: missing; want the side of the square filters, odd, e.g. 3`,
	},
	{
		name: "conv-autoencoder: poolings too large for the pictures",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", d.recipeFile(t, "conv-pool.yaml", "model: {type: mlp, layers: [{units: 8, activation: relu}]}\nloss: cross-entropy",
				"model: {type: conv-autoencoder, conv: [{filters: 2, kernel: 3, activation: relu, pool: 7}, {filters: 2, kernel: 3, activation: relu, pool: 7}], output: sigmoid}\nloss: bce"),
				"--data", d.data, "--out", filepath.Join(d.dir, "conv-pool")}
		},
		code: 1,
		want: `zoo: pipeline: tiny: models: encoder stage 1: pooling of side 7 does not fit its 4×4 input`,
	},
	{
		name: "conv-autoencoder: data that are not pictures",
		args: func(t *testing.T, d *fixture) []string {
			writeText(t, filepath.Join(d.dir, "flat.csv"), "x1,x2,label\n"+strings.Repeat("1,2,0\n3,4,1\n", 10))
			return []string{"train", d.recipeFile(t, "conv-flat.yaml", "data: {name: mnist}\nmodel: {type: mlp, layers: [{units: 8, activation: relu}]}\nloss: cross-entropy",
				"data: {name: csv, files: {train: flat.csv, test: flat.csv}, label: label, validation_split: 0.5}\nmodel: {type: conv-autoencoder, conv: [{filters: 2, kernel: 3, activation: relu}], output: sigmoid}\nloss: bce"),
				"--out", filepath.Join(d.dir, "conv-flat")}
		},
		code: 1,
		want: `zoo: pipeline: tiny: a conv-autoencoder takes pictures, examples of shape [height, width] or [channels, height, width]; these have shape [2]`,
	},
	{
		name: "recipe: a vae's latent dimension below 1",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", "vae-mnist", "--set", "model.latent=-1", "--out", filepath.Join(d.dir, "latent")}
		},
		code: 1,
		want: `zoo: recipe built-in vae-mnist, --set model.latent=-1: model.latent: want the dimension of the latent code z, ≥ 1, got -1`,
	},
	{
		name: "recipe: a vae with another loss",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", "vae-mnist", "--set", "loss=bce", "--out", filepath.Join(d.dir, "vae-bce")}
		},
		code: 1,
		want: `zoo: recipe built-in vae-mnist, --set loss=bce: loss: a vae is trained on its negative ELBO (the reconstruction's cross-entropy plus the KL term, in nats): write loss: elbo`,
	},
	{
		name: "recipe: a latent dimension outside a vae",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", "sparse-ae-mnist", "--set", "model.latent=2", "--out", filepath.Join(d.dir, "ae-latent")}
		},
		code: 1,
		want: `zoo: recipe built-in sparse-ae-mnist, --set model.latent=2: model.latent: only vae models have a latent code z; an autoencoder's code is its last encoder layer`,
	},
	{
		name: "recipe: the contractive penalty on a ReLU encoder",
		args: func(t *testing.T, d *fixture) []string {
			return []string{"train", "cae-mnist", "--set", "model.encoder.0.activation=relu", "--out", filepath.Join(d.dir, "cae-relu")}
		},
		code: 1,
		want: `zoo: recipe built-in cae-mnist, --set model.encoder.0.activation=relu: model.encoder.0.activation: the contractive penalty (model.contractive) is computed in closed form for a sigmoid encoder, got relu`,
	},
}

// runOn trains the tiny recipe with --data on a copy of the fixture's
// data in DIR/NAME-data into DIR/NAME, interrupted before its first update
// when cut, and returns the two directories.
func (d *fixture) runOn(t *testing.T, name string, cut bool) (data, out string) {
	t.Helper()
	data, out = copyDir(t, d.data, filepath.Join(d.dir, name+"-data")), filepath.Join(d.dir, name)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	want := 0
	if cut {
		cancel()
		want = exitStopped
	}
	var stdout, errOut bytes.Buffer
	if code := run(ctx, []string{"train", d.recipe, "--data", data, "--out", out}, &stdout, &errOut); code != want {
		t.Fatalf("train into %s: exit %d: %s", out, code, errOut.String())
	}
	return data, out
}

// TestErrors drives the real CLI with every bad input of docs/errors.md
// and checks the exit code and that stderr is exactly the documented line:
// no stack, no panic, nothing else.
func TestErrors(t *testing.T) {
	d := newFixture(t)
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skipRoot && os.Geteuid() == 0 {
				t.Skip("running as root: permissions are not enforced")
			}
			args := tt.args(t, d)
			var code int
			var stderr string
			if tt.fileSize > 0 {
				code, stderr = zooLimited(t, tt.fileSize, tt.interrupt, args)
			} else {
				ctx, cancel := context.WithCancel(context.Background())
				if tt.interrupt {
					cancel()
				}
				var out, errOut bytes.Buffer
				code = run(ctx, args, &out, &errOut)
				cancel()
				stderr = errOut.String()
			}
			want := regexp.QuoteMeta(tt.want)
			want = strings.ReplaceAll(want, "DIR", regexp.QuoteMeta(d.dir))
			want = strings.ReplaceAll(want, "NNN", "[0-9]+")
			want = strings.ReplaceAll(want, "SIZE", "[0-9.]+ [KMGTPE]?i?B")
			if code != tt.code || !regexp.MustCompile(`^`+want+"\n$").MatchString(stderr) {
				t.Errorf("zoo %s\nexit %d, stderr:\n%s\nwant exit %d and the line\n%s", strings.Join(args, " "), code, stderr, tt.code, strings.ReplaceAll(tt.want, "DIR", d.dir))
			}
			for _, bad := range []string{"panic", "goroutine", ".go:"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr shows %q: %s", bad, stderr)
				}
			}
		})
	}
}

// zooLimited runs zoo with args in a child process (this test binary,
// running TestErrorsHelperProcess) whose files may not grow beyond
// fileSize bytes: writes beyond fail with EFBIG, as they fail with ENOSPC
// on a full disk. It returns the exit code and stderr.
func zooLimited(t *testing.T, fileSize int64, interrupt bool, args []string) (int, string) {
	t.Helper()
	argsJSON, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestErrorsHelperProcess$")
	cmd.Env = append(os.Environ(),
		"ZOO_ERRORS_HELPER_ARGS="+string(argsJSON),
		"ZOO_ERRORS_HELPER_FSIZE="+strconv.FormatInt(fileSize, 10),
		"ZOO_ERRORS_HELPER_INTERRUPT="+strconv.FormatBool(interrupt))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// TestErrorsHelperProcess is zoo under a file-size limit, for zooLimited.
func TestErrorsHelperProcess(t *testing.T) {
	argsJSON := os.Getenv("ZOO_ERRORS_HELPER_ARGS")
	if argsJSON == "" {
		t.Skip("the child process of zooLimited")
	}
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseUint(os.Getenv("ZOO_ERRORS_HELPER_FSIZE"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if os.Getenv("ZOO_ERRORS_HELPER_INTERRUPT") == "true" {
		cancel()
	}
	code := run(ctx, args, io.Discard, os.Stderr)
	cancel()
	os.Exit(code) // the child's exit code is zoo's (0 would be an error here)
}

// TestErrorsDocumented keeps docs/errors.md and the table above in step:
// every row's message is in the document, word for word.
func TestErrorsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range errorCases {
		if !bytes.Contains(doc, []byte("`"+tt.want+"`")) {
			t.Errorf("docs/errors.md lacks the row %q: `%s`", tt.name, tt.want)
		}
	}
}
