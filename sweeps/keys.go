package sweeps

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/recipes"
)

// The kinds of value a recipe key holds, as a --range needs to know them.
const (
	kindInt     = "an integer"
	kindFloat   = "a number"
	kindAny     = "any value" // a key of optimizer or schedule: checked by them
	kindUnknown = "unknown"   // not a key of recipes.Recipe: the recipe says why
)

// keyKind returns what the recipe key (a --set path, data.train,
// optimizer.lr, model.layers.0.units) holds: kindInt, kindFloat, kindAny,
// kindUnknown, or the name of another kind (a string, a list, …). It
// walks the yaml tags of recipes.Recipe, as --set does.
func keyKind(key string) string {
	t := reflect.TypeOf(recipes.Recipe{})
	for _, k := range strings.Split(key, ".") {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := fieldByTag(t, k)
			if !ok {
				return kindUnknown
			}
			t = f.Type
		case reflect.Map:
			t = t.Elem()
		case reflect.Slice:
			if _, err := strconv.Atoi(k); err != nil {
				return kindUnknown
			}
			t = t.Elem()
		default:
			return kindUnknown
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return kindInt
	case reflect.Float32, reflect.Float64:
		return kindFloat
	case reflect.Interface:
		return kindAny
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	}
	return "a mapping"
}

// fieldByTag finds the field of struct type t whose yaml key is name.
func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag == name && tag != "" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
