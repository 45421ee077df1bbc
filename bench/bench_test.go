package bench

import (
	"context"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Workload{"mlp": {MLP, 128}, "dae/32": {DAE, 32}, " mlp/1 ": {MLP, 1}} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"cnn", "mlp/", "mlp/0", "mlp/-3", "mlp/1x", "dae/032"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
}

// TestFLOPs checks the count against the figure: the MLP at
// 8,800 samples/s is ~146 GFLOP/s of matrix products.
func TestFLOPs(t *testing.T) {
	w := Workload{MLP, 128}
	perSample := w.FLOPs() / 128
	if want := 6.0 * (784*1000 + 1000*1000 + 1000*1000 + 1000*10); perSample != want {
		t.Errorf("MLP FLOPs per sample %g, want %g", perSample, want)
	}
	if g := 8800 * perSample / 1e9; g < 145 || g > 149 {
		t.Errorf("8,800 samples/s is %.1f GFLOP/s, want ~147", g)
	}
	if got, want := (Workload{DAE, 1}).FLOPs(), 6.0*2*784*1000; got != want {
		t.Errorf("DAE FLOPs per sample %g, want %g", got, want)
	}
}

// TestWorkloadsTrain: every standard workload builds and its steps lower
// the objective on a fixed batch (they really train).
func TestWorkloadsTrain(t *testing.T) {
	for _, w := range []Workload{{MLP, 8}, {DAE, 8}} {
		s, err := w.Build(1)
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		// A single batch, so the loss must fall.
		switch s := s.(type) {
		case *mlpStepper:
			s.data = s.data[:1]
		case *daeStepper:
			s.data = s.data[:1]
		}
		first, err := s.Step()
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		var last float64
		for range 30 {
			if last, err = s.Step(); err != nil {
				t.Fatalf("%s: %v", w, err)
			}
		}
		s.Close()
		if !(last < first) {
			t.Errorf("%s: loss %g after 30 steps, want < %g (the first)", w, last, first)
		}
	}
}

func TestRunQuick(t *testing.T) {
	o := QuickOptions()
	o.MinTime = 0
	r, err := Run(context.Background(), Workload{MLP, 1}, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Steps < o.MinSteps || r.SamplesPerSecond <= 0 || r.StepMs <= 0 || r.StepMsMin > r.StepMs {
		t.Errorf("result %+v", r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Workload{MLP, 1}, o); err != context.Canceled {
		t.Errorf("cancelled run: %v, want context.Canceled", err)
	}
}
