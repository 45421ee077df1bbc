package optimizers

import (
	"math"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestStateRoundTrip runs k steps, takes the State, continues n steps on one
// copy of the parameters, restores the state into a new optimizer and runs
// the same n steps on another copy: the results must be bit-identical.
func TestStateRoundTrip(t *testing.T) {
	const k, n = 2, 3
	gradAt := func(step int) []float64 { return grads[step%len(grads)] }
	for _, tc := range trajectoryCases() {
		for _, mk := range []func(...float64) *tensor.Dense{vec64, vec32} {
			w := mk(theta0...)
			t.Run(tc.name+"/"+w.Dtype().String(), func(t *testing.T) {
				c := Config{Name: tc.name, Hyper: tc.hyper, Betas: tc.betas}
				a := mustNew(t, c)
				m := mk(1, -2) // a second parameter
				vgs := func(step int) []gorgonia.ValueGrad {
					g := gradAt(step)
					return []gorgonia.ValueGrad{pair{w, mk(g...)}, pair{m, mk(g[1], g[0])}}
				}
				for step := 0; step < k; step++ {
					if err := a.Step(vgs(step)); err != nil {
						t.Fatal(err)
					}
				}
				s := a.State()
				if s.Name != tc.name || s.Step != k || s.LR != a.LearningRate() {
					t.Fatalf("State() = {%q, %d, %v}, want {%q, %d, %v}", s.Name, s.Step, s.LR, tc.name, k, a.LearningRate())
				}
				if len(s.Slots) != 2 || len(s.Slots[0]) != len(a.(interface{ SlotNames() []string }).SlotNames()) {
					t.Fatalf("State().Slots has %d parameters × %d buffers", len(s.Slots), len(s.Slots[0]))
				}
				wK, mK := values(w), values(m)

				for step := k; step < k+n; step++ {
					if err := a.Step(vgs(step)); err != nil {
						t.Fatal(err)
					}
				}
				wantW, wantM := values(w), values(m)

				// The snapshot is a deep copy: stepping a did not change it
				// and changing it does not change a.
				s2 := a.State()
				if s.Step != k {
					t.Fatalf("State() is not a copy")
				}
				if len(s2.Slots[0]) > 0 {
					s2.Slots[0][0][0] = 12345
					if a.State().Slots[0][0][0] == 12345 {
						t.Fatalf("State() shares its buffers with the optimizer")
					}
				}

				setValues(w, wK)
				setValues(m, mK)
				b := mustNew(t, c)
				if err := b.SetState(s); err != nil {
					t.Fatal(err)
				}
				if len(s.Slots[0]) > 0 {
					s.Slots[0][0][0] = 54321 // SetState copied it
				}
				for step := k; step < k+n; step++ {
					if err := b.Step(vgs(step)); err != nil {
						t.Fatal(err)
					}
				}
				if got := values(w); !equal(got, wantW) {
					t.Errorf("w after restore: %v, want %v", got, wantW)
				}
				if got := values(m); !equal(got, wantM) {
					t.Errorf("m after restore: %v, want %v", got, wantM)
				}
				if b.Steps() != k+n {
					t.Errorf("Steps() = %d, want %d", b.Steps(), k+n)
				}
			})
		}
	}
}

// TestStateBeforeFirstStep checks that a fresh state has no slots and
// restores to a fresh optimizer.
func TestStateBeforeFirstStep(t *testing.T) {
	for _, name := range Names() {
		s := mustNew(t, Config{Name: name}).State()
		if s.Slots != nil || s.Step != 0 {
			t.Errorf("%s: fresh State() = %+v", name, s)
		}
		if name == "nadam" {
			if len(s.Extra) != 1 || s.Extra[0] != 1 {
				t.Errorf("nadam: fresh Extra = %v, want [1]", s.Extra)
			}
		} else if s.Extra != nil {
			t.Errorf("%s: Extra = %v, want nil", name, s.Extra)
		}
		o := mustNew(t, Config{Name: name})
		w := vec64(1, 2)
		if err := o.Step([]gorgonia.ValueGrad{pair{w, vec64(1, 1)}}); err != nil {
			t.Fatal(err)
		}
		if err := o.SetState(s); err != nil {
			t.Fatalf("%s: SetState(fresh): %v", name, err)
		}
		// Forgotten buffers: now any parameter list is accepted.
		if err := o.Step([]gorgonia.ValueGrad{pair{vec64(1, 2, 3), vec64(1, 1, 1)}}); err != nil {
			t.Errorf("%s: step after restoring a fresh state: %v", name, err)
		}
		if o.Steps() != 1 {
			t.Errorf("%s: Steps() = %d, want 1", name, o.Steps())
		}
	}
}

// TestNAdamExtra checks that State.Extra holds the running product P_t.
func TestNAdamExtra(t *testing.T) {
	o := mustNew(t, Config{Name: "nadam"})
	w := vec64(1)
	want := 1.0
	for step := 1; step <= 3; step++ {
		if err := o.Step([]gorgonia.ValueGrad{pair{w, vec64(1)}}); err != nil {
			t.Fatal(err)
		}
		want *= 0.9 * (1 - 0.5*math.Pow(0.96, float64(step)*0.004))
		if got := o.State().Extra[0]; relErr(got, want) > 1e-15 {
			t.Errorf("step %d: P_t = %v, want %v", step, got, want)
		}
	}
}

func TestSetStateRejects(t *testing.T) {
	stepped := func(name string, sizes ...int) Optimizer {
		t.Helper()
		o := mustNew(t, Config{Name: name})
		var vgs []gorgonia.ValueGrad
		for _, n := range sizes {
			vgs = append(vgs, pair{vec64(make([]float64, n)...), vec64(make([]float64, n)...)})
		}
		if err := o.Step(vgs); err != nil {
			t.Fatal(err)
		}
		return o
	}
	adamState := stepped("adam", 3, 2).State()
	mod := func(f func(s *State)) *State {
		s := stepped("adam", 3, 2).State()
		f(s)
		return s
	}
	tests := []struct {
		name string
		opt  Optimizer
		s    *State
		want string
	}{
		{"nil", stepped("adam", 3), nil, "optimizers: adam: SetState: nil state"},
		{"other optimizer", stepped("adam", 3), stepped("amsgrad", 3).State(), `optimizers: adam: SetState: state is of optimizer "amsgrad"`},
		{"other optimizer fresh", mustNew(t, Config{Name: "sgd"}), adamState, `optimizers: sgd: SetState: state is of optimizer "adam"`},
		{"param count", stepped("adam", 3), adamState, "optimizers: adam: SetState: state has 2 parameters, want 1"},
		{"buffer length vs params", stepped("adam", 4, 2), adamState, "optimizers: adam: SetState: parameter 0 has buffers of 3 values, want 4"},
		{"buffer count", mustNew(t, Config{Name: "adam"}), mod(func(s *State) { s.Slots[1] = s.Slots[1][:1] }), "optimizers: adam: SetState: parameter 1 has 1 buffers, want 2 (exp_avg, exp_avg_sq)"},
		{"ragged buffers", mustNew(t, Config{Name: "adam"}), mod(func(s *State) { s.Slots[0][1] = s.Slots[0][1][:2] }), "optimizers: adam: SetState: parameter 0: buffer exp_avg_sq has 2 values, want 3 like exp_avg"},
		{"negative step", mustNew(t, Config{Name: "adam"}), mod(func(s *State) { s.Step = -1 }), "optimizers: adam: SetState: invalid step -1 (want step ≥ 0)"},
		{"bad lr", mustNew(t, Config{Name: "adam"}), mod(func(s *State) { s.LR = -1 }), "optimizers: adam: SetState: invalid lr -1 (want finite lr ≥ 0)"},
		{"extra", mustNew(t, Config{Name: "adam"}), mod(func(s *State) { s.Extra = []float64{1} }), "optimizers: adam: SetState: state has 1 extra values, want 0"},
		{"nadam without extra", mustNew(t, Config{Name: "nadam"}), &State{Name: "nadam"}, "optimizers: nadam: SetState: state has 0 extra values, want 1"},
		{"aggmo betas", mustNew(t, Config{Name: "aggmo", Betas: []float64{0.9}}), stepped("aggmo", 2).State(), "optimizers: aggmo: SetState: parameter 0 has 3 buffers, want 1 (momentum_buffer_0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.opt.State()
			err := tt.opt.SetState(tt.s)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("SetState error = %v, want %q", err, tt.want)
			}
			after := tt.opt.State()
			if after.Step != before.Step || len(after.Slots) != len(before.Slots) {
				t.Errorf("a rejected SetState changed the optimizer")
			}
		})
	}

	// A state restored into a fresh optimizer fixes the parameter list:
	// the next Step must match it.
	o := mustNew(t, Config{Name: "adam"})
	if err := o.SetState(adamState); err != nil {
		t.Fatal(err)
	}
	err := o.Step([]gorgonia.ValueGrad{pair{vec64(1, 2, 3), vec64(1, 1, 1)}})
	if want := "optimizers: adam: got 1 parameters, want 2 as in earlier steps (state is keyed by position)"; err == nil || err.Error() != want {
		t.Errorf("Step after SetState: error %v, want %q", err, want)
	}
	err = o.Step([]gorgonia.ValueGrad{pair{vec64(1, 2, 3), vec64(1, 1, 1)}, pair{vec64(1, 2, 3), vec64(1, 1, 1)}})
	if want := "optimizers: adam: parameter 1 has 3 elements, want 2 as in earlier steps"; err == nil || err.Error() != want {
		t.Errorf("Step after SetState: error %v, want %q", err, want)
	}
	if !strings.HasPrefix(err.Error(), "optimizers: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
}

