package recipes

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// withSchedule is a recipe whose schedule mapping starts at line 11.
const withSchedule = `name: s
seed: 1
data: {name: mnist}
model:
  type: mlp
  layers: [{units: 8, activation: relu}]
loss: cross-entropy
optimizer: {name: sgd, lr: 0.1}
batch_size: 50
epochs: 2
schedule:
  name: cosine
  min_lr: 0.001
  warmup: 100
`

func TestScheduleGood(t *testing.T) {
	tests := []struct {
		schedule string // replaces the schedule mapping; "" removes it
		set      []string
		fixed    string // the schedule's name, or "" when not fixed
		params   map[string]float64
		warmup   int
		adaptive bool
	}{
		{"", nil, "", nil, 0, false},
		{"schedule:\n  name: cosine\n  min_lr: 0.001\n  warmup: 100\n", nil, "cosine", map[string]float64{"min_lr": 0.001}, 100, false},
		{"schedule: {name: time-constant, tau: .inf}\n", nil, "time-constant", map[string]float64{"tau": math.Inf(1)}, 0, false},
		{"schedule: {name: step, every: 10}\n", []string{"schedule.gamma=0.5", "schedule.warmup=5"}, "step", map[string]float64{"every": 10, "gamma": 0.5}, 5, false},
		{"", []string{"schedule.name=exponential", "schedule.gamma=0.99"}, "exponential", map[string]float64{"gamma": 0.99}, 0, false},
		{"schedule: {name: adaptive, every: 50, steps: 10, subset: 500}\n", nil, "", nil, 0, true},
	}
	for _, tt := range tests {
		src := strings.Replace(withSchedule, "schedule:\n  name: cosine\n  min_lr: 0.001\n  warmup: 100\n", tt.schedule, 1)
		r, err := Parse("s.yaml", []byte(src), Options{Set: tt.set})
		if err != nil {
			t.Errorf("%q: %v", tt.schedule, err)
			continue
		}
		sp, err := r.Spec()
		if err != nil {
			t.Errorf("%q: %v", tt.schedule, err)
			continue
		}
		fixed, adaptive := sp.Schedule, sp.Adaptive
		if (fixed != nil) != (tt.fixed != "") || (adaptive != nil) != tt.adaptive {
			t.Errorf("%q: fixed %+v, adaptive %+v", tt.schedule, fixed, adaptive)
			continue
		}
		if fixed != nil && (fixed.Name != tt.fixed || !reflect.DeepEqual(fixed.Params, tt.params) || fixed.Warmup != tt.warmup) {
			t.Errorf("%q: got %+v, want %s %v warmup %d", tt.schedule, *fixed, tt.fixed, tt.params, tt.warmup)
		}
		if adaptive != nil && (adaptive.Every != 50 || adaptive.Steps != 10 || adaptive.Subset != 500 || adaptive.Factors != nil) {
			t.Errorf("adaptive %+v", *adaptive)
		}
		// The schedule survives the run directory's copy of the recipe.
		text, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		r2, err := Parse("again", text, Options{})
		if err != nil {
			t.Fatalf("re-reading %s: %v", text, err)
		}
		if sp2, _ := r2.Spec(); !reflect.DeepEqual(sp2.Schedule, fixed) || !reflect.DeepEqual(sp2.Adaptive, adaptive) {
			t.Errorf("%q: round trip gives %+v %+v", tt.schedule, sp2.Schedule, sp2.Adaptive)
		}
	}
}

// TestScheduleErrors checks schedule mistakes are located like the
// optimizer's: file, line, key, and what is wanted.
func TestScheduleErrors(t *testing.T) {
	tests := []struct {
		old, new string
		set      []string
		want     []string
	}{
		{"name: cosine", "name: cosin", nil, []string{"s.yaml", "line 12", "schedule.name", `unknown schedule "cosin"`, "adaptive, constant, cosine, exponential, step, time-constant", `did you mean "cosine"?`}},
		{"  name: cosine\n", "", nil, []string{"line 12", "schedule.name: missing; want one of adaptive, constant"}},
		{"min_lr: 0.001", "min_lr: 0.5", nil, []string{"line 13", "schedule.min_lr", "invalid min_lr 0.5 (want 0 ≤ min_lr ≤ lr = 0.1)"}},
		{"min_lr: 0.001", "min_rl: 0.001", nil, []string{"line 13", "schedule.min_rl", `cosine has no parameter "min_rl" (known: warmup, min_lr)`, `did you mean "min_lr"?`}},
		{"min_lr: 0.001", "min_lr: low", nil, []string{"line 13", "schedule.min_lr", "want a number"}},
		{"warmup: 100", "warmup: 2.5", nil, []string{"line 14", "schedule.warmup", "want a whole number of updates ≥ 0"}},
		{"warmup: 100", "warmup: -1", nil, []string{"line 14", "schedule.warmup"}},
		{"name: cosine\n  min_lr: 0.001", "name: step\n  gamma: 2", nil, []string{"line 12", "schedule.every", "step needs every (want a whole number of updates ≥ 1)"}},
		{"name: cosine\n  min_lr: 0.001", "name: step\n  every: 3\n  gamma: 2", nil, []string{"line 14", "schedule.gamma", "invalid gamma 2 (want 0 < gamma ≤ 1)"}},
		{"name: cosine\n  min_lr: 0.001", "name: time-constant\n  tau: 0", nil, []string{"line 13", "schedule.tau", "want tau ≥ 1"}},
		{"", "", []string{"schedule.tau=3"}, []string{"--set schedule.tau=3", `cosine has no parameter "tau"`}},
		{"name: cosine\n  min_lr: 0.001\n  warmup: 100", "name: adaptive\n  every: 10\n  steps: 5\n  subset: 20", nil, []string{"line 15", "schedule.subset", "invalid subset 20 (want a number of examples ≥ the batch size 50)"}},
		{"name: cosine\n  min_lr: 0.001\n  warmup: 100", "name: adaptive\n  every: 0\n  steps: 5\n  subset: 200", nil, []string{"line 13", "schedule.every", "want a whole number of updates ≥ 1, got 0"}},
		{"name: cosine\n  min_lr: 0.001\n  warmup: 100", "name: adaptive\n  every: 10\n  subset: 200", nil, []string{"line 12", "adaptive needs steps"}},
		{"name: cosine\n  min_lr: 0.001", "name: adaptive\n  every: 10\n  steps: 5\n  subset: 200", nil, []string{"line 16", "schedule.warmup", "takes no warmup"}},
		{"name: cosine\n  min_lr: 0.001\n  warmup: 100", "name: adaptive\n  every: 10\n  steps: 5\n  subset: 200\n  factors: [1, -1]", nil, []string{"line 16", "schedule.factors", "invalid factors -1"}},
		{"name: cosine\n  min_lr: 0.001\n  warmup: 100", "name: adaptive\n  every: 10\n  steps: 5\n  subset: 200\n  evry: 3", nil, []string{"schedule.evry", `adaptive has no parameter "evry"`, `did you mean "every"?`}},
	}
	for _, tt := range tests {
		src := strings.Replace(withSchedule, tt.old, tt.new, 1)
		_, err := Parse("s.yaml", []byte(src), Options{Set: tt.set})
		if err == nil {
			t.Errorf("%q → %q: no error", tt.old, tt.new)
			continue
		}
		var re *Error
		if !errors.As(err, &re) {
			t.Errorf("error %T is not a *recipes.Error", err)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q → %q: error %q does not contain %q", tt.old, tt.new, err, w)
			}
		}
	}
}
