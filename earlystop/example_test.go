package earlystop_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-zoo/zoo/earlystop"
)

// Example runs the patience rule the way a training loop does, with a
// scripted validation curve standing in for the model: evaluate every 100
// updates, keep the parameters of each new best, stop when told, and
// restore the best parameters at the end.
func Example() {
	val := map[int]float64{ // validation error after update t
		100: 0.30, 200: 0.20, 300: 0.15, 400: 0.14, 500: 0.16,
		600: 0.13, 700: 0.135, 800: 0.14, 900: 0.15, 1000: 0.16,
		1100: 0.17, 1200: 0.18, 1300: 0.19,
	}
	s := &earlystop.Patience{Every: 100, Patience: 400, Increase: 2, Mode: earlystop.Mul, Threshold: 0.01}
	if err := s.Validate(); err != nil {
		log.Fatal(err)
	}
	params, best := 0, 0 // the "weights": here, the update that produced them
	for t := 1; t <= 10_000; t++ {
		params = t // one optimizer update
		if !earlystop.Due(s, t, false) {
			continue
		}
		improved, stop := s.Observe(t, val[t])
		if improved {
			best = params
			fmt.Printf("update %4d: new best %.3f, patience now %d\n", t, val[t], s.Current())
		}
		if stop {
			break
		}
	}
	params = best
	bt, bs := s.Best()
	fmt.Printf("restored the parameters of update %d (score %.3f)\n", params, bs)
	fmt.Println(bt == params, s.Reason())
	// Output:
	// update  100: new best 0.300, patience now 400
	// update  200: new best 0.200, patience now 400
	// update  300: new best 0.150, patience now 600
	// update  400: new best 0.140, patience now 800
	// update  600: new best 0.130, patience now 1200
	// restored the parameters of update 600 (score 0.130)
	// true patience ran out at update 1200 (patience 1200 updates, best score 0.13 at update 600)
}
