// Package recipes reads, checks and resolves training recipes: YAML files
// that pair a data set with a model, a loss, an optimizer and a training
// budget. Recipes are built in (embedded in the binary, see List) or loaded
// from the user's own file; both go through the same checks.
//
// A recipe looks like this (every key is listed in Recipe):
//
//	name: mlp-mnist
//	description: MLP 784-512-256-10 (ReLU), SGD with momentum
//	seed: 1
//	data: {name: mnist}
//	model:
//	  type: mlp
//	  layers:
//	    - {units: 512, activation: relu}
//	    - {units: 256, activation: relu}
//	loss: cross-entropy
//	optimizer: {name: momentum, lr: 0.05, momentum: 0.9}
//	batch_size: 128
//	epochs: 20
//	quick: {epochs: 1, data.train: 5000}
//
// Errors name the file, the line and the key, and say what was expected.
package recipes
