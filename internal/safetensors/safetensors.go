// Package safetensors reads and writes the safetensors tensor file format
// (https://huggingface.co/docs/safetensors, specification at
// https://github.com/huggingface/safetensors#format).
//
// A safetensors file is laid out as
//
//	8 bytes   N, the header length, a little-endian uint64
//	N bytes   the header: a UTF-8 JSON object
//	rest      the data section: raw little-endian tensor bytes
//
// The header maps each tensor name to an object
//
//	{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}
//
// whose offsets are relative to the start of the data section, plus an
// optional "__metadata__" entry holding an object of string values. The
// offsets of all tensors must cover the data section contiguously, without
// holes, overlaps or trailing bytes, and end−begin must equal the number of
// elements times the dtype's size. The header may be padded at the end with
// spaces; this package pads it so that the data section starts at a
// multiple of 8 bytes.
//
// Decode and ReadFile treat their input as untrusted: every field is
// checked, sizes are bounded by Limits before anything is allocated, and a
// malformed file yields an error, never a panic.
package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// metadataKey is the reserved header key holding the file's metadata.
const metadataKey = "__metadata__"

// dtypeSizes maps each supported dtype to the size of one element in bytes.
var dtypeSizes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// DTypeSize returns the size in bytes of one element of dtype, and whether
// dtype is supported.
func DTypeSize(dtype string) (int, bool) {
	n, ok := dtypeSizes[dtype]
	return n, ok
}

// Tensor is one named tensor: its element type, its shape (row-major,
// outermost dimension first) and its raw little-endian bytes.
type Tensor struct {
	// Name is the tensor's key in the header; it must be non-empty and
	// must not be "__metadata__".
	Name string
	// DType is the element type: "F32", "F64", "I64", "I32", "U8",
	// "BOOL", "F16", "BF16", "I8", "I16", "U16", "U32", "U64", "F8_E5M2"
	// or "F8_E4M3".
	DType string
	// Shape lists the dimensions; an empty shape is a scalar.
	Shape []int
	// Data holds product(Shape)·size(DType) bytes, little-endian.
	Data []byte
}

// F32 returns an F32 tensor holding v. It copies shape and v; it does not
// check that len(v) matches shape (Encode does).
func F32(name string, shape []int, v []float32) Tensor {
	data := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: "F32", Shape: cloneShape(shape), Data: data}
}

// F64 returns an F64 tensor holding v. It copies shape and v; it does not
// check that len(v) matches shape (Encode does).
func F64(name string, shape []int, v []float64) Tensor {
	data := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(data[8*i:], math.Float64bits(x))
	}
	return Tensor{Name: name, DType: "F64", Shape: cloneShape(shape), Data: data}
}

// cloneShape copies shape, turning nil into an empty (scalar) shape.
func cloneShape(shape []int) []int {
	return append([]int{}, shape...)
}

