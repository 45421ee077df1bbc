// Package train runs the training loop: epochs of shuffled mini-batches, one
// optimizer update per batch, validation after every epoch, progress, and a
// record per epoch.
//
// What is trained is a Task: it owns its compiled Gorgonia graphs (built once
// per run, never per batch) and knows how to take one update and how to
// evaluate a data set. The loop knows nothing of graphs, so the same loop
// trains classifiers, autoencoders and each stage of greedy pretraining.
package train
