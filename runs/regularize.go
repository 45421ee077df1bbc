package runs

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"github.com/gorgonia-zoo/zoo/train"
	"gorgonia.org/gorgonia"
)

// classifierConfig turns the recipe's batch size and regularizers into the
// classifier's settings, drawing dropout masks and input noise from s.
func classifierConfig(r *recipes.Recipe, s streams) (train.ClassifierConfig, error) {
	c := train.ClassifierConfig{
		BatchSize: r.BatchSize,
		Penalties: penalties(r.Regularizers),
		Random:    s["dropout"],
		MaxNorm:   r.Regularizers.MaxNorm,
		Loss:      r.Loss,
	}
	noise, err := r.Regularizers.Noise.Noise()
	if err != nil {
		return c, fmt.Errorf("recipe %s: regularizers.noise: %w", r.Name, err)
	}
	if noise.Active() {
		c.Noise, c.NoiseRandom = noise, s.rand("noise")
	}
	return c, nil
}

// penalties builds the recipe's penalty terms. They find their parameters
// and activations in the graph they are added to (not in a model), so the
// same terms serve the copies the adaptive schedule trains.
func penalties(g recipes.Regularizers) []train.Penalty {
	var ps []train.Penalty
	patterns := g.Params
	if len(patterns) == 0 {
		patterns = []string{regularizers.WeightPattern}
	}
	weights := func(lambda float64, f func(float64, ...*gorgonia.Node) (*gorgonia.Node, error)) train.Penalty {
		return func(mg *models.Graph) (*gorgonia.Node, error) {
			ws, err := regularizers.Select(mg.G, patterns...)
			if err != nil {
				return nil, err
			}
			return f(lambda, ws...)
		}
	}
	if g.L1 > 0 {
		ps = append(ps, weights(g.L1, regularizers.L1))
	}
	if g.L2 > 0 {
		ps = append(ps, weights(g.L2, regularizers.L2))
	}
	if a := g.ActivationL1; a != nil && a.Lambda > 0 {
		ps = append(ps, func(mg *models.Graph) (*gorgonia.Node, error) {
			h, err := activation(mg, a.Layer)
			if err != nil {
				return nil, err
			}
			return regularizers.ActivationL1(a.Lambda, h)
		})
	}
	if k := g.KLSparsity; k != nil && k.Beta > 0 {
		ps = append(ps, func(mg *models.Graph) (*gorgonia.Node, error) {
			h, err := activation(mg, k.Layer)
			if err != nil {
				return nil, err
			}
			return regularizers.KLSparsity(k.Beta, k.Rho, h)
		})
	}
	return ps
}

func activation(g *models.Graph, layer string) (*gorgonia.Node, error) {
	h, ok := g.Activations[layer]
	if !ok {
		return nil, fmt.Errorf("no layer %q in the model", layer)
	}
	return h, nil
}

// dropout returns the recipe's dropout for the MLP.
func dropout(r *recipes.Recipe) models.Dropout {
	d := r.Regularizers.Dropout
	if d == nil {
		return models.Dropout{}
	}
	return models.Dropout{Input: d.Input, Hidden: d.Hidden}
}

// stopMetric is the validation score early stopping watches.
func stopMetric(r *recipes.Recipe) string {
	if r.EarlyStopping == nil {
		return ""
	}
	return r.EarlyStopping.Metric
}

// epochOf returns the epoch in which update t happened.
func epochOf(records []train.Record, t int) int {
	for _, r := range records {
		if t <= r.Updates {
			return r.Epoch
		}
	}
	return len(records)
}

// perClass measures the classifier on s class by class.
func perClass(task *train.Classifier, s *datasets.Set) ([]ClassMetrics, error) {
	pred, err := task.Predict(s)
	if err != nil {
		return nil, err
	}
	return classMetrics(pred, s.Labels, s.Classes), nil
}
