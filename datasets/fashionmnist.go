package datasets

// FashionMNIST returns Fashion-MNIST, Zalando's 70,000 28×28 grey pictures
// of clothes in 10 classes (0 T-shirt/top, 1 trouser, 2 pullover, 3 dress,
// 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag, 9 ankle boot), made as a
// drop-in replacement for MNIST that is harder to get right. It is split
// as [MNIST] is: sets "fashion-mnist/train" (50,000), "…/validation" (the
// last 10,000 training pictures) and "…/test" (10,000), pixels scaled to
// [0, 1].
//
// The four files are downloaded on first use from the authors' site (or
// their GitHub repository when the site fails, or r.Mirror instead of
// both), checked against their published sizes and digests, and kept in
// r.Cache/fashion-mnist (by default os.UserCacheDir()/zoo/fashion-mnist);
// later calls read the cache, checking it again. With r.Dir set, the four
// files are read from that directory instead, unchecked, as [MNISTDir]
// reads them, and nothing is downloaded. See the package documentation for
// the errors and how to work offline.
//
// Fashion-MNIST is the work of Han Xiao, Kashif Rasul and Roland Vollgraf,
// "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning
// Algorithms", arXiv:1708.07747 (2017),
// https://github.com/zalandoresearch/fashion-mnist, under the MIT licence
// (Copyright © 2017 Zalando SE).
func FashionMNIST(r Request) (*Splits, error) {
	return loadRemote(r, fashionMNIST(), newFetcher(r.Progress))
}

// fashionMNIST describes the published files. It is a function, not a
// variable, so nothing can change the table at run time; tests pass
// their own tables to loadRemote.
//
// Where the checks come from:
//   - MD5: the authors' own, the "MD5 Checksum" column of the table of
//     files in README.md of github.com/zalandoresearch/fashion-mnist
//     (unchanged since 2017; checked at b2617bb, March 2022). It is the
//     only digest the authors publish.
//   - Sizes and SHA-256: tensorflow_datasets/url_checksums/fashion_mnist.txt
//     of github.com/tensorflow/datasets, which TensorFlow Datasets checks
//     every download of these URLs against. MD5 alone is forgeable; the
//     SHA-256 is not, and both must match. The two label files in the
//     authors' repository (data/fashion) match both digests.
func fashionMNIST() remoteSet {
	return remoteSet{
		family: family{name: "fashion-mnist", label: "one of the 10 classes"},
		bases: []string{
			// The README's direct links (an S3 website endpoint: plain
			// http only; the digests stand in for TLS).
			"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
			// The README's alternative: the files in the repository.
			"https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
		},
		files: [4]remoteFile{
			{Name: "train-images-idx3-ubyte.gz", Size: 26421880,
				MD5:    "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
				SHA256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"},
			{Name: "train-labels-idx1-ubyte.gz", Size: 29515,
				MD5:    "25c81989df183df01b3e8a0aad5dffbe",
				SHA256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"},
			{Name: "t10k-images-idx3-ubyte.gz", Size: 4422102,
				MD5:    "bef4ecab320f06d8554ea6380940ec79",
				SHA256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"},
			{Name: "t10k-labels-idx1-ubyte.gz", Size: 5148,
				MD5:    "bb300cfdad3c16e7a12a480ee83cd310",
				SHA256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"},
		},
	}
}