// TestSetStateRefusesDamage: a state no run could have saved — a NaN or Inf
// in any buffer, a negative running sum or average of squares — is refused
// naming the buffer and index, before anything changes.
func TestSetStateRefusesDamage(t *testing.T) {
	for _, c := range []struct {
		name, slot string
		v          float64
		want       string
	}{
		{"adam", "exp_avg_sq", -1, "buffer exp_avg_sq holds -1 at index 1, want a number ≥ 0"},
		{"adam", "exp_avg", math.NaN(), "buffer exp_avg holds NaN at index 1, want a finite number"},
		{"adagrad", "sum", -0.5, "buffer sum holds -0.5 at index 1"},
		{"rmsprop", "square_avg", math.Inf(1), "buffer square_avg holds +Inf at index 1"},
		{"adamax", "exp_inf", -2, "buffer exp_inf holds -2 at index 1"},
		{"momentum", "momentum_buffer", -3, ""}, // a velocity may be negative
	} {
		t.Run(c.name+"/"+c.slot, func(t *testing.T) {
			o, err := New(Config{Name: c.name})
			if err != nil {
				t.Fatal(err)
			}
			names := o.(interface{ SlotNames() []string }).SlotNames()
			bufs := make([][]float64, len(names))
			for k, n := range names {
				bufs[k] = []float64{0.5, 0.5, 0.5}
				if n == c.slot {
					bufs[k][1] = c.v
				}
			}
			err = o.SetState(&State{Name: c.name, Step: 3, LR: 0.01, Slots: [][][]float64{bufs}})
			switch {
			case c.want == "" && err != nil:
				t.Errorf("SetState: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("SetState: %v, want an error with %q", err, c.want)
			case c.want != "" && o.Steps() != 0:
				t.Errorf("a refused state changed the step count to %d", o.Steps())
			}
		})
	}
}
