package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func TestStatOf(t *testing.T) {
	s := statOf([]float64{1, 2, math.NaN(), 3})
	if s.N != 3 || s.Mean != 2 || s.SD != 1 {
		t.Errorf("statOf(1, 2, NaN, 3) = %+v, want n 3, mean 2, sd 1", s)
	}
	// Student's t, 97.5 %: 12.706 for 1 degree of freedom, 4.303 for 2.
	for df, want := range map[int]float64{1: 12.706, 2: 4.303, 30: 2.042} {
		if got := tQuantile(df); math.Abs(got-want) > 1e-3 {
			t.Errorf("tQuantile(%d) = %.4f, want %.3f", df, got, want)
		}
	}
	lo, hi := s.interval()
	if h := 4.303 / math.Sqrt(3); math.Abs(lo-(2-h)) > 1e-3 || math.Abs(hi-(2+h)) > 1e-3 {
		t.Errorf("interval = [%g, %g], want 2 ∓ %g", lo, hi, h)
	}
	if lo, hi := statOf([]float64{5}).interval(); !math.IsInf(lo, -1) || !math.IsInf(hi, 1) {
		t.Errorf("one value: interval [%g, %g], want the whole line", lo, hi)
	}
	if lo, hi := exactly(0.5).interval(); lo != 0.5 || hi != 0.5 {
		t.Errorf("exactly(0.5): interval [%g, %g]", lo, hi)
	}
}

