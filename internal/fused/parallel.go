// Package fused holds element-wise Gorgonia ops that replace chains of
// Gorgonia's generic ones: each does its whole computation in one pass over
// the data, writes into a preallocated output when the machine offers one,
// and splits large tensors across GOMAXPROCS goroutines.
//
// Every output element is computed by one goroutine, by the same
// instructions in the same order whatever the split (a column sum of the bias
// gradient adds its rows in order), so results do not depend on the number
// of goroutines: the same inputs give bit-identical outputs.
package fused

import (
	"runtime"

	"github.com/gorgonia-zoo/zoo/internal/par"
)

// grain is the smallest number of elements given to a goroutine: below it
// the start-up cost (about a microsecond) outweighs the work.
const grain = 16384

// parallel calls f on consecutive ranges [lo, hi) covering [0, n), on up
// to GOMAXPROCS goroutines (par's workers), and returns when all are done.
func parallel(n int, f func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), n/grain)
	if w <= 1 {
		f(0, n)
		return
	}
	step := (n + w - 1) / w
	par.Run((n+step-1)/step, func(i int) { f(i*step, min((i+1)*step, n)) })
}
