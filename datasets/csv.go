package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// MaxCSVLineBytes is the longest line a CSV file may have. A line holds one
// example, so this allows some hundred thousand features (a 28×28 picture
// written as text takes about 3 KB); it exists so that a file that is not
// CSV, or has no newlines, fails with a clear error instead of being read
// into memory as one line.
const MaxCSVLineBytes = 1 << 20

// ReadCSV reads the CSV file at path as a labelled set: a header row naming
// the columns, then one example per row. The column named label holds the
// example's class, an integer in [0, MaxClasses); every other column is a
// feature, a number (Go's strconv.ParseFloat syntax: 1, -2.5, 1e-3; spaces
// around it are ignored) that is finite as a float32. The set's Shape is
// [features], in the header's order, and its Classes the largest label
// plus one.
//
// The format is RFC 4180 as encoding/csv reads it: comma-separated, fields
// may be quoted, blank lines are skipped, and a UTF-8 byte order mark
// before the header is ignored. Every row must have the header's number of
// columns; no header name may repeat. Errors name the file, line and column:
//
//	datasets: csv a.csv line 3 column "x2": cannot read "abc" as a number
//
// Memory grows with the rows read, never ahead of them, and no line may be
// longer than MaxCSVLineBytes.
func ReadCSV(path, label string) (*Set, error) {
	s, _, err := readCSVFile(path, label)
	if err != nil {
		return nil, err
	}
	for _, l := range s.Labels {
		s.Classes = max(s.Classes, l+1)
	}
	return s, nil
}

// LoadCSV loads the csv data set r asks for: r.Files names the train and
// test files, and optionally a validation file; r.Label the class column.
// Every file must have the training file's header, same names in the same
// order. Without a validation file, validation is the last
// r.ValidationSplit of the training rows, or, when that is 0, the last
// sixth as for MNIST. Every split has classes the training file's largest
// label plus one (at least 2); a test or validation label beyond them is an
// error. See ReadCSV for the format.
func LoadCSV(r Request) (*Splits, error) {
	if err := checkFileRequest(csvSource, r); err != nil {
		return nil, err
	}
	if r.Label == "" {
		return nil, fmt.Errorf("datasets: csv: no label column named (data.label)")
	}
	train, header, err := readCSVFile(r.Files[RoleTrain], r.Label)
	if err != nil {
		return nil, err
	}
	var sets [2]*Set
	for i, role := range []string{RoleTest, RoleValidation} {
		path := r.Files[role]
		if path == "" {
			continue
		}
		s, h, err := readCSVFile(path, r.Label)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(h, header) {
			return nil, fmt.Errorf("datasets: csv %s line 1: header %s differs from the training file's %s (%s): the columns must be the same, in the same order",
				path, strings.Join(h, ","), strings.Join(header, ","), r.Files[RoleTrain])
		}
		sets[i] = s
	}
	return fileSplits("csv", r, train, sets[1], sets[0], r.ValidationSplit)
}

// readCSVFile reads the file at path (see ReadCSV), returning the set,
// without Classes, and the header.
func readCSVFile(path, label string) (*Set, []string, error) {
	f, err := safeopen.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: csv: %w", err)
	}
	defer f.Close()
	return readCSV(f, path, label)
}

// readCSV reads CSV from in; name is its file in messages.
func readCSV(in io.Reader, name, label string) (*Set, []string, error) {
	lim := &lineLimiter{r: in, max: MaxCSVLineBytes, line: 1}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1 // checked here, with a clearer message
	cr.ReuseRecord = true
	fail := func(err error) error {
		if lim.err != nil {
			return fmt.Errorf("datasets: csv %s line %d: longer than %d bytes (MaxCSVLineBytes); is it a CSV file?", name, lim.errLine, MaxCSVLineBytes)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("datasets: csv %s line %d column %d: %v", name, pe.Line, pe.Column, pe.Err)
		}
		return fmt.Errorf("datasets: csv %s: %w", name, err)
	}

	rec, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("datasets: csv %s: empty file; want a header row naming the columns, then one row per example", name)
	}
	if err != nil {
		return nil, nil, fail(err)
	}
	header := slices.Clone(rec)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	labelCol := -1
	seen := map[string]int{}
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
		if j, ok := seen[header[i]]; ok {
			return nil, nil, fmt.Errorf("datasets: csv %s line 1: columns %d and %d are both named %q", name, j+1, i+1, header[i])
		}
		seen[header[i]] = i
		if header[i] == label {
			labelCol = i
		}
	}
	if labelCol < 0 {
		return nil, nil, fmt.Errorf("datasets: csv %s line 1: no column named %q (the label) in the header %s", name, label, strings.Join(header, ","))
	}
	if len(header) < 2 {
		return nil, nil, fmt.Errorf("datasets: csv %s line 1: the header names only the label column %q; want at least one feature column", name, label)
	}

	s := &Set{Shape: []int{len(header) - 1}}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fail(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, nil, fmt.Errorf("datasets: csv %s line %d: %s, the header has %d", name, line, plural.Count(len(rec), "column"), len(header))
		}
		for i, field := range rec {
			v := strings.TrimSpace(field)
			if i == labelCol {
				l, err := strconv.ParseInt(v, 10, 64)
				if err == nil {
					err = checkLabel(l)
				} else {
					err = fmt.Errorf("cannot read %q as an integer class", field)
				}
				if err != nil {
					return nil, nil, fmt.Errorf("datasets: csv %s line %d column %q: %v", name, line, header[i], err)
				}
				s.Labels = append(s.Labels, int(l))
				continue
			}
			x, err := parseFeature(v)
			if err != nil {
				return nil, nil, fmt.Errorf("datasets: csv %s line %d column %q: %v", name, line, header[i], err)
			}
			s.X = append(s.X, x)
		}
	}
	if len(s.Labels) == 0 {
		return nil, nil, fmt.Errorf("datasets: csv %s: a header and no rows; want one row per example", name)
	}
	return s, header, nil
}

// parseFeature reads one feature value: a number, finite as a float32.
func parseFeature(v string) (float32, error) {
	if v == "" {
		return 0, fmt.Errorf("empty value; every feature needs a number")
	}
	f, err := strconv.ParseFloat(v, 32)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%q is beyond float32's range", v)
	case err != nil:
		return 0, fmt.Errorf("cannot read %q as a number", v)
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, fmt.Errorf("%q is not a finite number", v)
	}
	return float32(f), nil
}

// lineLimiter passes a reader through, failing once a line (bytes between
// newlines) grows past max. Line numbers count from 1.
type lineLimiter struct {
	r       io.Reader
	max     int
	line    int // the line the next byte belongs to
	run     int // bytes of that line read so far
	err     error
	errLine int
}

var errLineTooLong = errors.New("line too long")

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line++
			l.run = 0
			continue
		}
		if l.run++; l.run > l.max {
			l.err, l.errLine = errLineTooLong, l.line
			return i, l.err
		}
	}
	return n, err
}
