package earlystop

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// step is one scripted evaluation and what the rule must answer.
type step struct {
	t        int
	score    float64
	improved bool
	stop     bool
	patience int // Patience.Current() after the call; 0 skips the check
}

func replay(t *testing.T, s Stopper, script []step) {
	t.Helper()
	for _, st := range script {
		improved, stop := s.Observe(st.t, st.score)
		if improved != st.improved || stop != st.stop {
			t.Fatalf("Observe(%d, %v) = %v, %v; want %v, %v", st.t, st.score, improved, stop, st.improved, st.stop)
		}
		if p, ok := s.(*Patience); ok && st.patience != 0 && p.Current() != st.patience {
			t.Fatalf("after update %d: patience %d, want %d", st.t, p.Current(), st.patience)
		}
	}
}

func TestPatienceScripts(t *testing.T) {
	tests := []struct {
		name     string
		p        Patience
		script   []step
		bestT    int
		bestS    float64
		inReason string
	}{
		{
			// patience ← max(patience, 2t): the tutorials' rule.
			name: "mul", p: Patience{Every: 100, Patience: 400, Increase: 2, Mode: Mul},
			script: []step{
				{100, 1.0, true, false, 400}, // 2·100 < 400: unchanged
				{200, 0.8, true, false, 400},
				{300, 0.7, true, false, 600}, // extended to 2·300
				{400, 0.75, false, false, 600},
				{500, 0.6, true, false, 1000},
				{600, 0.61, false, false, 1000},
				{700, 0.6, false, false, 1000}, // equal is not better
				{800, 0.9, false, false, 1000},
				{900, 0.7, false, false, 1000},
				{1000, 0.65, false, true, 1000}, // t reaches the patience: stop exactly here
			},
			bestT: 500, bestS: 0.6, inReason: "patience ran out at update 1000",
		},
		{
			// patience ← max(patience, t + 250).
			name: "add", p: Patience{Every: 100, Patience: 300, Increase: 250, Mode: Add},
			script: []step{
				{100, 1.0, true, false, 350},
				{200, 0.9, true, false, 450},
				{300, 0.95, false, false, 450},
				{400, 0.85, true, false, 650},
				{500, 0.86, false, false, 650},
				{600, 0.86, false, false, 650},
				{700, 0.86, false, true, 650}, // first evaluation past 650
			},
			bestT: 400, bestS: 0.85, inReason: "patience 650",
		},
		{
			// A 10 % relative margin: 0.95 after 1.0 is no new best.
			name: "threshold", p: Patience{Every: 1, Patience: 5, Increase: 2, Threshold: 0.1},
			script: []step{
				{1, 1.0, true, false, 5},
				{2, 0.95, false, false, 5}, // needs < 0.9
				{3, 0.89, true, false, 6},
				{4, 0.85, false, false, 6}, // needs < 0.801
				{5, 0.80, true, false, 10},
				{6, 0.75, false, false, 10}, // needs < 0.72
				{7, 0.73, false, false, 10},
				{8, 0.721, false, false, 10},
				{9, 0.71, true, false, 18},
				{10, 0.70, false, false, 18}, // needs < 0.639
			},
			bestT: 9, bestS: 0.71,
		},
		{
			// Fractional c is rounded up; Patience 0 stops at the first
			// evaluation that does not extend it.
			name: "fractional add, zero initial patience", p: Patience{Every: 10, Patience: 0, Increase: 12.5, Mode: Add},
			script: []step{
				{10, 5, true, false, 23},
				{20, 4, true, false, 33},
				{30, 4, false, false, 33},
				{40, 4, false, true, 33},
			},
			bestT: 20, bestS: 4,
		},
		{
			name: "no extension", p: Patience{Every: 10, Patience: 30},
			script: []step{
				{10, 3, true, false, 30},
				{20, 2, true, false, 30},
				{30, 1, true, true, 30}, // improved and stopped at once
			},
			bestT: 30, bestS: 1,
		},
		{
			name: "negative scores", p: Patience{Every: 1, Patience: 10, Increase: 2, Threshold: 0.1},
			script: []step{
				{1, -1, true, false, 10},
				{2, -1.05, false, false, 10}, // needs < −1.1
				{3, -1.2, true, false, 10},
			},
			bestT: 3, bestS: -1.2,
		},
		{
			name: "non-finite scores never improve", p: Patience{Every: 1, Patience: 3, Increase: 2},
			script: []step{
				{1, math.NaN(), false, false, 3},
				{2, math.Inf(-1), false, false, 3},
				{3, math.Inf(1), false, true, 3},
			},
			bestT: 0, bestS: math.Inf(1), inReason: "no finite validation score",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			replay(t, &p, tt.script)
			bt, bs := p.Best()
			if bt != tt.bestT || bs != tt.bestS {
				t.Errorf("Best() = %d, %v; want %d, %v", bt, bs, tt.bestT, tt.bestS)
			}
			stopped := tt.script[len(tt.script)-1].stop
			if r := p.Reason(); stopped != (r != "") || !strings.Contains(r, tt.inReason) {
				t.Errorf("Reason() = %q; want it to contain %q (stopped: %v)", r, tt.inReason, stopped)
			}
		})
	}
}

