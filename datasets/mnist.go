package datasets

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// mnistFiles holds the four original MNIST files, so that MNIST works
// offline and every run sees byte-identical data.
//
//go:embed mnist/*.gz
var mnistFiles embed.FS

// The standard MNIST file names, without the .gz the published copies have.
const (
	mnistTrainImages = "train-images-idx3-ubyte"
	mnistTrainLabels = "train-labels-idx1-ubyte"
	mnistTestImages  = "t10k-images-idx3-ubyte"
	mnistTestLabels  = "t10k-labels-idx1-ubyte"
)

// SHA-256 digests of the published .gz files, checked before the embedded
// copies are parsed so a damaged build or checkout cannot silently train on
// different data.
const (
	mnistTrainImagesSHA256 = "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
	mnistTrainLabelsSHA256 = "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
	mnistTestImagesSHA256  = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
	mnistTestLabelsSHA256  = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
)

// mnistClasses is the number of digit classes.
const mnistClasses = 10

// MNIST returns the MNIST handwritten digits from the copies embedded in
// this package: Train is the first 50,000 of the 60,000 training images,
// Validation the last 10,000 of them, and Test the 10,000 test images. Each
// example is a 28×28 image (Shape [28 28], Dim 784) with pixels scaled to
// [0, 1], labelled with its digit (Classes 10). The sets are named
// "mnist/train", "mnist/validation" and "mnist/test".
//
// Each embedded file's SHA-256 is verified before it is parsed. Decoding
// takes about a second and some 220 MB for the float32 pixels, so call it
// once and share the result; the sets are not modified by this package.
func MNIST() (*Splits, error) {
	var m [4]*IDX
	var files []FileDigest
	for i, f := range []struct{ name, sha string }{
		{mnistTrainImages, mnistTrainImagesSHA256},
		{mnistTrainLabels, mnistTrainLabelsSHA256},
		{mnistTestImages, mnistTestImagesSHA256},
		{mnistTestLabels, mnistTestLabelsSHA256},
	} {
		name := f.name + ".gz"
		data, err := mnistFiles.ReadFile("mnist/" + name)
		if err != nil {
			return nil, fmt.Errorf("datasets: mnist: embedded %s: %w", name, err)
		}
		if err := checkSHA256(name, data, f.sha); err != nil {
			return nil, err
		}
		if m[i], err = ReadIDX(bytes.NewReader(data)); err != nil {
			return nil, &fileError{path: "embedded " + name, err: err}
		}
		files = append(files, FileDigest{Role: mnistRoles[i], Path: name, SHA256: f.sha, Bytes: int64(len(data))})
	}
	s, err := mnistSplits(m, [4]string{
		mnistTrainImages + ".gz", mnistTrainLabels + ".gz",
		mnistTestImages + ".gz", mnistTestLabels + ".gz",
	})
	if err != nil {
		return nil, err
	}
	s.Files = files
	return s, nil
}

// checkSHA256 reports whether data, the contents of the file name, has the
// hex SHA-256 digest want.
func checkSHA256(name string, data []byte, want string) error {
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("datasets: mnist: %s: sha256 %s, want %s", name, got, want)
	}
	return nil
}

// MNISTDir reads MNIST from the four files in dir, under their standard
// names (train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), each either plain or
// gzipped with a .gz suffix; the common variant with a dot before "idx"
// (train-images.idx3-ubyte) is accepted too. When several variants exist
// the first in that order (plain, .gz, dotted, dotted .gz) is used.
//
// The files are not hash-checked, since any faithful copy, or a look-alike
// such as Fashion-MNIST, is welcome, but they are validated: images must be
// 3-D unsigned bytes [n rows cols] (Shape is then [rows cols]), labels 1-D
// unsigned bytes with one label below 10 per image, and the test images the
// same size as the training images.
//
// The split follows [MNIST]: the last sixth of the training file, rounded
// down, is Validation and the rest Train, which for the standard 60,000
// images is 50,000/10,000; a training file of fewer than 6 images leaves
// Validation empty.
func MNISTDir(dir string) (*Splits, error) {
	return readMNISTLike(family{name: "mnist", label: "a digit"}, dir)
}

// family says which of the data sets published in MNIST's four-file form
// is being read, so set names and messages name it: Fashion-MNIST's files
// have MNIST's very names, and an error about "mnist" would mislead.
type family struct {
	// name prefixes the sets' names ("mnist/train") and the messages.
	name string
	// label says what a valid label is, for the message about one that is
	// not ("is not a digit").
	label string
}

