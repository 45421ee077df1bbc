package regularizers_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gorgonia-zoo/zoo/regularizers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ExampleL2 adds weight decay on the weight matrices of a graph (not the
// biases) and reads the penalty and its gradient 2λW.
func ExampleL2() {
	g := gorgonia.NewGraph()
	w := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 2), gorgonia.WithName("layers.0.weight"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, -2, 0, 3}))))
	b := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(1, 2), gorgonia.WithName("layers.0.bias"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]float64{5, 5}))))
	_ = b // a bias: not penalised
	targets, err := regularizers.Select(g, regularizers.WeightPattern)
	if err != nil {
		log.Fatal(err)
	}
	r, err := regularizers.L2(0.01, targets...)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := gorgonia.Grad(r, w); err != nil {
		log.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		log.Fatal(err)
	}
	dw, _ := w.Grad()
	fmt.Printf("penalised %d node(s): R = %.2f, ∂R/∂W = %v\n", len(targets), r.Value().Data(), dw.Data())
	// Output:
	// penalised 1 node(s): R = 0.14, ∂R/∂W = [0.02 -0.04 0 0.06]
}

// ExampleDropout shows the training graph's mask, redrawn at every run from
// a seeded generator, and the evaluation graph's identity.
func ExampleDropout() {
	type input struct {
		node  *gorgonia.Node
		value *tensor.Dense
		fill  func(*tensor.Dense, rand.Source)
	}
	for _, training := range []bool{true, false} {
		g := gorgonia.NewGraph()
		var random []input
		inputs := regularizers.RandomInputsFunc(func(name string, dt tensor.Dtype, shape []int, fill func(*tensor.Dense, rand.Source)) *gorgonia.Node {
			n := gorgonia.NewTensor(g, dt, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name))
			random = append(random, input{n, tensor.New(tensor.Of(dt), tensor.WithShape(shape...)), fill})
			return n
		})
		x := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(1, 8), gorgonia.WithName("h"),
			gorgonia.WithValue(tensor.New(tensor.WithShape(1, 8), tensor.WithBacking([]float64{1, 2, 3, 4, 5, 6, 7, 8}))))
		y, err := regularizers.Dropout(inputs, "h.dropout", x, 0.5, training)
		if err != nil {
			log.Fatal(err)
		}
		vm := gorgonia.NewTapeMachine(g)
		r := rand.New(rand.NewPCG(1, 2))
		for range 2 {
			for _, in := range random { // what the training program does before each run
				in.fill(in.value, r)
				if err := gorgonia.Let(in.node, in.value); err != nil {
					log.Fatal(err)
				}
			}
			if err := vm.RunAll(); err != nil {
				log.Fatal(err)
			}
			fmt.Printf("training %-5v: %v\n", training, y.Value().Data())
			vm.Reset()
		}
		vm.Close()
	}
	// Output:
	// training true : [2 0 6 0 10 0 14 0]
	// training true : [2 0 6 8 0 12 14 16]
	// training false: [1 2 3 4 5 6 7 8]
	// training false: [1 2 3 4 5 6 7 8]
}

// ExampleStochasticNoise keeps, per example, the noisy copy with the highest
// loss among k = 3; here the loss is the distance to a target point, as a
// training task's forward pass would compute it.
func ExampleStochasticNoise() {
	x := []float32{0, 0, 1, 1} // two examples of two features
	target := []float32{0.5, 0.5, 0.5, 0.5}
	loss := func(cand []float32) ([]float64, error) {
		out := make([]float64, 2)
		for k, v := range cand {
			d := float64(v - target[k])
			out[k/2] += d * d
		}
		fmt.Printf("candidate losses %.3f\n", out)
		return out, nil
	}
	noisy := make([]float32, len(x))
	if err := regularizers.StochasticNoise(noisy, x, 2, 3, 0.2, rand.New(rand.NewPCG(7, 8)), loss); err != nil {
		log.Fatal(err)
	}
	fmt.Print("kept: ")
	loss(noisy)
	// Output:
	// candidate losses [0.357 0.476]
	// candidate losses [0.510 0.313]
	// candidate losses [0.271 0.580]
	// kept: candidate losses [0.510 0.580]
}
