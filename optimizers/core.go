package optimizers

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/gorgonia-zoo/zoo/internal/par"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// algorithm is what each optimizer file provides to the shared loop in core.
type algorithm interface {
	// begin computes the per-step coefficients of step t (counted from 1)
	// from the current learning rate and advances the scalar state
	// core.extra. It is called once per Step, after every parameter has
	// been validated, so it never has to undo anything.
	begin(t int)
	// update is the kernel: it applies one step to the parameter theta,
	// given its gradient g (read only) and its buffers (in SlotNames order,
	// each as long as theta), all in float64.
	update(theta, g []float64, slots [][]float64)
}

// float32Kernel is implemented by algorithms with a fused kernel for a
// float32 parameter and gradient: one pass that widens each element, does
// exactly update's float64 arithmetic and rounds the result back, so the
// result is bit for bit the general path's.
type float32Kernel interface {
	update32(theta, g []float32, slots [][]float64)
}

// Rewritten is implemented by a ValueGrad whose gradient buffer the graph
// overwrites at every run rather than adds to (zoo's train package reads
// gradients from the derivative nodes, not from dual values). Step leaves
// such a gradient as it is instead of zeroing it: one pass over every
// gradient less per step.
type Rewritten interface {
	GradRewritten() bool
}

// core is the part shared by every optimizer: the step count, the learning
// rate, the per-parameter buffers, and the loop of Step that converts
// parameters and gradients to float64, runs the kernel and writes back.
type core struct {
	name      string
	lr        float64
	t         int
	hyper     map[string]float64 // validated hyper-parameters; "lr" is overridden by lr
	slotNames []string
	alg       algorithm
	extra     []float64 // scalar state, owned by alg; nil if none

	ready bool          // slots exist (first Step done, or restored)
	slots [][][]float64 // per parameter, per buffer
	sizes []int         // elements per parameter; -1 while unknown

	work    []param    // per-step scratch, reused
	spans   []span     // the step's blocks of work, reused
	workers []*scratch // one per goroutine of a step
}

// span is elements lo…hi−1 of parameter i: a block of a step's work.
type span struct{ i, lo, hi int }

// scratch is one goroutine's buffers for a step.
type scratch struct {
	theta []float64   // float64 copy of a chunk of a float32 parameter
	grad  []float64   // float64 copy of a chunk of a float32 gradient
	slots [][]float64 // the buffers' slices for the current span
	chunk [][]float64 // the buffers' slices for the current chunk
}

// param is one validated parameter of the current Step: exactly one of th32
// and th64, and one of g32 and g64, is set.
type param struct {
	n    int
	keep bool // the gradient is Rewritten: do not zero it
	th32 []float32
	th64 []float64
	g32  []float32
	g64  []float64
}

func newCore(name string, h map[string]float64, slotNames []string, alg algorithm) core {
	return core{name: name, lr: h["lr"], hyper: h, slotNames: slotNames, alg: alg}
}

// Name returns the registry name of the optimizer.
func (c *core) Name() string { return c.name }

// LearningRate returns the current learning rate.
func (c *core) LearningRate() float64 { return c.lr }

// SetLearningRate sets the learning rate of the following steps. An invalid
// rate (negative, infinite or NaN) makes the next Step fail.
func (c *core) SetLearningRate(lr float64) { c.lr = lr }

// Steps returns the number of updates done so far.
func (c *core) Steps() int { return c.t }

// Hyper returns every hyper-parameter in effect, "lr" being the current
// learning rate.
func (c *core) Hyper() map[string]float64 {
	h := make(map[string]float64, len(c.hyper))
	for k, v := range c.hyper {
		h[k] = v
	}
	h["lr"] = c.lr
	return h
}

// SlotNames returns the names of the per-parameter buffers, in the order of
// State.Slots[i].
func (c *core) SlotNames() []string { return append([]string(nil), c.slotNames...) }

func (c *core) errorf(format string, args ...any) error {
	return fmt.Errorf("optimizers: "+c.name+": "+format, args...)
}

