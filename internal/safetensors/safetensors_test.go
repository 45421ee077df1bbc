package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

// raw builds a file from a header (unpadded, as given) and a data section.
func raw(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// rawLen builds a file whose length prefix is n, followed by rest.
func rawLen(n uint64, rest string) []byte {
	return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
}

// encode encodes or fails the test.
func encode(t testing.TB, tensors []Tensor, md map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, md); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// equalTensors reports how two tensor lists differ, or "" if they do not.
func diffTensors(got, want []Tensor) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d tensors, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || !bytes.Equal(g.Data, w.Data) {
			return fmt.Sprintf("tensor %d is %q %s %v (%d bytes), want %q %s %v (%d bytes)",
				i, g.Name, g.DType, g.Shape, len(g.Data), w.Name, w.DType, w.Shape, len(w.Data))
		}
	}
	return ""
}

// equalMetadata treats nil and empty metadata as equal.
func equalMetadata(a, b map[string]string) bool {
	return len(a) == len(b) && maps.Equal(a, b)
}

func u8(name string, shape []int, v ...byte) Tensor {
	return Tensor{Name: name, DType: "U8", Shape: shape, Data: v}
}

func i64(name string, shape []int, v ...int64) Tensor {
	var data []byte
	for _, x := range v {
		data = binary.LittleEndian.AppendUint64(data, uint64(x))
	}
	return Tensor{Name: name, DType: "I64", Shape: shape, Data: data}
}

