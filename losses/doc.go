// Package losses builds the loss functions of the lecture as Gorgonia graph
// nodes.
//
// Every loss here returns one value per example (a vector of length batch), so
// a caller can average it for training, add regularization terms to it, or sum
// it over a padded evaluation batch while ignoring the padding rows.
package losses
