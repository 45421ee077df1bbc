package datasets

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// MaxNPYBytes is the largest data payload a .npy file may hold, as for IDX
// files ([MaxIDXBytes]): room for real data sets, and a bound a corrupt
// header cannot talk a reader past.
const MaxNPYBytes = 1 << 31

// maxNPYHeader bounds the header's length. NumPy writes a few dozen bytes
// padded to 64; version 1.0 cannot say more than 65535.
const maxNPYHeader = 1 << 16

// npyMaxDims bounds the dimensions of a shape; real arrays have a handful.
const npyMaxDims = 32

// NPY is one array read from a .npy file, NumPy's own format
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
// the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), the length of the
// header, the header — a Python dict literal such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), } —
// and then the elements.
type NPY struct {
	// Descr is the element type as the header gives it: '<f4' (float32),
	// '<f8' (float64), '|u1' (uint8), '<i8' (int64), …; '<' is
	// little-endian and '|' a single byte.
	Descr string
	// Shape is the array's shape, outermost first.
	Shape []int
	// Data is the raw little-endian payload in C (row-major) order, also
	// for a file written in Fortran order, which is reordered as read.
	Data []byte
}

// npyKinds are the element types read: the kind letter and the size.
var npyKinds = map[string]bool{
	"f4": true, "f8": true,
	"u1": true, "i1": true, "u2": true, "i2": true,
	"u4": true, "i4": true, "u8": true, "i8": true,
}

// ReadNPYFile reads the .npy file at path. The header is checked before
// any data is read: a known little-endian element type (float32,
// float64, or an integer of 1 to 8 bytes), a shape of positive sizes, a
// payload of at most MaxNPYBytes, and a file exactly as long as the header
// says — so a lying header fails before anything is allocated for it.
// Big-endian files are refused (numpy: a.astype('<f4')); Fortran-ordered
// ones are reordered.
func ReadNPYFile(path string) (*NPY, error) {
	f, err := safeopen.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: npy: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("datasets: npy: %w", err)
	}
	a, err := readNPY(bufio.NewReader(f), st.Size(), memory.Machine())
	if err != nil {
		return nil, fmt.Errorf("datasets: npy %s: %w", path, err)
	}
	return a, nil
}

