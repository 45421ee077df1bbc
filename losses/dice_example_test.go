package losses_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-zoo/zoo/losses"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ExampleDice compares cross-entropy and Dice on an imbalanced batch: one
// positive in eight, and a model that predicts 0.1 everywhere. Binary
// cross-entropy is small because the negatives dominate the mean; the Dice
// loss over the batch stays large because the positive is missed.
func ExampleDice() {
	g := gorgonia.NewGraph()
	p := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(8, 1), gorgonia.WithName("p"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(8, 1), tensor.WithBacking([]float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}))))
	y := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(8, 1), gorgonia.WithName("y"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(8, 1), tensor.WithBacking([]float64{1, 0, 0, 0, 0, 0, 0, 0}))))
	bce, err := losses.BinaryCrossEntropy(p, y)
	if err != nil {
		log.Fatal(err)
	}
	meanBCE := gorgonia.Must(gorgonia.Mean(bce))
	dice, err := losses.Dice(p, y, false, 0)
	if err != nil {
		log.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("mean BCE %.3f, Dice loss %.3f\n", meanBCE.Value().Data(), dice.Value().Data())
	// Output:
	// mean BCE 0.380, Dice loss 0.815
}
