package layering

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gorgonia-zoo/zoo/"

// imports returns the zoo packages each package of the module imports
// directly (tests excluded), by path relative to the module.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", module+"...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("go list: %v", err)
	}
	m := map[string][]string{}
	dec := json.NewDecoder(out)
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		var zoo []string
		for _, i := range p.Imports {
			if strings.HasPrefix(i, module) {
				zoo = append(zoo, strings.TrimPrefix(i, module))
			}
		}
		m[strings.TrimPrefix(p.ImportPath, module)] = zoo
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLayers checks the rules of docs/architecture.md: each package below
// must not import the packages listed for it.
func TestLayers(t *testing.T) {
	execution := []string{"train", "runs", "pipeline", "experiments", "bench"}
	rules := []struct {
		pkg, why  string
		forbidden []string
	}{
		{"recipes", "a recipe is read and checked without anything that trains", execution},
		{"runs", "the run directory is storage: it trains nothing", []string{"train", "optimizers", "pipeline", "experiments"}},
		{"infer", "inference needs no optimizer and no training task", []string{"train", "optimizers", "runs", "pipeline"}},
		{"schedules", "schedules choose rates; the adaptive search reaches tasks through an interface", []string{"train", "optimizers", "models", "runs", "pipeline"}},
		{"train", "the loop knows nothing of recipes or run directories", []string{"recipes", "runs", "pipeline", "experiments"}},
		{"models", "models are built, not trained, here", []string{"train", "optimizers", "recipes", "runs", "pipeline"}},
		{"datasets", "data is a leaf", []string{"models", "train", "recipes", "runs", "pipeline"}},
	}
	all := imports(t)
	for _, r := range rules {
		got, ok := all[r.pkg]
		if !ok {
			t.Errorf("no package %s in the module", r.pkg)
			continue
		}
		for _, f := range r.forbidden {
			if slices.Contains(got, f) {
				t.Errorf("%s imports %s: %s", r.pkg, f, r.why)
			}
		}
	}
}