// readNPY reads an array from r, which holds size bytes in all, refusing
// one whose payload, with its reordering (Fortran order) and its float32
// copy, does not fit limit. The payload's buffer grows as bytes arrive, so
// a file shorter than its size said (a stat that lied, a file cut while
// read) costs only what it holds.
func readNPY(r io.Reader, size int64, limit memory.Limit) (*NPY, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return nil, fmt.Errorf("not a .npy file: %d bytes", size)
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, fmt.Errorf("not a .npy file: it does not start with \\x93NUMPY")
	}
	var hlen, start int
	switch pre[6] {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, fmt.Errorf("truncated header: %w", io.ErrUnexpectedEOF)
		}
		hlen, start = int(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("truncated header: %w", io.ErrUnexpectedEOF)
		}
		n := binary.LittleEndian.Uint32(b[:])
		if n > maxNPYHeader {
			return nil, fmt.Errorf("header of %d bytes; want at most %d", n, maxNPYHeader)
		}
		hlen, start = int(n), 12
	default:
		return nil, fmt.Errorf("format version %d.%d; want 1.0, 2.0 or 3.0", pre[6], pre[7])
	}
	if int64(start+hlen) > size {
		return nil, fmt.Errorf("truncated header: %d bytes claimed, the file has %d: %w", hlen, size-int64(start), io.ErrUnexpectedEOF)
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, fmt.Errorf("truncated header: %w", io.ErrUnexpectedEOF)
	}
	h, err := parseNPYHeader(string(hb))
	if err != nil {
		return nil, err
	}

	order, kind := h.descr[0], h.descr[1:]
	if order == '>' {
		return nil, fmt.Errorf("big-endian data (descr %q); save it little-endian, e.g. numpy.save(f, a.astype(a.dtype.newbyteorder('<')))", h.descr)
	}
	if !npyKinds[kind] || (order != '<' && order != '|') || (order == '|' && kind[1] != '1') {
		return nil, fmt.Errorf("element type %q; want float32 '<f4', float64 '<f8' or an integer such as '|u1' or '<i8'", h.descr)
	}
	if len(h.shape) == 0 {
		return nil, fmt.Errorf("a scalar (shape ()); want an array of examples")
	}
	elem := int(kind[1] - '0')
	total := uint64(elem)
	for i, d := range h.shape {
		if d <= 0 {
			return nil, fmt.Errorf("shape %v: dimension %d is %d; want sizes ≥ 1", h.shape, i, d)
		}
		// total ≤ MaxNPYBytes < 2^32 and d < 2^32 here: no overflow.
		if uint64(d) >= 1<<32 || total*uint64(d) > MaxNPYBytes {
			return nil, fmt.Errorf("shape %v of %d-byte elements exceeds the %d-byte limit (MaxNPYBytes)", h.shape, elem, uint64(MaxNPYBytes))
		}
		total *= uint64(d)
	}
	if have := size - int64(start+hlen); have != int64(total) {
		what := "truncated? "
		if have > int64(total) {
			what = ""
		}
		return nil, fmt.Errorf("%sthe header's shape %v of %d-byte elements is %d data bytes, the file has %d", what, h.shape, elem, total, have)
	}
	need := float64(total) + 4*float64(total/uint64(elem))
	if h.fortran {
		need += float64(total)
	}
	if err := limit.Check(need, "the data", fmt.Sprintf("shape %v of %d-byte elements, read and converted to float32", h.shape, elem)); err != nil {
		return nil, err
	}
	data, err := readGrowing(r, int(total))
	if err != nil {
		return nil, fmt.Errorf("reading %d data bytes: %w", total, err)
	}
	if h.fortran && len(h.shape) > 1 {
		data = fortranToC(data, h.shape, elem)
	}
	return &NPY{Descr: h.descr, Shape: h.shape, Data: data}, nil
}

// fortranToC reorders column-major data of the given shape to row-major.
func fortranToC(data []byte, shape []int, elem int) []byte {
	out := make([]byte, len(data))
	// stride[j] is the column-major distance, in elements, between
	// neighbours along dimension j.
	stride := make([]int, len(shape))
	s := 1
	for j, d := range shape {
		stride[j] = s
		s *= d
	}
	idx := make([]int, len(shape))
	src := 0
	for dst := 0; dst < len(out); dst += elem {
		copy(out[dst:dst+elem], data[src*elem:(src+1)*elem])
		// Next row-major index: the last dimension moves fastest.
		for j := len(shape) - 1; j >= 0; j-- {
			idx[j]++
			src += stride[j]
			if idx[j] < shape[j] {
				break
			}
			src -= idx[j] * stride[j]
			idx[j] = 0
		}
	}
	return out
}

// npyHeader is what a header says.
type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// parseNPYHeader parses the header's dict literal: exactly the keys
// descr (a string), fortran_order (True or False) and shape (a tuple of
// integers), in any order, as numpy.lib.format writes and reads them.
func parseNPYHeader(text string) (*npyHeader, error) {
	p := &pyLiteral{s: strings.TrimRight(text, " \n\x00")}
	bad := func(why string) error {
		return fmt.Errorf("header %q: %s", p.s, why)
	}
	if !p.eat('{') {
		return nil, bad("not a dict")
	}
	h := &npyHeader{}
	seen := map[string]bool{}
	for !p.eat('}') {
		key, ok := p.str()
		if !ok || !p.eat(':') {
			return nil, bad("want 'key': value pairs")
		}
		if seen[key] {
			return nil, bad(fmt.Sprintf("key %q twice", key))
		}
		seen[key] = true
		switch key {
		case "descr":
			if h.descr, ok = p.str(); !ok || len(h.descr) < 2 {
				return nil, bad("descr is not a type string such as '<f4' (structured types are not read)")
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				h.fortran = true
			case p.word("False"):
			default:
				return nil, bad("fortran_order is not True or False")
			}
		case "shape":
			if h.shape, ok = p.tuple(); !ok {
				return nil, bad("shape is not a tuple of integers")
			}
		default:
			return nil, bad(fmt.Sprintf("unknown key %q", key))
		}
		if !p.eat(',') && !p.peek('}') {
			return nil, bad("want , or } after a value")
		}
	}
	if p.skip(); p.i != len(p.s) {
		return nil, bad("text after the dict")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return nil, bad(fmt.Sprintf("no %s", k))
		}
	}
	return h, nil
}

