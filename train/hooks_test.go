package train

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// events is a hook that logs every event it hears, tagged with its name,
// into a log shared by several hooks, so their order shows.
type events struct {
	name string
	log  *[]string
	fail map[string]error // an event's error, by the event's log entry
}

func (e *events) add(s string) error {
	*e.log = append(*e.log, e.name+" "+s)
	return e.fail[s]
}

func (e *events) OnEpochStart(epoch, epochs, batches int) {
	e.add(fmt.Sprintf("start %d/%d of %d", epoch, epochs, batches))
}

func (e *events) OnStep(s StepInfo) error {
	return e.add(fmt.Sprintf("step %d.%d #%d", s.Epoch, s.Done, s.Update))
}

func (e *events) OnEpochEnd(r Record) error { return e.add(fmt.Sprintf("end %d", r.Epoch)) }

func (e *events) OnCheckpoint(st *State) error {
	return e.add(fmt.Sprintf("checkpoint %d.%d", st.Epoch, st.Pos))
}

func (e *events) OnStop(records []Record, err error) {
	e.add(fmt.Sprintf("stop %d %v", len(records), err != nil))
}

// hookData is 4 batches of 50 digits.
func hookData(t *testing.T) *datasets.Set { return mnist(t).Train.Slice(0, 200) }

func runHooks(t *testing.T, ctx context.Context, hooks ...Hook) ([]Record, error) {
	c, _ := newClassifier(t, nil, optimizers.Config{Name: "sgd"}, 50)
	return Run(ctx, c, hookData(t), nil, Config{Epochs: 2, Shuffle: rng.New(1, "shuffle"), Hooks: hooks})
}

