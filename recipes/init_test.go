package recipes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const initBase = "name: x\ndata: {name: mnist}\nmodel: {type: mlp}\nloss: cross-entropy\noptimizer: {name: sgd}\nbatch_size: 1\nepochs: 1\n"

// TestInitPath: a recipe file's relative init.from is relative to the file
// and made absolute, in the recipe (as recipe.yaml records it) and in its
// spec; an absolute one is kept; a recipe parsed from text keeps its path.
func TestInitPath(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "recipes")
	os.MkdirAll(sub, 0o755)
	for _, c := range []struct{ from, want string }{
		{"../runs/dae", filepath.Join(dir, "runs", "dae")},
		{"weights.safetensors", filepath.Join(sub, "weights.safetensors")},
		{"/abs/w.safetensors", "/abs/w.safetensors"},
	} {
		path := filepath.Join(sub, "r.yaml")
		if err := os.WriteFile(path, []byte(initBase+"init: {from: "+c.from+", partial: true}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Load(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		sp, err := r.Spec()
		if err != nil {
			t.Fatal(err)
		}
		if r.Init.From != c.want || sp.Init == nil || sp.Init.From != c.want || !sp.Init.Partial {
			t.Errorf("init.from %s: recipe says %+v, spec %+v, want %s", c.from, r.Init, sp.Init, c.want)
		}
		text, _ := r.Marshal()
		if !strings.Contains(string(text), "from: "+c.want) {
			t.Errorf("init.from %s: the recipe writes\n%s", c.from, text)
		}
	}
	r, err := Parse("text", []byte(initBase+"init: {from: w.safetensors}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A recipe not read from a file is relative to the working directory,
	// like its data.files.
	wd, _ := os.Getwd()
	if sp, _ := r.Spec(); sp.Init.From != filepath.Join(wd, "w.safetensors") || sp.Init.Partial {
		t.Errorf("parsed init %+v", sp.Init)
	}
	if r, err := Parse("text", []byte(initBase), Options{}); err != nil || r.Init != nil {
		t.Errorf("no init: %+v, %v", r.Init, err)
	} else if sp, _ := r.Spec(); sp.Init != nil {
		t.Errorf("no init, spec %+v", sp.Init)
	}
}

func TestInitErrors(t *testing.T) {
	for _, c := range []struct{ init, want string }{
		{"init: {partial: true}\n", "recipe r, line 8: init.from: missing; want a finished run directory or a .safetensors file"},
		{"init: {from: \"\"}\n", "init.from: missing"},
		{"init: {from: \"a\\0b\"}\n", `init.from: "a\x00b" is not a path`},
		{"init: {from: x, partal: true}\n", `unknown field "partal"`},
		{"init: glorot\n", "line 8"},
	} {
		_, err := Parse("r", []byte(initBase+c.init), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.init, err, c.want)
		}
	}
	if _, err := Parse("r", []byte(initBase), Options{Set: []string{"init.from=runs/x", "init.partial=true"}}); err != nil {
		t.Errorf("--set init.from: %v", err)
	}
}
