// Package par runs parallel sections on persistent worker goroutines.
//
// Starting a goroutine per section (go f() and a WaitGroup) is slow on a
// machine with idle cores: the new goroutine runs only once an idle P's
// thread, asleep in the kernel, has woken up, which on a 2-vCPU VM takes
// 65–100 µs, while a training step runs a section every few hundred
// microseconds. Like OpenBLAS's threads, the workers here keep spinning for
// a short time after a section, so that the next one starts on them at once.
//
// The workers are process-wide state, started on first use and never
// stopped (like the runtime's own threads): up to GOMAXPROCS-1 goroutines,
// which park, costing nothing, when no section has come for a while.
package par

import (
	"runtime"
	"sync/atomic"
	"time"
)

// DefaultSpin is how long a worker, or a caller waiting for its helpers,
// keeps polling before it parks, unless SetSpin says otherwise; a parked
// worker takes as long to wake as a new goroutine. In training steps (MLP
// and DAE, batch 128) 95% of the gaps between sections are under 300 µs and
// most others over 1 ms.
const DefaultSpin = 500 * time.Microsecond

// spin is the polling time in effect, in nanoseconds.
var spin atomic.Int64

func init() { spin.Store(int64(DefaultSpin)) }

// SetSpin sets how long workers poll for the next section before they park
// and returns the previous setting. A BLAS library whose own threads spin
// between its products (OpenBLAS) wants 0: two pools spinning on the same
// cores take turns with each other instead of working (measured on the
// bench's MLP, batch 128: about 20 % fewer samples/s with both spinning).
func SetSpin(d time.Duration) time.Duration {
	return time.Duration(spin.Swap(int64(max(d, 0))))
}

// polls is how many times a spinning goroutine checks for work between two
// calls to runtime.Gosched, which let other goroutines run on its P and
// bound how long it spins.
const polls = 64

// Run calls f(0), …, f(tasks-1), each once, on the calling goroutine and up
// to GOMAXPROCS-1 other goroutines, and returns when all calls have
// returned. The goroutines claim tasks one at a time, in order, until none is
// left, so f must not depend on which goroutine runs a task or on how many
// take part. With tasks <= 1 or GOMAXPROCS == 1, the caller runs them all.
//
// The helpers are the persistent workers, unless another Run is using them
// (a concurrent Run, or a Run in a task of a Run): then Run starts new
// goroutines, as it would without this package, so that concurrent callers
// still share the cores and a nested Run never waits for a worker.
//
// If f panics, Run skips the tasks not yet started, waits for those
// running, and panics on the caller's goroutine: a panic on the caller goes
// on, and one on a helper is raised again with the same value (its stack is
// lost). If f calls runtime.Goexit on a helper, Run calls it on the caller.
func Run(tasks int, f func(task int)) {
	procs := runtime.GOMAXPROCS(0)
	if tasks <= 1 || procs == 1 {
		for i := range tasks {
			f(i)
		}
		return
	}
	j := &job{f: f, tasks: int64(tasks), done: make(chan struct{})}
	j.left.Store(int64(tasks))
	helpers := min(procs, tasks) - 1
	if pool.busy.CompareAndSwap(false, true) {
		j.pooled = true
		offer(j, procs-1, helpers)
	} else {
		for range helpers {
			go j.work(true)
		}
	}
	returned := false
	defer j.finish(&returned)
	j.work(false)
	returned = true
}

// pool is the set of workers. Only the Run holding busy touches seq and
// workers: busy orders the Runs that hold it one after another.
var pool struct {
	busy    atomic.Bool
	job     atomic.Pointer[job]             // the job on offer; nil between Runs
	later   [laterSlots]atomic.Pointer[job] // the Laters on offer (see Idle)
	seq     uint64                          // numbers the jobs
	workers []*worker
}

// offer starts workers until there are want, hands j to the first helpers
// of them and wakes those that are parked. The caller holds pool.busy.
func offer(j *job, want, helpers int) {
	for len(pool.workers) < want {
		w := &worker{id: len(pool.workers), wake: make(chan struct{}, 1)}
		pool.workers = append(pool.workers, w)
		go w.loop()
	}
	pool.seq++
	j.seq, j.helpers = pool.seq, helpers
	pool.job.Store(j)
	for _, w := range pool.workers[:helpers] {
		if w.parked.Load() && w.parked.CompareAndSwap(true, false) {
			w.wake <- struct{}{}
		}
	}
}

