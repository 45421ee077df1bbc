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
package runs
