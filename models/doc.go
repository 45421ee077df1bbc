// Package models builds the networks of the lecture as Gorgonia graphs:
// dense layers, MLP classifiers and the autoencoder family (Autoencoder,
// with tied weights and input Corruption; Stacked, for greedy pretraining).
//
// Weights live in Params, outside any graph. A Graph binds each Param to one
// node of one gorgonia.ExprGraph, so the same weights can back a training
// graph and an inference graph at once, and a Param used twice (tied weights)
// is one node whose gradients add up.
//
// Initial weights come from the caller's *rand.Rand (see Init), never from
// Gorgonia's clock-seeded initializers, so one seed fixes a run.
package models