// readMNISTLike reads the four files of the data set f from dir as
// [MNISTDir] describes.
func readMNISTLike(f family, dir string) (*Splits, error) {
	switch st, err := os.Stat(dir); {
	case err != nil:
		return nil, fmt.Errorf("datasets: %s: data directory: %w", f.name, err)
	case !st.IsDir():
		return nil, fmt.Errorf("datasets: %s: data directory %s is not a directory", f.name, dir)
	}
	var m [4]*IDX
	var names, paths [4]string
	for i, base := range []string{mnistTrainImages, mnistTrainLabels, mnistTestImages, mnistTestLabels} {
		path, err := findMNISTFile(f, dir, base)
		if err != nil {
			return nil, err
		}
		if m[i], err = ReadIDXFile(path); err != nil {
			return nil, err
		}
		names[i], paths[i] = filepath.Base(path), path
	}
	s, err := mnistLikeSplits(f, m, names)
	if err != nil {
		return nil, err
	}
	for i, path := range paths {
		d, err := DigestFile(mnistRoles[i], path)
		if err != nil {
			return nil, err
		}
		s.Files = append(s.Files, d)
	}
	return s, nil
}

// findMNISTFile returns the path of the first variant of the standard file
// name base present in dir.
func findMNISTFile(f family, dir, base string) (string, error) {
	dotted := strings.Replace(base, "-idx", ".idx", 1)
	tried := []string{base, base + ".gz", dotted, dotted + ".gz"}
	for _, name := range tried {
		path := filepath.Join(dir, name)
		// A directory or special file under the name is the one meant:
		// ReadIDXFile says what it is rather than that nothing is there.
		_, err := os.Stat(path)
		if err == nil {
			return path, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("datasets: %s: %w", f.name, err)
		}
	}
	return "", fmt.Errorf("datasets: %s: %s has none of %s: %w", f.name, dir, strings.Join(tried, ", "), fs.ErrNotExist)
}

// mnistSplits checks the four parsed MNIST files (train images, train
// labels, test images, test labels, named by names for messages) and turns
// them into scaled, labelled sets.
func mnistSplits(m [4]*IDX, names [4]string) (*Splits, error) {
	return mnistLikeSplits(family{name: "mnist", label: "a digit"}, m, names)
}

// mnistLikeSplits is [mnistSplits] for any data set of the family f: the
// same checks and the same split, under f's name.
func mnistLikeSplits(f family, m [4]*IDX, names [4]string) (*Splits, error) {
	for i := 0; i < 4; i += 2 {
		img, lbl := m[i], m[i+1]
		if img.Type != idxUint8 || len(img.Dims) != 3 {
			return nil, fmt.Errorf("datasets: %s: %s: want 3-D unsigned byte images, got %d-D of type 0x%02x", f.name, names[i], len(img.Dims), img.Type)
		}
		if lbl.Type != idxUint8 || len(lbl.Dims) != 1 {
			return nil, fmt.Errorf("datasets: %s: %s: want 1-D unsigned byte labels, got %d-D of type 0x%02x", f.name, names[i+1], len(lbl.Dims), lbl.Type)
		}
		if img.Dims[0] != lbl.Dims[0] {
			return nil, fmt.Errorf("datasets: %s: %s has %d images but %s has %d labels", f.name, names[i], img.Dims[0], names[i+1], lbl.Dims[0])
		}
		for j, l := range lbl.Data {
			if l >= mnistClasses {
				return nil, fmt.Errorf("datasets: %s: %s: label %d of example %d is not %s", f.name, names[i+1], l, j, f.label)
			}
		}
	}
	train, test := m[0], m[2]
	if train.Dims[1] != test.Dims[1] || train.Dims[2] != test.Dims[2] {
		return nil, fmt.Errorf("datasets: %s: %s has %dx%d images but %s has %dx%d",
			f.name, names[0], train.Dims[1], train.Dims[2], names[2], test.Dims[1], test.Dims[2])
	}

	// One table and one pass per file: division rather than multiplying by
	// 1/255 keeps every value the correctly rounded quotient.
	var scale [256]float32
	for i := range scale {
		scale[i] = float32(i) / 255
	}
	all := mnistSet(f.name+"/train", train, m[1], &scale)
	n := all.Len()
	cut := n - n/6
	trainSet, validSet := all.Slice(0, cut), all.Slice(cut, n)
	trainSet.Name, validSet.Name = f.name+"/train", f.name+"/validation"
	return &Splits{
		Train:      trainSet,
		Validation: validSet,
		Test:       mnistSet(f.name+"/test", test, m[3], &scale),
	}, nil
}

// mnistSet converts validated image and label arrays into a Set.
func mnistSet(name string, img, lbl *IDX, scale *[256]float32) *Set {
	x := make([]float32, len(img.Data))
	for i, p := range img.Data {
		x[i] = scale[p]
	}
	labels := make([]int, len(lbl.Data))
	for i, l := range lbl.Data {
		labels[i] = int(l)
	}
	return &Set{
		Name:    name,
		X:       x,
		Shape:   []int{img.Dims[1], img.Dims[2]},
		Labels:  labels,
		Classes: mnistClasses,
	}
}
