package par

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// setProcs sets GOMAXPROCS for the rest of the test.
func setProcs(t *testing.T, n int) {
	old := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(old) })
}

// workers returns the pool's workers, holding the pool meanwhile.
func workers() []*worker {
	for !pool.busy.CompareAndSwap(false, true) {
		runtime.Gosched()
	}
	defer pool.busy.Store(false)
	return append([]*worker(nil), pool.workers...)
}

// goid returns the id of the calling goroutine.
func goid() int {
	var buf [64]byte
	b := bytes.TrimPrefix(buf[:runtime.Stack(buf[:], false)], []byte("goroutine "))
	id, err := strconv.Atoi(string(b[:bytes.IndexByte(b, ' ')]))
	if err != nil {
		panic(err)
	}
	return id
}

// barrier returns a func that blocks until n goroutines have called it, or
// fails the test after a while (when fewer goroutines run the tasks).
func barrier(t *testing.T, n int) func() {
	var wg sync.WaitGroup
	wg.Add(n)
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	return func() {
		wg.Done()
		select {
		case <-all:
		case <-time.After(10 * time.Second):
			t.Error("the tasks did not run concurrently")
		}
	}
}

// checkOnce runs Run(tasks, …) and checks that every task ran once; the
// plain writes let the race detector check the synchronization too.
func checkOnce(t *testing.T, tasks int) {
	ran := make([]int, max(tasks, 0))
	Run(tasks, func(i int) { ran[i]++ })
	for i, n := range ran {
		if n != 1 {
			t.Errorf("Run(%d): task %d ran %d times", tasks, i, n)
		}
	}
}

func TestRunEachTaskOnce(t *testing.T) {
	// GOMAXPROCS goes up and down, so that Run has fewer helpers than workers.
	for _, procs := range []int{1, 2, 4, 8, 3, 2, 1, 5} {
		setProcs(t, procs)
		for _, tasks := range []int{-1, 0, 1, 2, 3, 7, 8, 9, 64, 1000} {
			t.Run(fmt.Sprintf("procs=%d/tasks=%d", procs, tasks), func(t *testing.T) {
				for range 20 {
					checkOnce(t, tasks)
				}
			})
		}
	}
}

func TestRunIsParallel(t *testing.T) {
	for _, procs := range []int{2, 3, 4} {
		t.Run(fmt.Sprint("procs=", procs), func(t *testing.T) {
			setProcs(t, procs)
			// Workers spinning, parking (a wake-up lost there would time
			// out the barrier) and parked.
			for r := range 200 {
				time.Sleep(time.Duration(r%5) * DefaultSpin / 2)
				wait := barrier(t, procs)
				Run(procs, func(int) { wait() })
			}
		})
	}
}

func TestWorkersPark(t *testing.T) {
	setProcs(t, 2)
	Run(2, func(int) {})
	deadline := time.Now().Add(10 * time.Second)
	for _, w := range workers() {
		for !w.parked.Load() {
			if time.Now().After(deadline) {
				t.Fatalf("worker %d still spinning long after spin (%v)", w.id, DefaultSpin)
			}
			time.Sleep(DefaultSpin)
		}
	}
	wait := barrier(t, 2)
	Run(2, func(int) { wait() })
}

func TestRunConcurrent(t *testing.T) {
	setProcs(t, max(4, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for r := range 200 {
				checkOnce(t, (g*7+r)%40)
			}
		})
	}
	wg.Wait()
}

func TestRunNested(t *testing.T) {
	setProcs(t, max(4, runtime.GOMAXPROCS(0)))
	for _, shape := range [][3]int{{2, 2, 2}, {4, 5, 3}, {1, 8, 1}, {9, 1, 9}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			a, b, c := shape[0], shape[1], shape[2]
			ran := make([]int, a*b*c)
			Run(a, func(i int) {
				Run(b, func(j int) {
					Run(c, func(k int) { ran[(i*b+j)*c+k]++ })
				})
			})
			for i, n := range ran {
				if n != 1 {
					t.Errorf("task %d ran %d times", i, n)
				}
			}
		})
	}
}

