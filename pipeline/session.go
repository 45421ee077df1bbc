package pipeline

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"

	"github.com/gorgonia-zoo/zoo/earlystop"
	"github.com/gorgonia-zoo/zoo/internal/jsonerr"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/schedules"
	"github.com/gorgonia-zoo/zoo/train"
)

// streams are a run's named random generators, kept as sources so a
// checkpoint can save their state.
type streams map[string]*rand.PCG

// newStreams returns the generators named, each drawn from seed and its
// name (see rng.Source).
func newStreams(seed uint64, names ...string) streams {
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
	Layers   []runs.LayerSummary `json:"layers,omitempty"`
	// Adaptive is the adaptive schedule's state (schedules.AdaptiveState) in
	// gob, which keeps the +Inf losses of diverged candidates.
	Adaptive []byte `json:"adaptive,omitempty"`
	// BLAS is Options.BLAS of the run that wrote the checkpoint.
	BLAS string `json:"blas,omitempty"`
	// Init is where the run's initial weights came from (the recipe's
	// init), for the summary of the resumed run.
	Init *runs.InitRecord `json:"init,omitempty"`
	// Recipe is the run's recipe.yaml as the run started, which a resumed
	// run must still have (Resume refuses an edited one), and Data the
	// record of its data, which it reads again. Checkpoints written before
	// they were kept lack them.
	Recipe string           `json:"recipe,omitempty"`
	Data   *runs.DataRecord `json:"data,omitempty"`
	// MatmulFlops is the floating-point operations of the run's matrix
	// products up to the checkpoint (runs.Summary.MatmulFlops so far); 0
	// when not known.
	MatmulFlops int64 `json:"matmul_flops,omitempty"`
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
	layers    []runs.LayerSummary
	// blas is Options.BLAS, saved with the checkpoint; log is Options.Log,
	// which hears when a run resumes with another BLAS.
	blas string
	log  io.Writer
	// init is where the run's initial weights came from, saved with the
	// checkpoint and restored by load.
	init *runs.InitRecord
	// recipe and data are the run's recipe text and data record, saved
	// with the checkpoint for a resumed run to check (see Resume).
	recipe string
	data   *runs.DataRecord
	// flops returns the run's matrix-product operations so far (0: not
	// known), saved with the checkpoint; nil saves none.
	flops func() int64
}

// save writes the checkpoint of the loop state st.
func (s *session) save(st *train.State) error {
	meta := checkpointMeta{Phase: s.phase, Layer: s.layer, Pretrain: s.pretrain, Layers: s.layers, BLAS: s.blas, Init: s.init, Recipe: s.recipe, Data: s.data}
	if s.flops != nil {
		meta.MatmulFlops = s.flops()
	}
	if s.adaptive != nil {
		as, err := s.adaptive.State()
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := gob.NewEncoder(&b).Encode(as); err != nil {
			return fmt.Errorf("pipeline: checkpoint: adaptive schedule: %w", err)
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
			return fmt.Errorf("the checkpoint is of phase %q layer %d, not %q layer %d", meta.Phase, meta.Layer+1, s.phase, s.layer+1)
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
	s.pretrain, s.layers, s.init = meta.Pretrain, meta.Layers, meta.Init
	return st, nil
}

type optimizerMeta struct {
	Name  string    `json:"name"`
	Step  int       `json:"step"`
	LR    float64   `json:"lr"`
	Extra []float64 `json:"extra,omitempty"`
	Slots int       `json:"slots"` // buffers per parameter
}

// saveCheckpoint writes dir's checkpoint (see runs.WriteCheckpoint).
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
	c := &runs.Checkpoint{Order: st.Order}
	for _, p := range params {
		c.Tensors = append(c.Tensors, runs.Vector{Name: p.Name, Values: p.Float64s()})
	}
	if len(ost.Slots) > 0 {
		meta.Optimizer.Slots = len(ost.Slots[0])
		for i, slots := range ost.Slots {
			for k, buf := range slots {
				c.Tensors = append(c.Tensors, runs.Vector{Name: fmt.Sprintf("optimizer.%s.%d", optParams[i].Name, k), Values: buf})
			}
		}
	}
	for _, p := range st.Best {
		c.Tensors = append(c.Tensors, runs.Vector{Name: "best." + p.Name, Values: p.Float64s()})
	}
	var err error
	if c.Meta, err = json.Marshal(meta); err != nil {
		return err
	}
	return runs.WriteCheckpoint(dir, c)
}

// checkpoint is a stored checkpoint with its JSON part decoded.
type checkpoint struct {
	*runs.StoredCheckpoint
	meta checkpointMeta
}

// readCheckpoint reads dir's checkpoint and decodes its metadata.
func readCheckpoint(dir string) (*checkpoint, error) {
	sc, err := runs.ReadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	c := &checkpoint{StoredCheckpoint: sc}
	if err := json.Unmarshal(sc.Meta, &c.meta); err != nil {
		return nil, c.Errorf("no readable zoo.checkpoint metadata: %s", jsonerr.Describe(err))
	}
	return c, nil
}

// params returns the values of prefix+name for every parameter, checked
// against its size.
func (c *checkpoint) params(prefix string, params []*models.Param) ([][]float64, error) {
	out := make([][]float64, len(params))
	for i, p := range params {
		v, err := c.Values(prefix+p.Name, p.Value.Shape().TotalSize())
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
				v, err := c.Values(fmt.Sprintf("optimizer.%s.%d", p.Name, k), p.Value.Shape().TotalSize())
				if err != nil {
					return nil, nil, err
				}
				ost.Slots[i] = append(ost.Slots[i], v)
			}
		}
	}
	st := meta.State
	if c.Has("best." + params[0].Name) {
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
	if st.Order, err = c.Order(); err != nil {
		return nil, nil, err
	}
	if extra != nil {
		if err := extra(&meta); err != nil {
			return nil, nil, c.Errorf("%v", err)
		}
	}
	if stop != nil && meta.EarlyStop == nil {
		return nil, nil, c.Errorf("the recipe has early stopping, the checkpoint has no early-stopping state")
	}
	// All read and checked: now change the model. (The optimizer and the
	// stopper check their states as they take them.)
	if err := opt.SetState(ost); err != nil {
		return nil, nil, c.Errorf("%v", err)
	}
	if stop != nil {
		if err := stop.SetState(*meta.EarlyStop); err != nil {
			return nil, nil, fmt.Errorf("pipeline: resume: %w", err)
		}
	}
	if err := s.each(func(name string, p *rand.PCG) error {
		b, ok := meta.Streams[name]
		if !ok {
			return c.Errorf("no state for the random stream %q", name)
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
