package optimizers_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-zoo/zoo/optimizers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Example minimises cost = Σ w⊙w with Adam on a Gorgonia graph: run the
// machine forward and backward, Step, Reset.
func Example() {
	g := gorgonia.NewGraph()
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(2), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, -2}))))
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(w, w))))
	if _, err := gorgonia.Grad(cost, w); err != nil {
		log.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
	defer vm.Close()

	opt, err := optimizers.New(optimizers.Config{Name: "adam", Hyper: map[string]float64{"lr": 0.1}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opt.Name(), opt.Hyper())

	params := gorgonia.NodesToValueGrads(gorgonia.Nodes{w})
	for i := 0; i < 50; i++ {
		if err := vm.RunAll(); err != nil {
			log.Fatal(err)
		}
		if i%10 == 0 {
			fmt.Printf("step %2d: cost %.4f, w %.4f\n", opt.Steps(), cost.Value().Data(), w.Value().Data())
		}
		if err := opt.Step(params); err != nil {
			log.Fatal(err)
		}
		vm.Reset()
	}
	fmt.Printf("step %2d: w %.4f\n", opt.Steps(), w.Value().Data())
	// Output:
	// adam map[beta1:0.9 beta2:0.999 eps:1e-08 lr:0.1]
	// step  0: cost 5.0000, w [1.0000 -2.0000]
	// step 10: cost 1.0556, w [0.0762 -1.0246]
	// step 20: cost 0.1230, w [-0.2712 -0.2225]
	// step 30: cost 0.0433, w [-0.0340 0.2054]
	// step 40: cost 0.0648, w [0.1008 0.2338]
	// step 50: w [-0.0048 0.0758]
}
