// Package regularizers holds the lecture's regularization terms and
// techniques (docs/lecture.md §5) as building blocks for Gorgonia graphs and training
// loops:
//
//   - on the weights, terms added to the objective: L1 (λ‖W‖₁, lasso) and L2
//     (λ‖W‖₂², weight decay), and the MaxNorm constraint applied after a
//     step;
//   - on the activations: ActivationL1 (λ Σ|a|) and KLSparsity
//     (β Σ KL(ρ ‖ ρ̂_j));
//   - in the architecture: Dropout (inverted: scaled at training time,
//     identity at evaluation);
//   - on the data: input noise τ_θ(x) = x + θ with θ chosen at random, by the
//     stochastic worst-of-k rule, or adaptively (Noise).
//
// The penalty functions take and return *gorgonia.Node and know nothing of
// models: a training program picks the nodes (Select(g, WeightPattern) finds
// every weight matrix of a graph, biases excluded) and adds the returned
// scalar to its mean loss. Dropout needs a place to put its per-update random mask; it asks the
// RandomInputs interface, which models.Graph satisfies, so that models can
// use this package without an import cycle.
//
// Every random choice is drawn from a *rand.Rand the caller passes (one of
// the run's seeded streams), never from Gorgonia's clock-seeded Dropout, so
// one seed fixes a run.
package regularizers
