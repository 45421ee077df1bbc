package datasets

import (
	"bytes"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

// FuzzMNISTSplits feeds arbitrary bytes as the four MNIST files (each
// read as ReadIDX reads it, so gzip too) to the checks that turn them into
// splits: they must never panic, and what they accept must be consistent
// sets of digits. Nor may they allocate more than 32 bytes per byte the
// files prove (their bytes, decompressed: the raw payloads with their
// growth, the float32 pixels, the labels as ints, the splits) and 4 MiB.
func FuzzMNISTSplits(f *testing.F) {
	img := func(n, rows, cols int) []byte {
		return idxBytes(0x08, []uint32{uint32(n), uint32(rows), uint32(cols)}, make([]byte, n*rows*cols))
	}
	lbl := func(labels ...byte) []byte { return idxBytes(0x08, []uint32{uint32(len(labels))}, labels) }
	f.Add(img(7, 2, 3), lbl(0, 1, 2, 3, 4, 5, 9), img(2, 2, 3), lbl(9, 0))
	f.Add(gzipBytes(f, img(7, 2, 3)), gzipBytes(f, lbl(0, 1, 2, 3, 4, 5, 9)), img(2, 2, 3), lbl(9, 0))
	f.Add(img(1, 1, 1), lbl(3), img(1, 1, 1), lbl(3))
	f.Add(img(3, 2, 3), lbl(0, 1), img(2, 2, 3), lbl(9, 0))                                     // count mismatch
	f.Add(img(2, 2, 3), lbl(0, 10), img(2, 2, 3), lbl(9, 0))                                    // not a digit
	f.Add(img(2, 2, 3), lbl(0, 1), img(2, 3, 2), lbl(9, 0))                                     // other image size
	f.Add(idxBytes(0x08, []uint32{2, 6}, make([]byte, 12)), lbl(0, 1), img(2, 2, 3), lbl(9, 0)) // 2-D images
	f.Add(img(2, 2, 3), idxBytes(0x08, []uint32{1, 2}, []byte{0, 1}), img(2, 2, 3), lbl(9, 0))  // 2-D labels
	f.Add(idxBytes(0x0D, []uint32{1, 1, 1}, make([]byte, 4)), lbl(0), img(1, 1, 1), lbl(0))     // float images
	f.Add(img(2, 2, 3), idxBytes(0x0C, []uint32{2}, make([]byte, 8)), img(2, 2, 3), lbl(9, 0))  // int32 labels
	f.Fuzz(func(t *testing.T, trainImages, trainLabels, testImages, testLabels []byte) {
		var m [4]*IDX
		var s *Splits
		var err error
		budget := uint64(4 << 20)
		for _, data := range [][]byte{trainImages, trainLabels, testImages, testLabels} {
			budget += 32 * idxProved(data)
		}
		if n := memory.Allocated(func() {
			for i, data := range [][]byte{trainImages, trainLabels, testImages, testLabels} {
				if m[i], err = ReadIDX(bytes.NewReader(data)); err != nil {
					return
				}
			}
			s, err = mnistSplits(m, mnistBases)
		}); n > budget {
			t.Fatalf("allocated %d bytes, more than the budget of %d (error %v)", n, budget, err)
		}
		if m[3] == nil {
			return
		}
		if err != nil {
			if s != nil {
				t.Fatalf("splits %+v with error %v", s, err)
			}
			return
		}
		n, rows, cols := m[0].Dims[0], m[0].Dims[1], m[0].Dims[2]
		if s.Train.Len()+s.Validation.Len() != n || s.Test.Len() != m[2].Dims[0] {
			t.Fatalf("%d training images became %d+%d examples", n, s.Train.Len(), s.Validation.Len())
		}
		for _, set := range []*Set{s.Train, s.Validation, s.Test} {
			if set.Len() > 0 && set.Dim() != rows*cols {
				t.Fatalf("%s: dim %d for %dx%d images", set.Name, set.Dim(), rows, cols)
			}
			if err := set.Validate(); err != nil {
				t.Fatalf("accepted an invalid set: %v", err)
			}
		}
	})
}