// roundTripCases are valid inputs; their tensors are listed in data
// order, so Decode must return them in the same order.
var roundTripCases = []struct {
	name     string
	tensors  []Tensor
	metadata map[string]string
}{
	{"empty file", nil, nil},
	{"metadata only", nil, map[string]string{"format": "pt"}},
	{"one F32", []Tensor{F32("x", []int{2}, []float32{1, 2})}, nil},
	{"model with metadata", []Tensor{
		F32("encoder.0.weight", []int{2, 3}, []float32{1, -2, 3.5, float32(math.Inf(1)), 0, -0.25}),
		F32("encoder.0.bias", []int{3}, []float32{0.1, 0.2, 0.3}),
		F64("decoder.weight", []int{3, 1}, []float64{math.Pi, math.E, -1e300}),
		i64("step", []int{}, 123456789012),
		u8("mask", []int{2, 2}, 1, 0, 0, 1),
		{Name: "flags", DType: "BOOL", Shape: []int{3}, Data: []byte{1, 0, 1}},
		{Name: "half", DType: "F16", Shape: []int{2}, Data: []byte{0x00, 0x3c, 0x00, 0xc0}},
		{Name: "bf", DType: "BF16", Shape: []int{1}, Data: []byte{0x80, 0x3f}},
		{Name: "u32", DType: "U32", Shape: []int{1, 1}, Data: []byte{1, 2, 3, 4}},
	}, map[string]string{"format": "pt", "epoch": "7", "note": "<html> & \"quotes\" ünïcödé"}},
	{"zero-size tensors", []Tensor{
		F32("a", []int{0}, nil),
		F32("b", []int{2, 0, 3}, nil),
		F32("c", []int{1}, []float32{42}),
		F64("d", []int{0, 5}, nil),
	}, nil},
	{"odd sizes then wide", []Tensor{
		u8("bytes", []int{3}, 1, 2, 3),
		F64("after", []int{1}, []float64{1.5}),
	}, map[string]string{"": "empty key is fine"}},
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range roundTripCases {
		t.Run(tt.name, func(t *testing.T) {
			b := encode(t, tt.tensors, tt.metadata)
			n := binary.LittleEndian.Uint64(b)
			if (8+n)%8 != 0 {
				t.Errorf("header length %d: data section not 8-byte aligned", n)
			}
			if again := encode(t, tt.tensors, tt.metadata); !bytes.Equal(b, again) {
				t.Error("Encode is not deterministic")
			}

			f, err := Decode(b, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := diffTensors(f.Tensors, tt.tensors); d != "" {
				t.Error(d)
			}
			if !equalMetadata(f.Metadata, tt.metadata) {
				t.Errorf("metadata %v, want %v", f.Metadata, tt.metadata)
			}
			for _, want := range tt.tensors {
				got, ok := f.Get(want.Name)
				if !ok || got.DType != want.DType || !bytes.Equal(got.Data, want.Data) {
					t.Errorf("Get(%q) = %v, %v", want.Name, got, ok)
				}
			}
			if _, ok := f.Get("no such tensor"); ok {
				t.Error("Get found a tensor that does not exist")
			}

			// The same through the file system.
			path := filepath.Join(t.TempDir(), "m.safetensors")
			if err := WriteFile(path, tt.tensors, tt.metadata); err != nil {
				t.Fatal(err)
			}
			if onDisk, _ := os.ReadFile(path); !bytes.Equal(onDisk, b) {
				t.Error("WriteFile wrote different bytes from Encode")
			}
			f2, err := ReadFile(path, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if d := diffTensors(f2.Tensors, tt.tensors); d != "" {
				t.Error("ReadFile:", d)
			}
			if !equalMetadata(f2.Metadata, tt.metadata) {
				t.Errorf("ReadFile metadata %v, want %v", f2.Metadata, tt.metadata)
			}
		})
	}
}

func TestRoundTripValues(t *testing.T) {
	w32 := []float32{1, -2.5, float32(math.NaN()), float32(math.Inf(-1)), math.SmallestNonzeroFloat32, math.MaxFloat32}
	w64 := []float64{1, -2.5, math.Inf(1), math.SmallestNonzeroFloat64, math.MaxFloat64, -0.0}
	f, err := Decode(encode(t, []Tensor{F32("a", []int{2, 3}, w32), F64("b", []int{6}, w64)}, nil), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.Get("a")
	got32, err := a.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range w32 {
		if math.Float32bits(got32[i]) != math.Float32bits(w32[i]) {
			t.Errorf("a[%d] = %v, want %v", i, got32[i], w32[i])
		}
	}
	widened, err := a.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range w32 {
		if !(widened[i] == float64(w32[i]) || math.IsNaN(widened[i]) && math.IsNaN(float64(w32[i]))) {
			t.Errorf("widened a[%d] = %v, want %v", i, widened[i], w32[i])
		}
	}
	b, _ := f.Get("b")
	got64, err := b.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range w64 {
		if math.Float64bits(got64[i]) != math.Float64bits(w64[i]) {
			t.Errorf("b[%d] = %v, want %v", i, got64[i], w64[i])
		}
	}
}

func TestFloatAccessorErrors(t *testing.T) {
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"Float32s of F64", func() error { _, err := F64("w", []int{1}, []float64{1}).Float32s(); return err },
			`safetensors: tensor "w": Float32s needs dtype F32, have F64`},
		{"Float32s of I64", func() error { _, err := i64("step", nil, 1).Float32s(); return err },
			`tensor "step": Float32s needs dtype F32, have I64`},
		{"Float64s of U8", func() error { _, err := u8("m", []int{1}, 1).Float64s(); return err },
			`safetensors: tensor "m": Float64s needs dtype F64 or F32, have U8`},
		{"Float32s with short data", func() error { _, err := F32("s", []int{3}, []float32{1, 2}).Float32s(); return err },
			`safetensors: tensor "s": F32 [3] needs 12 bytes, data holds 8`},
		{"Float64s with short data", func() error { _, err := F64("s", []int{3}, []float64{1}).Float64s(); return err },
			`safetensors: tensor "s": F64 [3] needs 24 bytes, data holds 8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestKnownEncoding checks Encode byte for byte against a file written out
// by hand from the specification.
func TestKnownEncoding(t *testing.T) {
	tests := []struct {
		name     string
		metadata map[string]string
		want     []byte
	}{
		{"no metadata", nil, slices.Concat(
			[]byte{56, 0, 0, 0, 0, 0, 0, 0}, // 54-byte header + 2 spaces of padding
			[]byte(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  `),
			[]byte{0x00, 0x00, 0x80, 0x3f}, // 1.0f
			[]byte{0x00, 0x00, 0x00, 0x40}, // 2.0f
		)},
		{"with metadata", map[string]string{"k": "v"}, slices.Concat(
			[]byte{80, 0, 0, 0, 0, 0, 0, 0}, // 79-byte header + 1 space
			[]byte(`{"__metadata__":{"k":"v"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} `),
			[]byte{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40},
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encode(t, []Tensor{F32("x", []int{2}, []float32{1, 2})}, tt.metadata)
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Encode =\n%q\nwant\n%q", got, tt.want)
			}
			f, err := Decode(tt.want, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.Tensors[0].Float32s()
			if err != nil || !slices.Equal(v, []float32{1, 2}) {
				t.Errorf("decoded %v, %v; want [1 2]", v, err)
			}
		})
	}
}

