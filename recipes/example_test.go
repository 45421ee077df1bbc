package recipes_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-zoo/zoo/recipes"
)

// ExampleParse reads a recipe and shows the typed values it was checked
// into; a mistake would be reported with its line and key.
func ExampleParse() {
	text := `name: tiny
seed: 1
data: {name: mnist, train: 1000}
model:
  type: mlp
  layers: [{units: 32, activation: relu}]
loss: cross-entropy
optimizer: {name: momentum, lr: 0.05}
schedule: {name: time-constant, tau: 100}
batch_size: 50
epochs: 2
`
	r, err := recipes.Parse("tiny.yaml", []byte(text), recipes.Options{Set: []string{"optimizer.momentum=0.8"}})
	if err != nil {
		log.Fatal(err)
	}
	sp, err := r.Spec()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sp.Model.Family, sp.Model.MLP.Hidden)
	fmt.Println(sp.Optimizer.Name, sp.Optimizer.Hyper)
	fmt.Println(sp.Schedule.Name, sp.Schedule.Params)

	_, err = recipes.Parse("tiny.yaml", []byte(text), recipes.Options{Set: []string{"optimizer.lr=-1"}})
	fmt.Println(err)
	// Output:
	// mlp [{32 relu}]
	// momentum map[lr:0.05 momentum:0.8]
	// time-constant map[tau:100]
	// recipe tiny.yaml, --set optimizer.lr=-1: optimizer.lr: momentum: invalid lr -1 (want finite lr ≥ 0)
}
