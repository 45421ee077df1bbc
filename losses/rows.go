package losses

import (
	"runtime"

	"github.com/gorgonia-zoo/zoo/internal/par"
)

// rowGrain is the number of elements below which a loss runs on one
// goroutine.
const rowGrain = 1 << 14

// byRows calls f on consecutive ranges [lo, hi) covering the rows [0, rows)
// of a rows×cols loss computation, shared between goroutines when it is
// large (a logarithm and an exponential per element of an autoencoder's
// reconstruction are a few milliseconds a step). Every row is computed by
// one call, the same way whatever the split, so results do not depend on
// it.
func byRows(rows, cols int, f func(lo, hi int)) {
	tasks := min(runtime.GOMAXPROCS(0), rows, rows*cols/rowGrain)
	if tasks <= 1 {
		f(0, rows)
		return
	}
	par.Run(tasks, func(i int) { f(i*rows/tasks, (i+1)*rows/tasks) })
}
