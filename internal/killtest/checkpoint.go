package killtest

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
)

// checkpointMeta is the zoo.checkpoint metadata of a checkpoint, read
// independently of the pipeline that writes it (pipeline/session.go).
type checkpointMeta struct {
	State     train.State `json:"state"`
	Optimizer struct {
		Name  string    `json:"name"`
		Step  int       `json:"step"`
		LR    float64   `json:"lr"`
		Extra []float64 `json:"extra"`
		Slots int       `json:"slots"`
	} `json:"optimizer"`
	Streams   map[string][]byte   `json:"streams"`
	EarlyStop *earlystop.State    `json:"early_stop"`
	Phase     string              `json:"phase"`
	Layer     int                 `json:"layer"`
	Pretrain  []train.LayerRecord `json:"pretrain"`
	Layers    []runs.LayerSummary `json:"layers"`
	Adaptive  []byte              `json:"adaptive"`
}

// position is where a checkpoint resumes the run.
type position struct {
	meta  *checkpointMeta
	phase int // index in plan.phases
	// records are the epochs the checkpoint says are done, in the order
	// of metrics.csv: the sdae's finished pretraining, then the phase's.
	records []record
}

// record is a finished epoch of some phase.
type record struct {
	Phase string
	Layer int // -1 outside pretraining
	train.Record
}

// checkCheckpoint decodes the checkpoint at path and checks it against the
// plan: a phase of the run, every tensor that phase's loop needs (and no
// other) with the right size and dtype, the streams, the optimizer, the
// stopper's and the schedule's state, and a loop state consistent with the
// recipe and the training set.
func (p *plan) checkCheckpoint(path string) (*position, error) {
	f, err := safetensors.ReadFile(path, safetensors.Limits{})
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
	text, ok := f.Metadata["zoo.checkpoint"]
	if !ok {
		return nil, bad("no zoo.checkpoint metadata")
	}
	meta := &checkpointMeta{}
	if err := json.Unmarshal([]byte(text), meta); err != nil {
		return nil, bad("zoo.checkpoint metadata: %v", err)
	}
	pos := &position{meta: meta}
	if pos.phase, err = p.phaseIndex(meta); err != nil {
		return nil, bad("%v", err)
	}
	ph := p.phases[pos.phase]
	l, err := p.loop(pos.phase)
	if err != nil {
		return nil, err
	}

	// The loop state.
	st := &meta.State
	if st.Epoch < 1 || st.Epoch > ph.Epochs || len(st.Records) != st.Epoch-1 || st.Updates < 0 || st.Pos < 0 || st.Steps < 0 {
		return nil, bad("inconsistent state: epoch %d of %d, %d records, %d updates, position %d, %d steps",
			st.Epoch, ph.Epochs, len(st.Records), st.Updates, st.Pos, st.Steps)
	}
	done := 0 // updates of the finished epochs
	for i, rec := range st.Records {
		if rec.Epoch != i+1 || rec.Updates <= done {
			return nil, bad("record %d is of epoch %d after %d updates (the one before ended at update %d)", i, rec.Epoch, rec.Updates, done)
		}
		done = rec.Updates
	}
	trainLen := p.data.Train.Len()
	order, hasOrder := f.Get("order")
	switch {
	case hasOrder && (st.Pos > trainLen || st.Updates != done+st.Steps):
		return nil, bad("mid-epoch state at position %d of %d, %d updates after %d steps of the epoch, %d before it", st.Pos, trainLen, st.Updates, st.Steps, done)
	case !hasOrder && (st.Pos != 0 || st.Updates != done):
		return nil, bad("state between epochs at position %d with %d updates, the records end at update %d", st.Pos, st.Updates, done)
	}
	if meta.Optimizer.Step != st.Updates {
		return nil, bad("the optimizer made %d steps, the loop %d updates", meta.Optimizer.Step, st.Updates)
	}

	// Where the run is: the finished phases' records (an sdae's
	// pretraining) must be all there.
	slots := p.slots()
	if len(meta.Pretrain) != p.start(pos.phase) {
		return nil, bad("%d records of finished pretraining stages, want %d", len(meta.Pretrain), p.start(pos.phase))
	}
	for i, rec := range meta.Pretrain {
		if got := (slot{runs.PhasePretrain, rec.Layer, rec.Epoch}); got != slots[i] {
			return nil, bad("pretraining record %d is of %v, want %v", i, got, slots[i])
		}
	}
	for _, rec := range meta.Pretrain {
		pos.records = append(pos.records, record{runs.PhasePretrain, rec.Layer, rec.Record})
	}
	for _, rec := range st.Records {
		pos.records = append(pos.records, record{ph.Name, ph.Layer, rec})
	}
	if err := p.checkLayers(meta.Layers, ph.Name); err != nil {
		return nil, bad("%v", err)
	}

	// The optimizer, the streams, the stopper and the schedule.
	if meta.Optimizer.Name != l.opt.Name() {
		return nil, bad("optimizer %q, the recipe has %q", meta.Optimizer.Name, l.opt.Name())
	}
	slotsWanted := 0
	if s, ok := l.opt.(interface{ SlotNames() []string }); ok && meta.Optimizer.Step > 0 {
		slotsWanted = len(s.SlotNames())
	}
	if meta.Optimizer.Slots != slotsWanted {
		return nil, bad("%d optimizer buffers per parameter after %d steps of %s, want %d", meta.Optimizer.Slots, meta.Optimizer.Step, l.opt.Name(), slotsWanted)
	}
	var names []string
	for name, state := range meta.Streams {
		names = append(names, name)
		if err := new(rand.PCG).UnmarshalBinary(state); err != nil {
			return nil, bad("random stream %q: %v", name, err)
		}
	}
	sort.Strings(names)
	if !slices.Equal(names, l.streams) {
		return nil, bad("random streams %v, want %v", names, l.streams)
	}
	if (meta.EarlyStop != nil) != l.earlyStop {
		return nil, bad("early-stopping state: %t, the recipe has early stopping in this phase: %t", meta.EarlyStop != nil, l.earlyStop)
	}
	if (meta.Adaptive != nil) != l.adaptive {
		return nil, bad("adaptive schedule state: %t, the recipe has the adaptive schedule in this phase: %t", meta.Adaptive != nil, l.adaptive)
	}
	if l.adaptive {
		var as schedules.AdaptiveState
		if err := gob.NewDecoder(bytes.NewReader(meta.Adaptive)).Decode(&as); err != nil {
			return nil, bad("adaptive schedule state: %v", err)
		}
	}

	// The tensors: exactly the ones the loop saves.
	want := map[string]string{} // name → dtype
	sizes := map[string]int{}
	add := func(name, dtype string, n int) {
		want[name], sizes[name] = dtype, n
	}
	for _, q := range l.params {
		add(q.Name, "F64", q.Value.Shape().TotalSize())
	}
	optParams := l.optParams
	if optParams == nil {
		optParams = l.params
	}
	for _, q := range optParams {
		for k := range meta.Optimizer.Slots {
			add(fmt.Sprintf("optimizer.%s.%d", q.Name, k), "F64", q.Value.Shape().TotalSize())
		}
	}
	if _, ok := f.Get("best." + l.params[0].Name); ok {
		if !l.earlyStop {
			return nil, bad("best parameters without early stopping")
		}
		for _, q := range l.params {
			add("best."+q.Name, "F64", q.Value.Shape().TotalSize())
		}
	}
	if hasOrder {
		add("order", "I64", trainLen)
	}
	for _, t := range f.Tensors {
		if _, ok := want[t.Name]; !ok {
			return nil, bad("unexpected tensor %q", t.Name)
		}
	}
	for _, name := range sortedKeys(want) {
		t, ok := f.Get(name)
		if !ok {
			return nil, bad("no tensor %q", name)
		}
		if n := sizes[name]; t.DType != want[name] || !slices.Equal(t.Shape, []int{n}) || len(t.Data) != 8*n {
			return nil, bad("tensor %q is %s %v, want %s [%d]", name, t.DType, t.Shape, want[name], n)
		}
	}
	if hasOrder {
		// The example order indexes the training set.
		seen := make([]bool, trainLen)
		for i := range trainLen {
			v := binary.LittleEndian.Uint64(order.Data[8*i:])
			if v >= uint64(trainLen) || seen[v] {
				return nil, bad("tensor \"order\" is not a permutation of 0…%d", trainLen-1)
			}
			seen[v] = true
		}
	}
	return pos, nil
}

