package recipes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const good = `name: t
seed: 3
data: {name: mnist}
model:
  type: mlp
  layers:
    - {units: 16, activation: relu}
loss: cross-entropy
optimizer:
  name: adam
  lr: 0.01
batch_size: 32
epochs: 2
quick:
  epochs: 1
  data.train: 100
`

func TestParseGood(t *testing.T) {
	r, err := Parse("t.yaml", []byte(good), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Seed != 3 || r.Model.Layers[0].Units != 16 || r.Epochs != 2 || r.BatchSize != 32 {
		t.Errorf("parsed %+v", r)
	}
	sp, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if c := sp.Optimizer; c.Name != "adam" || c.Hyper["lr"] != 0.01 {
		t.Errorf("optimizer config %+v", c)
	}
	if m := sp.Model; m.Family != FamilyMLP || len(m.MLP.Hidden) != 1 || m.MLP.Hidden[0].Units != 16 {
		t.Errorf("model spec %+v", m)
	}
}

func TestQuickAndSet(t *testing.T) {
	r, err := Parse("t.yaml", []byte(good), Options{Quick: true, Set: []string{"epochs=4", "optimizer.beta1=0.8", "model.layers.0.units=8", "optimizer.eps=1e-7"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Data.Train != 100 {
		t.Errorf("quick data.train = %d, want 100", r.Data.Train)
	}
	if r.Epochs != 4 {
		t.Errorf("--set after quick: epochs = %d, want 4", r.Epochs)
	}
	if r.Model.Layers[0].Units != 8 {
		t.Errorf("units = %d, want 8", r.Model.Layers[0].Units)
	}
	if sp, _ := r.Spec(); sp.Optimizer.Hyper["beta1"] != 0.8 || sp.Model.MLP.Hidden[0].Units != 8 || sp.Optimizer.Hyper["eps"] != 1e-7 {
		t.Errorf("spec after quick and --set: %+v", sp)
	}
}

// TestErrors checks that each kind of mistake names the file, the line and
// the key, and says what was expected.
func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		set  []string
		want []string // substrings of the error
	}{
		{"unknown key", func(s string) string { return strings.Replace(s, "epochs: 2", "epochz: 2", 1) },
			nil, []string{"t.yaml", "line 13", `unknown field "epochz"`, `did you mean "epochs"?`}},
		{"wrong type", func(s string) string { return strings.Replace(s, "batch_size: 32", "batch_size: many", 1) },
			nil, []string{"t.yaml", "line 12", "batch_size", `"many"`, "want an integer"}},
		{"negative learning rate", func(s string) string { return strings.Replace(s, "lr: 0.01", "lr: -0.1", 1) },
			nil, []string{"line 11", "optimizer.lr", "-0.1"}},
		{"zero batch size", func(s string) string { return strings.Replace(s, "batch_size: 32", "batch_size: 0", 1) },
			nil, []string{"line 12", "batch_size", "must be ≥ 1, got 0"}},
		{"zero width", func(s string) string { return strings.Replace(s, "units: 16", "units: 0", 1) },
			nil, []string{"line 7", "model.layers.0.units", "≥ 1 unit, got 0"}},
		{"unknown optimizer", func(s string) string { return strings.Replace(s, "name: adam", "name: adma", 1) },
			nil, []string{"line 10", "optimizer.name", `unknown optimizer "adma"`, `did you mean "adam"?`}},
		{"hyper-parameter of another optimizer", func(s string) string { return strings.Replace(s, "lr: 0.01", "lr: 0.01\n  rho: 0.9", 1) },
			nil, []string{"line 12", "optimizer.rho", `adam has no hyper-parameter "rho"`}},
		{"unknown activation", func(s string) string { return strings.Replace(s, "activation: relu", "activation: rleu", 1) },
			nil, []string{"line 7", "activation", `"rleu"`, `did you mean "relu"?`}},
		{"unknown data set", func(s string) string { return strings.Replace(s, "name: mnist", "name: mnsit", 1) },
			nil, []string{"line 3", "data.name", `did you mean "mnist"?`}},
		{"bad --set value", nil, []string{"epochs=lots"}, []string{"--set epochs=lots", "want an integer"}},
		{"unknown --set key", nil, []string{"optimiser.lr=1"}, []string{"--set optimiser.lr=1", `did you mean "optimizer"?`}},
		{"--set out of range", nil, []string{"epochs=0"}, []string{"--set epochs=0", "epochs: must be ≥ 1, got 0"}},
		{"syntax error", func(s string) string { return strings.Replace(s, "loss: cross-entropy", "loss: [cross-entropy", 1) },
			nil, []string{"t.yaml", "line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := good
			if tt.edit != nil {
				src = tt.edit(good)
			}
			_, err := Parse("t.yaml", []byte(src), Options{Set: tt.set})
			if err == nil {
				t.Fatal("no error")
			}
			var re *Error
			if !errors.As(err, &re) {
				t.Errorf("error %T is not a *recipes.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	_, err := Parse("e.yaml", []byte("  \n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty recipe: %v", err)
	}
}

// TestBuiltins checks every built-in recipe parses, with and without its
// quick profile, and that each has a quick profile and a description.
func TestBuiltins(t *testing.T) {
	list, err := List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("no built-in recipes")
	}
	for _, info := range list {
		r, err := Builtin(info.Name, Options{Quick: true})
		if err != nil {
			t.Errorf("%s --quick: %v", info.Name, err)
			continue
		}
		if len(r.Quick) == 0 || info.Description == "" {
			t.Errorf("%s: needs a quick profile and a description", info.Name)
		}
		if r.Name != info.Name {
			t.Errorf("%s: name key says %q", info.Name, r.Name)
		}
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(good, "name: t\n", "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Resolve(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "mine" {
		t.Errorf("name %q, want the file's base name", r.Name)
	}
	if _, err := Resolve("mlp-mnist", Options{}); err != nil {
		t.Errorf("built-in: %v", err)
	}
	_, err = Resolve("mlp-mnsit", Options{})
	if err == nil || !strings.Contains(err.Error(), `did you mean "mlp-mnist"?`) {
		t.Errorf("typo: %v", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	r, err := Parse("t.yaml", []byte(good), Options{})
	if err != nil {
		t.Fatal(err)
	}
	text, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Parse("again", text, Options{})
	if err != nil {
		t.Fatalf("re-parse of\n%s: %v", text, err)
	}
	text2, _ := r2.Marshal()
	if string(text) != string(text2) {
		t.Errorf("not stable:\n%s\n---\n%s", text, text2)
	}
}

// TestSpecFollowsChanges: a recipe changed in Go after Parse gets a spec of
// its new values, checked again (a stale spec would train one recipe and
// store another).
func TestSpecFollowsChanges(t *testing.T) {
	r, err := Parse("t.yaml", []byte(good), Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := r.Spec(); again != first {
		t.Error("an unchanged recipe was checked again")
	}
	r.Epochs = 7
	r.Optimizer["lr"] = 0.5
	sp, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if sp.Epochs != 7 || sp.Optimizer.Hyper["lr"] != 0.5 {
		t.Errorf("after the change: epochs %d, lr %v; want 7 and 0.5", sp.Epochs, sp.Optimizer.Hyper["lr"])
	}
	r.BatchSize = 0
	if _, err := r.Spec(); err == nil || !strings.Contains(err.Error(), "batch_size: must be ≥ 1") {
		t.Errorf("a broken change: %v, want the batch_size error", err)
	}
}

// TestSetQuickProfile checks that --set of the quick profile changes the
// profile --quick applies, and is checked as it is: it used to be applied
// after the profile, and so changed nothing and said nothing.
func TestSetQuickProfile(t *testing.T) {
	for _, tt := range []struct {
		set    string
		epochs int
		train  int
		err    string
	}{
		{set: "quick.epochs=3", epochs: 3, train: 100},
		{set: "quick={epochs: 2, data.train: 50}", epochs: 2, train: 50},
		{set: "quick={data.train: 60}", epochs: 2, train: 60},
		{set: "quick.epochs=1.5", err: `recipe t.yaml, quick profile (epochs=1.5, from --set quick.epochs=1.5): epochs: cannot use "1.5": want an integer`},
		{set: "quick.epochs=abc", err: `epochs: cannot use "abc": want an integer`},
		{set: "quick={data.train: 10.5}", err: `quick profile (data.train=10.5, from --set quick={data.train: 10.5}): data.train: cannot use "10.5": want an integer`},
	} {
		r, err := Parse("t.yaml", []byte(good), Options{Quick: true, Set: []string{tt.set}})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("--set %s: err %v, want one containing %q", tt.set, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("--set %s: %v", tt.set, err)
			continue
		}
		if r.Epochs != tt.epochs || r.Data.Train != tt.train {
			t.Errorf("--set %s --quick: epochs %d, data.train %d; want %d, %d", tt.set, r.Epochs, r.Data.Train, tt.epochs, tt.train)
		}
	}
}
