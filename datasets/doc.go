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
// embedded files are the four unmodified originals; mnist/README.md, beside
// them, gives their attribution and digests, and DATA-LICENSES.md the
// licences of every data set this package loads by name.
//
// # Fashion-MNIST and KMNIST, downloaded on first use
//
// [FashionMNIST] (data.name fashion-mnist) and [KMNIST] (kmnist) are
// drop-in successors of MNIST: the same four IDX files, 28×28 pictures,
// 10 classes, 60,000 for training and 10,000 for test, split as MNIST is.
// They are too large to embed, so the first load downloads them from their
// authors' sites and keeps them in a cache directory:
// [Request].Cache/<name>, by default os.UserCacheDir()/zoo/<name>
// ($XDG_CACHE_HOME/zoo or ~/.cache/zoo on Linux, ~/Library/Caches/zoo on
// macOS, %LocalAppData%\zoo on Windows). Later loads read the cache and
// make no request.
//
// Every file is checked against its published size and digests before it
// is used: after a download, before anything is written, and again on each
// load from the cache. Fashion-MNIST's authors publish MD5 digests, which
// are checked, together with SHA-256 digests that TensorFlow Datasets
// publishes for the same files; KMNIST's authors publish none, so the SHA-256
// and MD5 digests that TensorFlow Datasets and torchvision check these
// files against are used (fashionmnist.go and kmnist.go say where each
// comes from). A file that fails is not kept; a damaged cached file is
// downloaded again.
//
// Downloads are bounded by the published size (a server sending more is
// cut off), give up after 30 s without a connection or a response and 60 s
// without data, and stop when [Request].Context is cancelled. A download is
// held in memory until it is verified and then written to a temporary file
// renamed into place, so an interrupted download leaves nothing under the
// file's name, and two processes filling the same cache both end with good
// files. [Request].Progress receives a line per download (a bar on a
// terminal, a line per quarter elsewhere).
//
// [Request].Mirror replaces the authors' base URL with another that serves
// the same four files under the same names (a local mirror, a test
// server); the digests are checked all the same. The package reads no
// environment variable: a program that wants one sets Mirror from it.
//
// To work offline, fetch the four .gz files (train-images-idx3-ubyte.gz,
// train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
// t10k-labels-idx1-ubyte.gz) elsewhere and either put them in the cache
// directory, where they are checked as downloads are, or in any directory
// given as [Request].Dir (--data DIR, data.dir), read like [MNISTDir]
// without checks and without any download. The error of a failed download
// says so, naming the files, the URL and the cache directory.
//
// Fashion-MNIST: Han Xiao, Kashif Rasul, Roland Vollgraf, "Fashion-MNIST:
// a Novel Image Dataset for Benchmarking Machine Learning Algorithms",
// arXiv:1708.07747 (2017); MIT licence, Copyright © 2017 Zalando SE
// (https://github.com/zalandoresearch/fashion-mnist). KMNIST: Tarin
// Clanuwat, Mikel Bober-Irizar, Asanobu Kitamoto, Alex Lamb, Kazuaki
// Yamamoto, David Ha, "Deep Learning for Classical Japanese Literature",
// arXiv:1812.01718 (2018); CC BY-SA 4.0: "KMNIST Dataset" (created by
// CODH), adapted from "Kuzushiji Dataset" (created by NIJL and others),
// doi:10.20676/00000341 (https://github.com/rois-codh/kmnist). Neither is
// part of zoo or embedded in it; each user downloads them under their
// licences.
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
// pixels are, and other values are taken as they are, refused unless finite;
// so the features of every split of npy or idx must be uint8 in all or in
// none, and of the training file's shape.
// Train and test are required. The classes are the training file's largest
// label plus one, shared by every split: labels are meant to be 0 … K−1
// (a class no example has is still counted), with K ≥ 2 and below
// [MaxClasses]; a test or validation label of K or more is an error (a
// class no training example has could never be learnt: one stray label
// would widen the model silently). Validation is the validation file when given, else the last
// [Request].ValidationSplit of the training examples, else, as for MNIST,
// the last sixth of them (rounded down); a cut that leaves no validation
// example is an error, since training reports and stops on it.
//
// Sizes are checked before memory is committed: a .npy header's shape
// against the file's size, IDX sizes against [MaxIDXBytes] and the data
// that arrives, CSV rows as they are read (and no line longer than
// [MaxCSVLineBytes]).
package datasets