// A job is one call of Run.
type job struct {
	f       func(int)
	tasks   int64
	next    atomic.Int64 // the next task to claim; past tasks when none is left
	left    atomic.Int64 // the tasks not yet returned or skipped
	done    chan struct{}
	failure atomic.Pointer[failure] // the first failure; tasks claimed after it are skipped
	pooled  bool                    // the workers serve it, and pool.busy is held
	seq     uint64                  // its number among the pool's jobs
	helpers int                     // the workers that may serve it: ids below helpers
}

// A failure is a panic or runtime.Goexit in a task, or the caller's
// goroutine unwinding (the caller then has its own panic to go on with).
type failure struct {
	value     any
	goexit    bool
	unwinding bool
}

// work claims and runs tasks until none is left. Helpers recover the panics
// of f, to pass them on to the caller.
func (j *job) work(helper bool) {
	for {
		i := j.next.Add(1) - 1
		if i >= j.tasks {
			return
		}
		j.do(int(i), helper)
	}
}

// do runs task i, or skips it after a failure, and counts it as done.
func (j *job) do(i int, helper bool) {
	normal := false
	defer func() {
		if !normal && helper {
			if v := recover(); v != nil {
				j.failure.CompareAndSwap(nil, &failure{value: v})
			} else {
				j.failure.CompareAndSwap(nil, &failure{goexit: true})
			}
		} else if !normal {
			j.failure.CompareAndSwap(nil, &failure{unwinding: true})
		}
		if j.left.Add(-1) == 0 {
			close(j.done)
		}
	}()
	if j.failure.Load() == nil {
		j.f(i)
	}
	normal = true
}

// finish runs on the caller when its part of j is over, normally or not: it
// waits for the helpers, releases the pool and passes a helper's failure on.
func (j *job) finish(returned *bool) {
	if !*returned {
		j.failure.CompareAndSwap(nil, &failure{unwinding: true})
		j.work(false) // skip the tasks not yet claimed
	}
	j.wait()
	if j.pooled {
		pool.job.Store(nil)
		pool.busy.Store(false)
	}
	if fl := j.failure.Load(); *returned && fl != nil {
		if fl.goexit {
			runtime.Goexit()
		}
		panic(fl.value)
	}
}

// wait returns when every task of j has returned or been skipped: it polls
// for up to spin, as the helpers usually finish within microseconds of the
// caller, then blocks.
func (j *job) wait() {
	start := time.Now()
	for n := 1; j.left.Load() != 0; n++ {
		if n%polls == 0 {
			if time.Since(start) > time.Duration(spin.Load()) {
				<-j.done
				return
			}
			runtime.Gosched()
		}
	}
}

// A worker is a persistent helper goroutine.
type worker struct {
	id     int
	parked atomic.Bool // set by the worker before it blocks, cleared by whoever wakes it
	wake   chan struct{}
}

// loop serves the jobs offered to the worker: it polls pool.job, with a
// runtime.Gosched every polls checks, for up to spin after its last job,
// then parks until a Run wakes it.
func (w *worker) loop() {
	// A task that calls runtime.Goexit ends the goroutine: replace it.
	defer func() { go w.loop() }()
	var seq uint64
	offered := func() *job {
		if j := pool.job.Load(); j != nil && j.seq != seq && w.id < j.helpers {
			return j
		}
		return nil
	}
	idle := time.Now()
	for n := 1; ; n++ {
		if j := offered(); j != nil {
			seq = j.seq
			j.work(true)
			idle, n = time.Now(), 0
			continue
		}
		if claimLater() {
			idle, n = time.Now(), 0
			continue
		}
		if n%polls != 0 {
			continue
		}
		if time.Since(idle) < time.Duration(spin.Load()) {
			runtime.Gosched()
			continue
		}
		// Park. A Run stores its job before it looks at parked, and the
		// worker sets parked before it looks at the job: one of them
		// sees the other.
		w.parked.Store(true)
		if offered() == nil || !w.parked.CompareAndSwap(true, false) {
			<-w.wake
		}
		idle, n = time.Now(), 0
	}
}
