package schedules

import (
	"bytes"
	"encoding/csv"
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
)

// fakeTask is a Searchable without Gorgonia: one weight w fitted by gradient
// descent to the examples' labels, the loss of an example being (w − y)².
// A rate above 1 makes w oscillate ever wider, and a huge one overflows it
// to ±Inf at once, so the fake has good, poor and diverging rates. With
// jitter > 0 each update adds jitter × a draw of the probe's random
// generator, so the probes' generators show in the results.
type fakeTask struct {
	w, lr  float64
	batch  int
	jitter float64
	fail   error // returned by the probes' Step
	panics any   // if not nil, the probes' Step panics with it

	mu     sync.Mutex
	probes []*fakeProbe
}

func (f *fakeTask) LearningRate() float64 { return f.lr }
func (f *fakeTask) BatchSize() int        { return f.batch }

func (f *fakeTask) NewProbe(random, noise *rand.PCG, evalSize int) (Probe, error) {
	if random == nil || noise == nil || evalSize < f.batch {
		return nil, fmt.Errorf("fake: generators %v %v, eval size %d", random, noise, evalSize)
	}
	p := &fakeProbe{task: f, r: rand.New(random)}
	f.mu.Lock()
	f.probes = append(f.probes, p)
	f.mu.Unlock()
	return p, nil
}

// fakeProbe is a fakeTask's probe; seen records the labels of its batches.
type fakeProbe struct {
	task   *fakeTask
	w, lr  float64
	r      *rand.Rand
	seen   []int
	closed bool
}

func (p *fakeProbe) Reset() error               { p.w = p.task.w; return nil }
func (p *fakeProbe) SetLearningRate(lr float64) { p.lr = lr }
func (p *fakeProbe) Close()                     { p.closed = true }

func (p *fakeProbe) Step(x []float32, labels []int) (float64, error) {
	if p.task.fail != nil {
		return 0, p.task.fail
	}
	if p.task.panics != nil {
		panic(p.task.panics)
	}
	if len(x) != len(labels) {
		return 0, fmt.Errorf("fake: %d values for %d labels", len(x), len(labels))
	}
	p.seen = append(p.seen, labels...)
	var loss, grad float64
	for _, y := range labels {
		loss += (p.w - float64(y)) * (p.w - float64(y))
		grad += 2 * (p.w - float64(y))
	}
	n := float64(len(labels))
	p.w -= p.lr*grad/n + p.task.jitter*p.r.Float64()
	return loss / n, nil
}

func (p *fakeProbe) Loss(s *datasets.Set) (float64, error) {
	var loss float64
	for _, y := range s.Labels {
		loss += (p.w - float64(y)) * (p.w - float64(y))
	}
	return loss / float64(s.Len()), nil
}

// fakeSet is n examples of one value each, the value being the label, 0–9.
func fakeSet(n int) *datasets.Set {
	s := &datasets.Set{Name: "fake", X: make([]float32, n), Shape: []int{1}, Labels: make([]int, n), Classes: 10}
	for i := range n {
		s.Labels[i] = i * 7 % 10
		s.X[i] = float32(s.Labels[i])
	}
	return s
}

