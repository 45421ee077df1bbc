package recipes

import (
	"strings"
)

// Init starts a run from given weights (recipe key init) instead of the
// seed's draw: to reproduce a published model, to fine-tune a pretrained
// encoder in a classifier, or to continue someone else's model with
// another recipe.
//
//	init: {from: zoo-runs/dae-mnist-20261203-101500}   # a run directory, or a .safetensors file
//	init: {from: encoder.safetensors, partial: true}
//
// The model is built from the seed first, then its parameters are set from
// the file. Without partial the file must hold exactly the model's
// parameters (names, dtypes, shapes). With partial, the parameters the file
// matches are taken (an autoencoder's encoder.K.weight and .bias count as a
// classifier's layers.K.weight and .bias, and the other way round) and the
// others keep the seed's draw; the run's log and summary.json say which
// came from where. A resumed run continues from its checkpoint instead.
type Init struct {
	// From is a finished run directory (its model.safetensors) or a
	// weights file. A relative path in a recipe file is relative to the
	// file's directory; a run directory's recipe.yaml records it absolute.
	From string `yaml:"from"`
	// Partial allows parameters the file does not match to keep the seed's
	// draw.
	Partial bool `yaml:"partial,omitempty"`
}

// checkInit checks the init key. The file itself is read when the run
// starts, not here: a recipe (and a finished run's recipe.yaml) stays
// readable when the file has moved.
func (d *doc) checkInit(r *Recipe) (*Init, error) {
	if r.Init == nil {
		return nil, nil
	}
	switch from := r.Init.From; {
	case strings.TrimSpace(from) == "":
		return nil, d.errorf("init.from", "missing; want a finished run directory or a .safetensors file")
	case strings.ContainsRune(from, 0):
		return nil, d.errorf("init.from", "%q is not a path", from)
	}
	c := *r.Init
	return &c, nil
}
