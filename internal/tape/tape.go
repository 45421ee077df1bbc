// Package tape compiles a model's Gorgonia graph into a program that runs
// batch after batch: the forward pass and loss for inference, plus the
// gradients for training. It is the one place that reaches into Gorgonia
// v0.9.18's unexported tape-machine fields (see the rerunner type), so that a
// rerun keeps the previous run's buffers instead of allocating every
// intermediate tensor again; train and infer compile through it and never
// touch the machine themselves.
package tape

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/gorgonia-zoo/zoo/internal/par"
	"github.com/gorgonia-zoo/zoo/internal/vec"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Program is one compiled graph: its input nodes with the tensors fed to
// them, the per-example loss, the output, and (when it learns) the scalar
// objective and the parameters' value/gradient pairs. The caller sets
// Inputs, Per and Out, then calls CompileTraining or CompileInference.
type Program struct {
	// Inputs are the graph's input nodes; Feed holds one tensor per input,
	// of its shape, reused for every batch: fill it, then Run.
	Inputs []*gorgonia.Node
	Feed   []*tensor.Dense
	// Per is the per-example loss and Out the output (nil if not read).
	Per *gorgonia.Node
	Out *gorgonia.Node
	// Cost is the training objective; nil for inference.
	Cost *gorgonia.Node
	// VGs are the parameters with their gradients as the last run left
	// them, for the optimizer.
	VGs []gorgonia.ValueGrad
	// RNG redraws the graph's random inputs (dropout masks) before every
	// run; needed only when the graph has some (HasRandom).
	RNG rand.Source

	vm     gorgonia.VM
	random []*models.RandomInput
	ahead  masksAhead
	// rerun restarts vm without dropping its buffers; nil means vm.Reset.
	rerun *rerunner
}

func (p *Program) allocFeed() {
	p.Feed = make([]*tensor.Dense, len(p.Inputs))
	for i, in := range p.Inputs {
		p.Feed[i] = tensor.New(tensor.Of(in.Dtype()), tensor.WithShape(in.Shape().Clone()...))
	}
}

// CompileTraining differentiates cost (the objective with any penalty
// added, built on g) with respect to params and compiles the part of g that
// the cost, Per, Out and the gradients need.
func (p *Program) CompileTraining(g *models.Graph, cost *gorgonia.Node, params gorgonia.Nodes) error {
	p.Cost = cost
	if _, err := gorgonia.Grad(cost, params...); err != nil {
		return fmt.Errorf("tape: gradients: %w", err)
	}
	// Compile only what the objective, the outputs and the parameters'
	// gradients need: Grad also differentiates the inputs (a wasted matrix
	// product per input layer). Add a root to read another node after a run.
	roots := gorgonia.Nodes{cost, p.Per}
	if p.Out != nil {
		roots = append(roots, p.Out)
	}
	for _, n := range params {
		roots = append(roots, n.Deriv())
	}
	sub := g.G.SubgraphRoots(roots...)
	p.vm = gorgonia.NewTapeMachine(sub)
	p.rerun = newRerunner(p.vm, sub)
	p.VGs = make([]gorgonia.ValueGrad, len(params))
	for i, n := range params {
		p.VGs[i] = gradient{n}
	}
	p.allocFeed()
	p.random = g.Random
	return nil
}

// CompileInference compiles all of g, a graph without gradients.
func (p *Program) CompileInference(g *models.Graph) {
	p.vm = gorgonia.NewTapeMachine(g.G)
	p.rerun = newRerunner(p.vm, g.G)
	p.allocFeed()
	p.random = g.Random
}

// HasRandom reports whether the graph has random inputs, which Run redraws
// from RNG.
func (p *Program) HasRandom() bool { return len(p.random) > 0 }

// Run feeds the inputs, executes the graph and returns the objective (0 for
// an inference graph). The node values stay readable until the next run,
// which reuses their buffers. A finite objective with a non-finite gradient
// returns a *NonFiniteGradient.
func (p *Program) Run() (float64, error) {
	for i, in := range p.Inputs {
		if err := gorgonia.Let(in, p.Feed[i]); err != nil {
			return 0, fmt.Errorf("tape: feed %s: %w", in.Name(), err)
		}
	}
	if len(p.random) > 0 {
		if p.RNG == nil {
			return 0, fmt.Errorf("tape: the graph has random input %s but no random generator was given", p.random[0].Node.Name())
		}
		if !p.ahead.take(p.random, p.RNG) {
			for _, ri := range p.random {
				ri.Fill(ri.Value, p.RNG)
			}
		}
		for _, ri := range p.random {
			if err := gorgonia.Let(ri.Node, ri.Value); err != nil {
				return 0, fmt.Errorf("tape: feed %s: %w", ri.Node.Name(), err)
			}
		}
		p.ahead.offer(p.random, p.RNG)
	}
	if p.rerun != nil {
		p.rerun.restart()
	} else {
		p.vm.Reset()
	}
	if err := p.vm.RunAll(); err != nil {
		p.rerun.forget()
		return 0, fmt.Errorf("tape: run graph: %w", err)
	}
	p.rerun.keep()
	if p.Cost == nil {
		return 0, nil
	}
	loss := Scalar(p.Cost.Value())
	if !Finite(loss) {
		// Start the next run from fresh buffers, not from ones holding
		// NaN or Inf.
		p.rerun.forget()
		return loss, nil
	}
	for _, vg := range p.VGs {
		// A finite loss can still come with an overflowed gradient;
		// stepping on it would ruin the weights.
		if g, err := vg.Grad(); err == nil && !allFinite(g) {
			p.rerun.forget()
			return loss, &NonFiniteGradient{Param: vg.(gradient).Name()}
		}
	}
	return loss, nil
}