// independentParse reads a safetensors file with nothing but encoding/json
// and encoding/binary, as a cross-check on Decode and Encode.
func independentParse(t *testing.T, b []byte) (map[string]Tensor, map[string]string) {
	t.Helper()
	n := binary.LittleEndian.Uint64(b[:8])
	var header map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &header); err != nil {
		t.Fatalf("independent parser: %v", err)
	}
	data := b[8+n:]
	tensors := map[string]Tensor{}
	var md map[string]string
	for k, v := range header {
		if k == "__metadata__" {
			if err := json.Unmarshal(v, &md); err != nil {
				t.Fatalf("independent parser: metadata: %v", err)
			}
			continue
		}
		var e struct {
			DType   string   `json:"dtype"`
			Shape   []int    `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatalf("independent parser: %s: %v", k, err)
		}
		tensors[k] = Tensor{Name: k, DType: e.DType, Shape: e.Shape, Data: data[e.Offsets[0]:e.Offsets[1]]}
	}
	return tensors, md
}

func TestIndependentParser(t *testing.T) {
	for _, tt := range roundTripCases {
		t.Run(tt.name, func(t *testing.T) {
			tensors, md := independentParse(t, encode(t, tt.tensors, tt.metadata))
			if !equalMetadata(md, tt.metadata) {
				t.Errorf("metadata %v, want %v", md, tt.metadata)
			}
			if len(tensors) != len(tt.tensors) {
				t.Fatalf("%d tensors, want %d", len(tensors), len(tt.tensors))
			}
			for _, want := range tt.tensors {
				got := tensors[want.Name]
				if d := diffTensors([]Tensor{got}, []Tensor{want}); d != "" {
					t.Error(d)
				}
			}
		})
	}
}

// pythonReader parses a safetensors file with Python's standard library
// (json and struct) and prints its tensors and metadata as JSON.
const pythonReader = `
import json, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
assert (8 + n) % 8 == 0, "data section not aligned"
h = json.loads(b[8:8+n].decode("utf-8"))
data = b[8+n:]
md = h.pop("__metadata__", {})
out = {"metadata": md, "tensors": {}}
for name, e in h.items():
    assert set(e) == {"dtype", "shape", "data_offsets"}, e
    s, t = e["data_offsets"]
    v = data[s:t]
    if e["dtype"] == "F32":
        vals = list(struct.unpack("<%df" % (len(v) // 4), v))
    elif e["dtype"] == "F64":
        vals = list(struct.unpack("<%dd" % (len(v) // 8), v))
    else:
        vals = list(v)
    out["tensors"][name] = {"dtype": e["dtype"], "shape": e["shape"], "values": vals}
print(json.dumps(out))
`

// TestPythonReader cross-checks Encode against Python's json and struct
// modules; it is skipped when python3 is not installed.
func TestPythonReader(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	want := []Tensor{
		F32("encoder.0.weight", []int{2, 2}, []float32{1, -2, 0.5, 3}),
		F64("head", []int{3}, []float64{math.Pi, -1e-300, 7}),
		u8("mask", []int{2}, 0, 255),
	}
	md := map[string]string{"format": "pt", "note": "ünïcödé"}
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := WriteFile(path, want, md); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", pythonReader, path).Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var got struct {
		Metadata map[string]string
		Tensors  map[string]struct {
			DType  string
			Shape  []int
			Values []float64
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python3 output %s: %v", out, err)
	}
	if !equalMetadata(got.Metadata, md) {
		t.Errorf("python sees metadata %v, want %v", got.Metadata, md)
	}
	if len(got.Tensors) != len(want) {
		t.Errorf("python sees %d tensors, want %d", len(got.Tensors), len(want))
	}
	for _, w := range want {
		g, ok := got.Tensors[w.Name]
		if !ok {
			t.Errorf("python does not see %q", w.Name)
			continue
		}
		var wv []float64
		switch w.DType {
		case "U8":
			for _, x := range w.Data {
				wv = append(wv, float64(x))
			}
		default:
			wv, _ = w.Float64s()
		}
		if g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) || !slices.Equal(g.Values, wv) {
			t.Errorf("python sees %q as %s %v %v, want %s %v %v", w.Name, g.DType, g.Shape, g.Values, w.DType, w.Shape, wv)
		}
	}
}

// decodeErrorCases are malformed files and the error each must produce.
var decodeErrorCases = []struct {
	name string
	file []byte
	lim  Limits
	want string
}{
	// Framing.
	{"empty file", nil, Limits{}, "file is 0 bytes, shorter than the 8-byte header length"},
	{"7 bytes", []byte{1, 2, 3, 4, 5, 6, 7}, Limits{}, "file is 7 bytes, shorter than the 8-byte header length"},
	{"header length beyond file", rawLen(100, "{}"), Limits{}, "header length 100 is beyond the 2 bytes that follow it"},
	{"header length beyond default limit", rawLen(1<<40, "{}"), Limits{}, "header length 1099511627776 is beyond the limit of 104857600"},
	{"header length 2^64-1", rawLen(math.MaxUint64, "{}"), Limits{}, "header length 18446744073709551615 is beyond the limit"},
	{"header length beyond MaxHeader", raw(`{"a":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`, []byte{1}), Limits{MaxHeader: 16}, "header length 52 is beyond the limit of 16"},
	{"data section beyond MaxBytes", raw(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, []byte{1, 2, 3, 4}), Limits{MaxBytes: 3}, "data section is 4 bytes, beyond the limit of 3"},
	{"too many tensors", raw(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"c":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil), Limits{MaxTensors: 2}, "more than 2 tensors"},
	{"empty header", rawLen(0, ""), Limits{}, "header is empty"},

	// JSON.
	{"header not UTF-8", raw("{\"a\xff\":{}}", nil), Limits{}, "header is not valid UTF-8"},
	{"invalid JSON", raw(`{"a":`, nil), Limits{}, "unexpected end of JSON"},
	{"invalid JSON syntax", raw(`{"a" 1}`, nil), Limits{}, "invalid JSON"},
	{"header is an array", raw(`[]`, nil), Limits{}, "header is not a JSON object: it starts with '['"},
	{"header is a string", raw(`"x"`, nil), Limits{}, "header is not a JSON object"},
	{"leading space", raw(` {}`, nil), Limits{}, "header is not a JSON object"},
	{"trailing data", raw(`{} {}`, nil), Limits{}, "2 bytes of trailing data after the JSON object"},
	{"trailing garbage after padding", raw(`{}  x`, nil), Limits{}, "1 bytes of trailing data"},
	{"duplicate tensor", raw(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil), Limits{}, `duplicate key "a"`},
	{"duplicate via escape", raw(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"\u0061":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil), Limits{}, `duplicate key "a"`},
	{"empty tensor name", raw(`{"":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil), Limits{}, "empty tensor name"},

	// Tensor entries.
	{"entry not an object", raw(`{"w":[1]}`, nil), Limits{}, `tensor "w": expected '{', found an array`},
	{"entry null", raw(`{"w":null}`, nil), Limits{}, `tensor "w": expected '{', found null`},
	{"missing dtype", raw(`{"w":{"shape":[1],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": missing field "dtype"`},
	{"missing shape", raw(`{"w":{"dtype":"U8","data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": missing field "shape"`},
	{"missing data_offsets", raw(`{"w":{"dtype":"U8","shape":[1]}}`, []byte{0}), Limits{}, `tensor "w": missing field "data_offsets"`},
	{"extra field", raw(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"stride":[1]}}`, []byte{0}), Limits{}, `tensor "w": unknown field "stride"`},
	{"field in wrong case", raw(`{"w":{"DType":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": unknown field "DType"`},
	{"duplicate field", raw(`{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": duplicate field "dtype"`},
	{"unknown dtype", raw(`{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, make([]byte, 16)), Limits{}, `tensor "w": unknown dtype "F128"`},
	{"lowercase dtype", raw(`{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{}, `tensor "w": unknown dtype "f32"`},
	{"dtype null", raw(`{"w":{"dtype":null,"shape":[1],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": dtype: expected a string, found null`},
	{"dtype number", raw(`{"w":{"dtype":4,"shape":[1],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": dtype: expected a string, found the number 4`},
	{"shape null", raw(`{"w":{"dtype":"U8","shape":null,"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": shape: expected an array of integers, found null`},
	{"shape holds null", raw(`{"w":{"dtype":"U8","shape":[null],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": shape: expected an integer, found null`},
	{"shape holds a float", raw(`{"w":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": shape: 1.0 is not an int64`},
	{"shape holds an exponent", raw(`{"w":{"dtype":"U8","shape":[1e0],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": shape: 1e0 is not an int64`},
	{"shape holds a string", raw(`{"w":{"dtype":"U8","shape":["1"],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": shape: expected an integer, found the string "1"`},
	{"shape nested", raw(`{"w":{"dtype":"U8","shape":[[1]],"data_offsets":[0,1]}}`, []byte{0}), Limits{}, `tensor "w": shape: expected an integer, found an array`},
	{"negative dimension", raw(`{"w":{"dtype":"U8","shape":[2,-1],"data_offsets":[0,0]}}`, nil), Limits{}, `tensor "w": shape [2 -1]: dimension 1 is negative`},
	{"dimension beyond int64", raw(`{"w":{"dtype":"U8","shape":[9223372036854775808],"data_offsets":[0,0]}}`, nil), Limits{}, `tensor "w": shape: 9223372036854775808 is not an int64`},
	{"shape product overflows", raw(`{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, nil), Limits{}, `tensor "w": F32 [4294967296 4294967296]: size overflows int64`},
	{"shape size overflows", raw(`{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}}`, nil), Limits{}, `tensor "w": F64 [2305843009213693952]: size overflows int64`},
	{"data_offsets null", raw(`{"w":{"dtype":"U8","shape":[1],"data_offsets":null}}`, []byte{0}), Limits{}, `tensor "w": data_offsets: expected an array of integers, found null`},
	{"data_offsets one value", raw(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[1]}}`, []byte{0}), Limits{}, `tensor "w": data_offsets [1]: want 2 offsets, have 1`},
	{"data_offsets three values", raw(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}`, []byte{0}), Limits{}, `want 2 offsets, have 3`},
	{"data_offsets negative", raw(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}}`, []byte{0}), Limits{}, `tensor "w": data_offsets [-1 0]: negative offset`},
	{"data_offsets float", raw(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1.5]}}`, []byte{0}), Limits{}, `tensor "w": data_offsets: 1.5 is not an int64`},

	// Layout of the data section.
	{"size mismatch", raw(`{"encoder.0.weight":{"dtype":"F32","shape":[5,6],"data_offsets":[0,100]}}`, make([]byte, 100)), Limits{},
		`safetensors: tensor "encoder.0.weight": data_offsets [0 100] hold 100 bytes, but F32 [5 6] needs 120`},
	{"offsets reversed", raw(`{"w":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"v":{"dtype":"U8","shape":[2],"data_offsets":[2,0]}}`, []byte{0, 0}), Limits{}, `tensor "v": data_offsets [2 0] end before they begin`},
	{"overlap", raw(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}`, make([]byte, 6)), Limits{}, `tensor "b": data_offsets [2 6] overlap the previous tensor, which ends at 4`},
	{"same range twice", raw(`{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, make([]byte, 4)), Limits{}, `tensor "b": data_offsets [0 4] overlap the previous tensor, which ends at 4`},
	{"hole at start", raw(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}`, make([]byte, 4)), Limits{}, `tensor "a": data_offsets [2 4] leave a hole of 2 bytes after offset 0`},
	{"hole between", raw(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}`, make([]byte, 5)), Limits{}, `tensor "b": data_offsets [3 5] leave a hole of 1 bytes after offset 2`},
	{"beyond data section", raw(`{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}`, make([]byte, 4)), Limits{}, `tensor "a": data_offsets [0 8] go beyond the 4-byte data section`},
	{"trailing bytes", raw(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, make([]byte, 5)), Limits{}, "data section is 5 bytes, but the tensors end at offset 2 (3 trailing bytes)"},
	{"data without tensors", raw(`{}`, []byte{1}), Limits{}, "data section is 1 bytes, but the tensors end at offset 0 (1 trailing bytes)"},

	// Metadata.
	{"metadata not an object", raw(`{"__metadata__":["a"]}`, nil), Limits{}, "__metadata__: expected an object of strings, found an array"},
	{"metadata null", raw(`{"__metadata__":null}`, nil), Limits{}, "__metadata__: expected an object of strings, found null"},
	{"metadata number value", raw(`{"__metadata__":{"epoch":7}}`, nil), Limits{}, `__metadata__: value of "epoch" is the number 7, not a string`},
	{"metadata object value", raw(`{"__metadata__":{"cfg":{"a":"b"}}}`, nil), Limits{}, `__metadata__: value of "cfg" is an object, not a string`},
	{"metadata null value", raw(`{"__metadata__":{"k":null}}`, nil), Limits{}, `__metadata__: value of "k" is null, not a string`},
	{"metadata bool value", raw(`{"__metadata__":{"k":true}}`, nil), Limits{}, `__metadata__: value of "k" is true, not a string`},
	{"metadata duplicate key", raw(`{"__metadata__":{"k":"a","k":"b"}}`, nil), Limits{}, `__metadata__: duplicate key "k"`},
	{"metadata twice", raw(`{"__metadata__":{},"__metadata__":{}}`, nil), Limits{}, `duplicate key "__metadata__"`},
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range decodeErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.file, tt.lim)
			if err == nil {
				t.Fatalf("Decode succeeded with %d tensors, want error containing %q", len(f.Tensors), tt.want)
			}
			if !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// TestDecodeAccepts covers inputs that are unusual but valid.
func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name   string
		file   []byte
		tensor string // a tensor expected in the result, if any
	}{
		{"unpadded header", raw(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{7}), "a"},
		{"header padded with spaces", raw(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}      `, []byte{7}), "a"},
		{"whitespace inside and after", raw("{ \"a\" : {\n\"data_offsets\" : [ 0 , 1 ], \"shape\":[1], \"dtype\":\"U8\" } }\n", []byte{7}), "a"},
		{"offsets not in key order", raw(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{7, 8}), "a"},
		{"scalar", raw(`{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, make([]byte, 8)), "s"},
		{"zero dimension with huge ones", raw(`{"z":{"dtype":"F64","shape":[9223372036854775807,0,9223372036854775807],"data_offsets":[0,0]}}`, nil), "z"},
		{"empty metadata", raw(`{"__metadata__":{}}`, nil), ""},
		{"escaped names", raw(`{"\u00e9\n":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, []byte{7}), "é\n"},
		{"F8 dtypes", raw(`{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[1,2]}}`, []byte{1, 2}), "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.file, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.tensor != "" {
				if _, ok := f.Get(tt.tensor); !ok {
					t.Errorf("no tensor %q in %v", tt.tensor, f.Tensors)
				}
			}
			for i := 1; i < len(f.Tensors); i++ {
				if len(f.Tensors[i-1].Data) > 0 && &f.Tensors[i-1].Data[0] == &f.Tensors[i].Data[0] {
					t.Error("tensors share data")
				}
			}
		})
	}
	// Tensors come back in data order, not key order.
	f, err := Decode(tests[3].file, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Tensors[0].Name != "b" || f.Tensors[1].Name != "a" || f.Tensors[1].Data[0] != 8 {
		t.Errorf("tensors %v, want b then a", f.Tensors)
	}
	// Data cannot be appended into the next tensor.
	b := append(f.Tensors[0].Data, 99)
	if f.Tensors[1].Data[0] != 8 || &b[0] == &f.Tensors[0].Data[0] {
		t.Error("appending to one tensor's Data overwrote the next")
	}
}

func TestEncodeErrors(t *testing.T) {
	x := F32("x", []int{2}, []float32{1, 2})
	tests := []struct {
		name     string
		tensors  []Tensor
		metadata map[string]string
		want     string
	}{
		{"duplicate name", []Tensor{x, x}, nil, `safetensors: duplicate tensor name "x"`},
		{"empty name", []Tensor{F32("", []int{1}, []float32{1})}, nil, "safetensors: empty tensor name"},
		{"reserved name", []Tensor{F32("__metadata__", []int{1}, []float32{1})}, nil, `tensor name "__metadata__" is reserved for metadata`},
		{"name not UTF-8", []Tensor{F32("a\xff", []int{1}, []float32{1})}, nil, "is not valid UTF-8"},
		{"unknown dtype", []Tensor{{Name: "q", DType: "Q4", Shape: []int{1}, Data: []byte{1}}}, nil, `tensor "q": unknown dtype "Q4"`},
		{"empty dtype", []Tensor{{Name: "q", Shape: []int{1}, Data: []byte{1}}}, nil, `tensor "q": unknown dtype ""`},
		{"short data", []Tensor{F32("w", []int{2, 3}, []float32{1, 2, 3})}, nil, `tensor "w": F32 [2 3] needs 24 bytes, data holds 12`},
		{"long data", []Tensor{F64("w", []int{}, []float64{1, 2})}, nil, `tensor "w": F64 [] needs 8 bytes, data holds 16`},
		{"negative dimension", []Tensor{F32("w", []int{-1, -2}, []float32{1, 2})}, nil, `tensor "w": shape [-1 -2]: dimension 0 is negative`},
		{"overflowing shape", []Tensor{F32("w", []int{1 << 40, 1 << 40}, nil)}, nil, `tensor "w": F32 [1099511627776 1099511627776]: size overflows int64`},
		{"metadata not UTF-8", []Tensor{x}, map[string]string{"k": "\xff"}, `metadata "k"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tt.tensors, tt.metadata)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Encode wrote %d bytes before failing", buf.Len())
			}

			// WriteFile rejects the same input without touching the old file.
			dir := t.TempDir()
			path := filepath.Join(dir, "m.safetensors")
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			err = WriteFile(path, tt.tensors, tt.metadata)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("WriteFile error %v, want it to contain %q and the path", err, tt.want)
			}
			if got, _ := os.ReadFile(path); string(got) != "old" {
				t.Errorf("old file changed to %q", got)
			}
			if des, _ := os.ReadDir(dir); len(des) != 1 {
				t.Errorf("directory holds %d entries, want 1", len(des))
			}
		})
	}
}

// failWriter fails after accepting n bytes.
type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, fmt.Errorf("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestEncodeWriteError(t *testing.T) {
	for _, n := range []int{0, 4, 8, 60, 64} {
		err := Encode(&failWriter{n: n}, []Tensor{F32("x", []int{2}, []float32{1, 2})}, nil)
		if err == nil || !strings.Contains(err.Error(), "safetensors: write: disk full") {
			t.Errorf("after %d bytes: error %v, want a write error", n, err)
		}
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.safetensors")
	if _, err := ReadFile(missing, Limits{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: error %v, want it to name %s", err, missing)
	}

	if _, err := ReadFile(dir, Limits{}); err == nil || !strings.Contains(err.Error(), dir+": is a directory, not a file") {
		t.Errorf("directory: error %v", err)
	}

	broken := filepath.Join(dir, "broken.safetensors")
	if err := os.WriteFile(broken, raw(`{"w":{"dtype":"F32","shape":[5,6],"data_offsets":[0,100]}}`, make([]byte, 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(broken, Limits{})
	want := "safetensors: " + broken + `: tensor "w": data_offsets [0 100] hold 100 bytes, but F32 [5 6] needs 120`
	if err == nil || err.Error() != want {
		t.Errorf("broken file: error\n%v\nwant\n%s", err, want)
	}

	big := filepath.Join(dir, "big.safetensors")
	if err := WriteFile(big, []Tensor{u8("b", []int{1000}, make([]byte, 1000)...)}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(big, Limits{MaxHeader: 100, MaxBytes: 500})
	if err == nil || !strings.Contains(err.Error(), big) || !strings.Contains(err.Error(), "beyond the limits") {
		t.Errorf("big file: error %v, want a size limit error naming the path", err)
	}
	// Huge limits must not overflow the size check.
	if _, err := ReadFile(big, Limits{MaxHeader: math.MaxInt64, MaxBytes: math.MaxInt64, MaxTensors: math.MaxInt}); err != nil {
		t.Errorf("huge limits: %v", err)
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{}.withDefaults()
	want := Limits{MaxHeader: 100 << 20, MaxTensors: 10000, MaxBytes: 8 << 30}
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	if got := (Limits{MaxHeader: 1, MaxTensors: 2, MaxBytes: 3}).withDefaults(); got != (Limits{1, 2, 3}) {
		t.Errorf("explicit limits changed to %+v", got)
	}
}

// FuzzDecode checks that Decode never panics on arbitrary input and that
// whatever it accepts survives re-encoding: Encode succeeds, the result
// decodes to the same tensors and metadata, and re-encoding is stable.
// Decode may allocate at most 32 bytes per input byte (the header's JSON
// decoded into names, shapes and metadata; the tensors share the input's
// bytes) and 1 MiB.
func FuzzDecode(f *testing.F) {
	for _, tt := range roundTripCases {
		f.Add(encode(f, tt.tensors, tt.metadata))
	}
	for _, tt := range decodeErrorCases {
		f.Add(tt.file)
	}
	f.Add(raw(`{"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"z":{"dtype":"I32","shape":[0],"data_offsets":[2,2]}}`, []byte{1, 2}))
	f.Add(raw(`{"__metadata__":{"a":"\u2028\u0000","b":""},"x":{"dtype":"I16","shape":[1,1],"data_offsets":[0,2]}}   `, []byte{1, 2}))

	lim := Limits{MaxHeader: 1 << 16, MaxTensors: 100, MaxBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		var file *File
		var err error
		budget := 32*uint64(len(data)) + 1<<20
		if n := memory.Allocated(func() { file, err = Decode(data, lim) }); n > budget {
			t.Fatalf("decoding %d bytes allocated %d, more than the budget of %d (error %v)", len(data), n, budget, err)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "safetensors: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := Encode(&buf, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("re-encoding a decoded file: %v", err)
		}
		again, err := Decode(buf.Bytes(), Limits{})
		if err != nil {
			t.Fatalf("decoding a re-encoded file: %v", err)
		}
		if d := diffTensors(again.Tensors, file.Tensors); d != "" {
			t.Fatalf("tensors changed by re-encoding: %s", d)
		}
		if !equalMetadata(again.Metadata, file.Metadata) {
			t.Fatalf("metadata changed by re-encoding: %v, was %v", again.Metadata, file.Metadata)
		}
		var buf2 bytes.Buffer
		if err := Encode(&buf2, again.Tensors, again.Metadata); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
			t.Fatal("re-encoding is not stable")
		}
	})
}

// TestReadHeader: the header alone gives the metadata and the tensors'
// names, dtypes and shapes, checked as Decode checks them, and a file whose
// header is too long or whose data is cut short is refused.
func TestReadHeader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	ts := []Tensor{F32("a", []int{2, 3}, make([]float32, 6)), F64("b", []int{4}, make([]float64, 4))}
	if err := WriteFile(path, ts, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeader(path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Metadata["k"] != "v" || len(h.Tensors) != 2 || h.Tensors[0].Name != "a" || h.Tensors[0].DType != "F32" ||
		!slices.Equal(h.Tensors[0].Shape, []int{2, 3}) || h.Tensors[1].Name != "b" || h.Tensors[1].Data != nil {
		t.Errorf("header %+v", h)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.safetensors")
	os.WriteFile(short, data[:len(data)-1], 0o644)
	huge := filepath.Join(dir, "huge.safetensors")
	os.WriteFile(huge, append([]byte{0, 0, 0, 0, 0, 0, 0, 1}, data[8:]...), 0o644)
	tiny := filepath.Join(dir, "tiny.safetensors")
	os.WriteFile(tiny, data[:5], 0o644)
	for _, c := range []struct {
		path string
		lim  Limits
		want string
	}{
		{short, Limits{}, `tensor "b": data_offsets [24 56] go beyond the 55-byte data section; is the file truncated?`},
		{huge, Limits{}, "header length 72057594037927936 is beyond the limit of 1048576"},
		{path, Limits{MaxHeader: 16}, "beyond the limit of 16"},
		{tiny, Limits{}, "file is 5 bytes"},
		{dir, Limits{}, dir + ": is a directory, not a file"},
		{filepath.Join(dir, "none"), Limits{}, "no such file"},
	} {
		if _, err := ReadHeader(c.path, c.lim); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.path, err, c.want)
		}
	}
}
