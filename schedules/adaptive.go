package schedules

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"

	"github.com/gorgonia-zoo/zoo/datasets"
)

// Adaptive is the lecture's brute-force adaptive learning-rate heuristic
// (docs/lecture.md §2: a learning-rate sweep, repeated at regular intervals from
// the current state): every K updates, from the current state of the task,
// N copies of it (probes, see Searchable) train for M updates on a fixed
// small subset of the training data, copy i with the rate
//
//	η_i = η · f_i         (f = ¼, ½, 1, 2, 4 by default)
//
// where η is the rate in use, all copies concurrently (one goroutine each,
// each with its own weights and optimizer state, and for a Gorgonia task its
// own compiled graphs). Each copy
// is then evaluated on the whole subset, and the task continues, from its own
// unchanged state, with the rate whose copy reached the lowest mean loss
// there, until the next search. The copies' weights are discarded: only the
// rate is kept.
//
// Searches happen before updates 1, K+1, 2K+1, …; the first starts from the
// optimizer's learning rate. A copy whose loss stops being finite loses;
// ties go to the first candidate in factor order; if no copy stays finite the
// smallest rate is chosen. Adaptive satisfies train.Schedule and
// train.FallibleSchedule (train.Run uses RateErr, so a failed search stops
// the run with its error).
//
// Everything random comes from the generator given to NewAdaptive: the
// subset (drawn once), the order of the subset's examples in each search
// (the same batches for every copy, so the candidates are compared on equal
// terms) and the copies' own generators for dropout and input noise. The choice
// is made after every copy has finished, in candidate order, so it never
// depends on goroutine timing: one seed gives the same choices.
//
// The shortest use, for a task implementing Searchable (train.Classifier
// does):
//
//	a, err := schedules.NewAdaptive(task, trainSet, schedules.AdaptiveConfig{Every: 200, Steps: 20, Subset: 1000}, r)
//	...
//	defer a.Close()
//	_, err = train.Run(ctx, task, trainSet, val, train.Config{Epochs: 10, Schedule: a})
type Adaptive struct {
	task    Searchable
	c       AdaptiveConfig
	subset  *datasets.Set
	rng     *rand.Rand
	copies  []Probe
	sources []*rand.PCG // the copies' generators, two per copy
	rate    float64
	next    int // the update of the next search
	choices []AdaptiveChoice
}

// Searchable is a training task the adaptive heuristic can choose rates
// for: it makes probes, copies of itself that train on their own.
type Searchable interface {
	// LearningRate is the rate in use, the first search's η.
	LearningRate() float64
	// BatchSize is the number of examples per update.
	BatchSize() int
	// NewProbe returns a new copy of the task, optimizing the same objective
	// with the same settings, at the task's current weights and optimizer
	// state. The copy draws its random inputs (dropout masks) from random
	// and its input noise from noise, never from the task's generators, so
	// copies can train concurrently with each other while the task is idle.
	// evalSize is the most examples Probe.Loss will be given, which lets the
	// copy size its evaluation to it; it must not change results.
	NewProbe(random, noise *rand.PCG, evalSize int) (Probe, error)
}

// Probe is one copy of a Searchable task. A probe is used by one goroutine
// at a time.
type Probe interface {
	// Reset brings the probe's weights and optimizer state back to the
	// task's current ones, without rebuilding it.
	Reset() error
	// SetLearningRate sets the rate of the probe's next updates.
	SetLearningRate(lr float64)
	// Step trains the probe for one update on a batch of examples (x holds
	// them row after row, labels their classes) and returns the training
	// objective before the update.
	Step(x []float32, labels []int) (float64, error)
	// Loss returns the probe's mean loss over s.
	Loss(s *datasets.Set) (float64, error)
	// Close releases what the probe holds.
	Close()
}

