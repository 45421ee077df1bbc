package pipeline

import (
	"math"
	"reflect"
	"strings"

	"github.com/gorgonia-zoo/zoo/runs"
)

// nonFiniteFigure returns the JSON name and value of the first figure of s
// (its own float64 fields, then its layers') that is NaN or infinite, or
// "" when all are finite. JSON has no such numbers, so summary.json could
// not be written: finish says which figure instead of json: unsupported
// value.
func nonFiniteFigure(s *runs.Summary) (string, float64) {
	if f, v := nonFiniteField(reflect.ValueOf(*s)); f != "" {
		return f, v
	}
	for _, l := range s.Pretrain {
		if f, v := nonFiniteField(reflect.ValueOf(l)); f != "" {
			return "pretrain " + f, v
		}
	}
	return "", 0
}

// nonFiniteField is nonFiniteFigure for the float64 fields of one struct.
func nonFiniteField(v reflect.Value) (string, float64) {
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Float64 {
			continue
		}
		if x := f.Float(); math.IsNaN(x) || math.IsInf(x, 0) {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			return name, x
		}
	}
	return "", 0
}