func TestIntervalRule(t *testing.T) {
	tight := func(m float64) stat { return statOf([]float64{m - 0.01, m, m + 0.01}) }
	tests := []struct {
		name string
		got  outcome
		want outcome
	}{
		{"clearly lower", lower(tight(1), tight(2)), held},
		{"clearly higher", lower(tight(2), tight(1)), didNotHold},
		{"overlapping", lower(tight(1), tight(1.01)), notSeparable},
		{"one seed each", lower(statOf([]float64{1}), statOf([]float64{2})), notSeparable},
		{"below a threshold", lower(tight(1), exactly(1.5)), held},
		{"higher is lower reversed", higher(tight(2), tight(1)), held},
		{"scaled", higher(tight(3), tight(1).scaled(2)), held},
		{"all held", allOf(held, held), held},
		{"all, one open", allOf(held, notSeparable), notSeparable},
		{"all, one failed", allOf(held, notSeparable, didNotHold), didNotHold},
		{"any: one held", anyOf(didNotHold, held), held},
		{"any: none yet", anyOf(didNotHold, notSeparable), notSeparable},
		{"any: none", anyOf(didNotHold, didNotHold), didNotHold},
		{"most: 2 of 3", mostOf(held, held, didNotHold), held},
		{"most: 1 of 3, 1 open", mostOf(held, notSeparable, didNotHold), notSeparable},
		{"most: out of reach", mostOf(held, didNotHold, didNotHold), didNotHold},
		{"most: half is not most", mostOf(held, didNotHold), didNotHold},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestPairedDiff compares two methods seed by seed: a constant offset is
// separable however much the seeds spread, which overlapping intervals of
// the two means would not show.
func TestPairedDiff(t *testing.T) {
	res := newResults("x", false)
	a, b := res.method("a", nil, nil), res.method("b", nil, nil)
	for i, v := range []float64{1, 2, 3} {
		seed := uint64(i + 1)
		a.add(seed, map[string]float64{"err": v})
		b.add(seed, map[string]float64{"err": v + 0.1 + 0.01*float64(i%2)})
	}
	b.add(4, map[string]float64{"err": 100}) // a seed a did not run: left out
	if got := lower(a.stat("err"), b.stat("err")); got != notSeparable {
		t.Errorf("unpaired: %v, want not separable", got)
	}
	d := pairedDiff(a, "err", b, "err", 1)
	if d.N != 3 || math.Abs(d.Mean+0.31/3) > 1e-12 {
		t.Errorf("pairedDiff = %+v, want 3 differences of mean −0.1033", d)
	}
	if got := pairedLower(a, "err", b, "err"); got != held {
		t.Errorf("pairedLower: %v, want held", got)
	}
	if got := pairedHigher(a, "err", b, "err"); got != didNotHold {
		t.Errorf("pairedHigher: %v, want did not hold", got)
	}
	// a − 2·b: two measures, scaled.
	if d := pairedDiff(a, "err", a, "err", 2); d.Mean != -2 {
		t.Errorf("a − 2a: mean %v, want −2", d.Mean)
	}
}

func TestTune(t *testing.T) {
	l, err := newLab("tune-test", Options{Out: t.TempDir(), Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	scores := map[float64]float64{0.01: 0.3, 0.1: 0.2, 0.3: 0.2, 1: math.NaN()}
	released := map[float64]bool{}
	got, err := tune(context.Background(), l, "m", "val_error", tuneGrid{Param: "lr", Values: []float64{0.01, 0.1, 0.3, 1}},
		func(v float64) (float64, float64, error) { return v, scores[v], nil },
		func(v float64) { released[v] = true })
	if err != nil {
		t.Fatal(err)
	}
	// The lowest score wins, a tie goes to the earlier value, a diverged
	// run is never chosen, and every run not kept is released.
	if got.Chosen != 0.1 || got.Run != 0.1 || got.Seed != 7 || got.On != "validation" {
		t.Errorf("chose %v (run %v, seed %d, on %q), want 0.1 with seed 7 on validation", got.Chosen, got.Run, got.Seed, got.On)
	}
	if len(released) != 3 || released[0.1] {
		t.Errorf("released %v, want every run but 0.1's", released)
	}
	if !got.Tried[3].Diverged || got.Tried[3].Score != nil || *got.Tried[0].Score != 0.3 {
		t.Errorf("tried = %+v", got.Tried)
	}
	// Every run diverged: the first is kept.
	got, err = tune(context.Background(), l, "m", "val_error", tuneGrid{Param: "lr", Values: []float64{3, 10}},
		func(v float64) (float64, float64, error) { return v, math.Inf(1), nil }, nil)
	if err != nil || got.Chosen != 3 {
		t.Errorf("all diverged: chose %v (%v), want 3", got.Chosen, err)
	}
	// The best at the top end: the grid grows by its ratio there while
	// the end stays strictly best, up to Extend values.
	loss := func(v float64) float64 { return math.Abs(math.Log2(v) - 2.2) } // best near 4.6
	got, err = tune(context.Background(), l, "m", "val_loss", tuneGrid{Param: "lr", Values: []float64{0.5, 1}, Extend: 3},
		func(v float64) (float64, float64, error) { return v, loss(v), nil }, nil)
	if err != nil || got.Chosen != 4 || got.Extended != 3 || len(got.Tried) != 5 || got.Tried[4].Value != 8 {
		t.Errorf("extended: chose %v after %d extensions, tried %+v (%v); want 4, tried up to 8", got.Chosen, got.Extended, got.Tried, err)
	}
	// At the bottom end, and never past a tie or for a bounded grid.
	got, _ = tune(context.Background(), l, "m", "val_loss", tuneGrid{Param: "lr", Values: []float64{0.01, 0.1}, Extend: 1},
		func(v float64) (float64, float64, error) { return v, v, nil }, nil)
	if got.Chosen != 0.001 || got.Extended != 1 {
		t.Errorf("bottom: chose %v after %d extensions, want 0.001 after 1", got.Chosen, got.Extended)
	}
	got, _ = tune(context.Background(), l, "m", "val_loss", tuneGrid{Param: "lr", Values: []float64{0.01, 0.1}, Extend: 2},
		func(v float64) (float64, float64, error) { return v, 1, nil }, nil)
	if got.Chosen != 0.01 || got.Extended != 0 {
		t.Errorf("tie: chose %v after %d extensions, want 0.01 after none", got.Chosen, got.Extended)
	}
	boom := errors.New("boom")
	if _, err := tune(context.Background(), l, "m", "val_error", tuneGrid{Param: "lr", Values: []float64{1}},
		func(v float64) (float64, float64, error) { return 0, 0, boom }, nil); !errors.Is(err, boom) {
		t.Errorf("a failed run: %v, want boom", err)
	}
}

func TestResultsEncode(t *testing.T) {
	res := newResults("x", true)
	m := res.method("a", map[string]any{"lr": 0.1}, nil)
	m.add(1, map[string]float64{"err": 0.1, "loss": 1})
	m.add(2, map[string]float64{"err": 0.3, "loss": math.NaN()})
	b, err := res.encode()
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Methods []struct {
			PerSeed []map[string]float64 `json:"per_seed"`
			Mean    map[string]float64   `json:"mean"`
			SD      map[string]float64   `json:"sd"`
			N       map[string]int       `json:"n"`
		} `json:"methods"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got := back.Methods[0]
	if _, ok := got.PerSeed[1]["loss"]; ok {
		t.Errorf("a NaN measure was written: %v", got.PerSeed[1])
	}
	if math.Abs(got.Mean["err"]-0.2) > 1e-12 || math.Abs(got.SD["err"]-math.Sqrt(0.02)) > 1e-12 || got.N["err"] != 2 {
		t.Errorf("err: mean %v sd %v n %v", got.Mean["err"], got.SD["err"], got.N["err"])
	}
	if _, ok := got.SD["loss"]; ok || got.N["loss"] != 1 || got.Mean["loss"] != 1 {
		t.Errorf("loss, one value: mean %v sd %v n %v", got.Mean["loss"], got.SD, got.N["loss"])
	}
	m.add(3, map[string]float64{"err": math.Inf(1)})
	if _, err := res.encode(); err == nil {
		t.Error("an infinite measure was encoded")
	}
}
