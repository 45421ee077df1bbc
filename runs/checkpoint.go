package runs

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"

	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
)

// CheckpointFile holds an unfinished run's state: written after every epoch
// and when training is interrupted, removed when the run finishes.
const CheckpointFile = "checkpoint.safetensors"

// streams are a run's named random generators, kept as sources so a
// checkpoint can save their state.
type streams map[string]*rand.PCG

// The streams of a classifier's training.
var classifierStreams = []string{"shuffle", "dropout", "noise"}

// newStreams returns the generators named, each drawn from seed and its
// name (see rng.Source); classifierStreams when no name is given.
func newStreams(seed uint64, names ...string) streams {
	if len(names) == 0 {
		names = classifierStreams
	}
	s := streams{}
	for _, n := range names {
		s[n] = rng.Source(seed, n)
	}
	return s
}

// rand returns a generator drawing from stream name.
func (s streams) rand(name string) *rand.Rand { return rand.New(s[name]) }

// each calls f on every stream, in name order.
func (s streams) each(f func(name string, p *rand.PCG) error) error {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := f(n, s[n]); err != nil {
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
	// Phase is the part of the run the state belongs to: "" for an mlp or
	// autoencoder run, "pretrain" (of layer Layer) or "finetune" for an
	// sdae, whose finished pretraining epochs and layer summaries follow.
	Phase    string              `json:"phase,omitempty"`
	Layer    int                 `json:"layer,omitempty"`
	Pretrain []train.LayerRecord `json:"pretrain,omitempty"`
	Layers   []LayerSummary      `json:"layers,omitempty"`
	// Adaptive is the adaptive schedule's state (schedules.AdaptiveState) in
	// gob, which keeps the +Inf losses of diverged candidates.
	Adaptive []byte `json:"adaptive,omitempty"`
	// BLAS is Options.BLAS of the run that wrote the checkpoint.
	BLAS string `json:"blas,omitempty"`
}

// The phases of an sdae run.
const (
	phasePretrain = "pretrain"
	phaseFinetune = "finetune"
)

// session is what a checkpoint saves and restores: one training loop's
// parameters, optimizer, generators, early stopping and schedule, and where
// in the run it is.
type session struct {
	dir    string
	params []*models.Param
	opt    optimizers.Optimizer
	// optParams are the parameters opt trains, when not all of params
	// (a pretraining stage trains one layer of the network).
	optParams []*models.Param
	streams   streams
	stop      earlystop.Stopper   // nil without early stopping
	adaptive  *schedules.Adaptive // nil without the adaptive schedule
	phase     string
	layer     int
	pretrain  []train.LayerRecord
	layers    []LayerSummary
	// blas is Options.BLAS, saved with the checkpoint; log is Options.Log,
	// which hears when a run resumes with another BLAS.
	blas string
	log  io.Writer
}

// save writes the checkpoint of the loop state st.
func (s *session) save(st *train.State) error {
	meta := checkpointMeta{Phase: s.phase, Layer: s.layer, Pretrain: s.pretrain, Layers: s.layers, BLAS: s.blas}
	if s.adaptive != nil {
		as, err := s.adaptive.State()
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(as); err != nil {
			return fmt.Errorf("runs: checkpoint: adaptive schedule: %w", err)
		}
		meta.Adaptive = b.Bytes()
	}
	return saveCheckpoint(s.dir, st, s.params, s.optParams, s.opt, s.streams, s.stop, meta)
}

// load restores the checkpoint into the session's model, optimizer,
// generators, stopper and schedule, and returns the loop state.
func (s *session) load() (*train.State, error) {
	st, meta, err := loadCheckpoint(s.dir, s.params, s.optParams, s.opt, s.streams, s.stop, func(meta *checkpointMeta) error {
		if meta.Phase != s.phase || meta.Layer != s.layer {
			return fmt.Errorf("the checkpoint is of phase %q layer %d, not %q layer %d", meta.Phase, meta.Layer, s.phase, s.layer)
		}
		if (meta.Adaptive != nil) != (s.adaptive != nil) {
			return fmt.Errorf("the checkpoint and the recipe disagree on the adaptive schedule")
		}
		if s.adaptive == nil {
			return nil
		}
		var as schedules.AdaptiveState
		if err := gob.NewDecoder(bytes.NewReader(meta.Adaptive)).Decode(&as); err != nil {
			return fmt.Errorf("adaptive schedule state: %w", err)
		}
		return s.adaptive.SetState(as)
	})
	if err != nil {
		return nil, err
	}
	if meta.BLAS != "" && s.blas != "" && meta.BLAS != s.blas && s.log != nil {
		// Not an error: the run goes on correctly, only not bit for bit
		// as it would have without the interruption.
		fmt.Fprintf(s.log, "note: this run was computed so far with %s and resumes with %s: the two round differently, so its figures will differ slightly from an uninterrupted run's\n", meta.BLAS, s.blas)
	}
	s.pretrain, s.layers = meta.Pretrain, meta.Layers
	return st, nil
}

// checkpoint is a checkpoint file read whole, with its JSON part.
type checkpoint struct {
	path string
	f    *safetensors.File
	meta checkpointMeta
}

// readCheckpoint reads dir's checkpoint and its metadata.
func readCheckpoint(dir string) (*checkpoint, error) {
	c := &checkpoint{path: filepath.Join(dir, CheckpointFile)}
	var err error
	if c.f, err = safetensors.ReadFile(c.path, safetensors.Limits{}); err != nil {
		return nil, fmt.Errorf("runs: resume: %w", err)
	}
	if err := json.Unmarshal([]byte(c.f.Metadata["zoo.checkpoint"]), &c.meta); err != nil {
		return nil, fmt.Errorf("runs: resume: %s has no readable zoo.checkpoint metadata: %v", c.path, err)
	}
	return c, nil
}

func (c *checkpoint) bad(format string, args ...any) error {
	return fmt.Errorf("runs: resume: %s: %s", c.path, fmt.Sprintf(format, args...))
}

// values returns tensor name, which must hold n values.
func (c *checkpoint) values(name string, n int) ([]float64, error) {
	t, ok := c.f.Get(name)
	if !ok {
		return nil, c.bad("no tensor %q: is it a checkpoint of another model?", name)
	}
	v, err := t.Float64s()
	if err != nil || len(v) != n {
		return nil, c.bad("tensor %q holds %d values, the model wants %d", name, len(v), n)
	}
	return v, nil
}

// params returns the values of prefix+name for every parameter, checked
// against its size.
func (c *checkpoint) params(prefix string, params []*models.Param) ([][]float64, error) {
	out := make([][]float64, len(params))
	for i, p := range params {
		v, err := c.values(prefix+p.Name, p.Value.Shape().TotalSize())
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// setParams sets params to their values in the checkpoint, for a resumed
// sdae whose lower layers must encode the data before the checkpoint's
// stage is restored.
func (c *checkpoint) setParams(params []*models.Param) error {
	values, err := c.params("", params)
	if err != nil {
		return err
	}
	for i, p := range params {
		setFloat64s(p, values[i])
	}
	return nil
}

type optimizerMeta struct {
	Name  string    `json:"name"`
	Step  int       `json:"step"`
	LR    float64   `json:"lr"`
	Extra []float64 `json:"extra,omitempty"`
	Slots int       `json:"slots"` // buffers per parameter
}

// saveCheckpoint writes dir/checkpoint.safetensors atomically.
// meta carries the fields the caller sets (phase, pretraining, schedule);
// the others are filled in here.
// opt's buffers belong to optParams (nil: params), which are among params.
func saveCheckpoint(dir string, st *train.State, params, optParams []*models.Param, opt optimizers.Optimizer, s streams, stop earlystop.Stopper, meta checkpointMeta) error {
	if optParams == nil {
		optParams = params
	}
	ost := opt.State()
	meta.State = *st
	meta.Optimizer = optimizerMeta{Name: ost.Name, Step: ost.Step, LR: ost.LR, Extra: ost.Extra}
	meta.Streams = map[string][]byte{}
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
				ts = append(ts, safetensors.F64(fmt.Sprintf("optimizer.%s.%d", optParams[i].Name, k), []int{len(buf)}, buf))
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
// returns the loop's state and the checkpoint's metadata. Everything is
// checked against the model first; extra, if set, checks and restores the
// caller's part of the metadata before anything else changes.
func loadCheckpoint(dir string, params, optParams []*models.Param, opt optimizers.Optimizer, s streams, stop earlystop.Stopper, extra func(*checkpointMeta) error) (*train.State, *checkpointMeta, error) {
	if optParams == nil {
		optParams = params
	}
	c, err := readCheckpoint(dir)
	if err != nil {
		return nil, nil, err
	}
	meta := c.meta
	current, err := c.params("", params)
	if err != nil {
		return nil, nil, err
	}
	ost := &optimizers.State{Name: meta.Optimizer.Name, Step: meta.Optimizer.Step, LR: meta.Optimizer.LR, Extra: meta.Optimizer.Extra}
	if meta.Optimizer.Slots > 0 {
		ost.Slots = make([][][]float64, len(optParams))
		for i, p := range optParams {
			for k := range meta.Optimizer.Slots {
				v, err := c.values(fmt.Sprintf("optimizer.%s.%d", p.Name, k), p.Value.Shape().TotalSize())
				if err != nil {
					return nil, nil, err
				}
				ost.Slots[i] = append(ost.Slots[i], v)
			}
		}
	}
	st := meta.State
	if _, ok := c.f.Get("best." + params[0].Name); ok {
		best, err := c.params("best.", params)
		if err != nil {
			return nil, nil, err
		}
		for i, p := range params {
			b := p.Clone()
			setFloat64s(b, best[i])
			st.Best = append(st.Best, b)
		}
	}
	if t, ok := c.f.Get("order"); ok {
		if t.DType != "I64" || len(t.Shape) != 1 || len(t.Data) != 8*t.Shape[0] {
			return nil, nil, c.bad("tensor \"order\" is not an I64 vector")
		}
		// The order indexes the training set: it must be a permutation.
		st.Order = make([]int, t.Shape[0])
		seen := make([]bool, len(st.Order))
		for i := range st.Order {
			v := binary.LittleEndian.Uint64(t.Data[8*i:])
			if v >= uint64(len(seen)) || seen[v] {
				return nil, nil, c.bad("tensor \"order\" is not a permutation of 0…%d", len(seen)-1)
			}
			seen[v] = true
			st.Order[i] = int(v)
		}
	}
	if extra != nil {
		if err := extra(&meta); err != nil {
			return nil, nil, c.bad("%v", err)
		}
	}
	// All read and checked: now change the model.
	if err := opt.SetState(ost); err != nil {
		return nil, nil, fmt.Errorf("runs: resume: %w", err)
	}
	if stop != nil {
		if meta.EarlyStop == nil {
			return nil, nil, c.bad("the recipe has early stopping, the checkpoint has no early-stopping state")
		}
		if err := stop.SetState(*meta.EarlyStop); err != nil {
			return nil, nil, fmt.Errorf("runs: resume: %w", err)
		}
	}
	if err := s.each(func(name string, p *rand.PCG) error {
		b, ok := meta.Streams[name]
		if !ok {
			return c.bad("no state for the random stream %q", name)
		}
		return p.UnmarshalBinary(b)
	}); err != nil {
		return nil, nil, err
	}
	for i, p := range params {
		setFloat64s(p, current[i])
	}
	return &st, &meta, nil
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
