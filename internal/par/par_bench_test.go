package par

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// goRun is the baseline: what the callers did before this package, a new
// goroutine for each helper, with the tasks claimed as Run claims them.
func goRun(tasks int, f func(int)) {
	var next atomic.Int64
	claim := func() {
		for i := int(next.Add(1) - 1); i < tasks; i = int(next.Add(1) - 1) {
			f(i)
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), tasks) - 1 {
		wg.Go(claim)
	}
	claim()
	wg.Wait()
}

// busy keeps the CPU busy for d.
func busy(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

var impls = []struct {
	name string
	run  func(int, func(int))
}{{"go", goRun}, {"par", Run}}

// BenchmarkRun times back-to-back sections of 2 tasks: tiny ones, and ones
// of 50 µs, whose ideal time is 50 µs on 2 cores.
func BenchmarkRun(b *testing.B) {
	for _, work := range []time.Duration{0, 50 * time.Microsecond} {
		for _, im := range impls {
			b.Run(fmt.Sprintf("work=%v/%s", work, im.name), func(b *testing.B) {
				var sink [2]int
				f := func(i int) {
					if work > 0 {
						busy(work)
					}
					sink[i]++
				}
				for b.Loop() {
					im.run(2, f)
				}
			})
		}
	}
}

// BenchmarkGap times sections of 2 tasks of 50 µs separated by serial work
// on the caller, as in a training step, and reports the time lost to
// starting the section: overhead-µs = time - gap - 50 µs.
func BenchmarkGap(b *testing.B) {
	const work = 50 * time.Microsecond
	for _, gap := range []time.Duration{0, 100 * time.Microsecond, 300 * time.Microsecond, time.Millisecond, 3 * time.Millisecond} {
		for _, im := range impls {
			b.Run(fmt.Sprintf("gap=%v/%s", gap, im.name), func(b *testing.B) {
				f := func(int) { busy(work) }
				start := time.Now()
				for b.Loop() {
					busy(gap)
					im.run(2, f)
				}
				per := time.Since(start) / time.Duration(b.N)
				b.ReportMetric(float64(per-gap-work)/1e3, "overhead-µs")
			})
		}
	}
}
