// Package infer runs trained models forward: class scores, predictions and
// evaluation for a classifier, codes and reconstructions for an
// autoencoder. Each is a graph compiled once for a fixed batch of examples
// and run over a data set chunk by chunk (the last chunk padded with zero
// rows, which never count), with no optimizer and no training task. The
// weights are read from the model at every run, so a graph compiled once
// follows a model that is still training.
//
// The shortest use:
//
//	c, err := infer.NewClassifier(mlp, 0) // 0: DefaultBatch examples per run
//	if err != nil { … }
//	defer c.Close()
//	classes, err := c.Predict(test)
//
// The batch size changes speed and memory, never results.
//
// Every method that takes a set first checks that it fits the model
// (CheckSet): the number of features per example, labels within the
// model's classes, a consistent set. A set that does not fit is an error
// naming it (a *DataError), never a panic or an answer computed on shifted
// rows.
package infer

// DefaultBatch is the batch size used when 0 is given: large enough that a
// run's matrix products keep the cores busy.
const DefaultBatch = 1000
