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
// An autoencoder (model.type: autoencoder) learns to reconstruct its input;
// a stacked denoising autoencoder (model.type: sdae) is a classifier whose
// hidden layers are pretrained greedily, without labels, before fine-tuning:
//
//	model:
//	  type: autoencoder
//	  encoder: [{units: 128, activation: relu}, {units: 32, activation: relu}]
//	  output: sigmoid                          # or linear
//	  tied: false                              # decoder = encoder weights, transposed
//	  corruption: {type: mask, level: 0.3}     # denoising (also gaussian, salt-and-pepper)
//	  sparsity: {type: l1, weight: 0.001}      # or {type: kl, weight: 0.1, target: 0.05}
//	loss: bce                                  # or mse
//
//	model:
//	  type: sdae
//	  encoder: [{units: 500, activation: sigmoid}, {units: 500, activation: sigmoid}]
//	  tied: true
//	pretrain:
//	  epochs: 5
//	  optimizer: {name: adam, lr: 0.001}
//	  corruption: {type: mask, level: 0.2}
//	  layers: [{}, {corruption: {type: mask, level: 0.1}}]   # optional, per layer
//	loss: cross-entropy
//
// See Model, Pretrain and autoencoder.go for every key.
//
// Any recipe can start from given weights instead of the seed's draw (see
// Init): a finished run directory or a .safetensors file whose tensors
// match the model, or, with partial, match some of it (a dae run's encoder
// into an mlp's hidden layers):
//
//	init: {from: ../zoo-runs/dae-mnist-20261203-101500, partial: true}
//
// # Data
//
// data.name is mnist (built in), fashion-mnist or kmnist (downloaded on
// first use, see package datasets) — for these three data.dir or --data
// reads a copy from a directory — or one of the data sets read from the
// user's own files, named by role in data.files:
//
//	data: {name: csv, files: {train: a.csv, test: b.csv}, label: label, validation_split: 0.2}
//	data: {name: npy, files: {train: x.npy, train_labels: y.npy, test: tx.npy, test_labels: ty.npy}}
//	data: {name: idx, files: {train: train-images-idx3-ubyte, train_labels: …, test: …, test_labels: …}}
//
// The keys:
//
//   - csv: files train, test and optionally validation, each with a header
//     row; label names the column of integer classes, every other column is
//     a numeric feature. label is required, and only csv has it.
//   - npy and idx: features train, test, validation and labels
//     train_labels, test_labels, validation_labels (validation and
//     validation_labels together or neither).
//   - validation_split, a fraction in (0, 1), keeps that much of the end of
//     the training file for validation; with neither it nor
//     files.validation, validation is the last sixth of the training file,
//     as for MNIST. Not both (--set data.validation_split=0 clears a
//     recipe's split for a --set data.files.validation). A cut that leaves no validation example is
//     an error when the data is read.
//   - The examples' shape and the classes (largest label + 1) come from the
//     data; data.positive is checked against them once the data is read.
//   - A relative path (data.files, data.dir, init.from) is relative to the
//     recipe file's directory, or to the working directory for a --set
//     value (--set data.files.train=x.csv) or a recipe not read from a
//     file; the run directory's recipe.yaml holds absolute paths, so zoo
//     eval RUN_DIR works from anywhere.
//   - mnist, fashion-mnist and kmnist refuse files, label and
//     validation_split; the file data sets refuse dir. See package datasets for the formats.
//
// Errors name the file, the line and the key, and say what was expected.
//
// # Values and limits
//
// Each key takes one kind of value, checked before the recipe is decoded:
// an integer key (batch_size, epochs, units, data.train, …) takes only an
// integer, so 12.5 and 12.0 are refused (write 12), and so is "12" in
// quotes; the seed takes an integer ≥ 0; a number key takes integers and
// decimals; a mapping key (init, early_stopping, regularizers.dropout, …)
// a mapping. null, or nothing, leaves a key unset.
//
// A recipe is a few hundred bytes; past these limits a text or a value can
// only be a mistake, and is refused before anything is built from it:
//
//   - a recipe file of more than MaxRecipeBytes (1 MiB), nested more than
//     MaxDepth (32) levels deep, or holding more than MaxValues (10000)
//     keys and list items (a --set value too);
//   - batch_size, pretrain.batch_size and a layer's units above MaxWidth
//     (2²⁴); data.train, data.validation, data.test and an adaptive
//     schedule's subset above MaxExamples (2³⁰); epochs and pretraining
//     epochs above MaxEpochs (10⁶); counts of updates (early_stopping.every,
//     patience and evaluations, a schedule's every, steps and warmup)
//     above MaxUpdates (2³¹−1); the input noise's k and steps above
//     MaxDraws (2¹⁶).
//
// Whether a whole model fits the machine's memory is checked when the run
// starts, from the data's sizes.
//
// # Overrides
//
// --set key.path=value (and the quick profile) sets one key; the value is
// YAML, checked as the recipe's own text is. It replaces the key's value:
// a mapping given for a mapping key is the key's whole value, so
// --set 'regularizers.dropout={input: 0.2}' leaves no hidden dropout,
// and --set early_stopping=null removes early stopping. To change one
// value inside a mapping, set its own key (regularizers.dropout.input=0.2).
//
// A recipe is checked once, as it is read, into a Spec: typed values (an
// optimizers.Config, a schedules.Config, the model as a models.MLPConfig or
// models.AutoencoderConfig, …) that package pipeline builds a run from, so
// nothing downstream reads the YAML's strings and mappings again:
//
//	r, err := recipes.Builtin("mlp-mnist", recipes.Options{Quick: true})
//	...
//	sp, err := r.Spec()
//	fmt.Println(sp.Optimizer.Name, sp.Model.MLP.Hidden)
package recipes