func TestRunNestedConcurrent(t *testing.T) {
	setProcs(t, max(4, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	var ran atomic.Int64
	for range 16 {
		wg.Go(func() {
			for range 20 {
				Run(3, func(int) { Run(4, func(int) { ran.Add(1) }) })
			}
		})
	}
	wg.Wait()
	if n := ran.Load(); n != 16*20*3*4 {
		t.Errorf("%d tasks ran, want %d", n, 16*20*3*4)
	}
}

func TestRunPanic(t *testing.T) {
	setProcs(t, max(4, runtime.GOMAXPROCS(0)))
	for _, tc := range []struct {
		name  string
		tasks int
		// who says whether task i panics, on the caller or not.
		who func(i int, onCaller bool) bool
	}{
		{"helper", 2, func(_ int, c bool) bool { return !c }},
		{"caller", 2, func(_ int, c bool) bool { return c }},
		{"both", 2, func(int, bool) bool { return true }},
		{"first", 100, func(i int, _ bool) bool { return i == 0 }},
		{"last", 100, func(i int, _ bool) bool { return i == 99 }},
		{"every", 100, func(int, bool) bool { return true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 10 {
				caller := goid()
				var started, finished atomic.Int64
				wait := barrier(t, 2)
				got := func() (p any) {
					defer func() { p = recover() }()
					Run(tc.tasks, func(i int) {
						started.Add(1)
						defer finished.Add(1)
						if tc.tasks == 2 {
							wait() // one task on the caller, the other on a helper
						} else {
							time.Sleep(100 * time.Microsecond)
						}
						if tc.who(i, goid() == caller) {
							panic(fmt.Sprint("task ", i))
						}
					})
					return nil
				}()
				if s, ok := got.(string); !ok || len(s) < 5 || s[:5] != "task " {
					t.Fatalf("recovered %v, want a task's panic", got)
				}
				if s, f := started.Load(), finished.Load(); s != f {
					t.Fatalf("Run returned with %d tasks running", s-f)
				}
				checkOnce(t, 10) // the pool is still usable
			}
		})
	}
}

func TestRunPanicNil(t *testing.T) {
	setProcs(t, 2)
	caller := goid()
	wait := barrier(t, 2)
	defer func() {
		if _, ok := recover().(*runtime.PanicNilError); !ok {
			t.Error("panic(nil) on a helper did not reach the caller")
		}
	}()
	Run(2, func(int) {
		wait()
		if goid() != caller {
			panic(nil)
		}
	})
}

func TestRunGoexit(t *testing.T) {
	setProcs(t, 2)
	before := len(workers())
	for _, onCaller := range []bool{false, true} {
		exited := make(chan bool)
		go func() {
			returned := false
			defer func() { exited <- returned }()
			caller := goid()
			wait := barrier(t, 2)
			Run(2, func(int) {
				wait() // one task on the caller, the other on a helper
				if (goid() == caller) == onCaller {
					runtime.Goexit()
				}
			})
			returned = true
		}()
		if <-exited {
			t.Errorf("onCaller=%v: Run returned after a task called runtime.Goexit", onCaller)
		}
		checkOnce(t, 10)
	}
	if after := len(workers()); after != before {
		t.Errorf("%d workers, want %d", after, before)
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	setProcs(t, 4)
	checkOnce(t, 10) // start the workers
	n := len(workers())
	base := runtime.NumGoroutine()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for r := range 100 {
				checkOnce(t, r%9)
				Run(2, func(int) { checkOnce(t, 5) })
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), base)
		}
		time.Sleep(time.Millisecond)
	}
	if m := len(workers()); m != n {
		t.Errorf("%d workers, want %d", m, n)
	}
}

// TestNoSpin checks that with SetSpin(0) workers park at once after a
// section, and that Run still runs every task.
func TestNoSpin(t *testing.T) {
	defer SetSpin(SetSpin(0))
	for range 50 {
		var n atomic.Int64
		Run(8, func(int) { n.Add(1) })
		if n.Load() != 8 {
			t.Fatalf("%d of 8 tasks ran", n.Load())
		}
	}
	deadline := time.Now().Add(time.Second)
	for _, w := range pool.workers {
		for !w.parked.Load() {
			if time.Now().After(deadline) {
				t.Fatalf("worker %d did not park with SetSpin(0)", w.id)
			}
			time.Sleep(time.Millisecond)
		}
	}
}
