package sweeps_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/sweeps"
)

// A grid of two learning rates by two batch sizes is four points, the
// first axis varying slowest; each is the --set values of one run.
func ExampleNew() {
	s, err := sweeps.New(sweeps.Plan{
		Recipe: "mlp-mnist",
		Quick:  true,
		Grid:   []string{"optimizer.lr=0.01,0.1", "batch_size=64,128"},
	}, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range s.Points {
		fmt.Println(p.Index, strings.Join(p.Set, " "))
	}
	// Output:
	// 0 optimizer.lr=0.01 batch_size=64
	// 1 optimizer.lr=0.01 batch_size=128
	// 2 optimizer.lr=0.1 batch_size=64
	// 3 optimizer.lr=0.1 batch_size=128
}

// A random search draws its points from the seed: the same seed, the same
// points. A log range spreads them evenly over the decades.
func ExampleNew_random() {
	s, err := sweeps.New(sweeps.Plan{
		Recipe: "mlp-mnist",
		Random: 4,
		Seed:   1,
		Ranges: []string{"optimizer.lr=log:1e-4:1", "batch_size=lin:32:256"},
	}, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range s.Points {
		fmt.Println(strings.Join(p.Set, " "))
	}
	// Output:
	// optimizer.lr=0.001352 batch_size=164
	// optimizer.lr=0.0001035 batch_size=119
	// optimizer.lr=0.022 batch_size=42
	// optimizer.lr=0.1814 batch_size=68
}
