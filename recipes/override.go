package recipes

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// apply sets one "key.path=value" override on r. The value is YAML, so
// numbers, strings and lists ([0, 0.9]) all work. origin names the override
// in errors.
func (d *doc) apply(r *Recipe, override, origin string) error {
	key, raw, ok := strings.Cut(override, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return &Error{Source: d.source, Set: origin, Msg: "want key.path=value, e.g. optimizer.lr=0.01"}
	}
	if err := setPath(reflect.ValueOf(r).Elem(), strings.Split(key, "."), raw, key); err != nil {
		var te *typeError
		if errors.As(err, &te) {
			return &Error{Source: d.source, Set: origin, Key: te.key, Msg: te.msg}
		}
		return &Error{Source: d.source, Set: origin, Key: key, Msg: err.Error()}
	}
	d.set[key] = origin
	return nil
}

// applyQuick applies the recipe's quick profile to it.
func (d *doc) applyQuick(r *Recipe) error {
	for _, k := range sortedKeys(r.Quick) {
		v, err := yaml.Marshal(r.Quick[k])
		if err != nil {
			return d.errorf("quick."+k, "%v", err)
		}
		origin := fmt.Sprintf("quick profile (%s=%s)", k, strings.TrimSpace(string(v)))
		if set, ok := d.set["quick."+k]; ok {
			origin = fmt.Sprintf("quick profile (%s=%s, from %s)", k, strings.TrimSpace(string(v)), set)
		} else if set, ok := d.set["quick"]; ok {
			origin = fmt.Sprintf("quick profile (%s=%s, from %s)", k, strings.TrimSpace(string(v)), set)
		} else if line := d.line("quick." + k); line > 0 {
			origin = fmt.Sprintf("quick profile, line %d", line)
		}
		if err := d.apply(r, k+"="+string(v), origin); err != nil {
			return err
		}
	}
	return nil
}

// setPath walks v along keys by yaml tag (or map key, or slice index) and
// sets what it reaches to raw (see setValue); key is the whole key path.
func setPath(v reflect.Value, keys []string, raw, key string) error {
	if len(keys) == 0 {
		return setValue(v, raw, key)
	}
	k := keys[0]
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return setPath(v.Elem(), keys, raw, key)
	}
	switch v.Kind() {
	case reflect.Struct:
		names := fieldNames(v.Type())
		i, ok := names[k]
		if !ok {
			msg := fmt.Sprintf("no key %q here (known: %s)", k, strings.Join(sortedKeys(names), ", "))
			if s := suggest(k, sortedKeys(names)); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return fmt.Errorf("%s", msg)
		}
		return setPath(v.Field(i), keys[1:], raw, key)
	case reflect.Map:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if cur := v.MapIndex(reflect.ValueOf(k)); cur.IsValid() {
			elem.Set(cur)
		}
		if elem.Kind() == reflect.Interface && len(keys) > 1 {
			// A value of optimizer or quick is set whole: name it, not
			// the key the path wanted inside it.
			msg := fmt.Sprintf("cannot set a key inside %q", k)
			if strings.HasPrefix(key, "quick.") {
				msg += "; the quick profile's keys are key paths (data.train): set it as a mapping, e.g. quick={epochs: 1, data.train: 1000}"
			}
			return fmt.Errorf("%s", msg)
		}
		if err := setPath(elem, keys[1:], raw, key); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(k), elem)
		return nil
	case reflect.Slice:
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= v.Len() {
			return fmt.Errorf("%q is not an index of this list of %d", k, v.Len())
		}
		return setPath(v.Index(i), keys[1:], raw, key)
	case reflect.Interface:
		// A value inside optimizer: the path cannot go deeper than the key.
		return fmt.Errorf("cannot set a key inside %q", k)
	}
	return fmt.Errorf("cannot set a key inside %s", kindName(v.Type()))
}

// setValue sets v, the value of key, to the YAML text raw, checked as the
// recipe's own text is (its shape, then its kinds: checkNode). The value
// replaces the key's, as a scalar does: a mapping given for a mapping key
// (regularizers.dropout={input: 0.2}) is the key's whole value, keys it
// does not name are unset, and null unsets the key.
func setValue(v reflect.Value, raw, key string) error {
	if se := scanShape([]byte(raw)); se != nil {
		return fmt.Errorf("%s", se.msg)
	}
	f, err := parser.ParseBytes([]byte(raw), 0)
	if err != nil || len(f.Docs) > 1 {
		return fmt.Errorf("cannot use %q: want %s", strings.TrimSpace(raw), kindName(v.Type()))
	}
	var n ast.Node
	if len(f.Docs) == 1 {
		n = unwrap(f.Docs[0])
	}
	var aliases aliasFinder
	if n != nil {
		ast.Walk(&aliases, n)
	}
	if aliases.first != nil {
		return fmt.Errorf("YAML aliases (*name) are not allowed in recipes; write the value out")
	}
	if te := checkNode(n, v.Type(), key); te != nil {
		return te
	}
	if isNull(n) {
		v.Set(reflect.Zero(v.Type()))
		return nil
	}
	// Decode into a fresh value: into a pointer's target, since go-yaml
	// leaves a pointer to a pointer nil (which dropped a --set mapping).
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ptr := reflect.New(t)
	if err := yaml.UnmarshalWithOptions([]byte(raw), ptr.Interface(), yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return fmt.Errorf("cannot use %q: want %s", strings.TrimSpace(raw), kindName(v.Type()))
	}
	if v.Kind() == reflect.Pointer {
		v.Set(ptr)
	} else {
		v.Set(ptr.Elem())
	}
	return nil
}

// isNull reports whether n is null or nothing.
func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// fieldNames maps a struct's yaml keys to field indexes.
func fieldNames(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	return m
}

// yamlKeyOf maps a Go field path as go-yaml reports it (Recipe.BatchSize)
// to the recipe key (batch_size), or "" if unknown.
func yamlKeyOf(field string) string {
	parts := strings.Split(field, ".")
	if len(parts) == 0 {
		return ""
	}
	t := reflect.TypeOf(Recipe{})
	var keys []string
	for _, name := range parts[1:] {
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return ""
		}
		f, ok := t.FieldByName(name)
		if !ok {
			return ""
		}
		k, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		keys = append(keys, k)
		t = f.Type
	}
	return strings.Join(keys, ".")
}

// allKeys lists every key a recipe can have, for suggestions.
func allKeys() []string {
	seen := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for name, i := range fieldNames(t) {
			seen[name] = true
			walk(t.Field(i).Type)
		}
	}
	walk(reflect.TypeOf(Recipe{}))
	return sortedKeys(seen)
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "a mapping"
	}
	return "a value"
}

// suggest returns the candidate closest to word when it is close enough to be
// a likely typo, else "".
func suggest(word string, candidates []string) string {
	best, bestD := "", len(word)/2+2
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(word), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
