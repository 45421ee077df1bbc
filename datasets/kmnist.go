package datasets

// KMNIST returns Kuzushiji-MNIST: 70,000 28×28 grey pictures of cursive
// Japanese (kuzushiji) characters, one hiragana for each of the 10 rows of
// the syllabary (0 お o, 1 き ki, 2 す su, 3 つ tsu, 4 な na, 5 は ha,
// 6 ま ma, 7 や ya, 8 れ re, 9 を wo), made as a drop-in replacement for
// MNIST. It is split as [MNIST] is: sets "kmnist/train" (50,000),
// "kmnist/validation" (the last 10,000 training pictures) and
// "kmnist/test" (10,000), pixels scaled to [0, 1].
//
// Download, checks, cache, r.Mirror and r.Dir work as for
// [FashionMNIST]; the cache is r.Cache/kmnist.
//
// KMNIST is the work of Tarin Clanuwat, Mikel Bober-Irizar, Asanobu
// Kitamoto, Alex Lamb, Kazuaki Yamamoto and David Ha, "Deep Learning for
// Classical Japanese Literature", arXiv:1812.01718 (2018),
// https://github.com/rois-codh/kmnist, under the Creative Commons
// Attribution-Share Alike 4.0 licence (CC BY-SA 4.0): "KMNIST Dataset"
// (created by CODH), adapted from "Kuzushiji Dataset" (created by NIJL and
// others), doi:10.20676/00000341.
func KMNIST(r Request) (*Splits, error) {
	return loadRemote(r, kmnist(), newFetcher(r.Progress))
}

// kmnist describes the published files.
//
// Where the checks come from: the authors publish none for these files
// (neither README.md nor download_data.py of github.com/rois-codh/kmnist,
// checked at eb78dc1, May 2024, nor the repository's history has a digest).
// The ones below are those two other projects check every download of
// these URLs against, which agree where they overlap:
//   - Sizes and SHA-256: tensorflow_datasets/url_checksums/kmnist.txt of
//     github.com/tensorflow/datasets; the same SHA-256 digests are in
//     lib/torchvision/datasets/kmnist.rb of github.com/ankane/torchvision-ruby.
//   - MD5: class KMNIST in torchvision/datasets/mnist.py of
//     github.com/pytorch/vision.
func kmnist() remoteSet {
	return remoteSet{
		family: family{name: "kmnist", label: "one of the 10 classes"},
		bases: []string{
			// The README's and download_data.py's links are http; the
			// same host serves https, tried first. The digests guard
			// either.
			"https://codh.rois.ac.jp/kmnist/dataset/kmnist/",
			"http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
		},
		files: [4]remoteFile{
			{Name: "train-images-idx3-ubyte.gz", Size: 18165135,
				MD5:    "bdb82020997e1d708af4cf47b453dcf7",
				SHA256: "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4"},
			{Name: "train-labels-idx1-ubyte.gz", Size: 29497,
				MD5:    "e144d726b3acfaa3e44228e80efcd344",
				SHA256: "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17"},
			{Name: "t10k-images-idx3-ubyte.gz", Size: 3041136,
				MD5:    "5c965bf0a639b31b8f53240b1b52f4d7",
				SHA256: "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5"},
			{Name: "t10k-labels-idx1-ubyte.gz", Size: 5120,
				MD5:    "7320c461ea6c1c855c0b718fb2a4b134",
				SHA256: "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c"},
		},
	}
}
