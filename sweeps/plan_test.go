package sweeps

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var when = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func sets(ps []Point) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.Join(p.Set, " "))
	}
	return out
}

// TestGridTimesGrid: two axes give every combination, the first axis
// varying slowest, each point indexed in order.
func TestGridTimesGrid(t *testing.T) {
	s, err := New(Plan{Recipe: "mlp-mnist", Quick: true, Grid: []string{"optimizer.lr=0.01,0.03,0.1", "batch_size=64,128"}}, when)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"optimizer.lr=0.01 batch_size=64", "optimizer.lr=0.01 batch_size=128",
		"optimizer.lr=0.03 batch_size=64", "optimizer.lr=0.03 batch_size=128",
		"optimizer.lr=0.1 batch_size=64", "optimizer.lr=0.1 batch_size=128",
	}
	if got := sets(s.Points); !slices.Equal(got, want) {
		t.Errorf("points\n%q\nwant\n%q", got, want)
	}
	for i, p := range s.Points {
		if p.Index != i {
			t.Errorf("point %d has index %d", i, p.Index)
		}
	}
	if v, ok := s.Points[3].Value("batch_size"); !ok || v != "128" {
		t.Errorf("point 3's batch_size = %q, %v", v, ok)
	}
	if k := s.Keys(); !slices.Equal(k, []string{"optimizer.lr", "batch_size"}) {
		t.Errorf("keys %q", k)
	}
}

// TestRandomDeterministic: the same seed draws the same points, another
// seed others; draws lie in their ranges, log ones spread over the
// decades, integer keys are whole numbers.
func TestRandomDeterministic(t *testing.T) {
	plan := func(seed uint64) Plan {
		return Plan{Recipe: "mlp-mnist", Random: 40, Seed: seed, Ranges: []string{"optimizer.lr=log:1e-4:1", "batch_size=lin:16:256"}}
	}
	a, err := New(plan(1), when)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New(plan(1), when.Add(time.Hour))
	c, _ := New(plan(2), when)
	if !slices.Equal(sets(a.Points), sets(b.Points)) {
		t.Error("the same seed drew different points")
	}
	if slices.Equal(sets(a.Points), sets(c.Points)) {
		t.Error("seeds 1 and 2 drew the same points")
	}
	if len(a.Points) != 40 {
		t.Fatalf("%d points, want 40", len(a.Points))
	}
	decades := map[int]bool{}
	for _, p := range a.Points {
		lrText, _ := p.Value("optimizer.lr")
		lr, err := strconv.ParseFloat(lrText, 64)
		if err != nil || lr < 1e-4 || lr > 1 {
			t.Errorf("lr %q outside log:1e-4:1", lrText)
		}
		decades[int(math.Floor(math.Log10(lr)))] = true
		bsText, _ := p.Value("batch_size")
		bs, err := strconv.Atoi(bsText)
		if err != nil || bs < 16 || bs > 256 {
			t.Errorf("batch_size %q: want an integer in [16, 256]", bsText)
		}
	}
	if len(decades) < 3 {
		t.Errorf("40 log-uniform draws over 4 decades fell in %d of them", len(decades))
	}
	if !a.Random.Ranges[1].Int || a.Random.Ranges[0].Int {
		t.Errorf("ranges %+v: batch_size is the integer key", a.Random.Ranges)
	}
}

// TestGridTimesRandom: every grid combination gets every draw, the same
// draws for each.
func TestGridTimesRandom(t *testing.T) {
	s, err := New(Plan{Recipe: "mlp-mnist", Grid: []string{"batch_size=64,128"}, Random: 3, Seed: 5, Ranges: []string{"optimizer.lr=lin:0.01:0.1"}}, when)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Points) != 6 {
		t.Fatalf("%d points, want 2×3", len(s.Points))
	}
	for i := range 3 {
		a, _ := s.Points[i].Value("optimizer.lr")
		b, _ := s.Points[3+i].Value("optimizer.lr")
		if a != b {
			t.Errorf("draw %d: %s with batch_size 64, %s with 128", i, a, b)
		}
	}
}

