package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// modelFamily is one kind of model a recipe names in model.type: how to
// build it for the data and train it into a run directory. A new family is
// one file implementing it and a line in families.
type modelFamily interface {
	// build makes j's model and everything else that can fail before the
	// run directory exists, and returns the training, which writes the
	// directory (fresh, or from its checkpoint when j.resume).
	build(j *job) (trainer, error)
}

// trainer trains a built model and returns the run's summary.
type trainer func(ctx context.Context) (*runs.Summary, error)

// families are the model families by recipes' model.type.
var families = map[string]modelFamily{
	recipes.FamilyMLP:         mlpFamily{},
	recipes.FamilyAutoencoder: autoencoderFamily{},
	recipes.FamilySDAE:        sdaeFamily{},
	recipes.FamilyVAE:         vaeFamily{},

	recipes.FamilyConvAutoencoder: convAutoencoderFamily{},
}

// family returns the family called name.
func family(name string) (modelFamily, error) {
	f, ok := families[name]
	if !ok {
		names := make([]string, 0, len(families))
		for n := range families {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("pipeline: unknown model family %q; known: %s", name, strings.Join(names, ", "))
	}
	return f, nil
}
