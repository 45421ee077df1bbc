// Package jsonerr words encoding/json's errors for zoo's users.
package jsonerr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Describe says what is wrong with a JSON document encoding/json refused,
// in terms of the document (a field, what it holds, what is wanted; a
// byte offset; a document cut short) rather than of Go's types: "json:
// cannot unmarshal string into Go struct field Summary.epochs of type int"
// becomes `"epochs" is a string; want an integer in range`.
func Describe(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := "a value of another kind"
		switch te.Type.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			want = "an integer in range"
		case reflect.Float32, reflect.Float64:
			want = "a finite number in range"
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "true or false"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Struct, reflect.Map:
			want = "an object"
		}
		what := "a " + te.Value
		if strings.HasPrefix(te.Value, "array") || strings.HasPrefix(te.Value, "object") {
			what = "an " + te.Value
		}
		if te.Field == "" {
			return fmt.Sprintf("the document is %s; want %s", what, want)
		}
		return fmt.Sprintf("%q is %s; want %s", te.Field, what, want)
	case errors.Is(err, io.ErrUnexpectedEOF) || strings.HasSuffix(err.Error(), "unexpected end of JSON input"):
		return "empty, or cut short (unexpected end of JSON)"
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