func TestAdaptiveConfigErrors(t *testing.T) {
	task := &fakeTask{lr: 0.1, batch: 50}
	tests := []struct {
		c    AdaptiveConfig
		key  string
		want string
	}{
		{AdaptiveConfig{Every: 0, Steps: 1, Subset: 100}, "every", "invalid every 0 (want a whole number of updates ≥ 1)"},
		{AdaptiveConfig{Every: 1, Steps: 0, Subset: 100}, "steps", "invalid steps 0"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 10}, "subset", "invalid subset 10 (want a number of examples ≥ the batch size 50)"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 100, Factors: []float64{1, -2}}, "factors", "invalid factors -2"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 100, Factors: []float64{1, math.Inf(1)}}, "factors", "finite factors > 0"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 100, Factors: []float64{}}, "factors", "non-empty"},
		{AdaptiveConfig{Every: 1, Steps: 1, Subset: 5000}, "", "schedules: adaptive: subset of 5000 examples, but fake has only 1000"},
	}
	for _, tt := range tests {
		_, err := NewAdaptive(task, fakeSet(1000), tt.c, rand.New(rand.NewPCG(1, 1)))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "schedules: ") {
			t.Errorf("%+v: error %v, want %q", tt.c, err, tt.want)
			continue
		}
		var pe *ParamError
		if errors.As(err, &pe) != (tt.key != "") || tt.key != "" && pe.Key != tt.key {
			t.Errorf("%+v: error %#v, want a ParamError for %q", tt.c, err, tt.key)
		}
	}
	ok := AdaptiveConfig{Every: 1, Steps: 1, Subset: 100}
	unlabeled := fakeSet(1000)
	unlabeled.Labels = nil
	if _, err := NewAdaptive(task, unlabeled, ok, rand.New(rand.NewPCG(1, 1))); err == nil || !strings.Contains(err.Error(), "no labels") {
		t.Errorf("unlabeled set: error %v", err)
	}
	if _, err := NewAdaptive(task, fakeSet(1000), ok, nil); err == nil || !strings.Contains(err.Error(), "no random generator") {
		t.Errorf("no generator: error %v", err)
	}
}

