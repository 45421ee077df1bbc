package runs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/train"
)

// CheckpointFile holds an unfinished run's state: written after every epoch
// and when training is interrupted, removed when the run finishes.
const CheckpointFile = "checkpoint.safetensors"

// streams are a run's random generators, kept as sources so a checkpoint
// can save their state.
type streams struct {
	shuffle, dropout, noise *rand.PCG
}

func newStreams(seed uint64) *streams {
	return &streams{
		shuffle: rng.Source(seed, "shuffle"),
		dropout: rng.Source(seed, "dropout"),
		noise:   rng.Source(seed, "noise"),
	}
}

func (s *streams) each(f func(name string, p *rand.PCG) error) error {
	for _, x := range []struct {
		name string
		p    *rand.PCG
	}{{"shuffle", s.shuffle}, {"dropout", s.dropout}, {"noise", s.noise}} {
		if err := f(x.name, x.p); err != nil {
			return err
		}
	}
	return nil
}

// checkpointMeta is the JSON part of a checkpoint, in the safetensors
// header's __metadata__ under "zoo.checkpoint". The tensors hold the
// parameters (their own names), the optimizer's buffers
// (optimizer.<param>.<buffer>), the best parameters under early stopping
// (best.<param>) and the epoch's example order (order).
type checkpointMeta struct {
	State     train.State       `json:"state"`
	Optimizer optimizerMeta     `json:"optimizer"`
	Streams   map[string][]byte `json:"streams"`
	EarlyStop *earlystop.State  `json:"early_stop,omitempty"`
}

type optimizerMeta struct {
	Name  string    `json:"name"`
	Step  int       `json:"step"`
	LR    float64   `json:"lr"`
	Extra []float64 `json:"extra,omitempty"`
	Slots int       `json:"slots"` // buffers per parameter
}

// saveCheckpoint writes dir/checkpoint.safetensors atomically.
func saveCheckpoint(dir string, st *train.State, params []*models.Param, opt optimizers.Optimizer, s *streams, stop earlystop.Stopper) error {
	ost := opt.State()
	meta := checkpointMeta{
		State:     *st,
		Optimizer: optimizerMeta{Name: ost.Name, Step: ost.Step, LR: ost.LR, Extra: ost.Extra},
		Streams:   map[string][]byte{},
	}
	if err := s.each(func(name string, p *rand.PCG) error {
		b, err := p.MarshalBinary()
		meta.Streams[name] = b
		return err
	}); err != nil {
		return err
	}
	if stop != nil {
		es := stop.State()
		meta.EarlyStop = &es
	}
	var ts []safetensors.Tensor
	for _, p := range params {
		ts = append(ts, safetensors.F64(p.Name, []int{p.Value.Shape().TotalSize()}, p.Float64s()))
	}
	if len(ost.Slots) > 0 {
		meta.Optimizer.Slots = len(ost.Slots[0])
		for i, slots := range ost.Slots {
			for k, buf := range slots {
				ts = append(ts, safetensors.F64(fmt.Sprintf("optimizer.%s.%d", params[i].Name, k), []int{len(buf)}, buf))
			}
		}
	}
	for _, p := range st.Best {
		ts = append(ts, safetensors.F64("best."+p.Name, []int{p.Value.Shape().TotalSize()}, p.Float64s()))
	}
	if st.Order != nil {
		order := make([]byte, 8*len(st.Order))
		for i, v := range st.Order {
			binary.LittleEndian.PutUint64(order[8*i:], uint64(v))
		}
		ts = append(ts, safetensors.Tensor{Name: "order", DType: "I64", Shape: []int{len(st.Order)}, Data: order})
	}
	text, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	return safetensors.WriteFile(filepath.Join(dir, CheckpointFile), ts, map[string]string{"zoo.checkpoint": string(text)})
}

