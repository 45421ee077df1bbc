package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// MaxIDXBytes is the largest data payload [ReadIDX] accepts. It exists so a
// corrupt header cannot make a reader attempt an absurd allocation, yet it
// leaves room for real files: MNIST's training images hold 47 MB and
// EMNIST's largest file about 550 MB.
const MaxIDXBytes = 1 << 31

// IDX element type codes, as the format defines them.
const (
	idxUint8   = 0x08
	idxInt8    = 0x09
	idxInt16   = 0x0B
	idxInt32   = 0x0C
	idxFloat32 = 0x0D
	idxFloat64 = 0x0E
)

// idxMaxDims bounds the dimension count; the format stores it in a byte, but
// no real file has more than a handful and the bound keeps headers tiny.
const idxMaxDims = 8

// idxFirstChunk is how much payload memory is committed before any payload
// has been read; the buffer then doubles as data arrives, so a header's
// claim alone never costs more than this.
const idxFirstChunk = 64 << 10

// IDX is one array read from an IDX file, the format of the MNIST files
// (http://yann.lecun.com/exdb/mnist/): a magic number 0x00 0x00 <type>
// <ndims>, then ndims big-endian uint32 sizes, then the elements, big-endian,
// in row-major order.
type IDX struct {
	// Type is the element type code: 0x08 unsigned byte, 0x09 int8,
	// 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64.
	Type byte
	// Dims are the sizes of the dimensions, outermost first.
	Dims []int
	// Data is the raw big-endian payload, len(Data) = product(Dims) times
	// the element size. It is kept raw so byte data (all of MNIST) can be
	// converted once, straight to the form the caller wants.
	Data []byte
}

// idxElemSize returns the size in bytes of one element of type t, or 0 when
// t is not a known type code.
func idxElemSize(t byte) int {
	switch t {
	case idxUint8, idxInt8:
		return 1
	case idxInt16:
		return 2
	case idxInt32, idxFloat32:
		return 4
	case idxFloat64:
		return 8
	}
	return 0
}

// ReadIDX reads one IDX array from r. A gzip stream (recognised by its magic
// bytes 0x1f 0x8b) is decompressed on the fly, so the published .gz files
// can be read as they are.
//
// The header is validated before any payload is read: the magic's two zero
// bytes, a known type code, 1 to 8 dimensions, none of them zero, and a
// payload of at most [MaxIDXBytes]. The payload must then be exactly as long
// as the header says: a short one gives an error wrapping
// [io.ErrUnexpectedEOF], and bytes after it are an error too, since they
// mean the file is not what its header claims.
//
// Memory follows the data: the payload's buffer grows as bytes arrive, so
// a header's count costs nothing until the data backs it, and a payload
// that, with its float32 copy (what every loader makes of it), would not
// fit the memory available (see memory.Machine) is refused from the header
// (a 2 MB gzip stream can hold 2 GB of zeros).
func ReadIDX(r io.Reader) (*IDX, error) {
	return readIDX(r, memory.Machine())
}

// readIDX is ReadIDX with the memory the data may take.
func readIDX(r io.Reader, limit memory.Limit) (*IDX, error) {
	br := bufio.NewReader(r)
	in := io.Reader(br)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("datasets: idx: gzip: %w", err)
		}
		defer zr.Close()
		in = zr
	}

	var head [4]byte
	if n, err := io.ReadFull(in, head[:]); err != nil {
		return nil, idxShort("header", len(head), n, err)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("datasets: idx: bad magic 0x%02x%02x (want 0x0000 then type and dimension count)", head[0], head[1])
	}
	typ, ndims := head[2], int(head[3])
	size := idxElemSize(typ)
	if size == 0 {
		return nil, fmt.Errorf("datasets: idx: unknown element type 0x%02x", typ)
	}
	if ndims < 1 || ndims > idxMaxDims {
		return nil, fmt.Errorf("datasets: idx: %d dimensions (want 1 to %d)", ndims, idxMaxDims)
	}

	sizes := make([]byte, 4*ndims)
	if n, err := io.ReadFull(in, sizes); err != nil {
		return nil, idxShort("dimension sizes", len(sizes), n, err)
	}
	dims := make([]int, ndims)
	total := uint64(size)
	for i := range dims {
		d := binary.BigEndian.Uint32(sizes[4*i:])
		if d == 0 {
			return nil, fmt.Errorf("datasets: idx: dimension %d of %d is 0", i, ndims)
		}
		// total ≤ MaxIDXBytes < 2^32 before this product, so it cannot
		// overflow uint64.
		total *= uint64(d)
		if total > MaxIDXBytes || total > math.MaxInt {
			return nil, fmt.Errorf("datasets: idx: dimensions %v of %d-byte elements exceed the %d-byte limit (MaxIDXBytes)",
				idxDims(sizes), size, uint64(MaxIDXBytes))
		}
		dims[i] = int(d)
	}

	need := float64(total) + 4*float64(total/uint64(size))
	if err := limit.Check(need, "the data", fmt.Sprintf("dimensions %v of %d-byte elements, read and converted to float32", dims, size)); err != nil {
		return nil, fmt.Errorf("datasets: idx: %w", err)
	}
	data, err := idxReadPayload(in, int(total))
	if err != nil {
		return nil, err
	}
	// Reading to the end also makes gzip verify its checksum, which is
	// how a corrupt compressed payload is caught.
	extra, err := io.Copy(io.Discard, in)
	if err != nil {
		return nil, fmt.Errorf("datasets: idx: reading past the %d data bytes: %w", total, err)
	}
	if extra > 0 {
		return nil, fmt.Errorf("datasets: idx: %d trailing bytes after the %d data bytes", extra, total)
	}
	return &IDX{Type: typ, Dims: dims, Data: data}, nil
}