// gradient is a parameter with its gradient as the last run computed it:
// the value of its derivative node. Gorgonia's BindDualValues would add
// every gradient into a second buffer per parameter after each run (a pass
// over all the parameters, on one goroutine, about a tenth of a step of the
// bench's MLP); the optimizer reads the derivative node's value instead.
type gradient struct{ n *gorgonia.Node }

func (g gradient) Value() gorgonia.Value { return g.n.Value() }
func (g gradient) Name() string          { return g.n.Name() }

// GradRewritten tells the optimizer not to zero the gradient after its
// step (see optimizers.Rewritten): every run writes the derivative node's
// value afresh.
func (g gradient) GradRewritten() bool { return true }

func (g gradient) Grad() (gorgonia.Value, error) {
	if v := g.n.Deriv().Value(); v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("tape: the gradient of %s has not been computed", g.n.Name())
}

// NonFiniteGradient reports a NaN or Inf in a parameter's gradient after a
// run whose objective was finite: the training loop stops on it as it does
// on a non-finite loss, naming the parameter.
type NonFiniteGradient struct{ Param string }

// Error names the parameter.
func (e *NonFiniteGradient) Error() string {
	return fmt.Sprintf("tape: the gradient of %s is not finite", e.Param)
}

// Finite reports whether v is neither NaN nor infinite.
func Finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// allFinite reports whether every element of v is finite. It reads every
// gradient once a step: float32 ones through vec.Finite, at memory speed,
// shared between cores when large.
func allFinite(v gorgonia.Value) bool {
	switch d := v.Data().(type) {
	case []float32:
		return finite32(d)
	case []float64:
		for _, x := range d {
			if !Finite(x) {
				return false
			}
		}
	case float32: // a scalar or one-element tensor
		return Finite(float64(d))
	case float64:
		return Finite(d)
	}
	return true
}

// finiteGrain is the number of elements from which finite32 splits its
// check between cores: the bench's MLP reads 2.8M gradients a step, about
// 0.8 ms of CPU time on this 2-core machine, and par's workers start within
// microseconds.
const finiteGrain = 1 << 16

func finite32(d []float32) bool {
	w := min(runtime.GOMAXPROCS(0), len(d)/finiteGrain)
	if w <= 1 {
		return vec.Finite(d)
	}
	step := (len(d) + w - 1) / w
	var bad atomic.Bool
	par.Run(w, func(i int) {
		if !vec.Finite(d[i*step : min((i+1)*step, len(d))]) {
			bad.Store(true)
		}
	})
	return !bad.Load()
}

// Close releases the compiled machine.
func (p *Program) Close() {
	p.ahead.wait()
	if p.vm != nil {
		p.vm.Close()
	}
}

// Scalar returns a scalar value as a float64 (NaN if v is not a float
// scalar).
func Scalar(v gorgonia.Value) float64 {
	switch d := v.Data().(type) {
	case float32:
		return float64(d)
	case float64:
		return d
	}
	return math.NaN()
}

// Float64s returns a value's elements widened to float64.
func Float64s(v gorgonia.Value) []float64 {
	switch d := v.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return d
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	return nil
}

// FillRows copies the rows in x into t and zeroes the rest (padding).
func FillRows(t *tensor.Dense, x []float32) {
	switch d := t.Data().(type) {
	case []float32:
		m := copy(d, x)
		clear(d[m:])
	case []float64:
		for i, v := range x {
			d[i] = float64(v)
		}
		clear(d[len(x):])
	}
}

// rerunWithoutReset switches the register reuse of rerunner on; tests turn
// it off to compare with plain Reset.
var rerunWithoutReset = true