// loadCheckpoint restores a checkpoint into params, opt, s and stop, and
// returns the loop's state. Everything is checked against the model first.
func loadCheckpoint(dir string, params []*models.Param, opt optimizers.Optimizer, s *streams, stop earlystop.Stopper) (*train.State, error) {
	path := filepath.Join(dir, CheckpointFile)
	f, err := safetensors.ReadFile(path, safetensors.Limits{})
	if err != nil {
		return nil, fmt.Errorf("runs: resume: %w", err)
	}
	var meta checkpointMeta
	if err := json.Unmarshal([]byte(f.Metadata["zoo.checkpoint"]), &meta); err != nil {
		return nil, fmt.Errorf("runs: resume: %s has no readable zoo.checkpoint metadata: %v", path, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("runs: resume: %s: %s", path, fmt.Sprintf(format, args...))
	}
	values := func(name string, n int) ([]float64, error) {
		t, ok := f.Get(name)
		if !ok {
			return nil, bad("no tensor %q: is it a checkpoint of another model?", name)
		}
		v, err := t.Float64s()
		if err != nil || len(v) != n {
			return nil, bad("tensor %q holds %d values, the model wants %d", name, len(v), n)
		}
		return v, nil
	}
	current := make([][]float64, len(params))
	for i, p := range params {
		if current[i], err = values(p.Name, p.Value.Shape().TotalSize()); err != nil {
			return nil, err
		}
	}
	ost := &optimizers.State{Name: meta.Optimizer.Name, Step: meta.Optimizer.Step, LR: meta.Optimizer.LR, Extra: meta.Optimizer.Extra}
	if meta.Optimizer.Slots > 0 {
		ost.Slots = make([][][]float64, len(params))
		for i, p := range params {
			for k := range meta.Optimizer.Slots {
				v, err := values(fmt.Sprintf("optimizer.%s.%d", p.Name, k), p.Value.Shape().TotalSize())
				if err != nil {
					return nil, err
				}
				ost.Slots[i] = append(ost.Slots[i], v)
			}
		}
	}
	st := meta.State
	if _, ok := f.Get("best." + params[0].Name); ok {
		for _, p := range params {
			v, err := values("best."+p.Name, p.Value.Shape().TotalSize())
			if err != nil {
				return nil, err
			}
			b := p.Clone()
			setFloat64s(b, v)
			st.Best = append(st.Best, b)
		}
	}
	if t, ok := f.Get("order"); ok {
		if t.DType != "I64" || len(t.Shape) != 1 || len(t.Data) != 8*t.Shape[0] {
			return nil, bad("tensor \"order\" is not an I64 vector")
		}
		// The order indexes the training set: it must be a permutation.
		st.Order = make([]int, t.Shape[0])
		seen := make([]bool, len(st.Order))
		for i := range st.Order {
			v := binary.LittleEndian.Uint64(t.Data[8*i:])
			if v >= uint64(len(seen)) || seen[v] {
				return nil, bad("tensor \"order\" is not a permutation of 0…%d", len(seen)-1)
			}
			seen[v] = true
			st.Order[i] = int(v)
		}
	}
	// All read and checked: now change the model.
	if err := opt.SetState(ost); err != nil {
		return nil, fmt.Errorf("runs: resume: %w", err)
	}
	if stop != nil {
		if meta.EarlyStop == nil {
			return nil, bad("the recipe has early stopping, the checkpoint has no early-stopping state")
		}
		if err := stop.SetState(*meta.EarlyStop); err != nil {
			return nil, fmt.Errorf("runs: resume: %w", err)
		}
	}
	if err := s.each(func(name string, p *rand.PCG) error {
		b, ok := meta.Streams[name]
		if !ok {
			return bad("no state for the random stream %q", name)
		}
		return p.UnmarshalBinary(b)
	}); err != nil {
		return nil, err
	}
	for i, p := range params {
		setFloat64s(p, current[i])
	}
	return &st, nil
}

func setFloat64s(p *models.Param, v []float64) {
	switch d := p.Value.Data().(type) {
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	case []float64:
		copy(d, v)
	}
}

func removeCheckpoint(dir string) error {
	err := os.Remove(filepath.Join(dir, CheckpointFile))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}