// phaseIndex is the phase of the plan a checkpoint's metadata names.
func (p *plan) phaseIndex(meta *checkpointMeta) (int, error) {
	last := len(p.phases) - 1
	switch {
	case p.r.Model.Type != recipes.FamilySDAE:
		if meta.Phase == "" && meta.Layer == 0 {
			return 0, nil
		}
	case meta.Phase == runs.PhasePretrain:
		if meta.Layer >= 0 && meta.Layer < last {
			return meta.Layer, nil
		}
	case meta.Phase == runs.PhaseFinetune:
		if meta.Layer == 0 {
			return last, nil
		}
	}
	return 0, fmt.Errorf("checkpoint of phase %q layer %d, not one of this %s run", meta.Phase, meta.Layer, p.r.Model.Type)
}

// checkLayers checks an sdae checkpoint's layer summaries: one per layer,
// with its corruption, and once the run is fine-tuning, its epochs.
func (p *plan) checkLayers(layers []runs.LayerSummary, phase string) error {
	if len(layers) != len(p.stages) {
		return fmt.Errorf("%d layer summaries, the recipe pretrains %d layers", len(layers), len(p.stages))
	}
	for k, l := range layers {
		s := p.stages[k]
		if l.Layer != k || l.Corruption != s.Corruption.String() {
			return fmt.Errorf("layer summary %d is of layer %d with %s corruption, want layer %d with %s", k, l.Layer, l.Corruption, k, s.Corruption)
		}
		if phase == runs.PhaseFinetune && l.Epochs != s.Epochs {
			return fmt.Errorf("layer %d pretrained %d epochs, the recipe says %d", k, l.Epochs, s.Epochs)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// describe is the checkpoint's position, for the report.
func (pos *position) describe() string {
	st := pos.meta.State
	var b strings.Builder
	switch pos.meta.Phase {
	case runs.PhasePretrain:
		fmt.Fprintf(&b, "pretrain layer %d, ", pos.meta.Layer)
	case runs.PhaseFinetune:
		b.WriteString("finetune, ")
	}
	fmt.Fprintf(&b, "epoch %d, update %d", st.Epoch, st.Updates)
	return b.String()
}
