package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

// idxBytes builds an IDX file: magic, dimension sizes, then data as given.
func idxBytes(typ byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

// gzipBytes compresses b as the published MNIST files are.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// be concatenates the big-endian encodings of vs (each uint16, uint32 or
// uint64), for building multi-byte payloads.
func be(vs ...any) []byte {
	var b []byte
	for _, v := range vs {
		b, _ = binary.Append(b, binary.BigEndian, v)
	}
	return b
}

func TestReadIDX(t *testing.T) {
	ubyte := idxBytes(0x08, []uint32{2, 3}, []byte{0, 1, 2, 253, 254, 255})
	ubyteGz := gzipBytes(t, ubyte)

	// A gzip stream whose stored CRC no longer matches its content.
	badCRC := slices.Clone(ubyteGz)
	badCRC[len(badCRC)-8] ^= 0xff
	// A gzip stream cut off in the middle.
	bigGz := gzipBytes(t, idxBytes(0x08, []uint32{1000}, bytes.Repeat([]byte{1, 2, 3, 4, 5}, 200)))
	cutGz := bigGz[:len(bigGz)/2]

	tests := []struct {
		name  string
		in    []byte
		typ   byte
		dims  []int
		vals  []float32 // Float32s of a good file
		err   string    // substring of the error; "" means success
		errIs error
	}{
		{name: "ubyte", in: ubyte, typ: 0x08, dims: []int{2, 3}, vals: []float32{0, 1, 2, 253, 254, 255}},
		{name: "ubyte gzip", in: ubyteGz, typ: 0x08, dims: []int{2, 3}, vals: []float32{0, 1, 2, 253, 254, 255}},
		{name: "int8", in: idxBytes(0x09, []uint32{4}, []byte{0, 127, 0x80, 0xff}), typ: 0x09, dims: []int{4}, vals: []float32{0, 127, -128, -1}},
		{name: "int16", in: idxBytes(0x0B, []uint32{2, 2}, be(uint16(1), uint16(0x7fff), uint16(0x8000), uint16(0xfffe))),
			typ: 0x0B, dims: []int{2, 2}, vals: []float32{1, 32767, -32768, -2}},
		{name: "int32", in: idxBytes(0x0C, []uint32{3}, be(uint32(70000), uint32(0xffffffff), uint32(1<<24))),
			typ: 0x0C, dims: []int{3}, vals: []float32{70000, -1, 1 << 24}},
		{name: "float32", in: idxBytes(0x0D, []uint32{1, 1, 3}, be(math.Float32bits(1.5), math.Float32bits(-0.25), math.Float32bits(float32(math.Inf(1))))),
			typ: 0x0D, dims: []int{1, 1, 3}, vals: []float32{1.5, -0.25, float32(math.Inf(1))}},
		{name: "float64", in: idxBytes(0x0E, []uint32{2}, be(math.Float64bits(0.1), math.Float64bits(-3))),
			typ: 0x0E, dims: []int{2}, vals: []float32{0.1, -3}},
		{name: "eight dims", in: idxBytes(0x08, []uint32{1, 1, 1, 1, 1, 1, 1, 2}, []byte{7, 9}),
			typ: 0x08, dims: []int{1, 1, 1, 1, 1, 1, 1, 2}, vals: []float32{7, 9}},

		{name: "empty", in: nil, err: "truncated header: want 4 bytes, got 0", errIs: io.ErrUnexpectedEOF},
		{name: "bad magic", in: append([]byte{0x12, 0x34}, ubyte[2:]...), err: "bad magic 0x1234 (want 0x0000"},
		{name: "unknown type", in: idxBytes(0x07, []uint32{1}, []byte{0}), err: "unknown element type 0x07"},
		{name: "zero dims", in: idxBytes(0x08, nil, []byte{1}), err: "0 dimensions (want 1 to 8)"},
		{name: "nine dims", in: idxBytes(0x08, []uint32{1, 1, 1, 1, 1, 1, 1, 1, 1}, []byte{1}), err: "9 dimensions"},
		{name: "zero-size dimension", in: idxBytes(0x08, []uint32{3, 0, 2}, nil), err: "dimension 1 of 3 is 0"},
		{name: "over limit", in: idxBytes(0x0D, []uint32{1 << 16, 1 << 14}, nil), err: "exceed the 2147483648-byte limit"},
		{name: "over limit by overflow", in: idxBytes(0x0E, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, nil), err: "exceed"},
		{name: "truncated header", in: []byte{0, 0, 8}, err: "truncated header: want 4 bytes, got 3", errIs: io.ErrUnexpectedEOF},
		{name: "truncated sizes", in: idxBytes(0x08, []uint32{2, 3}, nil)[:9], err: "truncated dimension sizes: want 8 bytes, got 5", errIs: io.ErrUnexpectedEOF},
		{name: "truncated data", in: ubyte[:len(ubyte)-2], err: "truncated: want 6 data bytes, got 4: unexpected EOF", errIs: io.ErrUnexpectedEOF},
		{name: "truncated multi-byte data", in: idxBytes(0x0B, []uint32{2}, []byte{0, 1, 0}), err: "want 4 data bytes, got 3", errIs: io.ErrUnexpectedEOF},
		{name: "trailing bytes", in: append(slices.Clone(ubyte), 9, 9, 9), err: "3 trailing bytes after the 6 data bytes"},
		{name: "trailing bytes in gzip", in: gzipBytes(t, append(slices.Clone(ubyte), 1)), err: "1 trailing bytes"},
		{name: "truncated gzip", in: cutGz, errIs: io.ErrUnexpectedEOF},
		{name: "gzip bad checksum", in: badCRC, err: "reading past the 6 data bytes: gzip: invalid checksum", errIs: gzip.ErrChecksum},
		{name: "gzip bad header", in: []byte{0x1f, 0x8b, 0, 0, 0, 0, 0, 0, 0, 0}, err: "datasets: idx: gzip:", errIs: gzip.ErrHeader},
		{name: "gzip corrupt deflate", in: append(slices.Clone(ubyteGz[:10]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), err: "datasets: idx:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadIDX(bytes.NewReader(tc.in))
			if tc.err != "" || tc.errIs != nil {
				if err == nil {
					t.Fatalf("ReadIDX succeeded with %+v, want error %q", m, tc.err)
				}
				if !strings.HasPrefix(err.Error(), "datasets: idx: ") {
					t.Errorf("error %q lacks the datasets: idx: prefix", err)
				}
				if !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %q does not contain %q", err, tc.err)
				}
				if tc.errIs != nil && !errors.Is(err, tc.errIs) {
					t.Errorf("error %q is not %v", err, tc.errIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadIDX: %v", err)
			}
			if m.Type != tc.typ || !slices.Equal(m.Dims, tc.dims) {
				t.Errorf("got type 0x%02x dims %v, want 0x%02x %v", m.Type, m.Dims, tc.typ, tc.dims)
			}
			if want := len(tc.vals) * idxElemSize(tc.typ); len(m.Data) != want {
				t.Errorf("len(Data) = %d, want %d", len(m.Data), want)
			}
			if got := m.Float32s(); !slices.Equal(got, tc.vals) {
				t.Errorf("Float32s() = %v, want %v", got, tc.vals)
			}
		})
	}
}

// TestReadIDXHugeClaim checks that a header's claim alone does not get
// memory: a tiny file claiming the maximum size must fail as truncated
// without allocating anything like what it claims.
func TestReadIDXHugeClaim(t *testing.T) {
	plain := idxBytes(0x08, []uint32{1 << 31}, []byte("only twelve."))
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"plain", plain},
		{"gzip", gzipBytes(t, plain)},
		{"float64 dims", idxBytes(0x0E, []uint32{1 << 14, 1 << 14}, make([]byte, 100))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadIDX(bytes.NewReader(tc.in))
			runtime.ReadMemStats(&after)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("ReadIDX error %v, want one wrapping io.ErrUnexpectedEOF", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew >= 64<<20 {
				t.Errorf("reading a %d-byte file allocated %d MiB", len(tc.in), grew>>20)
			}
		})
	}
}

func TestReadIDXFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.gz")
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(good, gzipBytes(t, idxBytes(0x08, []uint32{2}, []byte{4, 2})), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, idxBytes(0x07, []uint32{2}, []byte{4, 2}), 0o644); err != nil {
		t.Fatal(err)
	}

	m, err := ReadIDXFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Data, []byte{4, 2}) {
		t.Errorf("Data = %v, want [4 2]", m.Data)
	}

	_, err = ReadIDXFile(bad)
	if want := "datasets: read " + bad + ": idx: unknown element type 0x07"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}

	missing := filepath.Join(dir, "missing")
	_, err = ReadIDXFile(missing)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("error %v, want a not-exist error naming %s", err, missing)
	}

	trunc := filepath.Join(dir, "trunc")
	if err := os.WriteFile(trunc, idxBytes(0x08, []uint32{5}, []byte{1}), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err = ReadIDXFile(trunc); !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), trunc) {
		t.Errorf("error %v, want a truncation error naming %s", err, trunc)
	}
}

func TestFloat32sUnknownType(t *testing.T) {
	if got := (&IDX{Type: 0x42, Data: []byte{1, 2}}).Float32s(); got != nil {
		t.Errorf("Float32s of unknown type = %v, want nil", got)
	}
}

// idxProved is how many bytes the IDX input in proves: its length, or for
// a gzip stream what it decompresses to.
func idxProved(in []byte) uint64 {
	if len(in) < 2 || in[0] != 0x1f || in[1] != 0x8b {
		return uint64(len(in))
	}
	zr, err := gzip.NewReader(bytes.NewReader(in))
	if err != nil {
		return uint64(len(in))
	}
	n, _ := io.Copy(io.Discard, io.LimitReader(zr, MaxIDXBytes+1))
	return max(uint64(n), uint64(len(in)))
}