// A rerunner restarts a Gorgonia v0.9.18 tape machine for the next run
// while keeping the output buffers of its operations.
//
// Why: the machine's only way to run again is Reset, which sets the
// instruction pointer (the unexported field pc) to 0 and every register to
// nil, so every run allocates every intermediate tensor again: the products'
// alloc instructions (alloc.exec allocates when its register is empty) and
// every op without a preallocated output (execOp.exec calls Do when its
// register is empty, UsePreallocDo when it holds a tensor). For the
// 784-1000-1000-1000-10 MLP at batch 128 that is 20 MB a step. There is no
// exported way to rerun without it, so the rerunner sets pc and the
// registers (the field cpumem) itself, through reflect, and falls back to
// Reset when they are not there as expected (newRerunner returns nil).
//
// What it keeps is chosen so that a run differs from one after Reset only
// in where results are written, never in what is computed. Before a run
// every register is set to nil, as Reset does, except those whose first
// writer in the program is an alloc instruction or an op that can write
// into a given tensor (a UsePreallocDoer, not in place, not returning a
// view of its input): such a register is given the tensor that same
// instruction produced in the previous run, of the same dtype and shape.
// alloc then keeps it instead of allocating, and the op writes into it
// instead of allocating. Later writers of a register see it filled, as
// they do after Reset. A kept tensor must be the machine's own: one that
// shares memory with an argument of the graph (parameter, input, constant)
// or with another kept tensor is not kept. An op that accumulated into its
// output would read stale values; the ops the project's models, losses and
// penalties use do not: TestRerunMatchesReset trains them both ways and
// finds the parameters and every value read after a run bit-identical. A
// run that fails or gives a non-finite loss or gradient drops the kept
// buffers.
type rerunner struct {
	pc    reflect.Value // the machine's pc, settable
	mem   []gorgonia.Value
	first []*gorgonia.Node // per register: the node whose instruction writes it first, if it may be kept
	kept  []gorgonia.Value
	args  []*gorgonia.Node // loaded by loadArg: memory the machine does not own
	spans []span           // keep's scratch
}

// span is the memory [lo, hi) of a register's tensor (reg ≥ 0) or of an
// argument of the graph (reg = −1).
type span struct {
	lo, hi uintptr
	reg    int
}

// newRerunner inspects vm, a tape machine compiled from g, and returns nil
// (meaning: use Reset) if it is not laid out as in Gorgonia v0.9.18.
func newRerunner(vm gorgonia.VM, g *gorgonia.ExprGraph) *rerunner {
	if !rerunWithoutReset {
		return nil
	}
	r, err := inspectTape(vm, g)
	if err != nil {
		// Not a v0.9.18 CPU tape machine: plain Reset still works.
		return nil
	}
	return r
}

func inspectTape(vm gorgonia.VM, g *gorgonia.ExprGraph) (*rerunner, error) {
	v := reflect.ValueOf(vm)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct || v.Elem().Type().Name() != "tapeMachine" {
		return nil, fmt.Errorf("tape: %T is not a tape machine", vm)
	}
	m := v.Elem()
	pc, err := field(m, "pc", reflect.TypeOf(0))
	if err != nil {
		return nil, err
	}
	cpu, err := field(m, "cpumem", reflect.TypeOf([]gorgonia.Value(nil)))
	if err != nil {
		return nil, err
	}
	gpu, err := field(m, "gpumem", reflect.TypeOf([]gorgonia.Value(nil)))
	if err != nil || gpu.Len() != 0 {
		return nil, fmt.Errorf("tape: tape machine with GPU registers")
	}
	prog := m.FieldByName("p")
	if prog.Kind() != reflect.Pointer || prog.IsNil() || prog.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("tape: tape machine without a program")
	}
	instrs := prog.Elem().FieldByName("instructions")
	if instrs.Kind() != reflect.Slice {
		return nil, fmt.Errorf("tape: tape program without instructions")
	}
	r := &rerunner{pc: pc, mem: cpu.Interface().([]gorgonia.Value)}
	r.first = make([]*gorgonia.Node, len(r.mem))
	r.kept = make([]gorgonia.Value, len(r.mem))
	written := make([]bool, len(r.mem))
	for i := range instrs.Len() {
		in := instrs.Index(i)
		if in.Kind() == reflect.Interface {
			in = in.Elem()
		}
		if in.Kind() == reflect.Pointer {
			in = in.Elem()
		}
		if in.Kind() != reflect.Struct {
			return nil, fmt.Errorf("tape: unexpected tape instruction %v", in.Type())
		}
		switch in.Type().Name() {
		case "free", "flushInstr", "readInstr":
			// Write no register on the CPU.
			continue
		case "alloc", "loadArg", "execOp":
		default: // letInstr, deviceTransport, or unknown
			return nil, fmt.Errorf("tape: unsupported tape instruction %v", in.Type())
		}
		reg, err := register(in.FieldByName("writeTo"), len(r.mem))
		if err != nil {
			return nil, err
		}
		var id reflect.Value
		if in.Type().Name() == "loadArg" {
			id = in.FieldByName("index")
		} else {
			id = in.FieldByName("id")
		}
		if id.Kind() != reflect.Int64 {
			return nil, fmt.Errorf("tape: tape instruction %v without a node id", in.Type())
		}
		n, ok := g.Node(id.Int()).(*gorgonia.Node)
		if !ok || n == nil {
			return nil, fmt.Errorf("tape: tape instruction for node %d, not in the graph", id.Int())
		}
		if in.Type().Name() == "loadArg" {
			r.args = append(r.args, n)
		}
		if written[reg] {
			continue
		}
		written[reg] = true
		switch in.Type().Name() {
		case "alloc":
			r.first[reg] = n
		case "execOp":
			unsafe, pre := in.FieldByName("useUnsafe"), in.FieldByName("preAllocated")
			if unsafe.Kind() != reflect.Bool || pre.Kind() != reflect.Bool {
				return nil, fmt.Errorf("tape: tape execOp without its flags")
			}
			op := n.Op()
			if _, ok := op.(gorgonia.UsePreallocDoer); ok && !unsafe.Bool() && !op.ReturnsPtr() && op.OverwritesInput() < 0 {
				r.first[reg] = n
			}
		}
	}
	return r, nil
}