// Float32s decodes an F32 tensor's data. It fails if the dtype is not F32
// or the data length does not match the shape.
func (t Tensor) Float32s() ([]float32, error) {
	if t.DType != "F32" {
		return nil, fmt.Errorf("safetensors: tensor %q: Float32s needs dtype F32, have %s", t.Name, t.DType)
	}
	if err := t.checkData(); err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	v := make([]float32, len(t.Data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return v, nil
}

// Float64s decodes an F64 tensor's data, or an F32 tensor's data widened
// to float64. It fails for other dtypes or if the data length does not
// match the shape.
func (t Tensor) Float64s() ([]float64, error) {
	switch t.DType {
	case "F64":
		if err := t.checkData(); err != nil {
			return nil, fmt.Errorf("safetensors: %w", err)
		}
		v := make([]float64, len(t.Data)/8)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
		}
		return v, nil
	case "F32":
		v32, err := t.Float32s()
		if err != nil {
			return nil, err
		}
		v := make([]float64, len(v32))
		for i, x := range v32 {
			v[i] = float64(x)
		}
		return v, nil
	default:
		return nil, fmt.Errorf("safetensors: tensor %q: Float64s needs dtype F64 or F32, have %s", t.Name, t.DType)
	}
}

// byteSize returns the number of bytes a tensor of the given dtype and
// shape occupies, checking for negative dimensions, unknown dtypes and
// overflow. The result does not depend on the order of the dimensions: a
// shape containing 0 always has size 0.
func byteSize(dtype string, shape []int64) (int64, error) {
	size, ok := dtypeSizes[dtype]
	if !ok {
		return 0, fmt.Errorf("unknown dtype %q", dtype)
	}
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v: dimension %d is negative", shape, i)
		}
		if int64(int(d)) != d {
			return 0, fmt.Errorf("shape %v: dimension %d overflows int", shape, i)
		}
	}
	if slices.Contains(shape, 0) {
		return 0, nil
	}
	n := int64(size)
	for _, d := range shape {
		if n > math.MaxInt64/d {
			return 0, fmt.Errorf("%s %v: size overflows int64", dtype, shape)
		}
		n *= d
	}
	if int64(int(n)) != n {
		return 0, fmt.Errorf("%s %v: size %d overflows int", dtype, shape, n)
	}
	return n, nil
}

// shape64 converts a shape to int64 dimensions.
func shape64(shape []int) []int64 {
	s := make([]int64, len(shape))
	for i, d := range shape {
		s[i] = int64(d)
	}
	return s
}

// check validates a tensor's name, dtype, shape and data length. Its
// errors name the tensor but lack the package prefix.
func (t Tensor) check() error {
	if err := t.checkName(); err != nil {
		return err
	}
	return t.checkData()
}

// checkName validates a tensor's name.
func (t Tensor) checkName() error {
	switch {
	case t.Name == "":
		return errors.New("empty tensor name")
	case t.Name == metadataKey:
		return fmt.Errorf("tensor name %q is reserved for metadata", metadataKey)
	case !utf8.ValidString(t.Name):
		return fmt.Errorf("tensor name %q is not valid UTF-8", t.Name)
	}
	return nil
}

// checkData validates a tensor's dtype, shape and data length.
func (t Tensor) checkData() error {
	n, err := byteSize(t.DType, shape64(t.Shape))
	if err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	if int64(len(t.Data)) != n {
		return fmt.Errorf("tensor %q: %s %v needs %d bytes, data holds %d", t.Name, t.DType, t.Shape, n, len(t.Data))
	}
	return nil
}

// File is the content of a safetensors file.
type File struct {
	// Metadata is the header's "__metadata__" object; nil if absent.
	Metadata map[string]string
	// Tensors are ordered by their position in the data section (tensors
	// of size zero sharing an offset are ordered by name).
	Tensors []Tensor
}

// Get returns the tensor called name, and whether there is one.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Default limits, used for the zero fields of a Limits.
const (
	// DefaultMaxHeader is the header size limit of the reference
	// implementation, 100 MiB.
	DefaultMaxHeader int64 = 100 << 20
	// DefaultMaxTensors is the default limit on the number of tensors.
	DefaultMaxTensors = 10000
	// DefaultMaxBytes is the default limit on the data section, 8 GiB.
	DefaultMaxBytes int64 = 8 << 30
)

// Limits bounds the resources Decode and ReadFile spend on a file. A zero
// (or negative) field means its default: DefaultMaxHeader,
// DefaultMaxTensors and DefaultMaxBytes.
type Limits struct {
	// MaxHeader is the largest accepted header length N, in bytes.
	MaxHeader int64
	// MaxTensors is the largest accepted number of tensors.
	MaxTensors int
	// MaxBytes is the largest accepted data section, in bytes.
	MaxBytes int64
}

// withDefaults returns lim with zero fields replaced by the defaults.
func (lim Limits) withDefaults() Limits {
	if lim.MaxHeader <= 0 {
		lim.MaxHeader = DefaultMaxHeader
	}
	if lim.MaxTensors <= 0 {
		lim.MaxTensors = DefaultMaxTensors
	}
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultMaxBytes
	}
	return lim
}

