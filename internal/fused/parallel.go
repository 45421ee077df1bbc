// Package fused holds element-wise Gorgonia ops that replace chains of
// Gorgonia's generic ones: each does its whole computation in one pass over
// the data, writes into a preallocated output when the machine offers one,
// and splits large tensors across GOMAXPROCS goroutines.
//
// Every element is computed on its own, by the same instructions whatever the
// split, so results do not depend on the number of goroutines: the same
// inputs give bit-identical outputs.
package fused

import (
	"runtime"
	"sync"
)

// grain is the smallest number of elements given to a goroutine: below it
// the start-up cost (about a microsecond) outweighs the work.
const grain = 16384

// parallel calls f on consecutive ranges [lo, hi) covering [0, n), on up
// to GOMAXPROCS goroutines, and returns when all are done.
func parallel(n int, f func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), n/grain)
	if w <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + w - 1) / w
	for lo := step; lo < n; lo += step {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, min(lo+step, n))
	}
	f(0, step)
	wg.Wait()
}