// TestHookOrder checks every event reaches the hooks in slice order, each
// at its place in the loop: checkpoints after every epoch but the last, with
// the state the next epoch starts from.
func TestHookOrder(t *testing.T) {
	var log []string
	if _, err := runHooks(t, context.Background(), &events{name: "a", log: &log}, &events{name: "b", log: &log}); err != nil {
		t.Fatal(err)
	}
	var want []string
	both := func(s string) { want = append(want, "a "+s, "b "+s) }
	for epoch := 1; epoch <= 2; epoch++ {
		both(fmt.Sprintf("start %d/2 of 4", epoch))
		for done := 1; done <= 4; done++ {
			both(fmt.Sprintf("step %d.%d #%d", epoch, done, 4*(epoch-1)+done))
		}
		both(fmt.Sprintf("end %d", epoch))
		if epoch == 1 {
			both("checkpoint 2.0")
		}
	}
	both("stop 2 false")
	if !slices.Equal(log, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

var errHook = errors.New("hook says stop")

// TestHookErrorStops checks a hook's error ends the run at once, wrapped
// with where, without a checkpoint and without the hooks after it.
func TestHookErrorStops(t *testing.T) {
	tests := []struct {
		event, where string
		records      int
	}{
		{"step 1.3 #3", "train: epoch 1, update 3: ", 0},
		{"end 1", "train: end of epoch 1: ", 1},
		{"checkpoint 2.0", "train: checkpoint: ", 1},
	}
	for _, tt := range tests {
		var log []string
		a := &events{name: "a", log: &log, fail: map[string]error{tt.event: errHook}}
		recs, err := runHooks(t, context.Background(), a, &events{name: "b", log: &log})
		if !errors.Is(err, errHook) || err.Error() != tt.where+errHook.Error() {
			t.Errorf("%s: error %v, want %q wrapping errHook", tt.event, err, tt.where+errHook.Error())
		}
		if len(recs) != tt.records {
			t.Errorf("%s: %d records, want %d", tt.event, len(recs), tt.records)
		}
		i := slices.Index(log, "a "+tt.event)
		if want := []string{"a " + tt.event, "a stop " + fmt.Sprint(tt.records) + " true", "b stop " + fmt.Sprint(tt.records) + " true"}; i < 0 || !slices.Equal(log[i:], want) {
			t.Errorf("%s: events end with %q, want %q", tt.event, log[max(i, 0):], want)
		}
	}
}

// TestHookCancelCheckpoints checks a cancelled run checkpoints after the
// update in progress and returns the cancellation joined with the
// checkpoint's error, which the CLI tells apart.
func TestHookCancelCheckpoints(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log []string
	fail := &events{name: "a", log: &log, fail: map[string]error{"checkpoint 1.100": errHook}}
	_, err := runHooks(t, ctx, cancelAt(1, 2, cancel), fail)
	j, ok := err.(interface{ Unwrap() []error })
	if !errors.Is(err, context.Canceled) || !ok || len(j.Unwrap()) != 2 || !errors.Is(j.Unwrap()[1], errHook) {
		t.Fatalf("error %v, want the cancellation joined with the checkpoint's", err)
	}
	if want := []string{"a step 1.2 #2", "a checkpoint 1.100", "a stop 0 true"}; !slices.Equal(log[len(log)-3:], want) {
		t.Errorf("events end with %q, want %q", log[len(log)-3:], want)
	}
}

// TestHookRefused checks a value that implements no hook interface (here,
// a method with the wrong signature) is refused, not silently ignored.
func TestHookRefused(t *testing.T) {
	_, err := runHooks(t, context.Background(), &events{name: "a", log: new([]string)}, wrongStep{})
	if err == nil || !strings.Contains(err.Error(), "train: hook 1 (train.wrongStep) implements none of the hook interfaces") {
		t.Errorf("error %v", err)
	}
}

type wrongStep struct{}

func (wrongStep) OnStep(StepInfo) {}

// TestPretrainHooks checks a stage's own hooks come before the pretraining's,
// which hear every stage's run, stage checkpoints told the stage and the
// records of the stages before it, and the stage's end.
func TestPretrainHooks(t *testing.T) {
	s := mnist(t).Limit(200, 0, 0)
	st, err := models.NewStacked(models.MLPConfig{Inputs: 784, Hidden: []models.Layer{{Units: 8, Activation: models.Sigmoid}, {Units: 4, Activation: models.Sigmoid}}, Classes: 10}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	c := PretrainConfig{Stages: stages(t, 2, 2), BatchSize: 100}
	for k := range c.Stages {
		c.Stages[k].Hooks = []Hook{EpochStartFunc(func(epoch, _, _ int) { log = append(log, fmt.Sprintf("stage %d start %d", k, epoch)) })}
	}
	c.Hooks = []Hook{
		EpochStartFunc(func(epoch, _, _ int) { log = append(log, fmt.Sprintf("all start %d", epoch)) }),
		StageCheckpointFunc(func(k int, stage *Autoencoder, state *State, done []LayerRecord) error {
			log = append(log, fmt.Sprintf("checkpoint %d epoch %d after %d", k, state.Epoch, len(done)))
			return nil
		}),
		StageEndFunc(func(k int, stage *Autoencoder, train, val *datasets.Set) error {
			log = append(log, fmt.Sprintf("end %d of %d features", k, train.Dim()))
			return nil
		}),
	}
	if _, err := Pretrain(context.Background(), st, s.Train, nil, c); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"stage 0 start 1", "all start 1", "checkpoint 0 epoch 2 after 0", "stage 0 start 2", "all start 2", "end 0 of 784 features",
		"stage 1 start 1", "all start 1", "checkpoint 1 epoch 2 after 2", "stage 1 start 2", "all start 2", "end 1 of 8 features",
	}
	if !slices.Equal(log, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	c.Hooks = []Hook{wrongStep{}}
	if _, err := Pretrain(context.Background(), st, s.Train, nil, c); err == nil || !strings.Contains(err.Error(), "pretraining hook 0 (train.wrongStep) implements none") {
		t.Errorf("a hook implementing nothing: %v", err)
	}
}