func TestStoppedStaysStopped(t *testing.T) {
	for _, s := range []Stopper{&Patience{Every: 1, Patience: 1}, &NoImprovement{Evaluations: 1}} {
		s.Observe(1, 5)
		s.Observe(2, 5)
		before := s.State()
		if !before.Stopped {
			t.Fatalf("%T did not stop", s)
		}
		improved, stop := s.Observe(3, 1)
		if improved || !stop || s.State() != before {
			t.Errorf("%T: Observe after stopping = %v, %v and changed the state %+v → %+v", s, improved, stop, before, s.State())
		}
	}
}

func TestNoImprovement(t *testing.T) {
	tests := []struct {
		name   string
		n      NoImprovement
		script []step
		bestT  int
		bestS  float64
	}{
		{
			name: "three in a row", n: NoImprovement{Evaluations: 3},
			script: []step{
				{1, 1.0, true, false, 0},
				{2, 0.9, true, false, 0},
				{3, 0.95, false, false, 0},
				{4, 0.91, false, false, 0},
				{5, 0.89, true, false, 0}, // the count restarts
				{6, 0.89, false, false, 0},
				{7, 0.90, false, false, 0},
				{8, math.NaN(), false, true, 0},
			},
			bestT: 5, bestS: 0.89,
		},
		{
			name: "threshold", n: NoImprovement{Evaluations: 2, Threshold: 0.05},
			script: []step{
				{100, 1.0, true, false, 0},
				{200, 0.96, false, false, 0}, // needs < 0.95
				{300, 0.94, true, false, 0},
				{400, 0.90, false, false, 0}, // needs < 0.893
				{500, 0.90, false, true, 0},
			},
			bestT: 300, bestS: 0.94,
		},
		{
			name: "one", n: NoImprovement{Evaluations: 1},
			script: []step{{1, 1, true, false, 0}, {2, 1, false, true, 0}},
			bestT:  1, bestS: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.n
			if err := n.Validate(); err != nil {
				t.Fatal(err)
			}
			replay(t, &n, tt.script)
			if bt, bs := n.Best(); bt != tt.bestT || bs != tt.bestS {
				t.Errorf("Best() = %d, %v; want %d, %v", bt, bs, tt.bestT, tt.bestS)
			}
			if r := n.Reason(); !strings.Contains(r, "no improvement in") {
				t.Errorf("Reason() = %q", r)
			}
		})
	}
}

