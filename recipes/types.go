package recipes

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// typeError is a value of the wrong kind for its key, found by checkNode.
type typeError struct {
	key  string
	line int // 0 when unknown
	msg  string
}

func (e *typeError) Error() string { return e.msg }

// checkNode checks the YAML node n against the Go type t of the recipe key
// key, before the decoder fills a Recipe in, and returns the first value
// of the wrong kind, or nil. The decoder alone would truncate decimals into
// integer keys (units: 12.5 trains 12 units), and word its refusals in Go
// ("cannot unmarshal -1 into Go value of type uint64", "string was used
// where mapping is expected"); here every refusal names the key and says
// what was expected in a recipe's words.
//
// An integer key takes only an integer: 12.0 is refused like 12.5 (YAML
// reads it as a decimal, and "write 12" is clearer than a rule about which
// decimals are whole), and so is a quoted "12". A number key takes
// integers, decimals and numbers in quotes; a string key any scalar; true
// and false only the true-or-false keys. null, or nothing, leaves a key at
// its zero value, as if absent. Keys the struct does not have are refused,
// with a suggestion.
func checkNode(n ast.Node, t reflect.Type, key string) *typeError {
	n = unwrap(n)
	if n == nil {
		return nil
	}
	if _, ok := n.(*ast.NullNode); ok {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	bad := func(want string) *typeError {
		return &typeError{key: key, line: lineOf(n), msg: fmt.Sprintf("cannot use %s: want %s", describeNode(n), want)}
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return checkInteger(n, t, key, bad)
	case reflect.Float64:
		switch x := n.(type) {
		case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
			return nil
		case *ast.StringNode:
			if _, err := strconv.ParseFloat(x.Value, 64); err == nil {
				return nil
			}
		}
		return bad("a number")
	case reflect.String:
		switch n.(type) {
		case *ast.MappingNode, *ast.MappingValueNode, *ast.SequenceNode:
			return bad("a string")
		}
		return nil
	case reflect.Bool:
		if _, ok := n.(*ast.BoolNode); ok {
			return nil
		}
		return bad("true or false")
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			return bad(fmt.Sprintf("a list of %s", plainKind(t.Elem())))
		}
		for i, v := range seq.Values {
			if err := checkNode(v, t.Elem(), fmt.Sprintf("%s.%d", key, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		entries, ok := mappingEntries(n)
		if !ok {
			return bad("a mapping of keys to values")
		}
		for _, mv := range entries {
			if err := mergeKey(mv); err != nil {
				return err
			}
			k := keyName(mv.Key)
			if err := checkNode(mv.Value, t.Elem(), joinKey(key, k)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Struct:
		entries, ok := mappingEntries(n)
		names := fieldNames(t)
		if !ok {
			return bad(fmt.Sprintf("a mapping with the keys %s", strings.Join(sortedKeys(names), ", ")))
		}
		for _, mv := range entries {
			if err := mergeKey(mv); err != nil {
				return err
			}
			k := keyName(mv.Key)
			i, ok := names[k]
			if !ok {
				msg := fmt.Sprintf("unknown field %q", k)
				// This mapping's keys first: a typo is most likely
				// one of them.
				s := suggest(k, sortedKeys(names))
				if s == "" {
					s = suggest(k, allKeys())
				}
				if s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				return &typeError{line: lineOf(mv.Key), msg: msg}
			}
			if err := checkNode(mv.Value, t.Field(i).Type, joinKey(key, k)); err != nil {
				if err.line == 0 {
					err.line = lineOf(mv.Key)
				}
				return err
			}
		}
		return nil
	}
	return nil // any: optimizer and schedule values, checked by name later
}

// checkInteger checks that n is an integer that t holds, for checkNode.
func checkInteger(n ast.Node, t reflect.Type, key string, bad func(string) *typeError) *typeError {
	unsigned := t.Kind() == reflect.Uint64
	largest := uint64(math.MaxInt64)
	if unsigned {
		largest = math.MaxUint64
	}
	if l, ok := intLimit(key); ok {
		largest = uint64(l.max)
	}
	want, upTo := "an integer", fmt.Sprintf("an integer ≤ %d", largest)
	if unsigned {
		want, upTo = "an integer ≥ 0", fmt.Sprintf("an integer from 0 to %d", largest)
	}
	switch x := n.(type) {
	case *ast.IntegerNode:
		switch v := x.Value.(type) {
		case int64:
			if v < 0 && unsigned {
				return bad(want)
			}
			return nil
		case uint64:
			if v > largest && (unsigned || v > math.MaxInt64) {
				return bad(upTo)
			}
			return nil
		}
	case *ast.FloatNode:
		if x.Value == math.Trunc(x.Value) && math.Abs(x.Value) < 1e15 {
			return bad(fmt.Sprintf("%s (write %d, without the decimal point)", want, int64(x.Value)))
		}
	case *ast.StringNode:
		// An unquoted string of digits is an integer too large for
		// YAML's integers.
		if isDigits(strings.TrimPrefix(x.Value, "-")) && !quoted(x) {
			return bad(upTo)
		}
	}
	return bad(want)
}

// quoted reports whether a string node was written in quotes.
func quoted(x *ast.StringNode) bool {
	return x.Token != nil && (x.Token.Type == token.SingleQuoteType || x.Token.Type == token.DoubleQuoteType)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// unwrap returns the value under tags (!!int), anchors (&a) and the
// document.
func unwrap(n ast.Node) ast.Node {
	for n != nil && !reflect.ValueOf(n).IsNil() {
		switch x := n.(type) {
		case *ast.TagNode:
			n = x.Value
		case *ast.AnchorNode:
			n = x.Value
		case *ast.DocumentNode:
			n = x.Body
		default:
			return n
		}
	}
	return nil
}

// mappingEntries returns the entries of a mapping node (a one-entry
// mapping can be a lone MappingValueNode).
func mappingEntries(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch x := n.(type) {
	case *ast.MappingNode:
		return x.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{x}, true
	}
	return nil, false
}

// mergeKey refuses a merge key (<<), which copies another mapping's keys
// in: like an alias, it hides a recipe's values from its reader.
func mergeKey(mv *ast.MappingValueNode) *typeError {
	if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
		return &typeError{line: lineOf(mv.Key), msg: "merge keys (<<) are not allowed in recipes; write the keys out"}
	}
	return nil
}

// keyName is a mapping key as the decoder reads it.
func keyName(k ast.MapKeyNode) string {
	if k == nil || reflect.ValueOf(k).IsNil() {
		return ""
	}
	if s, ok := unwrap(k).(ast.ScalarNode); ok {
		return fmt.Sprint(s.GetValue())
	}
	return k.String()
}

func joinKey(parent, k string) string {
	if parent == "" {
		return k
	}
	return parent + "." + k
}

// lineOf returns n's 1-based line, or 0.
func lineOf(n ast.Node) int {
	if n == nil || reflect.ValueOf(n).IsNil() {
		return 0
	}
	if tok := n.GetToken(); tok != nil && tok.Position != nil {
		return tok.Position.Line
	}
	return 0
}

// describeNode says what a node is, in a recipe's words: a list, a mapping,
// or the scalar as written ("2.9", "glorot").
func describeNode(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.LiteralNode:
		return "a block of text"
	}
	if s, ok := n.(*ast.StringNode); ok && quoted(s) {
		return strconv.Quote(s.Value) + " (in quotes, a string)"
	}
	if tok := n.GetToken(); tok != nil {
		return strconv.Quote(tok.Value)
	}
	return "this value"
}

// describe says what a decoded value (of an optimizer or schedule key) is,
// in a recipe's words.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

// plainKind names the values of a type, for "a list of …".
func plainKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return "integers"
	case reflect.Float64:
		return "numbers"
	case reflect.String:
		return "strings"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "mappings"
	}
	return "values"
}