func TestSplitValues(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"0.1,0.2", []string{"0.1", "0.2"}},
		{" relu , sigmoid ", []string{"relu", "sigmoid"}},
		{"[0, 0.9],[0.5, 0.5]", []string{"[0, 0.9]", "[0.5, 0.5]"}},
		{"{input: 0.2},null", []string{"{input: 0.2}", "null"}},
		{"'a, b',c", []string{"'a, b'", "c"}},
		{`"a, \"b, c\"",d`, []string{`"a, \"b, c\""`, "d"}},
		{"'it''s, here',x", []string{"'it''s, here'", "x"}},
		{"don't,do", []string{"don't", "do"}},
		{"{a: 'x, y'},{a: z}", []string{"{a: 'x, y'}", "{a: z}"}},
		{"['a]', b],c", []string{"['a]', b]", "c"}},
		{"", nil},
	} {
		if got := splitValues(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitValues(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestBadPlans: each mistake is an error naming the flag or key, before
// anything is created.
func TestBadPlans(t *testing.T) {
	for _, tt := range []struct {
		name string
		plan Plan
		want string
	}{
		{"unknown key", Plan{Grid: []string{"optimiser.lr=0.1,0.2"}}, `point 0 (optimiser.lr=0.1): recipe built-in mlp-mnist, --set optimiser.lr=0.1: optimiser.lr: no key "optimiser" here`},
		{"a value of the wrong kind", Plan{Grid: []string{"batch_size=10,abc"}}, `point 1 (batch_size=abc): recipe built-in mlp-mnist, --set batch_size=abc: batch_size: cannot use "abc": want an integer`},
		{"empty grid", Plan{Grid: []string{"optimizer.lr="}}, "--grid optimizer.lr=: no values"},
		{"empty value", Plan{Grid: []string{"optimizer.lr=0.1,,0.2"}}, "an empty value"},
		{"repeated value", Plan{Grid: []string{"optimizer.lr=0.1,0.1"}}, "the value 0.1 is given twice"},
		{"a value written twice differently", Plan{Grid: []string{"optimizer.lr=0.1,0.3,1e-1"}}, "--grid optimizer.lr=0.1,0.3,1e-1: the values 0.1 and 1e-1 are the same setting: give it once"},
		{"an integer written twice differently", Plan{Grid: []string{"batch_size=64,064"}}, "the values 64 and 064 are the same setting"},
		{"a mapping written twice differently", Plan{Grid: []string{"regularizers.dropout={input: 0.2},{input: 0.20}"}}, "the values {input: 0.2} and {input: 0.20} are the same setting"},
		{"no key", Plan{Grid: []string{"=0.1"}}, "want key=v1,v2"},
		{"nothing to sweep", Plan{}, "nothing to sweep"},
		{"duplicate grid keys", Plan{Grid: []string{"optimizer.lr=0.1", "optimizer.lr=0.2"}}, "--grid optimizer.lr=0.2 sets optimizer.lr, which --grid optimizer.lr=0.1 sets already"},
		{"grid key also set", Plan{Set: []string{"batch_size=10"}, Grid: []string{"batch_size=20,30"}}, "which --set batch_size=10 sets already"},
		{"range on a string key", Plan{Random: 2, Ranges: []string{"loss=lin:0:1"}}, "loss is not a numeric key (it holds a string)"},
		{"range on a list key", Plan{Random: 2, Ranges: []string{"data.positive=lin:0:1"}}, "data.positive is not a numeric key (it holds a list)"},
		{"range on an unknown key", Plan{Random: 2, Ranges: []string{"optimiser.lr=log:1e-3:1"}}, `--range optimiser.lr=log:0.001:1: recipe built-in mlp-mnist, --set optimiser.lr=0.001: optimiser.lr: no key "optimiser" here`},
		{"range wider than a float64", Plan{Random: 2, Ranges: []string{"optimizer.lr=lin:-1e308:1e308"}}, "the range is wider than a float64 can hold"},
		{"non-integer bounds for an integer key", Plan{Random: 2, Ranges: []string{"batch_size=lin:10.5:100"}}, "batch_size is an integer key: give integer bounds"},
		{"log range from 0", Plan{Random: 2, Ranges: []string{"optimizer.lr=log:0:1"}}, "a log range needs a positive minimum"},
		{"range upside down", Plan{Random: 2, Ranges: []string{"optimizer.lr=lin:1:0.1"}}, "the minimum 1 is not below the maximum 0.1"},
		{"range of another form", Plan{Random: 2, Ranges: []string{"optimizer.lr=exp:1:2"}}, "want optimizer.lr=lin:MIN:MAX or optimizer.lr=log:MIN:MAX"},
		{"range bound not a number", Plan{Random: 2, Ranges: []string{"optimizer.lr=lin:a:1"}}, `the minimum "a" is not a number`},
		{"random without range", Plan{Random: 3}, "--random 3 draws points from --range"},
		{"range without random", Plan{Ranges: []string{"optimizer.lr=log:1e-3:1"}}, "needs --random N"},
		{"more points than a sweep may have", Plan{Random: 20000, Ranges: []string{"optimizer.lr=log:1e-3:1"}, Yes: true}, "the sweep has 20000 points, more than the 10000 a sweep may have"},
		{"more points than an int", Plan{Random: math.MaxInt32, Grid: []string{"batch_size=16,32"}, Ranges: []string{"optimizer.lr=log:1e-3:1"}, Yes: true}, "the sweep has over 2147483647 points"},
		{"too many points", Plan{Grid: []string{"optimizer.lr=1,2,3,4,5,6,7,8,9", "batch_size=1,2,3,4,5,6,7,8"}}, "the sweep has 72 points, more than 64: add --yes"},
		{"halving of a 1-epoch recipe", Plan{Grid: []string{"optimizer.lr=0.1"}, Set: []string{"epochs=1"}, Halving: true}, "needs a recipe of 2 or more epochs"},
		{"halving and epochs swept", Plan{Grid: []string{"epochs=2,3"}, Halving: true}, "do not sweep epochs as well"},
		{"budgets not increasing", Plan{Grid: []string{"optimizer.lr=0.1"}, Set: []string{"epochs=4"}, Halving: true, Budgets: []int{2, 1}}, "--budgets 2,1: want increasing epochs"},
		{"budget at the recipe's epochs", Plan{Grid: []string{"optimizer.lr=0.1"}, Set: []string{"epochs=4"}, Halving: true, Budgets: []int{4}}, "below the recipe's 4"},
		{"eta of 1", Plan{Grid: []string{"optimizer.lr=0.1"}, Halving: true, Eta: 1}, "--eta 1: want 2 or more"},
		{"eta without halving", Plan{Grid: []string{"optimizer.lr=0.1"}, Eta: 2}, "add --halving"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.plan.Recipe = "mlp-mnist"
			_, err := New(tt.plan, when)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	// --yes allows a large sweep.
	if _, err := New(Plan{Recipe: "mlp-mnist", Grid: []string{"optimizer.lr=1,2,3,4,5,6,7,8,9", "batch_size=1,2,3,4,5,6,7,8"}, Yes: true}, when); err != nil {
		t.Errorf("with Yes: %v", err)
	}
}

// TestHalvingBudgets: the default budgets grow by eta below the recipe's
// epochs, which is the last rung's.
func TestHalvingBudgets(t *testing.T) {
	for _, tt := range []struct {
		eta, epochs int
		budgets     []int
		want        []int
	}{
		{3, 20, nil, []int{1, 3, 9, 20}},
		{2, 4, nil, []int{1, 2, 4}},
		{3, 9, nil, []int{1, 3, 9}},
		{3, 2, nil, []int{1, 2}},
		{2, 10, []int{2, 5}, []int{2, 5, 10}},
	} {
		h, err := halvingPlan(tt.eta, tt.budgets, tt.epochs)
		if err != nil || !slices.Equal(h.Budgets, tt.want) {
			t.Errorf("eta %d, %d epochs, budgets %v: %v (%v), want %v", tt.eta, tt.epochs, tt.budgets, h, err, tt.want)
		}
	}
}

// TestOpen: a new directory gets the spec; the same sweep reopens it; a
// different one is refused, saying what differs; a directory holding
// something else is refused, and left as it was.
func TestOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	spec := func(p Plan) *Spec {
		p.Recipe = "mlp-mnist"
		s, err := New(p, when)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := spec(Plan{Quick: true, Grid: []string{"optimizer.lr=0.1,0.2"}})
	if _, created, err := Open(dir, a); err != nil || !created {
		t.Fatalf("create: %v, created %v", err, created)
	}
	again := spec(Plan{Quick: true, Grid: []string{"optimizer.lr=0.1,0.2"}})
	again.Created = when.Add(time.Hour)
	got, created, err := Open(dir, again)
	if err != nil || created || !got.Created.Equal(when) {
		t.Fatalf("reopen: %v, created %v, created at %v (want the first spec's time)", err, created, got.Created)
	}
	for _, tt := range []struct {
		plan Plan
		want string
	}{
		{Plan{Quick: true, Grid: []string{"optimizer.lr=0.1,0.3"}}, "grid: optimizer.lr=0.1,0.2 there, optimizer.lr=0.1,0.3 here"},
		{Plan{Grid: []string{"optimizer.lr=0.1,0.2"}}, "--quick: true there, false here"},
		{Plan{Quick: true, Set: []string{"epochs=2"}, Grid: []string{"optimizer.lr=0.1,0.2"}}, "--set: none there, epochs=2 here"},
	} {
		if _, _, err := Open(dir, spec(tt.plan)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("a different sweep: %v, want %q", err, tt.want)
		}
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(other, a); err == nil || !strings.Contains(err.Error(), "is not empty and holds no sweep") {
		t.Errorf("a directory of someone else's: %v", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 1 {
		t.Errorf("the refused directory now holds %d entries", len(entries))
	}
	if _, err := ReadSpec(t.TempDir()); err == nil || !strings.Contains(err.Error(), "is not a sweep directory") {
		t.Errorf("ReadSpec of an empty directory: %v", err)
	}
}

// TestRecipeFileDigest: a sweep of a recipe file refuses to train a point
// once the file has changed.
func TestRecipeFileDigest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.yaml")
	src, err := os.ReadFile(filepath.Join("..", "recipes", "builtin", "mlp-mnist.yaml"))
	if err != nil {
		t.Skip(err)
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(Plan{Recipe: path, Grid: []string{"optimizer.lr=0.1"}}, when)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PointRecipe(s.Points[0]); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(src, []byte("\n# edited\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PointRecipe(s.Points[0]); err == nil || !strings.Contains(err.Error(), "has changed since the sweep was created") {
		t.Errorf("after editing the recipe: %v", err)
	}
	// The sweep's own command, run again, says what to do.
	sweep := filepath.Join(dir, "sweep")
	if _, _, err := Open(sweep, s); err != nil {
		t.Fatal(err)
	}
	again, err := New(Plan{Recipe: path, Grid: []string{"optimizer.lr=0.1"}}, when)
	if err != nil {
		t.Fatal(err)
	}
	want := "the recipe " + path + " has changed since the sweep in " + sweep + " was created: restore it to resume the sweep"
	if _, _, err := Open(sweep, again); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("the same sweep of the edited recipe: %v, want %q", err, want)
	}
}
