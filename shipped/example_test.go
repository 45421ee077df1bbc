package shipped_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/shipped"
)

// ExampleLoad classifies MNIST's first test digits with the trained
// sdae-mnist that zoo ships: no training first.
func ExampleLoad() {
	m, err := shipped.Load("sdae-mnist") // what runs.Load returns
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	data, err := datasets.MNIST()
	if err != nil {
		log.Fatal(err)
	}
	digits := data.Test.Slice(0, 8)
	pred, err := m.Predict(digits.X) // 784 pixels in [0, 1] per digit
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("model:", m.Recipe.Name, "seed", m.Summary.Seed)
	fmt.Println("labels:     ", digits.Labels)
	fmt.Println("predictions:", pred)
	// Output:
	// model: sdae-mnist seed 1
	// labels:      [7 2 1 0 4 1 4 9]
	// predictions: [7 2 1 0 4 1 4 9]
}