// Step performs one update of every parameter in vgs, increments the step
// count and then sets every gradient to zero, as Gorgonia's own solvers do
// (Gorgonia's machines accumulate gradients into the dual values, so a
// gradient that is not consumed would be added to the next one) — except
// the gradients of a ValueGrad that is Rewritten.
// Parameters and gradients must be contiguous *tensor.Dense of dtype Float32
// or Float64 with equal shapes, listed in the same order at every step. On
// error nothing is changed.
func (c *core) Step(vgs []gorgonia.ValueGrad) error {
	if !nonNegative.ok(c.lr) {
		return c.errorf("invalid lr %v (want %s)", c.lr, nonNegative.want("lr"))
	}
	if c.ready && len(vgs) != len(c.slots) {
		return c.errorf("got %d parameters, want %d as in earlier steps (state is keyed by position)", len(vgs), len(c.slots))
	}
	defer clear(c.work) // do not keep the tensors alive
	c.work = c.work[:0]
	need := 0
	for i, vg := range vgs {
		p, err := c.inspect(i, vg)
		if err != nil {
			return err
		}
		if c.ready && c.sizes[i] >= 0 && c.sizes[i] != p.n {
			return c.errorf("parameter %d%s has %d elements, want %d as in earlier steps", i, paramName(vg), p.n, c.sizes[i])
		}
		if p.th64 == nil || p.g64 == nil {
			need = max(need, p.n)
		}
		c.work = append(c.work, p)
	}

	// Nothing can fail from here on.
	if !c.ready {
		c.allocate()
	}
	for i := range c.work {
		c.sizes[i] = c.work[i].n
	}
	t := c.t + 1
	c.alg.begin(t)
	c.update(min(need, chunk))
	c.t = t
	return nil
}

// block is the number of elements one goroutine updates at a time, and
// parallelMin the number of elements of a step below which one goroutine
// does it all: every kernel is element-wise, so the blocks are independent
// and the result does not depend on how they are shared out.
const (
	block       = 1 << 15
	parallelMin = 1 << 17
)

// update runs the kernel on every parameter of c.work, on up to GOMAXPROCS
// goroutines (the update of a large network's parameters is otherwise as
// long as a forward pass), with float64 scratch buffers of n elements.
func (c *core) update(n int) {
	c.spans = c.spans[:0]
	total := 0
	for i := range c.work {
		total += c.work[i].n
		for lo := 0; lo < c.work[i].n; lo += block {
			c.spans = append(c.spans, span{i, lo, min(lo+block, c.work[i].n)})
		}
	}
	workers := 1
	if total >= parallelMin {
		workers = min(runtime.GOMAXPROCS(0), len(c.spans))
	}
	for len(c.workers) < workers {
		c.workers = append(c.workers, &scratch{})
	}
	for _, w := range c.workers[:workers] {
		if len(w.theta) < n {
			w.theta, w.grad = make([]float64, n), make([]float64, n)
		}
		if len(w.slots) < len(c.slotNames) {
			w.slots, w.chunk = make([][]float64, len(c.slotNames)), make([][]float64, len(c.slotNames))
		}
	}
	if workers == 1 {
		for _, sp := range c.spans {
			c.updateSpan(c.workers[0], sp)
		}
		return
	}
	var next atomic.Int64
	par.Run(workers, func(i int) {
		w := c.workers[i]
		for k := int(next.Add(1)) - 1; k < len(c.spans); k = int(next.Add(1)) - 1 {
			c.updateSpan(w, c.spans[k])
		}
	})
}

// updateSpan updates one block of one parameter and consumes its gradient.
func (c *core) updateSpan(w *scratch, sp span) {
	p := c.work[sp.i]
	sub := param{n: sp.hi - sp.lo}
	if p.th32 != nil {
		sub.th32 = p.th32[sp.lo:sp.hi]
	} else {
		sub.th64 = p.th64[sp.lo:sp.hi]
	}
	if p.g32 != nil {
		sub.g32 = p.g32[sp.lo:sp.hi]
	} else {
		sub.g64 = p.g64[sp.lo:sp.hi]
	}
	slots := w.slots[:len(c.slots[sp.i])]
	for k, s := range c.slots[sp.i] {
		slots[k] = s[sp.lo:sp.hi]
	}
	defer clear(slots)
	if k, ok := c.alg.(float32Kernel); ok && sub.th32 != nil && sub.g32 != nil {
		k.update32(sub.th32, sub.g32, slots)
	} else if sub.th64 != nil && sub.g64 != nil {
		c.alg.update(sub.th64, sub.g64, slots)
	} else {
		c.updateChunks(w, &sub, slots)
	}
	if !p.keep {
		// Consume the gradient, as Gorgonia's solvers do: its machines
		// add each new gradient to the one already in the dual value.
		// The block was just read, so this pass runs from the cache.
		clear(sub.g32)
		clear(sub.g64)
	}
}

