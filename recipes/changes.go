package recipes

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
)

// Changes lists the keys whose values differ between two recipes, as "key
// old → new" (keys joined with dots, list items by index), in key order;
// none when they say the same. They are compared as recipes, as zoo writes
// them, so comments and layout do not count. It is how a run tells that its
// recipe.yaml was edited after the run started.
func Changes(then, now *Recipe) ([]string, error) {
	a, err := then.Marshal()
	if err != nil {
		return nil, err
	}
	b, err := now.Marshal()
	if err != nil {
		return nil, err
	}
	if string(a) == string(b) {
		return nil, nil
	}
	// Both are recipes as zoo writes them, small and checked: safe to
	// decode as plain YAML to find the keys that differ.
	var av, bv any
	if err := yaml.Unmarshal(a, &av); err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(b, &bv); err != nil {
		return nil, err
	}
	var changes []string
	diffValues("", av, bv, &changes)
	return changes, nil
}

// DescribeChanges writes changes for a message: the first max, then how
// many more.
func DescribeChanges(changes []string, max int) string {
	if len(changes) > max {
		return fmt.Sprintf("%s and %d more", strings.Join(changes[:max], ", "), len(changes)-max)
	}
	return strings.Join(changes, ", ")
}

// diffValues appends to out "key old → new" for every leaf of the decoded
// YAML values a and b that differs, keys joined with dots.
func diffValues(key string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	// A section added or removed is named by its keys.
	if aok && b == nil || a == nil && bok {
		aok, bok = true, true
	}
	if aok && bok {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			diffValues(joinKey(key, k), am[k], bm[k], out)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		for i := range al {
			diffValues(joinKey(key, strconv.Itoa(i)), al[i], bl[i], out)
		}
		return
	}
	if reflect.DeepEqual(a, b) {
		return
	}
	*out = append(*out, fmt.Sprintf("%s %s → %s", key, showValue(a), showValue(b)))
}

// showValue writes a decoded YAML value on one line.
func showValue(v any) string {
	if v == nil {
		return "(none)"
	}
	switch v.(type) {
	case map[string]any, []any:
		b, err := yaml.MarshalWithOptions(v, yaml.Flow(true))
		if err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	return fmt.Sprint(v)
}
