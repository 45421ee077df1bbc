package schedules

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestRates checks each schedule, built by New, at chosen updates against
// values worked out by hand from its formula.
func TestRates(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name string
		c    Config
		want map[int]float64 // update t → η_t
	}{
		{"constant", Config{Name: "constant", LR: 0.1},
			map[int]float64{1: 0.1, 2: 0.1, 1000: 0.1}},
		// η0·τ/max(t, τ) with τ = 10: flat to t = 10, then 1/t.
		{"time-constant", Config{Name: "time-constant", LR: 0.2, Params: map[string]float64{"tau": 10}},
			map[int]float64{1: 0.2, 10: 0.2, 11: 0.2 * 10 / 11, 20: 0.1, 100: 0.02, 1000: 0.002}},
		{"time-constant τ=1", Config{Name: "time-constant", LR: 1, Params: map[string]float64{"tau": 1}},
			map[int]float64{1: 1, 2: 0.5, 4: 0.25}},
		{"time-constant τ=∞", Config{Name: "time-constant", LR: 0.3, Params: map[string]float64{"tau": inf}},
			map[int]float64{1: 0.3, 1e6: 0.3}},
		// η0·γ^⌊(t−1)/every⌋: updates 1…3 at η0, 4…6 at η0γ, …
		{"step", Config{Name: "step", LR: 1, Params: map[string]float64{"every": 3, "gamma": 0.5}},
			map[int]float64{1: 1, 3: 1, 4: 0.5, 6: 0.5, 7: 0.25, 10: 0.125}},
		{"step default gamma", Config{Name: "step", LR: 0.1, Params: map[string]float64{"every": 100}},
			map[int]float64{100: 0.1, 101: 0.1 * 0.1, 201: 0.1 * 0.01}},
		// η0·γ^(t−1)
		{"exponential", Config{Name: "exponential", LR: 0.8, Params: map[string]float64{"gamma": 0.5}},
			map[int]float64{1: 0.8, 2: 0.4, 4: 0.1, 11: 0.8 / 1024}},
		// η_min + ½(η0−η_min)(1+cos(π·min(t−1,T)/T)), T = 4:
		// t−1 = 0, 1, 2, 3, 4 → cos = 1, √½, 0, −√½, −1.
		{"cosine", Config{Name: "cosine", LR: 1, Total: 4, Params: map[string]float64{"min_lr": 0.2}},
			map[int]float64{1: 1, 2: 0.2 + 0.4*(1+math.Sqrt2/2), 3: 0.6, 4: 0.2 + 0.4*(1-math.Sqrt2/2), 5: 0.2, 50: 0.2}},
		{"cosine to zero", Config{Name: "cosine", LR: 0.1, Total: 100},
			map[int]float64{1: 0.1, 51: 0.05, 101: 0}},
		// Linear ramp η0·t/W for t ≤ W = 4, then the schedule shifted by W.
		{"warmup constant", Config{Name: "constant", LR: 0.4, Warmup: 4},
			map[int]float64{1: 0.1, 2: 0.2, 4: 0.4, 5: 0.4, 100: 0.4}},
		{"warmup step", Config{Name: "step", LR: 1, Warmup: 2, Params: map[string]float64{"every": 3, "gamma": 0.5}},
			map[int]float64{1: 0.5, 2: 1, 3: 1, 5: 1, 6: 0.5, 9: 0.25}},
		{"warmup exponential", Config{Name: "exponential", LR: 1, Warmup: 10, Params: map[string]float64{"gamma": 0.5}},
			map[int]float64{1: 0.1, 5: 0.5, 10: 1, 11: 1, 12: 0.5}},
		{"warmup time-constant", Config{Name: "time-constant", LR: 1, Warmup: 5, Params: map[string]float64{"tau": 2}},
			map[int]float64{1: 0.2, 5: 1, 6: 1, 7: 1, 8: 2.0 / 3, 9: 0.5}},
		// With warm-up, cosine anneals over Total − W = 4 updates after it.
		{"warmup cosine", Config{Name: "cosine", LR: 1, Total: 6, Warmup: 2},
			map[int]float64{1: 0.5, 2: 1, 3: 1, 5: 0.5, 7: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.c)
			if err != nil {
				t.Fatal(err)
			}
			for step, want := range tt.want {
				if got := s.Rate(step); math.Abs(got-want) > 1e-15*math.Max(1, math.Abs(want)) {
					t.Errorf("Rate(%d) = %.17g, want %.17g", step, got, want)
				}
			}
		})
	}
}

// TestMonotone checks the decaying schedules never rise and stay positive
// over a long run.
func TestMonotone(t *testing.T) {
	for _, c := range []Config{
		{Name: "time-constant", LR: 0.1, Params: map[string]float64{"tau": 7}},
		{Name: "step", LR: 0.1, Params: map[string]float64{"every": 5}},
		{Name: "exponential", LR: 0.1, Params: map[string]float64{"gamma": 0.99}},
		{Name: "cosine", LR: 0.1, Total: 500, Params: map[string]float64{"min_lr": 0.001}},
	} {
		s, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		prev := s.Rate(1)
		for step := 2; step <= 600; step++ {
			r := s.Rate(step)
			if r > prev || !(r > 0) {
				t.Fatalf("%s: Rate(%d) = %g after %g", c.Name, step, r, prev)
			}
			prev = r
		}
	}
}