// pyLiteral scans the small subset of Python literals a .npy header uses.
type pyLiteral struct {
	s string
	i int
}

func (p *pyLiteral) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *pyLiteral) peek(c byte) bool {
	p.skip()
	return p.i < len(p.s) && p.s[p.i] == c
}

func (p *pyLiteral) eat(c byte) bool {
	if p.peek(c) {
		p.i++
		return true
	}
	return false
}

func (p *pyLiteral) word(w string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

// str scans a quoted string without escapes.
func (p *pyLiteral) str() (string, bool) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", false
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", false
	}
	v := p.s[p.i+1 : p.i+1+end]
	if strings.ContainsRune(v, '\\') {
		return "", false
	}
	p.i += end + 2
	return v, true
}

// tuple scans (), (n,) or (a, b, …), integers optionally with Python 2's L
// suffix.
func (p *pyLiteral) tuple() ([]int, bool) {
	if !p.eat('(') {
		return nil, false
	}
	dims := []int{}
	for !p.eat(')') {
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		d, err := strconv.Atoi(p.s[p.i:j])
		if err != nil || len(dims) == npyMaxDims {
			return nil, false
		}
		p.i = j
		p.eat('L')
		dims = append(dims, d)
		if !p.eat(',') && !p.peek(')') {
			return nil, false
		}
	}
	return dims, true
}

// LoadNPY loads the npy data set r asks for: r.Files names the features
// (train, test, and optionally validation) and their labels (train_labels,
// …), each a .npy file (see ReadNPYFile). Features are float32, float64
// or uint8 of shape [n, …] — the examples' Shape is the rest, [1] for a 1-D
// array — uint8 scaled to [0, 1] by /255 as MNIST's pixels are, floats
// taken as they are (and refused unless finite as float32); labels are
// integers of shape [n], each in [0, MaxClasses). Validation, when not
// given, is cut from the end of train as for csv (see LoadCSV).
func LoadNPY(r Request) (*Splits, error) {
	if err := checkFileRequest(npySource, r); err != nil {
		return nil, err
	}
	sets, err := loadArrays("npy", r, func(path string) (*Set, string, error) {
		a, err := ReadNPYFile(path)
		if err != nil {
			return nil, "", err
		}
		s, err := npyFeatures(a)
		if err != nil {
			return nil, "", fmt.Errorf("datasets: npy %s: %w", path, err)
		}
		return s, map[string]string{"u1": "uint8", "f4": "float32", "f8": "float64"}[a.Descr[1:]], nil
	}, func(path string) ([]int, error) {
		a, err := ReadNPYFile(path)
		if err != nil {
			return nil, err
		}
		l, err := npyLabels(a)
		if err != nil {
			return nil, fmt.Errorf("datasets: npy %s: %w", path, err)
		}
		return l, nil
	})
	if err != nil {
		return nil, err
	}
	return fileSplits("npy", r, sets[0], sets[2], sets[1], r.ValidationSplit)
}