// headerEntry is how a tensor is written in the header; the field order
// is the reference implementation's.
type headerEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Encode writes a safetensors file holding tensors, laid out in the given
// order, and metadata (omitted when empty) to w.
//
// The output is deterministic: header keys are sorted, and the header is
// padded with spaces so that the data section starts at a multiple of 8
// bytes. Encode checks everything before writing anything, and rejects
// empty, reserved ("__metadata__"), duplicate or non-UTF-8 tensor names,
// unknown dtypes, negative dimensions, data lengths that do not match
// the shape, non-UTF-8 metadata and headers beyond DefaultMaxHeader.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if err := writeFile(w, header, tensors); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	return nil
}

// encodeHeader validates tensors and metadata and returns the padded
// header, without the length prefix.
func encodeHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	entries := make(map[string]any, len(tensors)+1)
	var offset int64
	for _, t := range tensors {
		if err := t.check(); err != nil {
			return nil, err
		}
		if _, dup := entries[t.Name]; dup {
			return nil, fmt.Errorf("duplicate tensor name %q", t.Name)
		}
		n := int64(len(t.Data))
		if offset > math.MaxInt64-n {
			return nil, fmt.Errorf("tensor %q: data section overflows int64", t.Name)
		}
		entries[t.Name] = headerEntry{
			DType:       t.DType,
			Shape:       cloneShape(t.Shape),
			DataOffsets: [2]int64{offset, offset + n},
		}
		offset += n
	}
	if len(metadata) > 0 {
		for k, v := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, fmt.Errorf("metadata %q: %q is not valid UTF-8", k, v)
			}
		}
		entries[metadataKey] = metadata
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(entries); err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	header := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if pad := (8 - len(header)%8) % 8; pad > 0 {
		header = append(header, bytes.Repeat([]byte{' '}, pad)...)
	}
	if int64(len(header)) > DefaultMaxHeader {
		return nil, fmt.Errorf("header is %d bytes, beyond the format's limit of %d", len(header), DefaultMaxHeader)
	}
	return header, nil
}