func TestNames(t *testing.T) {
	want := "constant cosine exponential step time-constant"
	if got := strings.Join(Names(), " "); got != want {
		t.Errorf("Names() = %s, want %s", got, want)
	}
	for _, n := range Names() {
		if _, err := Spec(n); err != nil {
			t.Error(err)
		}
	}
}

// TestErrors checks every kind of bad configuration is refused with a
// message naming the key and the valid range (and a *ParamError for keys).
func TestErrors(t *testing.T) {
	tests := []struct {
		c       Config
		key     string // ParamError.Key, or "" for a plain error
		problem string
		want    string
	}{
		{Config{Name: "cosin", LR: 1}, "", "", `unknown schedule "cosin" (known: constant, cosine, exponential, step, time-constant)`},
		{Config{Name: "", LR: 1}, "", "", "no schedule name given (known: constant, cosine"},
		{Config{Name: "adaptive", LR: 1}, "", "", "see NewAdaptive"},
		{Config{Name: "step", LR: 1, Params: map[string]float64{"every": 3, "gama": 0.5}}, "gama", "unknown", `step has no parameter "gama" (known: every, gamma)`},
		{Config{Name: "constant", LR: 1, Params: map[string]float64{"tau": 3}}, "tau", "unknown", `constant has no parameter "tau" (known: none)`},
		{Config{Name: "step", LR: 1}, "every", "missing", "step needs every (want a whole number of updates ≥ 1)"},
		{Config{Name: "step", LR: 1, Params: map[string]float64{"every": 2.5}}, "every", "invalid", "invalid every 2.5 (want a whole number of updates ≥ 1)"},
		{Config{Name: "step", LR: 1, Params: map[string]float64{"every": 0}}, "every", "invalid", "invalid every 0"},
		{Config{Name: "step", LR: 1, Params: map[string]float64{"every": 1, "gamma": 1.5}}, "gamma", "invalid", "invalid gamma 1.5 (want 0 < gamma ≤ 1)"},
		{Config{Name: "exponential", LR: 1}, "gamma", "missing", "exponential needs gamma (want 0 < gamma ≤ 1)"},
		{Config{Name: "exponential", LR: 1, Params: map[string]float64{"gamma": 0}}, "gamma", "invalid", "invalid gamma 0"},
		{Config{Name: "exponential", LR: 1, Params: map[string]float64{"gamma": math.NaN()}}, "gamma", "invalid", "invalid gamma NaN"},
		{Config{Name: "time-constant", LR: 1, Params: map[string]float64{"tau": 0.5}}, "tau", "invalid", "invalid tau 0.5 (want tau ≥ 1, or .inf for a constant rate)"},
		{Config{Name: "time-constant", LR: 1}, "tau", "missing", "time-constant needs tau"},
		{Config{Name: "cosine", LR: 1}, "total", "invalid", "invalid total 0 (want the number of updates in the run, ≥ 1)"},
		{Config{Name: "cosine", LR: 1, Total: 10, Warmup: 10}, "warmup", "invalid", "invalid warmup 10 (want fewer than the run's 10 updates"},
		{Config{Name: "cosine", LR: 0.1, Total: 10, Params: map[string]float64{"min_lr": 0.2}}, "min_lr", "invalid", "invalid min_lr 0.2 (want 0 ≤ min_lr ≤ lr = 0.1)"},
		{Config{Name: "cosine", LR: 0.1, Total: 10, Params: map[string]float64{"min_lr": -1}}, "min_lr", "invalid", "invalid min_lr -1"},
		{Config{Name: "constant", LR: -1}, "lr", "invalid", "invalid lr -1 (want finite lr ≥ 0)"},
		{Config{Name: "constant", LR: math.Inf(1)}, "lr", "invalid", "invalid lr +Inf"},
		{Config{Name: "constant", LR: 1, Warmup: -3}, "warmup", "invalid", "invalid warmup -3 (want an integer ≥ 0"},
		{Config{Name: "constant", LR: 1, Total: -3}, "total", "invalid", "invalid total -3"},
	}
	for _, tt := range tests {
		_, err := New(tt.c)
		if err == nil {
			t.Errorf("New(%+v): no error", tt.c)
			continue
		}
		if !strings.HasPrefix(err.Error(), "schedules: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v): error %q, want it to contain %q", tt.c, err, tt.want)
		}
		var pe *ParamError
		if got := errors.As(err, &pe); got != (tt.key != "") {
			t.Errorf("New(%+v): error %T, ParamError wanted: %v", tt.c, err, tt.key != "")
		} else if got && (pe.Key != tt.key || pe.Problem != tt.problem) {
			t.Errorf("New(%+v): ParamError key %q problem %q, want %q %q", tt.c, pe.Key, pe.Problem, tt.key, tt.problem)
		}
	}
}

func ExampleNew() {
	s, err := New(Config{Name: "time-constant", LR: 0.1, Params: map[string]float64{"tau": 100}, Warmup: 10})
	if err != nil {
		panic(err)
	}
	for _, t := range []int{1, 10, 110, 210, 1010} {
		fmt.Printf("η_%d = %.4g\n", t, s.Rate(t))
	}
	// Output:
	// η_1 = 0.01
	// η_10 = 0.1
	// η_110 = 0.1
	// η_210 = 0.05
	// η_1010 = 0.01
}