// AdaptiveConfig sets the adaptive heuristic's search.
type AdaptiveConfig struct {
	// Every is K, the number of updates between two searches (≥ 1).
	Every int
	// Steps is M, the updates each copy takes in a search (≥ 1).
	Steps int
	// Subset is S, the number of training examples, drawn once, that the
	// copies train and are evaluated on; at least one batch.
	Subset int
	// Factors are the candidate rates as multiples of the current one, each
	// finite and > 0; nil means DefaultFactors, ¼, ½, 1, 2, 4.
	Factors []float64
}

// DefaultFactors returns the default candidate multipliers ¼, ½, 1, 2, 4.
func DefaultFactors() []float64 { return []float64{0.25, 0.5, 1, 2, 4} }

// AdaptiveChoice is the record of one search.
type AdaptiveChoice struct {
	// Update is the first update that uses the chosen rate.
	Update int `json:"update"`
	// Rate is the chosen rate, Candidates[Chosen].
	Rate   float64 `json:"rate"`
	Chosen int     `json:"chosen"`
	// Candidates are the rates tried, in factor order.
	Candidates []float64 `json:"candidates"`
	// Losses are the copies' mean losses on the subset after their Steps
	// updates, in the order of Candidates; +Inf for a copy whose training
	// objective stopped being finite.
	Losses []float64 `json:"losses"`
}

// Check validates c for a task taking batches of batchSize examples. A bad
// field gives a *ParamError whose Key is the field's recipe key
// (every, steps, subset, factors).
func (c AdaptiveConfig) Check(batchSize int) error {
	bad := func(key string, v float64, want string) error {
		return &ParamError{Schedule: "adaptive", Key: key, Value: v, Problem: "invalid", Want: want}
	}
	switch {
	case c.Every < 1:
		return bad("every", float64(c.Every), "a whole number of updates ≥ 1")
	case c.Steps < 1:
		return bad("steps", float64(c.Steps), "a whole number of updates ≥ 1")
	case c.Subset < batchSize:
		return bad("subset", float64(c.Subset), fmt.Sprintf("a number of examples ≥ the batch size %d", batchSize))
	case c.Factors != nil && len(c.Factors) == 0:
		return bad("factors", 0, "a non-empty list of factors > 0")
	}
	for _, f := range c.Factors {
		if !(f > 0) || math.IsInf(f, 1) {
			return bad("factors", f, "finite factors > 0")
		}
	}
	return nil
}

// NewAdaptive prepares the heuristic for task, drawing the subset from
// train with r; r then drives every later random choice of the heuristic,
// so it must not be shared with anything else. The copies (probes) are made
// at the first search. Close releases them.
func NewAdaptive(task Searchable, train *datasets.Set, c AdaptiveConfig, r *rand.Rand) (*Adaptive, error) {
	if err := c.Check(task.BatchSize()); err != nil {
		return nil, fmt.Errorf("schedules: adaptive: %w", err)
	}
	if c.Factors == nil {
		c.Factors = DefaultFactors()
	}
	c.Factors = append([]float64(nil), c.Factors...)
	if r == nil {
		return nil, fmt.Errorf("schedules: adaptive: no random generator given")
	}
	if train.Labels == nil {
		return nil, fmt.Errorf("schedules: adaptive: %s has no labels", train.Name)
	}
	if train.Len() < c.Subset {
		return nil, fmt.Errorf("schedules: adaptive: subset of %d examples, but %s has only %d", c.Subset, train.Name, train.Len())
	}
	d := train.Dim()
	sub := &datasets.Set{
		Name:    fmt.Sprintf("%s (adaptive subset of %d)", train.Name, c.Subset),
		X:       make([]float32, 0, c.Subset*d),
		Shape:   append([]int(nil), train.Shape...),
		Labels:  make([]int, 0, c.Subset),
		Classes: train.Classes,
	}
	for _, i := range r.Perm(train.Len())[:c.Subset] {
		sub.X = append(sub.X, train.Row(i)...)
		sub.Labels = append(sub.Labels, train.Labels[i])
	}
	return &Adaptive{task: task, c: c, subset: sub, rng: r, rate: task.LearningRate(), next: 1}, nil
}