// TestAdaptiveChoice checks the choice rule: the lowest subset loss wins, a
// diverged copy loses with +Inf, ties go to the first candidate, and when
// every copy diverges the smallest rate is kept.
func TestAdaptiveChoice(t *testing.T) {
	tests := []struct {
		name    string
		lr      float64
		factors []float64
		want    int // the chosen candidate
		infs    []bool
	}{
		{"too small", 0.1, []float64{1e-4, 1}, 1, []bool{false, false}},
		{"too large", 0.1, []float64{1, 1e300}, 0, []bool{false, true}},
		{"three", 0.1, []float64{1e300, 1e-4, 1}, 2, []bool{true, false, false}},
		{"oscillates", 0.1, []float64{11, 2}, 1, []bool{false, false}},
		{"tie", 0.1, []float64{2, 2, 1}, 0, []bool{false, false, false}},
		{"all diverge", 1e300, []float64{2, 1, 4}, 1, []bool{true, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := &fakeTask{w: 20, lr: tt.lr, batch: 10}
			a, err := NewAdaptive(task, fakeSet(1000), AdaptiveConfig{Every: 100, Steps: 5, Subset: 100, Factors: tt.factors}, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			lr, err := a.RateErr(1)
			if err != nil {
				t.Fatal(err)
			}
			ch := a.Choices()
			if len(ch) != 1 {
				t.Fatalf("%d choices after one search", len(ch))
			}
			c := ch[0]
			if c.Chosen != tt.want || lr != c.Candidates[tt.want] || c.Rate != lr || c.Update != 1 {
				t.Errorf("chose %g (%+v), want candidate %d", lr, c, tt.want)
			}
			for i, l := range c.Losses {
				if math.IsInf(l, 1) != tt.infs[i] || math.IsNaN(l) {
					t.Errorf("candidate %d: loss %g, want +Inf: %t", i, l, tt.infs[i])
				}
				if c.Candidates[i] != tt.lr*tt.factors[i] {
					t.Errorf("candidate %d: rate %g, want %g", i, c.Candidates[i], tt.lr*tt.factors[i])
				}
			}
			if task.w != 20 {
				t.Errorf("the search moved the task to %g", task.w)
			}
		})
	}
}

// TestAdaptiveSearches drives the heuristic as the training loop does:
// searches before updates 1, K+1, 2K+1, …, each from the task's state at
// the time and with the rate chosen last; every copy sees the same batches;
// the same seed gives the same choices and CSV.
func TestAdaptiveSearches(t *testing.T) {
	run := func() ([]AdaptiveChoice, []float64, string) {
		task := &fakeTask{w: 0, lr: 0.01, batch: 10, jitter: 1e-3}
		a, err := NewAdaptive(task, fakeSet(1000), AdaptiveConfig{Every: 8, Steps: 4, Subset: 30}, rand.New(rand.NewPCG(3, 3)))
		if err != nil {
			t.Fatal(err)
		}
		var lrs []float64
		for u := 1; u <= 20; u++ {
			lr, err := a.RateErr(u)
			if err != nil {
				t.Fatal(err)
			}
			lrs = append(lrs, lr)
			task.w += 0.1 // the task trains between searches
		}
		if len(task.probes) != 5 {
			t.Errorf("%d probes made, want one per factor, made once", len(task.probes))
		}
		for i, p := range task.probes {
			if !reflect.DeepEqual(p.seen, task.probes[0].seen) || len(p.seen) != 3*4*10 {
				t.Errorf("probe %d saw %d labels, not the same as probe 0's %d", i, len(p.seen), len(task.probes[0].seen))
			}
		}
		var b bytes.Buffer
		if err := a.WriteCSV(&b); err != nil {
			t.Fatal(err)
		}
		a.Close()
		for i, p := range task.probes {
			if !p.closed {
				t.Errorf("probe %d not closed", i)
			}
		}
		return a.Choices(), lrs, b.String()
	}
	ch, lrs, text := run()
	ch2, lrs2, text2 := run()
	if !reflect.DeepEqual(ch, ch2) || !reflect.DeepEqual(lrs, lrs2) || text != text2 {
		t.Errorf("same seed, different searches:\n%v\n%v", ch, ch2)
	}
	if len(ch) != 3 || ch[0].Update != 1 || ch[1].Update != 9 || ch[2].Update != 17 {
		t.Fatalf("choices %+v, want searches at updates 1, 9, 17", ch)
	}
	prev := 0.01
	for _, c := range ch {
		want := []float64{prev / 4, prev / 2, prev, prev * 2, prev * 4}
		if !reflect.DeepEqual(c.Candidates, want) {
			t.Errorf("update %d: candidates %v, want %v", c.Update, c.Candidates, want)
		}
		for u := c.Update; u < c.Update+8 && u <= 20; u++ {
			if lrs[u-1] != c.Rate {
				t.Errorf("update %d: rate %g, want the choice of update %d, %g", u, lrs[u-1], c.Update, c.Rate)
			}
		}
		prev = c.Rate
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil || len(rows) != 1+3*5 || strings.Join(rows[0], ",") != "update,candidate_lr,subset_loss,chosen" {
		t.Fatalf("CSV: %v\n%s", err, text)
	}
	chosen := 0
	for _, r := range rows[1:] {
		chosen += len(r[3]) - len(strings.TrimPrefix(r[3], "1"))
	}
	if chosen != 3 {
		t.Errorf("CSV marks %d rows chosen, want 3:\n%s", chosen, text)
	}
}

// TestAdaptiveState interrupts the heuristic after each search, saves its
// state (through gob, as a checkpoint does) and its generator, restores both
// into a new heuristic and goes on: the choices are those of the
// uninterrupted run to the bit.
func TestAdaptiveState(t *testing.T) {
	cfg := AdaptiveConfig{Every: 4, Steps: 3, Subset: 40, Factors: []float64{0.5, 1, 1e300}}
	set := fakeSet(500)
	whole := func() []AdaptiveChoice {
		task := &fakeTask{lr: 0.05, batch: 10, jitter: 1e-2}
		a, err := NewAdaptive(task, set, cfg, rand.New(rand.NewPCG(5, 5)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		for u := 1; u <= 12; u++ {
			if _, err := a.RateErr(u); err != nil {
				t.Fatal(err)
			}
		}
		return a.Choices()
	}()

	task := &fakeTask{lr: 0.05, batch: 10, jitter: 1e-2}
	src := rand.NewPCG(5, 5)
	a, err := NewAdaptive(task, set, cfg, rand.New(src))
	if err != nil {
		t.Fatal(err)
	}
	for u := 1; u <= 12; u++ {
		if _, err := a.RateErr(u); err != nil {
			t.Fatal(err)
		}
		st, err := a.State()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(st); err != nil {
			t.Fatal(err)
		}
		gen, _ := src.MarshalBinary()
		a.Close()

		var back AdaptiveState
		if err := gob.NewDecoder(&b).Decode(&back); err != nil {
			t.Fatal(err)
		}
		// As a resumed run does: a new heuristic draws its subset from a
		// fresh generator, whose state the checkpoint's then replaces.
		src = rand.NewPCG(5, 5)
		if a, err = NewAdaptive(task, set, cfg, rand.New(src)); err != nil {
			t.Fatal(err)
		}
		if err := src.UnmarshalBinary(gen); err != nil {
			t.Fatal(err)
		}
		if err := a.SetState(back); err != nil {
			t.Fatal(err)
		}
	}
	defer a.Close()
	if got := a.Choices(); !reflect.DeepEqual(got, whole) {
		t.Errorf("resumed after every update:\n%+v\nuninterrupted:\n%+v", got, whole)
	}
	if !math.IsInf(whole[0].Losses[2], 1) {
		t.Errorf("losses %v: the diverging candidate should be +Inf", whole[0].Losses)
	}
}

func TestAdaptiveSetStateErrors(t *testing.T) {
	task := &fakeTask{lr: 0.05, batch: 10}
	a, err := NewAdaptive(task, fakeSet(100), AdaptiveConfig{Every: 4, Steps: 3, Subset: 40, Factors: []float64{0.5, 2}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	choice := AdaptiveChoice{Update: 1, Rate: 1, Chosen: 0, Candidates: []float64{1, 4}, Losses: []float64{1, 2}}
	tests := []struct {
		name string
		st   AdaptiveState
		want string
	}{
		{"zero rate", AdaptiveState{Rate: 0, Next: 1}, "invalid saved state (rate 0, next search at update 1)"},
		{"next 0", AdaptiveState{Rate: 1, Next: 0}, "invalid saved state"},
		{"copies", AdaptiveState{Rate: 1, Next: 5, Copies: make([][]byte, 6)}, "generators for 3 copies, the heuristic has 2 factors"},
		{"candidates", AdaptiveState{Rate: 1, Next: 5, Choices: []AdaptiveChoice{{Update: 1, Candidates: []float64{1}, Losses: []float64{1}}}}, "search before update 1 does not match 2 factors"},
		{"chosen", AdaptiveState{Rate: 1, Next: 5, Choices: []AdaptiveChoice{{Update: 1, Chosen: 2, Candidates: []float64{1, 2}, Losses: []float64{1, 2}}}}, "does not match"},
		{"generator", AdaptiveState{Rate: 1, Next: 5, Choices: []AdaptiveChoice{choice}, Copies: [][]byte{{1}, {2}, {3}, {4}}}, "saved generator 0"},
	}
	for _, tt := range tests {
		if err := a.SetState(tt.st); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "schedules: adaptive: ") {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestAdaptiveProbeError checks a failing copy stops the search with an
// error naming the update and the candidate, and Rate keeps the rate.
func TestAdaptiveProbeError(t *testing.T) {
	task := &fakeTask{lr: 0.05, batch: 10, fail: errors.New("no memory")}
	a, err := NewAdaptive(task, fakeSet(100), AdaptiveConfig{Every: 4, Steps: 3, Subset: 40, Factors: []float64{2}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	lr, err := a.RateErr(1)
	if lr != 0.05 || err == nil || err.Error() != "schedules: adaptive search before update 1: candidate rate 0.1: no memory" {
		t.Errorf("rate %g, error %v", lr, err)
	}
	if lr := a.Rate(2); lr != 0.05 {
		t.Errorf("Rate after a failed search: %g", lr)
	}
}

// TestAdaptivePanicReachesCaller: a panic in a probe, which runs on a
// goroutine of its own, is raised again on the caller's goroutine, where
// a recover (the CLI's last resort) catches it, instead of ending the
// process with a stack trace.
func TestAdaptivePanicReachesCaller(t *testing.T) {
	task := &fakeTask{lr: 0.1, batch: 50, panics: "probe exploded"}
	a, err := NewAdaptive(task, fakeSet(1000), AdaptiveConfig{Every: 1, Steps: 1, Subset: 100}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != "probe exploded" {
			t.Errorf("recovered %v, want the probe's panic", p)
		}
	}()
	a.RateErr(1)
	t.Error("RateErr returned, want the probe's panic")
}