// chunk is the number of elements of a float32 parameter updated at a time:
// its float64 copies (2 × 8 KiB) stay in the L1 cache, so a step reads and
// writes each parameter and gradient once, whatever the optimizer.
const chunk = 1024

// updateChunks runs the kernel on a parameter or gradient held in float32,
// chunk by chunk through float64 copies (every kernel is element-wise).
// The arithmetic is the kernel's, in float64, so the result is the same as
// converting the whole parameter at once.
func (c *core) updateChunks(w *scratch, p *param, slots [][]float64) {
	sc := w.chunk[:len(slots)]
	for lo := 0; lo < p.n; lo += chunk {
		hi := min(lo+chunk, p.n)
		var theta, g []float64
		if p.th64 != nil {
			theta = p.th64[lo:hi]
		} else {
			theta = w.theta[:hi-lo]
			for j, x := range p.th32[lo:hi] {
				theta[j] = float64(x)
			}
		}
		if p.g64 != nil {
			g = p.g64[lo:hi]
		} else {
			g = w.grad[:hi-lo]
			for j, x := range p.g32[lo:hi] {
				g[j] = float64(x)
			}
		}
		for k, s := range slots {
			sc[k] = s[lo:hi]
		}
		c.alg.update(theta, g, sc)
		if p.th32 != nil {
			th := p.th32[lo:hi]
			for j, x := range theta {
				th[j] = float32(x)
			}
		}
	}
	clear(sc)
}

// allocate creates zeroed buffers for the parameters in c.work.
func (c *core) allocate() {
	c.slots = make([][][]float64, len(c.work))
	c.sizes = make([]int, len(c.work))
	for i, p := range c.work {
		c.slots[i] = make([][]float64, len(c.slotNames))
		for k := range c.slots[i] {
			c.slots[i][k] = make([]float64, p.n)
		}
	}
	c.ready = true
}

// paramName returns ` ("name")` for a named parameter such as a *gorgonia.Node.
func paramName(vg gorgonia.ValueGrad) string {
	if n, ok := vg.(interface{ Name() string }); ok {
		return fmt.Sprintf(" (%q)", n.Name())
	}
	return ""
}

// inspect validates parameter i and returns its backing slices.
func (c *core) inspect(i int, vg gorgonia.ValueGrad) (param, error) {
	if vg == nil {
		return param{}, c.errorf("parameter %d is nil", i)
	}
	v, err := dense(vg.Value())
	if err != nil {
		return param{}, c.errorf("parameter %d%s: value %v", i, paramName(vg), err)
	}
	gv, err := vg.Grad()
	if err != nil {
		return param{}, fmt.Errorf("optimizers: %s: parameter %d%s: no gradient: %w", c.name, i, paramName(vg), err)
	}
	g, err := dense(gv)
	if err != nil {
		return param{}, c.errorf("parameter %d%s: gradient %v", i, paramName(vg), err)
	}
	if !v.Shape().Eq(g.Shape()) || v.DataSize() != g.DataSize() {
		return param{}, c.errorf("parameter %d%s: gradient shape %v does not match value shape %v", i, paramName(vg), g.Shape(), v.Shape())
	}
	var p param
	if r, ok := vg.(Rewritten); ok && r.GradRewritten() {
		p.keep = true
	}
	if v.Dtype() == tensor.Float64 {
		p.th64 = v.Float64s()
		p.n = len(p.th64)
	} else {
		p.th32 = v.Float32s()
		p.n = len(p.th32)
	}
	if g.Dtype() == tensor.Float64 {
		p.g64 = g.Float64s()
	} else {
		p.g32 = g.Float32s()
	}
	return p, nil
}

// dense checks that v is a contiguous *tensor.Dense of Float32 or Float64
// whose backing array holds exactly its elements.
func dense(v gorgonia.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	switch {
	case v == nil || ok && d == nil:
		return nil, fmt.Errorf("is nil")
	case !ok:
		return nil, fmt.Errorf("is a %T, want a *tensor.Dense", v)
	case d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64:
		return nil, fmt.Errorf("has dtype %v, want float32 or float64", d.Dtype())
	case d.IsView() || d.RequiresIterator():
		return nil, fmt.Errorf("is a view, transposed or masked; want a contiguous tensor")
	case d.Shape().TotalSize() != dataLen(d):
		return nil, fmt.Errorf("has %d elements in its backing array for shape %v", dataLen(d), d.Shape())
	}
	return d, nil
}

func dataLen(d *tensor.Dense) int {
	if d.Dtype() == tensor.Float64 {
		return len(d.Float64s())
	}
	return len(d.Float32s())
}

