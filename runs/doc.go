// Package runs executes recipes and keeps their results: a run directory
// holds the resolved recipe, the per-epoch metrics, a summary and the trained
// weights, and can be evaluated again later.
//
// Layout of a run directory:
//
//	recipe.yaml        the recipe as run (quick profile and --set applied)
//	metrics.csv        one row per epoch: epoch,train_loss,val_loss,val_error,lr,seconds
//	summary.json       see Summary
//	model.safetensors  the weights (see SaveWeights for names and layout)
//	checkpoint.safetensors  while the run is unfinished: its full state after
//	                   the last epoch or interruption (see Resume); removed
//	                   when the run finishes
//	adaptive.csv       with the adaptive schedule: every search's candidate
//	                   rates and their losses on the subset
//
// Runs of the autoencoder family (model.type autoencoder or sdae) also have
//
//	reconstructions.png  test digits: originals, corrupted inputs (denoising), reconstructions
//	filters.png          the first encoder layer's weights, one 28×28 tile per unit
//
// and their metrics.csv has two more leading columns,
// phase,layer,epoch,train_loss,val_loss,val_error,lr,seconds, with one row
// per epoch of each layer's pretraining (phase pretrain, layer K from 0 at
// the input, val_loss the validation reconstruction loss) and of the
// fine-tuning (finetune) or the autoencoder's training (train); val_error is
// empty where there is no classifier. An sdae's figures show its first
// pretrained layer.
package runs