// Rate implements train.Schedule: it returns the rate of update t,
// searching first when t is due for a search. Updates must be asked for in
// increasing order. A failed search keeps the current rate; use RateErr to
// see the error.
func (a *Adaptive) Rate(t int) float64 {
	lr, _ := a.RateErr(t)
	return lr
}

// RateErr implements train.FallibleSchedule: Rate, with the error of a failed
// search.
func (a *Adaptive) RateErr(t int) (float64, error) {
	if t >= a.next {
		if err := a.search(t); err != nil {
			return a.rate, fmt.Errorf("schedules: adaptive search before update %d: %w", t, err)
		}
		a.next = t + a.c.Every
	}
	return a.rate, nil
}

// Choices returns the record of every search so far, in order.
func (a *Adaptive) Choices() []AdaptiveChoice {
	out := make([]AdaptiveChoice, len(a.choices))
	for i, c := range a.choices {
		c.Candidates = append([]float64(nil), c.Candidates...)
		c.Losses = append([]float64(nil), c.Losses...)
		out[i] = c
	}
	return out
}

// Subset returns the fixed subset the copies train and are evaluated on.
func (a *Adaptive) Subset() *datasets.Set { return a.subset }

// WriteCSV writes the choices as CSV, one row per candidate of each search:
// update,candidate_lr,subset_loss,chosen (chosen is 1 for the rate kept, 0
// otherwise). Numbers are in full precision.
func (a *Adaptive) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"update", "candidate_lr", "subset_loss", "chosen"})
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, c := range a.choices {
		for i, lr := range c.Candidates {
			chosen := "0"
			if i == c.Chosen {
				chosen = "1"
			}
			cw.Write([]string{strconv.Itoa(c.Update), num(lr), num(c.Losses[i]), chosen})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Close releases the copies.
func (a *Adaptive) Close() {
	for _, c := range a.copies {
		c.Close()
	}
	a.copies, a.sources = nil, nil
}

// makeCopies makes one copy of the task per factor, copy i drawing its
// random inputs from srcs[2i] and its input noise from srcs[2i+1].
func (a *Adaptive) makeCopies(srcs []*rand.PCG) error {
	for i := range a.c.Factors {
		cp, err := a.task.NewProbe(srcs[2*i], srcs[2*i+1], a.subset.Len())
		if err != nil {
			a.Close()
			return fmt.Errorf("copy %d: %w", i, err)
		}
		a.copies = append(a.copies, cp)
	}
	a.sources = srcs
	return nil
}

// AdaptiveState is what a checkpoint keeps of the heuristic, besides the
// state of the generator given to NewAdaptive (the caller's to save).
type AdaptiveState struct {
	Rate    float64
	Next    int
	Choices []AdaptiveChoice
	// Copies holds the copies' generators (see rand.PCG.MarshalBinary);
	// nil before the first search.
	Copies [][]byte
}

// State returns the heuristic's state, to be restored with SetState.
func (a *Adaptive) State() (AdaptiveState, error) {
	st := AdaptiveState{Rate: a.rate, Next: a.next, Choices: a.Choices()}
	for _, src := range a.sources {
		b, err := src.MarshalBinary()
		if err != nil {
			return AdaptiveState{}, err
		}
		st.Copies = append(st.Copies, b)
	}
	return st, nil
}

// SetState puts the heuristic back where State found it (the caller also
// restores the generator given to NewAdaptive), compiling the copies if
// they existed then.
func (a *Adaptive) SetState(st AdaptiveState) error {
	if !(st.Rate > 0) || st.Next < 1 {
		return fmt.Errorf("schedules: adaptive: invalid saved state (rate %g, next search at update %d)", st.Rate, st.Next)
	}
	if st.Copies != nil && len(st.Copies) != 2*len(a.c.Factors) {
		return fmt.Errorf("schedules: adaptive: the saved state has generators for %d copies, the heuristic has %d factors", len(st.Copies)/2, len(a.c.Factors))
	}
	for _, c := range st.Choices {
		if len(c.Candidates) != len(a.c.Factors) || len(c.Losses) != len(c.Candidates) || c.Chosen < 0 || c.Chosen >= len(c.Candidates) {
			return fmt.Errorf("schedules: adaptive: the saved search before update %d does not match %d factors", c.Update, len(a.c.Factors))
		}
	}
	a.Close()
	if st.Copies != nil {
		srcs := make([]*rand.PCG, len(st.Copies))
		for i, b := range st.Copies {
			srcs[i] = new(rand.PCG)
			if err := srcs[i].UnmarshalBinary(b); err != nil {
				return fmt.Errorf("schedules: adaptive: saved generator %d: %w", i, err)
			}
		}
		if err := a.makeCopies(srcs); err != nil {
			return fmt.Errorf("schedules: adaptive: %w", err)
		}
	}
	a.rate, a.next = st.Rate, st.Next
	a.choices = nil
	for _, c := range st.Choices {
		c.Candidates = append([]float64(nil), c.Candidates...)
		c.Losses = append([]float64(nil), c.Losses...)
		a.choices = append(a.choices, c)
	}
	return nil
}

// search trains the copies from the task's current state and picks the rate.
func (a *Adaptive) search(t int) error {
	n := len(a.c.Factors)
	if a.copies == nil {
		// Each copy gets its own generators for random graph inputs,
		// seeded from r so that the run stays reproducible.
		srcs := make([]*rand.PCG, 2*n)
		for i := range srcs {
			srcs[i] = rand.NewPCG(a.rng.Uint64(), a.rng.Uint64())
		}
		if err := a.makeCopies(srcs); err != nil {
			return err
		}
	}
	cands := make([]float64, n)
	for i, cp := range a.copies {
		if err := cp.Reset(); err != nil {
			return fmt.Errorf("copy %d: %w", i, err)
		}
		cands[i] = a.rate * a.c.Factors[i]
		cp.SetLearningRate(cands[i])
	}

	// The batches, the same for every copy: the subset walked in orders
	// drawn here, reshuffled at each pass.
	bs := a.task.BatchSize()
	order := make([]int, 0, a.c.Steps*bs)
	for len(order) < a.c.Steps*bs {
		order = append(order, a.rng.Perm(a.subset.Len())...)
	}

	losses := make([]float64, n)
	errs := make([]error, n)
	// A panic on a goroutine of its own would end the process before the
	// CLI's last-resort recover sees it: each is caught and raised again
	// here, on the caller's goroutine.
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i, cp := range a.copies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			losses[i], errs[i] = a.probe(cp, order)
		}()
	}
	wg.Wait()
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("candidate rate %g: %w", cands[i], err)
		}
	}

	best := -1
	for i, l := range losses {
		if !math.IsInf(l, 0) && !math.IsNaN(l) && (best < 0 || l < losses[best]) {
			best = i
		}
	}
	if best < 0 { // every copy diverged: be careful
		best = 0
		for i, lr := range cands {
			if lr < cands[best] {
				best = i
			}
		}
	}
	a.rate = cands[best]
	a.choices = append(a.choices, AdaptiveChoice{Update: t, Rate: a.rate, Chosen: best, Candidates: cands, Losses: losses})
	return nil
}

// probe trains copy cp for the configured steps on the subset examples in
// order, a batch at a time, and returns its mean loss on the subset, +Inf
// if its training objective stopped being finite.
func (a *Adaptive) probe(cp Probe, order []int) (float64, error) {
	bs, d := a.task.BatchSize(), a.subset.Dim()
	x, labels := make([]float32, bs*d), make([]int, bs)
	for s := range a.c.Steps {
		for k, i := range order[s*bs : (s+1)*bs] {
			copy(x[k*d:(k+1)*d], a.subset.Row(i))
			labels[k] = a.subset.Labels[i]
		}
		loss, err := cp.Step(x, labels)
		if err != nil {
			return 0, err
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return math.Inf(1), nil
		}
	}
	loss, err := cp.Loss(a.subset)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(loss) {
		return math.Inf(1), nil
	}
	return loss, nil
}
