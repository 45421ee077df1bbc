package datasets

import (
	"encoding/binary"
	"fmt"
	"math"
)

// LoadIDX loads the idx data set r asks for: any IDX files (see ReadIDX),
// by role as for npy (train, train_labels, test, test_labels, and
// optionally validation and validation_labels). Features are an array of
// shape [n, …] of any IDX type — the examples' Shape is the rest, so
// [n rows cols] gives pictures of rows×cols — unsigned bytes scaled to
// [0, 1] by /255 as MNIST's pixels are, other types taken as they are
// (and refused unless finite); labels are a 1-D array of integers (byte,
// int8, int16 or int32), each in [0, MaxClasses). So, unlike MNISTDir,
// pictures of any size and any number of classes are read: the classes
// are the largest label plus one. Validation, when not given, is cut from
// the end of train as for csv (see LoadCSV): by default the last sixth,
// which for MNIST's own files gives MNISTDir's split.
func LoadIDX(r Request) (*Splits, error) {
	if err := checkFileRequest(idxSource, r); err != nil {
		return nil, err
	}
	sets, err := loadArrays("idx", r, func(path string) (*Set, string, error) {
		m, err := ReadIDXFile(path)
		if err != nil {
			return nil, "", err
		}
		s, err := idxFeatures(m)
		if err != nil {
			return nil, "", fmt.Errorf("datasets: idx %s: %w", path, err)
		}
		typ := map[byte]string{idxUint8: "uint8", idxInt8: "int8", idxInt16: "int16", idxInt32: "int32", idxFloat32: "float32", idxFloat64: "float64"}[m.Type]
		return s, typ, nil
	}, func(path string) ([]int, error) {
		m, err := ReadIDXFile(path)
		if err != nil {
			return nil, err
		}
		l, err := idxLabels(m)
		if err != nil {
			return nil, fmt.Errorf("datasets: idx %s: %w", path, err)
		}
		return l, nil
	})
	if err != nil {
		return nil, err
	}
	return fileSplits("idx", r, sets[0], sets[2], sets[1], r.ValidationSplit)
}

// idxFeatures converts a features array to a set.
func idxFeatures(m *IDX) (*Set, error) {
	s := &Set{Shape: []int{1}}
	if len(m.Dims) > 1 {
		s.Shape = append([]int(nil), m.Dims[1:]...)
	}
	if m.Type == idxUint8 {
		s.X = make([]float32, len(m.Data))
		for i, b := range m.Data {
			s.X[i] = float32(b) / 255 // as MNIST's pixels
		}
		return s, nil
	}
	s.X = m.Float32s()
	for i, v := range s.X {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("value %v at example %d is not finite", f, i/s.Dim())
		}
	}
	return s, nil
}

// idxLabels converts a labels array, 1-D integers, to labels.
func idxLabels(m *IDX) ([]int, error) {
	if len(m.Dims) != 1 {
		return nil, fmt.Errorf("labels of %d dimensions %v; want one integer per example, 1-D", len(m.Dims), m.Dims)
	}
	labels := make([]int, m.Dims[0])
	d := m.Data
	for i := range labels {
		var l int64
		switch m.Type {
		case idxUint8:
			l = int64(d[i])
		case idxInt8:
			l = int64(int8(d[i]))
		case idxInt16:
			l = int64(int16(binary.BigEndian.Uint16(d[2*i:])))
		case idxInt32:
			l = int64(int32(binary.BigEndian.Uint32(d[4*i:])))
		default:
			return nil, fmt.Errorf("labels of type 0x%02x; want integers (0x08 unsigned byte, 0x09, 0x0B or 0x0C)", m.Type)
		}
		if err := checkLabel(l); err != nil {
			return nil, fmt.Errorf("example %d: %v", i, err)
		}
		labels[i] = int(l)
	}
	return labels, nil
}
