// Package runs is the run directory: where a run's files live, how each is
// written and read, and how a finished run is opened as a model to use.
// It trains nothing (package pipeline does, writing here).
//
// Layout of a run directory:
//
//	recipe.yaml        the recipe as run (quick profile and --set applied)
//	metrics.csv        one row per epoch: epoch,train_loss,val_loss,val_error,lr,seconds
//	summary.json       see Summary
//	model.safetensors  the weights (see SaveWeights for names and layout)
//	checkpoint.safetensors  while the run is unfinished: its full state after
//	                   the last epoch or interruption (see Checkpoint);
//	                   removed when the run finishes
//	adaptive.csv       with the adaptive schedule: every search's candidate
//	                   rates and their losses on the subset
//	.zoo.lock          held while a process trains here, removed when it
//	                   stops (a crash may leave it: see LockFile)
//
// Runs of the autoencoder family (model.type autoencoder or sdae) on
// pictures (examples of shape [rows cols]: MNIST, idx, npy of [n rows cols])
// also have
//
//	reconstructions.png  test pictures: originals, corrupted inputs (denoising), reconstructions
//	filters.png          the first encoder layer's weights, one picture-sized tile per unit (28×28 for MNIST)
//
// (runs on other data, such as a CSV's rows of features, have neither), and
// their metrics.csv has two more leading columns,
// phase,layer,epoch,train_loss,val_loss,val_error,lr,seconds, with one row
// per epoch of each layer's pretraining (phase pretrain, layer K from 0 at
// the input, val_loss the validation reconstruction loss) and of the
// fine-tuning (finetune) or the autoencoder's training (train); val_error is
// empty where there is no classifier. An sdae's figures show its first
// pretrained layer.
//
// The shortest use opens a finished run and predicts:
//
//	m, err := runs.Load("zoo-runs/mlp-mnist-20261203-101500")
//	...
//	defer m.Close()
//	classes, err := m.Predict(pixels) // 784 values in [0, 1] per digit
//
// A model built in Go is stored without a run directory as a model file:
// its weights and its architecture (see ModelKey) in one safetensors file.
// SaveModel writes it, LoadModel (LoadMLP, LoadAutoencoder, LoadVAE) builds the
// model again from the file alone (a run's model.safetensors too), ready
// for package infer, and
// ReadModelInfo reads the architecture from the header without building
// anything. WriteRun makes a run directory of such a model, which every zoo
// command accepts; InitWeights starts a model from a file's or a run's
// weights (the recipes' init key).
package runs
