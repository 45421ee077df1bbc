// Package experiments holds the zoo's experiments: programs that reproduce a
// claim of the lecture and write their evidence (data as CSV and JSON,
// figures as PNG, a report in Markdown) to a directory. A comparative
// experiment tunes each method on the validation split (tune), trains it
// with several seeds and decides each claim from the intervals over the
// seeds (stats.go), and writes results.json in one schema (results.go).
// Experiments are found by name in a small registry, which the CLI's
// `zoo experiment` uses:
//
//	e, err := experiments.Lookup("optimizer-paths")
//	...
//	err = e.Run(ctx, experiments.Options{Out: "out/paths"})
//
// To add one, write its Run function in a file of its own and add a line to
// registry. The package has no global mutable state.
package experiments

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Options control a run of an experiment.
type Options struct {
	// Out is the directory the experiment writes to; it is created if
	// needed, and files of an earlier run there are replaced.
	Out string
	// Quick runs a reduced version (fewer steps, less data) in seconds, for
	// checks; its numbers are not the experiment's results.
	Quick bool
	// Seed drives every random choice; experiments without any ignore it.
	Seed uint64
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Experiment is one registered experiment.
type Experiment struct {
	Name        string
	Description string // one line, for `zoo experiment list`
	Run         func(ctx context.Context, o Options) error
}

// registry lists the experiments. It is a function rather than a variable so
// that the package has no global mutable state.
func registry() []Experiment {
	return []Experiment{
		{
			Name:        "adaptive-lr",
			Description: "the brute-force adaptive learning rate against the best and a poor fixed rate of a sweep: the rate it chose over time",
			Run:         AdaptiveLR,
		},
		{
			Name:        "optimizer-paths",
			Description: "the 13 optimizers on four 2-D surfaces (ravine, Rosenbrock, Beale, saddle): paths, contour plots, report",
			Run:         OptimizerPaths,
		},
		{
			Name:        "autoencoders",
			Description: "undercomplete, deep, sparse and denoising autoencoders: reconstruction error, code sparsity, filters, a logistic-regression probe on the codes, denoising",
			Run:         Autoencoders,
		},
		{
			Name:        "dice-vs-ce",
			Description: "\"is it a 0?\" on MNIST, natural and scarce positives, Dice loss against cross-entropy, each at its tuned rate: per-class recall and F1",
			Run:         DiceVsCE,
		},
		{
			Name:        "early-stopping",
			Description: "the lecture's patience rule on an over-fitting setup: train/validation curves, where it stopped, test error of the best vs the last model",
			Run:         EarlyStopping,
		},
		{
			Name:        "learning-rates",
			Description: "SGD on one MLP with rates from 1e-6 to 10: loss curves, final loss against rate, divergent runs stopped and marked",
			Run:         LearningRates,
		},
		{
			Name:        "optimizers-mnist",
			Description: "the 13 optimizers, each at its tuned rate, training the same MLP on MNIST from the same weights: loss against updates and seconds, step lengths",
			Run:         OptimizersMNIST,
		},
		{
			Name:        "pca-vs-linear-ae",
			Description: "a linear autoencoder against PCA (gonum): principal angles between their subspaces, reconstruction errors, both sets of components as images",
			Run:         PCAVsLinearAE,
		},
		{
			Name:        "pretraining",
			Description: "stacked denoising autoencoder pretraining against the same MLP without it, at 100 to all 50,000 labels: test error against size",
			Run:         Pretraining,
		},
		{
			Name:        "regularization",
			Description: "none vs L1 vs L2 vs dropout vs input noise, each at its tuned strength, on an over-fitting network: test error, weight histograms, near-zero weights",
			Run:         Regularization,
		},
		{
			Name:        "schedules",
			Description: "constant rate vs the lecture's η0·τ/max(t,τ) for several τ (and τ→∞), step and cosine: rate and loss over time",
			Run:         Schedules,
		},
	}
}

// List returns the experiments, sorted by name.
func List() []Experiment {
	list := registry()
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

// Names returns the experiments' names, sorted.
func Names() []string {
	var names []string
	for _, e := range List() {
		names = append(names, e.Name)
	}
	return names
}

// Lookup returns the experiment called name.
func Lookup(name string) (Experiment, error) {
	for _, e := range registry() {
		if e.Name == name {
			return e, nil
		}
	}
	return Experiment{}, fmt.Errorf("experiments: unknown experiment %q (known: %s)", name, strings.Join(Names(), ", "))
}