// loadArrays reads the train, test and validation (nil when not given)
// sets of the source name, which keeps features and labels in separate
// files; features returns a set and its element type ("uint8" for bytes,
// which are scaled by /255). The features of every split must have the
// training file's shape and be bytes in all or none: bytes (scaled) beside
// floats (taken as they are) would put the splits on different scales
// without a word.
func loadArrays(name string, r Request, features func(string) (*Set, string, error), labels func(string) ([]int, error)) ([3]*Set, error) {
	var sets [3]*Set
	var trainType string
	for i, role := range []string{RoleTrain, RoleTest, RoleValidation} {
		xPath, yPath := r.Files[role], r.Files[role+"_labels"]
		if xPath == "" {
			continue
		}
		s, typ, err := features(xPath)
		if err != nil {
			return sets, err
		}
		if s.Labels, err = labels(yPath); err != nil {
			return sets, err
		}
		if n := s.Len(); n != len(s.Labels) {
			return sets, fmt.Errorf("datasets: %s has %s but %s has %s", xPath, plural.Count(n, "example"), yPath, plural.Count(len(s.Labels), "label"))
		}
		if i == 0 {
			trainType = typ
		} else {
			train := r.Files[RoleTrain]
			if !slices.Equal(s.Shape, sets[0].Shape) {
				return sets, fmt.Errorf("datasets: %s %s: examples of shape %v, the training file's (%s) of shape %v; every split's must have one shape", name, xPath, s.Shape, train, sets[0].Shape)
			}
			if (typ == "uint8") != (trainType == "uint8") {
				return sets, fmt.Errorf("datasets: %s %s: features of type %s, the training file's (%s) of type %s; uint8 is scaled to [0, 1] by /255, other types are taken as they are, so give every split's features the same type", name, xPath, typ, train, trainType)
			}
		}
		sets[i] = s
	}
	return sets, nil
}

// npyFeatures converts a features array to a set.
func npyFeatures(a *NPY) (*Set, error) {
	s := &Set{Shape: []int{1}}
	if len(a.Shape) > 1 {
		s.Shape = append([]int(nil), a.Shape[1:]...)
	}
	d := a.Data
	switch a.Descr[1:] {
	case "u1":
		s.X = make([]float32, len(d))
		for i, b := range d {
			s.X[i] = float32(b) / 255 // as MNIST's pixels
		}
	case "f4":
		s.X = make([]float32, len(d)/4)
		for i := range s.X {
			s.X[i] = math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:]))
			if f := float64(s.X[i]); math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("value %v at example %d is not finite", f, i/s.Dim())
			}
		}
	case "f8":
		s.X = make([]float32, len(d)/8)
		for i := range s.X {
			f := math.Float64frombits(binary.LittleEndian.Uint64(d[8*i:]))
			if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > math.MaxFloat32 {
				return nil, fmt.Errorf("value %v at example %d is not a finite float32", f, i/s.Dim())
			}
			s.X[i] = float32(f)
		}
	default:
		return nil, fmt.Errorf("features of type %q; want float32 '<f4', float64 '<f8' or uint8 '|u1'", a.Descr)
	}
	return s, nil
}

// npyLabels converts a labels array, integers of shape [n], to labels.
func npyLabels(a *NPY) ([]int, error) {
	if len(a.Shape) != 1 {
		return nil, fmt.Errorf("labels of shape %v; want one integer per example, shape [n]", a.Shape)
	}
	kind, size := a.Descr[1], int(a.Descr[2]-'0')
	if kind != 'i' && kind != 'u' {
		return nil, fmt.Errorf("labels of type %q; want integers ('<i8', '|u1', …)", a.Descr)
	}
	labels := make([]int, a.Shape[0])
	for i := range labels {
		b := a.Data[i*size : (i+1)*size]
		var l int64
		switch {
		case size == 1 && kind == 'u':
			l = int64(b[0])
		case size == 1:
			l = int64(int8(b[0]))
		case size == 2 && kind == 'u':
			l = int64(binary.LittleEndian.Uint16(b))
		case size == 2:
			l = int64(int16(binary.LittleEndian.Uint16(b)))
		case size == 4 && kind == 'u':
			l = int64(binary.LittleEndian.Uint32(b))
		case size == 4:
			l = int64(int32(binary.LittleEndian.Uint32(b)))
		case kind == 'u':
			u := binary.LittleEndian.Uint64(b)
			l = int64(min(u, math.MaxInt64))
		default:
			l = int64(binary.LittleEndian.Uint64(b))
		}
		if err := checkLabel(l); err != nil {
			return nil, fmt.Errorf("example %d: %v", i, err)
		}
		labels[i] = int(l)
	}
	return labels, nil
}