// writeFile writes the length prefix, the header and the tensor data.
func writeFile(w io.Writer, header []byte, tensors []Tensor) error {
	var prefix [8]byte
	binary.LittleEndian.PutUint64(prefix[:], uint64(len(header)))
	if _, err := w.Write(prefix[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	for _, t := range tensors {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

// WriteFile atomically replaces path with a safetensors file holding
// tensors and metadata, as written by Encode. Invalid input is rejected
// before the file system is touched; on a write error the previous file,
// if any, is left as it was (see atomicfile.WriteFunc).
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	header, err := encodeHeader(tensors, metadata)
	if err != nil {
		return fmt.Errorf("safetensors: %s: %w", path, err)
	}
	err = atomicfile.WriteFunc(path, func(w io.Writer) error {
		return writeFile(w, header, tensors)
	})
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// ReadFile reads and decodes the safetensors file at path, as Decode does.
// It checks the file's size against lim before reading it. Errors name the
// path.
func ReadFile(path string, lim Limits) (*File, error) {
	lim = lim.withDefaults()
	fail := func(err error) (*File, error) {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	f, size, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Written to avoid overflow: rest > MaxHeader+MaxBytes.
	if rest := size - 8; rest > lim.MaxHeader && rest-lim.MaxHeader > lim.MaxBytes {
		return fail(fmt.Errorf("file is %d bytes, beyond the limits (8 + MaxHeader %d + MaxBytes %d)",
			size, lim.MaxHeader, lim.MaxBytes))
	}
	if int64(int(size)) != size {
		return fail(fmt.Errorf("file is %d bytes, too large for this platform", size))
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return fail(fmt.Errorf("read: %w", err))
	}
	file, err := decode(data, lim)
	if err != nil {
		return fail(err)
	}
	return file, nil
}

// open opens the file at path for reading and returns its size. safeopen
// refuses a named pipe or a device before it could block.
func open(path string) (*os.File, int64, error) {
	f, err := safeopen.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("safetensors: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("safetensors: %w", err)
	}
	return f, fi.Size(), nil
}

// DefaultMaxHeaderOnly is the header size limit of ReadHeader when its
// Limits give none: a model's header is a few kilobytes, so 1 MiB is ample
// and a wrong file is refused before much is read.
const DefaultMaxHeaderOnly int64 = 1 << 20

// ReadHeader reads only the header of the safetensors file at path: its
// metadata and its tensors' names, dtypes and shapes (their Data is nil).
// It checks the header as Decode does, and the tensors' offsets against
// the file's size, without reading the data section. lim.MaxHeader
// defaults to DefaultMaxHeaderOnly here. Errors name the path.
func ReadHeader(path string, lim Limits) (*File, error) {
	if lim.MaxHeader <= 0 {
		lim.MaxHeader = DefaultMaxHeaderOnly
	}
	lim = lim.withDefaults()
	fail := func(err error) (*File, error) {
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	f, size, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size < 8 {
		return fail(fmt.Errorf("file is %d bytes, shorter than the 8-byte header length", size))
	}
	var prefix [8]byte
	if _, err := io.ReadFull(f, prefix[:]); err != nil {
		return fail(fmt.Errorf("read: %w", err))
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	if n > uint64(lim.MaxHeader) {
		return fail(fmt.Errorf("header length %d is beyond the limit of %d", n, lim.MaxHeader))
	}
	if n > uint64(size-8) {
		return fail(fmt.Errorf("header length %d is beyond the %d bytes that follow it; is the file truncated?", n, size-8))
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(f, header); err != nil {
		return fail(fmt.Errorf("read: %w", err))
	}
	body := size - 8 - int64(n)
	if body > lim.MaxBytes {
		return fail(fmt.Errorf("data section is %d bytes, beyond the limit of %d", body, lim.MaxBytes))
	}
	entries, metadata, err := parseHeader(header, lim.MaxTensors)
	if err != nil {
		return fail(err)
	}
	tensors, err := layout(entries, body)
	if err != nil {
		return fail(err)
	}
	return &File{Metadata: metadata, Tensors: tensors}, nil
}

// Decode parses and validates a safetensors file held in data.
//
// It checks the length prefix against the input and lim.MaxHeader before
// looking at the header, requires the header to be a UTF-8 JSON object
// without duplicate keys whose tensor entries have exactly the fields
// dtype (a known dtype), shape (non-negative integers whose product does
// not overflow) and data_offsets (two integers), and whose metadata is an
// object of strings; and requires the tensors' offsets to cover the data
// section contiguously, each holding exactly the bytes its dtype and shape
// need. The header must start with '{'; after the object only JSON
// whitespace may follow (normally the spec's space padding), as the
// reference implementation allows. Every error starts with "safetensors: "
// and names the offending tensor, if any.
//
// The returned tensors' Data alias data (with capacity limited to their
// length), so data must not be modified while they are in use.
func Decode(data []byte, lim Limits) (*File, error) {
	f, err := decode(data, lim.withDefaults())
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return f, nil
}

// decode implements Decode with lim already defaulted; its errors lack
// the package prefix.
func decode(data []byte, lim Limits) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("file is %d bytes, shorter than the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > uint64(lim.MaxHeader) {
		return nil, fmt.Errorf("header length %d is beyond the limit of %d", n, lim.MaxHeader)
	}
	if n > uint64(len(data)-8) {
		return nil, fmt.Errorf("header length %d is beyond the %d bytes that follow it; is the file truncated?", n, len(data)-8)
	}
	header, body := data[8:8+n], data[8+n:]
	if int64(len(body)) > lim.MaxBytes {
		return nil, fmt.Errorf("data section is %d bytes, beyond the limit of %d", len(body), lim.MaxBytes)
	}

	entries, metadata, err := parseHeader(header, lim.MaxTensors)
	if err != nil {
		return nil, err
	}

	tensors, err := layout(entries, int64(len(body)))
	if err != nil {
		return nil, err
	}
	for i, e := range entries {
		tensors[i].Data = body[e.begin:e.end:e.end]
	}
	return &File{Metadata: metadata, Tensors: tensors}, nil
}

// layout orders entries by their position in a data section of body bytes
// and checks that they cover it contiguously, each holding the bytes its
// dtype and shape need. It returns the tensors in that order, without
// their data.
func layout(entries []entry, body int64) ([]Tensor, error) {
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), cmp.Compare(a.name, b.name))
	})
	tensors := make([]Tensor, len(entries))
	var pos int64
	for i, e := range entries {
		switch {
		case e.begin > e.end:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d %d] end before they begin", e.name, e.begin, e.end)
		case e.begin < pos:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d %d] overlap the previous tensor, which ends at %d", e.name, e.begin, e.end, pos)
		case e.begin > pos:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d %d] leave a hole of %d bytes after offset %d", e.name, e.begin, e.end, e.begin-pos, pos)
		case e.end > body:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d %d] go beyond the %d-byte data section; is the file truncated?", e.name, e.begin, e.end, body)
		}
		need, err := byteSize(e.dtype, e.shape)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", e.name, err)
		}
		if have := e.end - e.begin; have != need {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d %d] hold %d bytes, but %s %v needs %d",
				e.name, e.begin, e.end, have, e.dtype, e.shape, need)
		}
		shape := make([]int, len(e.shape))
		for j, d := range e.shape {
			shape[j] = int(d) // byteSize checked that it fits
		}
		tensors[i] = Tensor{Name: e.name, DType: e.dtype, Shape: shape}
		pos = e.end
	}
	if pos != body {
		return nil, fmt.Errorf("data section is %d bytes, but the tensors end at offset %d (%d trailing bytes)",
			body, pos, body-pos)
	}
	return tensors, nil
}

