// Package datasets loads the data sets the zoo's models learn from and feeds
// them to training and evaluation loops.
//
// A data set lives in memory as a [Set]: float32 features stored row-major in
// one slice, so a mini-batch is a plain copy of rows, plus one integer class
// label per example. Loaders return a [Splits] with the usual train,
// validation and test parts; [Splits.Limit] trims them for quick runs.
//
// [Batches] walks a set in mini-batches in an order drawn from the caller's
// random source, so a run's seed fixes the order of every epoch, and its
// exported fields let a checkpoint resume mid-epoch. [Chunks] covers a set in
// order, without dropping anything, for evaluation.
//
// [ReadIDX] reads the IDX files the MNIST family of data sets is published
// in, gzipped or not. It trusts nothing in a file's header: sizes are
// checked against [MaxIDXBytes] and memory is only committed as data
// actually arrives, so a corrupt or hostile file fails fast.
//
// # MNIST
//
// [MNIST] returns the MNIST database of handwritten digits from copies
// embedded in this package (about 11 MB, checked against their SHA-256
// digests before use), so it works offline; [MNISTDir] reads the same four
// files from a directory instead.
//
// The MNIST database is the work of Yann LeCun, Corinna Cortes and
// Christopher J. C. Burges (http://yann.lecun.com/exdb/mnist/), made
// available under the Creative Commons Attribution-Share Alike 3.0 license
// (CC BY-SA 3.0, https://creativecommons.org/licenses/by-sa/3.0/). The
// embedded files are the four unmodified originals.
//
// # Data sets by name
//
// Recipes name their data (data.name); [Lookup] finds the [Source] of that
// name, which knows its number of classes and loads its splits.
package datasets
