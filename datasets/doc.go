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
//
// # Your own files
//
// Three sources read the user's own files, named by role in
// [Request].Files; the examples' shape and the classes come from the data:
//
//   - csv ([LoadCSV], [ReadCSV]): files train, test and optionally
//     validation, each with a header row; the column named by
//     [Request].Label holds integer classes, every other column is a
//     numeric feature (Shape [features]). Every file must have the training
//     file's header. Errors name the file, line and column.
//   - npy ([LoadNPY], [ReadNPYFile]): features train, test, validation and
//     labels train_labels, test_labels, validation_labels, in NumPy's .npy
//     format; features float32, float64 or uint8 of shape [n, …] (Shape is
//     the rest), labels integers of shape [n].
//   - idx ([LoadIDX]): the same roles as npy, in IDX files of any picture
//     size and element type; labels 1-D integers.
//
// For all three, uint8 features are scaled to [0, 1] by /255 as MNIST's
// pixels are, and other values are taken as they are, refused unless finite.
// Train and test are required. The classes are the largest label of all
// splits plus one, shared by every split: labels are meant to be 0 … K−1
// (a class no example has is still counted), with K ≥ 2 and below
// [MaxClasses]. Validation is the validation file when given, else the last
// [Request].ValidationSplit of the training examples, else, as for MNIST,
// the last sixth of them (rounded down); a cut that leaves no validation
// example is an error, since training reports and stops on it.
//
// Sizes are checked before memory is committed: a .npy header's shape
// against the file's size, IDX sizes against [MaxIDXBytes] and the data
// that arrives, CSV rows as they are read (and no line longer than
// [MaxCSVLineBytes]).
package datasets