// idxReadPayload reads exactly n bytes, committing memory only as fast as
// the bytes arrive, so a lying header fails with a truncation error instead
// of a giant allocation.
func idxReadPayload(r io.Reader, n int) ([]byte, error) {
	buf, err := readGrowing(r, n)
	if err != nil {
		return nil, idxShort("data", n, len(buf), err)
	}
	return buf, nil
}

// readGrowing reads exactly n bytes from r into a buffer that starts at
// idxFirstChunk and doubles as the bytes arrive, so memory follows the
// data, not the count a header claims. On error it returns what was read.
func readGrowing(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, idxFirstChunk))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(n, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil && len(buf) < n {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	return buf, nil
}

// idxShort describes a read that stopped after got of want bytes. Running
// out of input, whether the raw file or a gzip stream ends early, is
// reported as [io.ErrUnexpectedEOF] so callers can tell truncation from
// corruption.
func idxShort(what string, want, got int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if what == "data" {
			return fmt.Errorf("datasets: idx: truncated: want %d data bytes, got %d: %w", want, got, io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("datasets: idx: truncated %s: want %d bytes, got %d: %w", what, want, got, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("datasets: idx: reading %s (%d of %d bytes read): %w", what, got, want, err)
}

// idxDims formats raw big-endian dimension sizes for an error message.
func idxDims(sizes []byte) []uint32 {
	d := make([]uint32, len(sizes)/4)
	for i := range d {
		d[i] = binary.BigEndian.Uint32(sizes[4*i:])
	}
	return d
}

// ReadIDXFile reads one IDX array from the file at path, gzipped or not; see
// [ReadIDX]. Errors name the path.
func ReadIDXFile(path string) (*IDX, error) {
	f, err := safeopen.Open(path)
	if err != nil {
		// os errors already carry the path.
		return nil, fmt.Errorf("datasets: %w", err)
	}
	defer f.Close()
	m, err := ReadIDX(f)
	if err != nil {
		return nil, &fileError{path: path, err: err}
	}
	return m, nil
}

// fileError ties an error to the file it happened in. It renders as
// "datasets: read PATH: ..." while dropping the inner error's own
// "datasets: " prefix, so messages do not stutter.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string {
	return "datasets: read " + e.path + ": " + strings.TrimPrefix(e.err.Error(), "datasets: ")
}

func (e *fileError) Unwrap() error { return e.err }

// Float32s returns the elements converted to float32, unscaled: a byte 255
// becomes 255, not 1. Integers beyond float32's 24-bit mantissa and float64
// values are rounded to the nearest float32. It returns nil when Type is not
// a known code; a trailing partial element in Data is ignored.
func (m *IDX) Float32s() []float32 {
	size := idxElemSize(m.Type)
	if size == 0 {
		return nil
	}
	d := m.Data
	out := make([]float32, len(d)/size)
	switch m.Type {
	case idxUint8:
		for i := range out {
			out[i] = float32(d[i])
		}
	case idxInt8:
		for i := range out {
			out[i] = float32(int8(d[i]))
		}
	case idxInt16:
		for i := range out {
			out[i] = float32(int16(binary.BigEndian.Uint16(d[2*i:])))
		}
	case idxInt32:
		for i := range out {
			out[i] = float32(int32(binary.BigEndian.Uint32(d[4*i:])))
		}
	case idxFloat32:
		for i := range out {
			out[i] = math.Float32frombits(binary.BigEndian.Uint32(d[4*i:]))
		}
	case idxFloat64:
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.BigEndian.Uint64(d[8*i:])))
		}
	}
	return out
}
