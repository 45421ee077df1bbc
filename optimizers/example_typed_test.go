package optimizers_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-zoo/zoo/optimizers"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A typed configuration: a misspelt field fails to compile, zero fields
// take the defaults, and Zero asks for an exact 0 (here, momentum 0 is
// plain SGD). Config gives the by-name form a recipe would hold.
func ExampleNewMomentum() {
	opt, err := optimizers.NewMomentum(optimizers.MomentumConfig{LR: 0.1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opt.Name(), opt.Hyper())

	plain, err := optimizers.NewMomentum(optimizers.MomentumConfig{LR: 0.1, Momentum: optimizers.Zero})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plain.Hyper())
	fmt.Printf("%+v\n", optimizers.AdamConfig{LR: 3e-4, Beta2: 0.99}.Config())

	// Minimise w·w from w = 3 with momentum 0.9.
	g := gorgonia.NewGraph()
	w := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(1), gorgonia.WithName("w"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{3}))))
	cost := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(w, w))))
	if _, err := gorgonia.Grad(cost, w); err != nil {
		log.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(w))
	defer vm.Close()
	params := gorgonia.NodesToValueGrads(gorgonia.Nodes{w})
	for range 100 {
		if err := vm.RunAll(); err != nil {
			log.Fatal(err)
		}
		if err := opt.Step(params); err != nil {
			log.Fatal(err)
		}
		vm.Reset()
	}
	fmt.Printf("after %d steps |w| < 0.01: %v\n", opt.Steps(), abs(w.Value().Data().([]float64)[0]) < 0.01)
	// Output:
	// momentum map[lr:0.1 momentum:0.9]
	// map[lr:0.1 momentum:0]
	// {Name:adam Hyper:map[beta2:0.99 lr:0.0003] Betas:[]}
	// after 100 steps |w| < 0.01: true
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
