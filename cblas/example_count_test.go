package cblas_test

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/cblas"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Count the matrix products of a computation: a 2×3 by 3×4 product is
// 2·2·4·3 = 48 floating-point operations.
func ExampleCount() {
	counter, restore := cblas.Count()
	defer restore()

	g := gorgonia.NewGraph()
	a := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(2, 3), gorgonia.WithInit(gorgonia.Ones()))
	b := gorgonia.NewMatrix(g, tensor.Float32, gorgonia.WithShape(3, 4), gorgonia.WithInit(gorgonia.Ones()))
	c := gorgonia.Must(gorgonia.Mul(a, b))
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Value().Data(), counter.Flops())
	// Output: [3 3 3 3 3 3 3 3] 48
}
