// Package npy writes and reads NumPy's .npy format, version 1.0, for
// float32 arrays in C order: the magic "\x93NUMPY", the version bytes 1 0,
// a little-endian uint16 header length, an ASCII header (a Python dict
// literal giving descr, fortran_order and shape, padded with spaces and
// ended by a newline so the data starts at a multiple of 64 bytes), then
// the values, little-endian.
//
// numpy.load reads what Write writes:
//
//	codes = numpy.load("codes.npy")   # float32, shape (n, k)
//
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
package npy

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

const magic = "\x93NUMPY"

// align is the multiple of bytes the data starts at.
const align = 64

// Write writes data, a float32 array of the given shape in C (row-major)
// order, to w as a version 1.0 .npy file.
func Write(w io.Writer, data []float32, shape ...int) error {
	n := 1
	dims := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 {
			return fmt.Errorf("npy: negative dimension in shape %v", shape)
		}
		n *= d
		dims[i] = strconv.Itoa(d)
	}
	if n != len(data) {
		return fmt.Errorf("npy: %d values do not make shape %v", len(data), shape)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += "," // a Python 1-tuple
	}
	header := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", tuple)
	// Pad with spaces so that magic, version, length, header and newline
	// fill a multiple of align bytes.
	total := len(magic) + 2 + 2 + len(header) + 1
	header += strings.Repeat(" ", (align-total%align)%align) + "\n"
	if len(header) > math.MaxUint16 {
		return fmt.Errorf("npy: shape %v needs a header too long for version 1.0", shape)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(magic)
	bw.Write([]byte{1, 0})
	binary.Write(bw, binary.LittleEndian, uint16(len(header)))
	bw.WriteString(header)
	var buf [4]byte
	for _, v := range data {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
		bw.Write(buf[:])
	}
	return bw.Flush()
}

var (
	descrRE   = regexp.MustCompile(`'descr':\s*'([^']*)'`)
	fortranRE = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	shapeRE   = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// Read reads a .npy file of little-endian float32 values in C order
// (version 1.0, 2.0 or 3.0 header) and returns its values and shape. A
// short file is io.ErrUnexpectedEOF.
func Read(r io.Reader) ([]float32, []int, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, nil, fmt.Errorf("npy: %w", eof(err))
	}
	if string(pre[:6]) != magic {
		return nil, nil, errors.New("npy: not a .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, fmt.Errorf("npy: %w", eof(err))
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, fmt.Errorf("npy: %w", eof(err))
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
		if hlen > 1<<20 {
			return nil, nil, fmt.Errorf("npy: header of %d bytes", hlen)
		}
	default:
		return nil, nil, fmt.Errorf("npy: unsupported version %d.%d", pre[6], pre[7])
	}
	// Read as it arrives: a header's length claims up to 1 MiB.
	hb, err := io.ReadAll(io.LimitReader(r, int64(hlen)))
	if err == nil && len(hb) < hlen {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, nil, fmt.Errorf("npy: header: %w", eof(err))
	}
	header := string(bytes.TrimRight(hb, " \n"))
	if !strings.HasPrefix(header, "{") || !strings.HasSuffix(header, "}") {
		return nil, nil, fmt.Errorf("npy: header %q is not a dict", header)
	}
	m := descrRE.FindStringSubmatch(header)
	if m == nil || m[1] != "<f4" {
		return nil, nil, fmt.Errorf("npy: header %q: want descr '<f4' (little-endian float32)", header)
	}
	if m := fortranRE.FindStringSubmatch(header); m == nil || m[1] != "False" {
		return nil, nil, fmt.Errorf("npy: header %q: want fortran_order False", header)
	}
	m = shapeRE.FindStringSubmatch(header)
	if m == nil {
		return nil, nil, fmt.Errorf("npy: header %q has no shape", header)
	}
	var shape []int
	n := 1
	for _, f := range strings.Split(m[1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d < 0 || (d > 0 && n > math.MaxInt32/d) {
			return nil, nil, fmt.Errorf("npy: bad shape (%s)", m[1])
		}
		shape = append(shape, d)
		n *= d
	}
	// The values grow as they arrive, not by the shape's claim.
	data := make([]float32, 0, min(n, 1<<10))
	var buf [4096]byte
	for len(data) < n {
		k := min(len(buf)/4, n-len(data))
		if _, err := io.ReadFull(r, buf[:4*k]); err != nil {
			return nil, nil, fmt.Errorf("npy: data: %w", eof(err))
		}
		for i := range k {
			data = append(data, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
		}
	}
	return data, shape, nil
}

func eof(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