// TestStateRoundTrip stops a run half-way, saves the state through JSON,
// restores it into a fresh rule and checks the rest of the run is the same
// as without the interruption.
func TestStateRoundTrip(t *testing.T) {
	scores := []float64{1, 0.9, 0.95, 0.8, 0.85, 0.84, 0.83, 0.82, 0.81, 0.86, 0.87, 0.88, 0.9, 0.91}
	rules := map[string]func() Stopper{
		"patience":       func() Stopper { return &Patience{Every: 10, Patience: 40, Increase: 2, Threshold: 0.01} },
		"no-improvement": func() Stopper { return &NoImprovement{Evaluations: 3, Threshold: 0.01} },
	}
	for name, mk := range rules {
		t.Run(name, func(t *testing.T) {
			type answer struct{ improved, stop bool }
			var want []answer
			ref := mk()
			for i, s := range scores {
				im, st := ref.Observe(10*(i+1), s)
				want = append(want, answer{im, st})
			}
			a := mk()
			for i, s := range scores[:5] {
				a.Observe(10*(i+1), s)
			}
			data, err := json.Marshal(a.State())
			if err != nil {
				t.Fatal(err)
			}
			var st State
			if err := json.Unmarshal(data, &st); err != nil {
				t.Fatal(err)
			}
			b := mk()
			if err := b.SetState(st); err != nil {
				t.Fatal(err)
			}
			for i := 5; i < len(scores); i++ {
				im, stop := b.Observe(10*(i+1), scores[i])
				if (answer{im, stop}) != want[i] {
					t.Fatalf("evaluation %d after restore: %v, %v; uninterrupted %v", i+1, im, stop, want[i])
				}
			}
			if b.State() != ref.State() {
				t.Errorf("final state %+v, uninterrupted %+v", b.State(), ref.State())
			}
		})
	}
}

func TestSetStateRejects(t *testing.T) {
	p := &Patience{Every: 1, Patience: 5}
	n := &NoImprovement{Evaluations: 2}
	good := p.State()
	tests := []struct {
		name string
		s    Stopper
		st   State
	}{
		{"other rule", n, good},
		{"best after last", p, State{Rule: "patience", Evaluations: 1, LastT: 3, BestT: 4}},
		{"negative patience", p, State{Rule: "patience", Patience: -1}},
		{"infinite best", p, State{Rule: "patience", Evaluations: 1, LastT: 3, BestT: 3, BestScore: math.Inf(1)}},
		{"since too large", n, State{Rule: "no-improvement", Evaluations: 1, LastT: 3, Since: 2}},
	}
	for _, tt := range tests {
		if err := tt.s.SetState(tt.st); err == nil {
			t.Errorf("%s: SetState accepted %+v", tt.name, tt.st)
		}
	}
	if err := p.SetState(good); err != nil {
		t.Errorf("SetState rejected its own state: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"patience defaults", &Patience{}, true},
		{"patience full", &Patience{Every: 500, Patience: 5000, Increase: 2, Mode: "ADD", Threshold: 0.005}, true},
		{"patience bad mode", &Patience{Mode: "pow"}, false},
		{"patience negative every", &Patience{Every: -1}, false},
		{"patience negative", &Patience{Patience: -1}, false},
		{"patience negative c", &Patience{Increase: -2}, false},
		{"patience NaN c", &Patience{Increase: math.NaN()}, false},
		{"patience threshold 1", &Patience{Threshold: 1}, false},
		{"patience negative threshold", &Patience{Threshold: -0.1}, false},
		{"no-improvement", &NoImprovement{Evaluations: 5, Threshold: 0.001, Every: 100}, true},
		{"no-improvement zero", &NoImprovement{}, false},
		{"no-improvement NaN threshold", &NoImprovement{Evaluations: 1, Threshold: math.NaN()}, false},
		{"no-improvement negative every", &NoImprovement{Evaluations: 1, Every: -5}, false},
	}
	for _, tt := range tests {
		if err := tt.v.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestDue(t *testing.T) {
	every := &Patience{Every: 3}
	epochs := &NoImprovement{Evaluations: 1}
	for tt, want := range map[[2]int]bool{{3, 0}: true, {4, 0}: false, {6, 1}: true, {5, 1}: false} {
		if got := Due(every, tt[0], tt[1] == 1); got != want {
			t.Errorf("every 3: Due(t=%d) = %v, want %v", tt[0], got, want)
		}
	}
	if Due(epochs, 7, false) || !Due(epochs, 7, true) {
		t.Error("interval 0 must evaluate at the end of each epoch only")
	}
}
