package train

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// cancelAt is a hook that cancels the run's context at the given update of
// an epoch, as an interrupt would.
func cancelAt(epoch, step int, cancel func()) Hook {
	return StepFunc(func(s StepInfo) error {
		if s.Epoch == epoch && s.Done == step {
			cancel()
		}
		return nil
	})
}

// TestResumeIsExact interrupts a run in the middle of its second epoch,
// resumes it from the checkpoint in a new task, and checks the final
// weights equal an uninterrupted run's bit for bit.
func TestResumeIsExact(t *testing.T) {
	s := mnist(t).Limit(600, 200, 0)
	hidden := []models.Layer{{Units: 16, Activation: models.ReLU}}
	adam := optimizers.Config{Name: "adam"}
	const epochs = 3

	full, _ := newClassifier(t, hidden, adam, 50)
	want, err := Run(context.Background(), full, s.Train, s.Validation, Config{Epochs: epochs, Shuffle: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		t.Fatal(err)
	}

	// The interrupted run: keep what a checkpoint would.
	type saved struct {
		st     State
		params [][]float64
		opt    *optimizers.State
		pcg    []byte
	}
	var last saved
	cut, _ := newClassifier(t, hidden, adam, 50)
	pcg := rand.NewPCG(1, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err = Run(ctx, cut, s.Train, s.Validation, Config{
		Epochs: epochs, Shuffle: rand.New(pcg),
		Hooks: []Hook{cancelAt(2, 5, cancel), CheckpointFunc(func(st *State) error {
			last = saved{st: *st, opt: cut.Optimizer().State()}
			last.st.Order = slices.Clone(st.Order)
			last.st.Records = slices.Clone(st.Records)
			for _, p := range cut.Params() {
				last.params = append(last.params, p.Float64s())
			}
			last.pcg, _ = pcg.MarshalBinary()
			return nil
		})},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if last.st.Epoch != 2 || last.st.Steps != 5 || last.st.Order == nil {
		t.Fatalf("last checkpoint at epoch %d after %d steps (order kept: %v), want epoch 2 after 5", last.st.Epoch, last.st.Steps, last.st.Order != nil)
	}

	// Resume in a fresh task.
	res, _ := newClassifier(t, hidden, adam, 50)
	for i, p := range res.Params() {
		d := p.Value.Data().([]float32)
		for j, v := range last.params[i] {
			d[j] = float32(v)
		}
	}
	if err := res.Optimizer().SetState(last.opt); err != nil {
		t.Fatal(err)
	}
	pcg2 := &rand.PCG{}
	if err := pcg2.UnmarshalBinary(last.pcg); err != nil {
		t.Fatal(err)
	}
	got, err := Run(context.Background(), res, s.Train, s.Validation, Config{Epochs: epochs, Shuffle: rand.New(pcg2), Resume: &last.st})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range full.Params() {
		if !slices.Equal(p.Value.Data().([]float32), res.Params()[i].Value.Data().([]float32)) {
			t.Errorf("%s differs between the uninterrupted and the resumed run", p.Name)
		}
	}
	if len(got) != epochs {
		t.Fatalf("resumed run has %d records", len(got))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.TrainLoss != g.TrainLoss || w.Val != g.Val || w.Updates != g.Updates {
			t.Errorf("epoch %d: uninterrupted %+v, resumed %+v", i+1, w, g)
		}
	}
}

// TestResumeDamagedState: a state no run could have saved (an epoch beyond
// its records, a position outside its order) is refused as damaged, an
// error the caller can tell from a failure worth resuming after.
func TestResumeDamagedState(t *testing.T) {
	s := mnist(t).Limit(100, 50, 0)
	hidden := []models.Layer{{Units: 4, Activation: models.ReLU}}
	order := make([]int, s.Train.Len())
	for i := range order {
		order[i] = i
	}
	for _, c := range []struct {
		name string
		st   State
	}{
		{"epoch beyond the records", State{Epoch: 1000000}},
		{"negative updates", State{Epoch: 1, Updates: -1}},
		{"position before the order", State{Epoch: 1, Order: order, Pos: -5}},
		{"position past the order", State{Epoch: 1, Order: order, Pos: len(order) + 1}},
		{"order of another set", State{Epoch: 1, Order: order[:10]}},
	} {
		t.Run(c.name, func(t *testing.T) {
			task, _ := newClassifier(t, hidden, optimizers.Config{Name: "sgd"}, 10)
			st := c.st
			_, err := Run(context.Background(), task, s.Train, s.Validation, Config{Epochs: 2, Shuffle: rand.New(rand.NewPCG(1, 2)), Resume: &st})
			if !errors.Is(err, ErrDamagedState) {
				t.Errorf("error %v, want one wrapping ErrDamagedState", err)
			}
		})
	}
}