// FuzzReadIDX reads arbitrary bytes as an IDX file: an error with the
// package's prefix, or an array whose data fills its dimensions; and
// never more allocation than 4 bytes per byte the input proves (the
// payload's buffer doubles as bytes arrive: at most twice the payload,
// plus the copy while growing) and 1 MiB (gzip's and bufio's buffers, the
// first 64 KiB chunk).
func FuzzReadIDX(f *testing.F) {
	good := idxBytes(0x08, []uint32{2, 3}, []byte{0, 1, 2, 3, 4, 5})
	seeds := [][]byte{
		good,
		gzipBytes(f, good),
		idxBytes(0x0B, []uint32{2}, be(uint16(1), uint16(0xffff))),
		idxBytes(0x0D, []uint32{1, 1}, be(math.Float32bits(2.5))),
		idxBytes(0x0E, []uint32{1}, be(math.Float64bits(-1))),
		idxBytes(0x09, []uint32{1, 1, 1, 1, 1, 1, 1, 1}, []byte{0x80}),
		nil,
		{0, 0, 8},
		{0x12, 0x34, 8, 1, 0, 0, 0, 1, 0},
		idxBytes(0x07, []uint32{1}, []byte{0}),
		idxBytes(0x08, nil, nil),
		idxBytes(0x08, []uint32{3, 0}, nil),
		idxBytes(0x08, []uint32{1 << 31}, []byte{1, 2, 3}),
		idxBytes(0x0E, []uint32{0xffffffff, 0xffffffff}, nil),
		append(slices.Clone(good), 1, 2),
		good[:len(good)-1],
		{0x1f, 0x8b},
		gzipBytes(f, good)[:20],
		gzipBytes(f, idxBytes(0x08, []uint32{1_000_000, 1000}, make([]byte, 100_000))), // claims 1 GB, holds 100 kB
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var m *IDX
		var err error
		budget := 4*idxProved(in) + 1<<20
		if n := memory.Allocated(func() { m, err = ReadIDX(bytes.NewReader(in)) }); n > budget {
			t.Fatalf("reading %d bytes (proving %d) allocated %d, more than the budget of %d (error %v)", len(in), idxProved(in), n, budget, err)
		}
		if err != nil {
			if m != nil {
				t.Fatalf("ReadIDX returned %+v with error %v", m, err)
			}
			if !strings.HasPrefix(err.Error(), "datasets: idx: ") {
				t.Fatalf("error %q lacks the datasets: idx: prefix", err)
			}
			return
		}
		if len(m.Dims) < 1 || len(m.Dims) > idxMaxDims {
			t.Fatalf("accepted %d dimensions", len(m.Dims))
		}
		n := 1
		for _, d := range m.Dims {
			if d <= 0 {
				t.Fatalf("accepted dims %v", m.Dims)
			}
			n *= d
		}
		size := idxElemSize(m.Type)
		if size == 0 {
			t.Fatalf("accepted type 0x%02x", m.Type)
		}
		if len(m.Data) != n*size {
			t.Fatalf("dims %v of type 0x%02x but %d data bytes", m.Dims, m.Type, len(m.Data))
		}
		if got := len(m.Float32s()); got != n {
			t.Fatalf("Float32s gave %d values for dims %v", got, m.Dims)
		}
	})
}