// State returns a deep copy of the optimizer's state.
func (c *core) State() *State {
	s := &State{Name: c.name, Step: c.t, LR: c.lr}
	if c.ready {
		s.Slots = copySlots(c.slots)
	}
	if c.extra != nil {
		s.Extra = append([]float64(nil), c.extra...)
	}
	return s
}

func copySlots(src [][][]float64) [][][]float64 {
	dst := make([][][]float64, len(src))
	for i, bufs := range src {
		dst[i] = make([][]float64, len(bufs))
		for k, b := range bufs {
			dst[i][k] = append([]float64{}, b...)
		}
	}
	return dst
}

// SetState restores a state returned by State, the learning rate included;
// the hyper-parameters stay those this optimizer was created with. It
// rejects the state of another optimizer, a different number of parameters
// or buffers than this optimizer has (once it has stepped), and buffer
// lengths that differ from each other or from the parameters seen so far;
// the next Step checks the parameters against a restored state. A state
// with nil Slots (taken before the first Step) makes the optimizer forget
// its buffers. On error nothing is changed.
func (c *core) SetState(s *State) error {
	if s == nil {
		return c.errorf("SetState: nil state")
	}
	if s.Name != c.name {
		return c.errorf("SetState: state is of optimizer %q", s.Name)
	}
	if s.Step < 0 {
		return c.errorf("SetState: invalid step %d (want step ≥ 0)", s.Step)
	}
	if !nonNegative.ok(s.LR) {
		return c.errorf("SetState: invalid lr %v (want %s)", s.LR, nonNegative.want("lr"))
	}
	if len(s.Extra) != len(c.extra) {
		return c.errorf("SetState: state has %d extra values, want %d", len(s.Extra), len(c.extra))
	}
	var sizes []int
	if s.Slots != nil {
		if c.ready && len(s.Slots) != len(c.slots) {
			return c.errorf("SetState: state has %d parameters, want %d", len(s.Slots), len(c.slots))
		}
		sizes = make([]int, len(s.Slots))
		for i, bufs := range s.Slots {
			if len(bufs) != len(c.slotNames) {
				return c.errorf("SetState: parameter %d has %d buffers, want %d (%s)", i, len(bufs), len(c.slotNames), strings.Join(c.slotNames, ", "))
			}
			sizes[i] = -1
			for k, b := range bufs {
				if k == 0 {
					sizes[i] = len(b)
				} else if len(b) != sizes[i] {
					return c.errorf("SetState: parameter %d: buffer %s has %d values, want %d like %s", i, c.slotNames[k], len(b), sizes[i], c.slotNames[0])
				}
			}
			if c.ready && sizes[i] >= 0 && c.sizes[i] >= 0 && sizes[i] != c.sizes[i] {
				return c.errorf("SetState: parameter %d has buffers of %d values, want %d", i, sizes[i], c.sizes[i])
			}
			for k, b := range bufs {
				if j, want := badSlotValue(c.slotNames[k], b); j >= 0 {
					return c.errorf("SetState: parameter %d: buffer %s holds %v at index %d, want %s: the state is damaged", i, c.slotNames[k], b[j], j, want)
				}
			}
		}
	}

	c.t = s.Step
	c.lr = s.LR
	copy(c.extra, s.Extra)
	if s.Slots == nil {
		c.ready, c.slots, c.sizes = false, nil, nil
		return nil
	}
	if c.ready {
		for i := range sizes {
			if sizes[i] < 0 {
				sizes[i] = c.sizes[i]
			}
		}
	}
	c.ready, c.slots, c.sizes = true, copySlots(s.Slots), sizes
	return nil
}

// pow returns x^t for the bias corrections.
func pow(x float64, t int) float64 { return math.Pow(x, float64(t)) }

// badSlotValue returns the index of the first value of the buffer name
// that no run could have stored, and what was wanted; -1 when there is
// none. Every buffer is finite; the running sums and averages of squares
// (and Adamax's infinity norm) are also never negative, so a negative one
// is damage, which would otherwise surface steps later as a NaN blamed on
// the learning rate.
func badSlotValue(name string, b []float64) (int, string) {
	nonNegative := false
	switch name {
	case "exp_avg_sq", "max_exp_avg_sq", "sum", "square_avg", "acc_delta", "exp_inf":
		nonNegative = true
	}
	for j, v := range b {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return j, "a finite number"
		case nonNegative && v < 0:
			return j, "a number ≥ 0 (a running sum or average of squares)"
		}
	}
	return -1, ""
}
