package recipes

import "fmt"

// The shape limits of a recipe's text, checked on its bytes (scanShape)
// before the YAML parser sees them. The parser's memory grows with the
// product of nesting depth and length (20 KB of nested "[" takes 600 MB,
// 200 KB more than 6 GB) and by about 2 KB per value, while a recipe nests
// four or five levels and holds a few dozen values: these limits are
// generous for any recipe and keep the parser's memory to tens of MB.
const (
	// MaxDepth is how deeply a recipe's mappings and lists may nest, block
	// and flow levels together.
	MaxDepth = 32
	// MaxValues is how many entries (keys, list items) a recipe, or one
	// --set value, may have.
	MaxValues = 10000
)

// shapeError is a shape limit a text exceeds, at a 1-based line.
type shapeError struct {
	line int
	msg  string
}

// scanShape measures the nesting depth and the number of entries of YAML
// text in one pass over its bytes, without building anything, and returns
// the first limit it exceeds, or nil. It over-counts rather than misses:
// quoted scalars, comments and block scalars (| and >) are skipped, and a
// "[" or "{" counts as nesting only where a flow collection may start.
func scanShape(data []byte) *shapeError {
	var (
		line       = 1
		flow       int   // open flow collections
		indents    []int // the block levels' indentations
		values     int
		lineStart  = true
		tokenStart = true // a scalar, or a flow collection, may start here
		blockLit   = -1   // indentation of the key owning a block scalar; -1: none
		litIndent  = -1   // indentation of the block scalar's lines; -1: none yet
		lineIndent int
	)
	tooDeep := func(depth int) *shapeError {
		if depth > MaxDepth {
			return &shapeError{line, fmt.Sprintf("nested %d levels deep, more than the %d a recipe may nest", depth, MaxDepth)}
		}
		return nil
	}
	count := func() *shapeError {
		values++
		if values > MaxValues {
			return &shapeError{line, fmt.Sprintf("more than the %d keys and list items a recipe may have", MaxValues)}
		}
		return nil
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		if lineStart {
			// Measure the indentation, skip blank lines and the
			// contents of a block scalar.
			j := i
			for j < len(data) && data[j] == ' ' {
				j++
			}
			if j == len(data) || data[j] == '\n' || data[j] == '\r' {
				i = j
				if j < len(data) && data[j] == '\n' {
					line++
				}
				continue
			}
			lineIndent = j - i
			// A block scalar's lines are as indented as its first, and
			// more than its key.
			if blockLit >= 0 && lineIndent > blockLit && (litIndent < 0 || lineIndent >= litIndent) {
				litIndent = lineIndent
				for j < len(data) && data[j] != '\n' {
					j++
				}
				i = j
				line++
				continue
			}
			blockLit, litIndent = -1, -1
			if flow == 0 {
				for len(indents) > 0 && indents[len(indents)-1] > lineIndent {
					indents = indents[:len(indents)-1]
				}
				if len(indents) == 0 || indents[len(indents)-1] < lineIndent {
					indents = append(indents, lineIndent)
				}
				if err := tooDeep(len(indents)); err != nil {
					return err
				}
			}
			lineStart, tokenStart = false, true
			i = j
			c = data[i]
		}
		switch {
		case c == '\n':
			line++
			lineStart = true
			continue
		case c == ' ' || c == '\t' || c == '\r':
			continue
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t'):
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
			continue
		case (c == '"' || c == '\'') && tokenStart:
			// A quoted scalar. Skipping ends at the end of the line, even
			// if the quote goes on: a quote the parser does not see as one
			// (a plain scalar's next line may start with ") must not hide
			// the lines after it; a quote over several lines is only
			// over-counted.
			for i++; i < len(data) && data[i] != '\n'; i++ {
				if c == '"' && data[i] == '\\' && i+1 < len(data) && data[i+1] != '\n' {
					i++
					continue
				}
				if data[i] == c {
					if c == '\'' && i+1 < len(data) && data[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
			if i < len(data) && data[i] == '\n' {
				i-- // the newline case counts it
			}
			tokenStart = false
			continue
		case (c == '[' || c == '{') && (tokenStart || flow > 0):
			flow++
			if err := tooDeep(len(indents) + flow); err != nil {
				return err
			}
			if err := count(); err != nil {
				return err
			}
			tokenStart = true
			continue
		case (c == ']' || c == '}') && flow > 0:
			flow--
			tokenStart = false
			continue
		case c == ',' && flow > 0:
			if err := count(); err != nil {
				return err
			}
			tokenStart = true
			continue
		case (c == '-' || c == '?') && tokenStart && flow == 0 && (i+1 == len(data) || data[i+1] == ' ' || data[i+1] == '\n'):
			// A block sequence entry (or complex key) nests one level
			// more on the same line: "- - - x".
			indents = append(indents, lineIndent+1)
			if err := tooDeep(len(indents)); err != nil {
				return err
			}
			if err := count(); err != nil {
				return err
			}
			continue
		case c == ':' && (i+1 == len(data) || data[i+1] == ' ' || data[i+1] == '\n' || data[i+1] == '\r' || flow > 0):
			if err := count(); err != nil {
				return err
			}
			tokenStart = true
			continue
		case (c == '|' || c == '>') && tokenStart && flow == 0:
			blockLit, litIndent = lineIndent, -1
		}
		tokenStart = false
	}
	return nil
}