// field returns m's field name, made settable, if it has type t.
func field(m reflect.Value, name string, t reflect.Type) (reflect.Value, error) {
	f := m.FieldByName(name)
	if !f.IsValid() || f.Type() != t {
		return reflect.Value{}, fmt.Errorf("tape: tape machine has no field %s of type %v", name, t)
	}
	return reflect.NewAt(t, unsafe.Pointer(f.UnsafeAddr())).Elem(), nil
}

// register reads a CPU register number from an instruction's writeTo.
func register(w reflect.Value, n int) (int, error) {
	if w.Kind() != reflect.Struct {
		return 0, fmt.Errorf("tape: tape register is a %v", w.Kind())
	}
	id, dev := w.FieldByName("id"), w.FieldByName("device")
	if id.Kind() != reflect.Int || !dev.CanInt() || dev.Int() != int64(gorgonia.CPU) {
		return 0, fmt.Errorf("tape: tape register is not on the CPU")
	}
	if id.Int() < 0 || id.Int() >= int64(n) {
		return 0, fmt.Errorf("tape: tape register %d out of %d", id.Int(), n)
	}
	return int(id.Int()), nil
}

// restart readies the machine for the next run: pc 0, the kept buffers in
// their registers, every other register empty.
func (r *rerunner) restart() {
	r.pc.SetInt(0)
	copy(r.mem, r.kept)
}

// forget drops the kept buffers: the next run allocates afresh.
func (r *rerunner) forget() {
	if r != nil {
		clear(r.kept)
	}
}

// keep records, after a successful run, the tensor each keepable register's
// first writer produced, unless it shares memory with an argument of the
// graph or another kept tensor.
func (r *rerunner) keep() {
	if r == nil {
		return
	}
	spans := r.spans[:0]
	add := func(v gorgonia.Value, reg int) {
		if v == nil || v.MemSize() == 0 {
			return
		}
		lo := v.Uintptr()
		spans = append(spans, span{lo, lo + v.MemSize(), reg})
	}
	// The programs bind no dual values (see gradient), so an argument's
	// only memory outside the registers is its value.
	for _, n := range r.args {
		add(n.Value(), -1)
	}
	clear(r.kept)
	for reg, n := range r.first {
		if n == nil {
			continue
		}
		d, ok := n.Value().(*tensor.Dense)
		if !ok || d.IsView() || d.Dtype() != n.Dtype() || !d.Shape().Eq(n.Shape()) {
			continue
		}
		r.kept[reg] = d
		add(d, reg)
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	for i, a := range spans {
		// Sorted by start, so every later span starting before a ends
		// overlaps it.
		for _, b := range spans[i+1:] {
			if b.lo >= a.hi {
				break
			}
			for _, reg := range [2]int{a.reg, b.reg} {
				if reg >= 0 {
					r.kept[reg] = nil
				}
			}
		}
	}
	r.spans = spans
}

// FillOneHot writes one-hot rows for the first n labels into t and zeroes
// the rest, so a padded evaluation batch has all-zero target rows (whose
// loss is 0).
func FillOneHot(t *tensor.Dense, labels []int, n int) {
	k := t.Shape()[1]
	switch d := t.Data().(type) {
	case []float32:
		clear(d)
		for i := range n {
			d[i*k+labels[i]] = 1
		}
	case []float64:
		clear(d)
		for i := range n {
			d[i*k+labels[i]] = 1
		}
	}
}
