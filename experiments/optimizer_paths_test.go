package experiments

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/optimizers"
)

func TestRegistry(t *testing.T) {
	list := List()
	for i := 1; i < len(list); i++ {
		if list[i-1].Name >= list[i].Name {
			t.Errorf("List is not sorted: %s before %s", list[i-1].Name, list[i].Name)
		}
	}
	for _, e := range list {
		if e.Description == "" || e.Run == nil {
			t.Errorf("experiment %s has no description or no Run", e.Name)
		}
		if got, err := Lookup(e.Name); err != nil || got.Name != e.Name {
			t.Errorf("Lookup(%s) = %v, %v", e.Name, got.Name, err)
		}
	}
	if _, err := Lookup("optimiser-paths"); err == nil || !strings.Contains(err.Error(), "known: "+strings.Join(Names(), ", ")) {
		t.Errorf("unknown experiment: %v", err)
	}
}

// readPaths runs optimizer-paths into a new directory and returns it with
// the rows of paths.csv.
func readPaths(t *testing.T, quick bool) (string, [][]string) {
	t.Helper()
	dir := t.TempDir()
	if err := OptimizerPaths(context.Background(), Options{Out: dir, Quick: quick}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "paths.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return dir, rows
}

// TestOptimizerPathsFiles checks every file of a quick run: paths.csv's
// header, rows, starts and numbers (every loss is f at its point, and SGD's
// first step on the ravine is the one worked out by hand),
// hyperparams.json, the figures and the report.
func TestOptimizerPathsFiles(t *testing.T) {
	dir, rows := readPaths(t, true)
	surfaces := pathSurfaces()
	names := optimizers.Names()
	if len(names) != 13 {
		t.Fatalf("%d optimizers, want 13", len(names))
	}

	if got := strings.Join(rows[0], ","); got != "surface,optimizer,step,x,y,loss" {
		t.Fatalf("header %q", got)
	}
	want := 1
	steps := map[string]int{}
	for _, s := range surfaces {
		steps[s.name] = max(s.steps/5, 10)
		want += len(names) * (steps[s.name] + 1)
	}
	if len(rows) != want {
		t.Fatalf("%d rows, want %d", len(rows), want)
	}

	type key struct{ surface, optimizer string }
	points := map[key][][3]float64{}
	byName := map[string]surface{}
	for _, s := range surfaces {
		byName[s.name] = s
	}
	for i, r := range rows[1:] {
		k := key{r[0], r[1]}
		step, err := strconv.Atoi(r[2])
		if err != nil || step != len(points[k]) {
			t.Fatalf("row %d: step %q, want %d", i+2, r[2], len(points[k]))
		}
		var v [3]float64
		for j := range v {
			if v[j], err = strconv.ParseFloat(r[3+j], 64); err != nil || math.IsNaN(v[j]) || math.IsInf(v[j], 0) {
				t.Fatalf("row %d: %q is not a finite number", i+2, r[3+j])
			}
			// Full precision: the text is the shortest that round-trips.
			if strconv.FormatFloat(v[j], 'g', -1, 64) != r[3+j] {
				t.Fatalf("row %d: %q is not in strconv 'g' -1 form", i+2, r[3+j])
			}
		}
		s := byName[r[0]]
		if f := s.f(v[0], v[1]); math.Abs(f-v[2]) > 1e-12*math.Max(1, math.Abs(f)) {
			t.Fatalf("row %d: loss %v, but f(%v, %v) = %v", i+2, v[2], v[0], v[1], f)
		}
		points[k] = append(points[k], v)
	}
	if len(points) != 4*13 {
		t.Fatalf("%d (surface, optimizer) pairs, want 52", len(points))
	}
	for k, pts := range points {
		s := byName[k.surface]
		if len(pts) != steps[k.surface]+1 {
			t.Errorf("%v: %d points, want %d", k, len(pts), steps[k.surface]+1)
		}
		if pts[0][0] != s.start[0] || pts[0][1] != s.start[1] {
			t.Errorf("%v: step 0 at (%v, %v), want the start %v", k, pts[0][0], pts[0][1], s.start)
		}
	}

	// SGD's first step on the ravine by hand: ∇f = (x/10, 2y).
	rav := byName["ravine"]
	eta := rav.hyper["sgd"].Hyper["lr"]
	x0, y0 := rav.start[0], rav.start[1]
	x1, y1 := x0-eta*x0/10, y0-eta*2*y0
	got := points[key{"ravine", "sgd"}][1]
	if math.Abs(got[0]-x1) > 1e-14*math.Abs(x1) || math.Abs(got[1]-y1) > 1e-14*math.Abs(y1) {
		t.Errorf("SGD's first step on the ravine: (%.17g, %.17g), want (%.17g, %.17g)", got[0], got[1], x1, y1)
	}

	var doc struct {
		Runs []struct {
			Surface   string         `json:"surface"`
			Optimizer string         `json:"optimizer"`
			Start     []float64      `json:"start"`
			Steps     int            `json:"steps"`
			Hyper     map[string]any `json:"hyper"`
		} `json:"runs"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "hyperparams.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("hyperparams.json: %v", err)
	}
	if len(doc.Runs) != 13*4 {
		t.Fatalf("hyperparams.json has %d runs, want 52", len(doc.Runs))
	}
	for _, r := range doc.Runs {
		s := byName[r.Surface]
		if r.Steps != steps[r.Surface] || len(r.Start) != 2 || r.Start[0] != s.start[0] || r.Start[1] != s.start[1] {
			t.Errorf("%s/%s: steps %d start %v", r.Surface, r.Optimizer, r.Steps, r.Start)
		}
		specs, err := optimizers.Spec(r.Optimizer)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range specs {
			v, ok := r.Hyper[sp.Name].(float64)
			if !ok {
				t.Errorf("%s/%s: hyper-parameter %s missing", r.Surface, r.Optimizer, sp.Name)
				continue
			}
			if set, ok := s.config(r.Optimizer).Hyper[sp.Name]; ok && v != set {
				t.Errorf("%s/%s: %s = %v, the settings say %v", r.Surface, r.Optimizer, sp.Name, v, set)
			} else if !ok && v != sp.Default {
				t.Errorf("%s/%s: %s = %v, want the default %v", r.Surface, r.Optimizer, sp.Name, v, sp.Default)
			}
		}
		if betas, ok := r.Hyper["betas"].([]any); (r.Optimizer == "aggmo") != (ok && len(betas) > 0) {
			t.Errorf("%s/%s: betas %v", r.Surface, r.Optimizer, r.Hyper["betas"])
		}
		if len(r.Hyper) != len(specs)+map[bool]int{true: 1}[r.Optimizer == "aggmo"] {
			t.Errorf("%s/%s: hyper %v has unexpected keys", r.Surface, r.Optimizer, r.Hyper)
		}
	}

	for _, s := range surfaces {
		f, err := os.Open(filepath.Join(dir, s.name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s.png: %v", s.name, err)
			continue
		}
		if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 400 {
			t.Errorf("%s.png is %v", s.name, b)
		}
	}

	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Optimizer paths", "Quick run", "## Final loss", "| sgd |", "](ravine.png)", "](rosenbrock.png)", "](beale.png)", "](saddle.png)", "SGD zig-zags", "Adagrad", "leave the saddle"} {
		if !bytes.Contains(report, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

// TestOptimizerPathsClaims runs the full experiment and checks each claim
// of the lecture it tests showed (the report says "shown" for each).
func TestOptimizerPathsClaims(t *testing.T) {
	if testing.Short() {
		t.Skip("the full experiment takes seconds")
	}
	dir, _ := readPaths(t, false)
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(report, []byte(": shown")); n < 8 || bytes.Contains(report, []byte("not shown")) || bytes.Contains(report, []byte("Quick run")) {
		t.Errorf("report.md: %d claims shown, want every one of them:\n%s", n, report)
	}
}

// TestDivergenceFails checks a path that leaves the floats is an error
// naming the optimizer, the surface and the step, not a NaN in the data.
func TestDivergenceFails(t *testing.T) {
	s := pathSurfaces()[1] // rosenbrock
	hyper := map[string]optimizers.Config{}
	for k, v := range s.hyper {
		hyper[k] = v
	}
	hyper["sgd"] = optimizers.Config{Hyper: map[string]float64{"lr": 0.1}}
	s.hyper = hyper
	_, err := runSurface(context.Background(), s, true)
	if err == nil || !strings.Contains(err.Error(), "sgd on rosenbrock: not finite after") {
		t.Errorf("diverging SGD: error %v", err)
	}
}