// entry is a tensor as described by the header.
type entry struct {
	name       string
	dtype      string
	shape      []int64
	begin, end int64
}

// parseHeader parses the JSON header. It walks the token stream instead of
// unmarshaling into Go types so that it can reject what encoding/json
// would silently accept: duplicate keys, keys matched case-insensitively
// to struct fields, and nulls in place of strings, numbers or arrays.
func parseHeader(header []byte, maxTensors int) ([]entry, map[string]string, error) {
	if len(header) == 0 {
		return nil, nil, errors.New("header is empty")
	}
	if !utf8.Valid(header) {
		return nil, nil, errors.New("header is not valid UTF-8")
	}
	if header[0] != '{' {
		return nil, nil, fmt.Errorf("header is not a JSON object: it starts with %q", header[0])
	}
	p := &parser{dec: json.NewDecoder(bytes.NewReader(header))}
	p.dec.UseNumber()
	if err := p.delim('{'); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	var (
		entries  []entry
		metadata map[string]string
		seen     = map[string]bool{}
	)
	for p.dec.More() {
		key, err := p.string()
		if err != nil {
			return nil, nil, fmt.Errorf("header: %w", err)
		}
		if seen[key] {
			return nil, nil, fmt.Errorf("header: duplicate key %q", key)
		}
		seen[key] = true
		if key == metadataKey {
			if metadata, err = p.metadata(); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", metadataKey, err)
			}
			continue
		}
		if key == "" {
			return nil, nil, errors.New("header: empty tensor name")
		}
		if len(entries) == maxTensors {
			return nil, nil, fmt.Errorf("header: more than %d tensors", maxTensors)
		}
		e, err := p.entry()
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", key, err)
		}
		e.name = key
		entries = append(entries, e)
	}
	if err := p.delim('}'); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	// Only whitespace (normally the space padding) may follow the object.
	if rest := bytes.TrimLeft(header[p.dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, nil, fmt.Errorf("header: %d bytes of trailing data after the JSON object", len(rest))
	}
	return entries, metadata, nil
}

// parser reads JSON tokens, describing unexpected ones.
type parser struct {
	dec *json.Decoder
}

