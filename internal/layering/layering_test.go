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

// rule forbids pkg to import any of forbidden, for the reason why.
type rule struct {
	pkg, why  string
	forbidden []string
}

// rules are the layers of docs/architecture.md: each package below must not
// import the packages listed for it.
func rules() []rule {
	execution := []string{"train", "runs", "pipeline", "experiments", "bench"}
	rs := []rule{
		{"recipes", "a recipe is read and checked without anything that trains", execution},
		{"runs", "the run directory is storage: it trains nothing", []string{"train", "optimizers", "pipeline", "experiments"}},
		{"infer", "inference needs no optimizer and no training task", []string{"train", "optimizers", "runs", "pipeline"}},
		{"schedules", "schedules choose rates; the adaptive search reaches tasks through an interface", []string{"train", "optimizers", "models", "runs", "pipeline"}},
		{"train", "the loop knows nothing of recipes or run directories", []string{"recipes", "runs", "pipeline", "experiments"}},
		{"models", "models are built, not trained, here", []string{"train", "optimizers", "recipes", "runs", "pipeline"}},
		{"datasets", "data is a leaf", []string{"models", "train", "recipes", "runs", "pipeline"}},
	}
	// The trained models zoo ships are megabytes of weights: only the
	// programs that ask for them (the CLI, a program importing shipped)
	// carry them.
	for _, pkg := range []string{"datasets", "models", "losses", "regularizers", "optimizers", "schedules", "earlystop",
		"train", "infer", "recipes", "runs", "pipeline", "cblas", "images", "experiments", "sweeps", "bench"} {
		rs = append(rs, rule{pkg, "importing it must not pull the shipped models' weights", []string{"shipped"}})
	}
	return rs
}

// notebookHelpers is the package the notebooks share. It exists for them
// alone and may change with them, so no package of zoo, its command,
// examples or scripts may import it.
const notebookHelpers = "notebooks/nb"

// violations returns how the import map all (package → the zoo packages it
// imports) breaks the rules, one message each, sorted.
func violations(all map[string][]string) []string {
	var bad []string
	for _, r := range rules() {
		got, ok := all[r.pkg]
		if !ok {
			bad = append(bad, "no package "+r.pkg+" in the module")
			continue
		}
		for _, f := range r.forbidden {
			if slices.Contains(got, f) {
				bad = append(bad, r.pkg+" imports "+f+": "+r.why)
			}
		}
	}
	if _, ok := all[notebookHelpers]; !ok {
		bad = append(bad, "no package "+notebookHelpers+" in the module")
	}
	for pkg, got := range all {
		if pkg != notebookHelpers && slices.Contains(got, notebookHelpers) {
			bad = append(bad, pkg+" imports "+notebookHelpers+": the notebooks' helpers are not zoo's API; only notebooks use them")
		}
	}
	slices.Sort(bad)
	return bad
}

// TestLayers checks the module's packages against the rules.
func TestLayers(t *testing.T) {
	for _, v := range violations(imports(t)) {
		t.Error(v)
	}
}

// TestViolations shows that each kind of rule fails: an import map that
// keeps every rule, then the same map with one forbidden import added.
func TestViolations(t *testing.T) {
	clean := func() map[string][]string {
		m := map[string][]string{
			notebookHelpers: {"datasets", "images", "train"},
			"cmd/zoo":       {"pipeline", "recipes", "runs"},
		}
		for _, r := range rules() {
			m[r.pkg] = nil
		}
		return m
	}
	if v := violations(clean()); len(v) != 0 {
		t.Fatalf("a map that keeps the rules breaks them: %q", v)
	}
	tests := []struct {
		name string
		edit func(map[string][]string)
		want string
	}{
		{"a product package imports the notebook helpers", func(m map[string][]string) { m["pipeline"] = append(m["pipeline"], notebookHelpers) },
			"pipeline imports notebooks/nb: the notebooks' helpers are not zoo's API; only notebooks use them"},
		{"the command imports them", func(m map[string][]string) { m["cmd/zoo"] = append(m["cmd/zoo"], notebookHelpers) },
			"cmd/zoo imports notebooks/nb: the notebooks' helpers are not zoo's API; only notebooks use them"},
		{"an example imports them", func(m map[string][]string) { m["examples/classify"] = []string{"models", notebookHelpers} },
			"examples/classify imports notebooks/nb: the notebooks' helpers are not zoo's API; only notebooks use them"},
		{"the notebook helpers moved", func(m map[string][]string) { delete(m, notebookHelpers) },
			"no package notebooks/nb in the module"},
		{"a recipe imports the training loop", func(m map[string][]string) { m["recipes"] = []string{"train"} },
			"recipes imports train: a recipe is read and checked without anything that trains"},
		{"models pulls the shipped weights", func(m map[string][]string) { m["models"] = []string{"shipped"} },
			"models imports shipped: importing it must not pull the shipped models' weights"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := clean()
			tt.edit(m)
			if got := violations(m); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("violations = %q, want [%q]", got, tt.want)
			}
		})
	}
}
