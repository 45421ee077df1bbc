package bench

import (
	"context"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Workload{"mlp": {MLP, 128}, "dae/32": {DAE, 32}, " mlp/1 ": {MLP, 1}, "conv": {Conv, 128}} {
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

// TestFLOPsCounted: Workload.FLOPs is the work of the products a training
// step computes, as a cblas.Counter counts them.
func TestFLOPsCounted(t *testing.T) {
	for _, w := range []Workload{{MLP, 1}, {MLP, 3}, {DAE, 1}, {DAE, 3}, {Conv, 1}, {Conv, 3}} {
		s, err := w.Build(1)
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		c, restore := cblas.Count()
		_, err = s.Step()
		restore()
		s.Close()
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		if got := float64(c.Flops()); got != w.FLOPs() {
			t.Errorf("%s: a step computes %g flops of products, FLOPs says %g", w, got, w.FLOPs())
		}
	}
}

// TestSgemmFraction: each workload's share of the SGEMM rate is its
// GFLOP/s over the 1024³ product's, measured in the same run.
func TestSgemmFraction(t *testing.T) {
	o := QuickOptions()
	o.MinTime, o.MinSteps, o.MaxSteps = 0, 1, 1
	rep, err := RunAll(context.Background(), []Workload{{MLP, 1}}, StandardGEMMs()[:1], o, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Workloads[0]
	if rep.SgemmGFLOPS <= 0 || r.SgemmFraction != r.GFLOPS/rep.SgemmGFLOPS {
		t.Errorf("sgemm_fraction %v, want %v / %v", r.SgemmFraction, r.GFLOPS, rep.SgemmGFLOPS)
	}
}

// TestWorkloadsTrain: every standard workload builds and its steps lower
// the objective on a fixed batch (they really train).
func TestWorkloadsTrain(t *testing.T) {
	for _, w := range []Workload{{MLP, 8}, {DAE, 8}, {Conv, 8}} {
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