// token returns the next token, turning io.EOF into a syntax error.
func (p *parser) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err == io.EOF {
		return nil, errors.New("unexpected end of JSON")
	}
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	return tok, nil
}

// describe names a token's JSON type for error messages.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", rune(v))
	case string:
		return fmt.Sprintf("the string %q", v)
	case json.Number:
		return "the number " + v.String()
	case bool:
		return fmt.Sprintf("%t", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// delim consumes the delimiter d.
func (p *parser) delim(d json.Delim) error {
	tok, err := p.token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("expected %q, found %s", rune(d), describe(tok))
	}
	return nil
}

// string consumes a string.
func (p *parser) string() (string, error) {
	tok, err := p.token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected a string, found %s", describe(tok))
	}
	return s, nil
}

// ints consumes an array of integers; what describes it in errors.
func (p *parser) ints(what string) ([]int64, error) {
	tok, err := p.token()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if tok != json.Delim('[') {
		return nil, fmt.Errorf("%s: expected an array of integers, found %s", what, describe(tok))
	}
	v := []int64{}
	for p.dec.More() {
		tok, err := p.token()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s: expected an integer, found %s", what, describe(tok))
		}
		i, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %s is not an int64", what, num)
		}
		v = append(v, i)
	}
	if err := p.delim(']'); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// entry consumes a tensor's {"dtype", "shape", "data_offsets"} object.
func (p *parser) entry() (entry, error) {
	var e entry
	if err := p.delim('{'); err != nil {
		return e, err
	}
	var haveDType, haveShape, haveOffsets bool
	for p.dec.More() {
		key, err := p.string()
		if err != nil {
			return e, err
		}
		switch key {
		case "dtype":
			if haveDType {
				return e, errors.New(`duplicate field "dtype"`)
			}
			haveDType = true
			if e.dtype, err = p.string(); err != nil {
				return e, fmt.Errorf("dtype: %w", err)
			}
			if _, ok := dtypeSizes[e.dtype]; !ok {
				return e, fmt.Errorf("unknown dtype %q", e.dtype)
			}
		case "shape":
			if haveShape {
				return e, errors.New(`duplicate field "shape"`)
			}
			haveShape = true
			if e.shape, err = p.ints("shape"); err != nil {
				return e, err
			}
			for i, d := range e.shape {
				if d < 0 {
					return e, fmt.Errorf("shape %v: dimension %d is negative", e.shape, i)
				}
			}
		case "data_offsets":
			if haveOffsets {
				return e, errors.New(`duplicate field "data_offsets"`)
			}
			haveOffsets = true
			off, err := p.ints("data_offsets")
			if err != nil {
				return e, err
			}
			if len(off) != 2 {
				return e, fmt.Errorf("data_offsets %v: want 2 offsets, have %d", off, len(off))
			}
			if off[0] < 0 || off[1] < 0 {
				return e, fmt.Errorf("data_offsets %v: negative offset", off)
			}
			e.begin, e.end = off[0], off[1]
		default:
			return e, fmt.Errorf("unknown field %q", key)
		}
	}
	if err := p.delim('}'); err != nil {
		return e, err
	}
	switch {
	case !haveDType:
		return e, errors.New(`missing field "dtype"`)
	case !haveShape:
		return e, errors.New(`missing field "shape"`)
	case !haveOffsets:
		return e, errors.New(`missing field "data_offsets"`)
	}
	return e, nil
}

// metadata consumes the metadata object of string values.
func (p *parser) metadata() (map[string]string, error) {
	tok, err := p.token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("expected an object of strings, found %s", describe(tok))
	}
	m := map[string]string{}
	for p.dec.More() {
		key, err := p.string()
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		tok, err := p.token()
		if err != nil {
			return nil, fmt.Errorf("%q: %w", key, err)
		}
		v, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("value of %q is %s, not a string", key, describe(tok))
		}
		m[key] = v
	}
	if err := p.delim('}'); err != nil {
		return nil, err
	}
	return m, nil
}
