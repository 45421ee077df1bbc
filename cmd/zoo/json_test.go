package main

import (
	"bytes"
	"math"
	"testing"
)

// TestPrintJSONNonFinite: JSON has no NaN or infinity; a --json result
// holding one (a model whose outputs overflow) is refused with one line
// saying so, and nothing half-printed, instead of json: unsupported value.
func TestPrintJSONNonFinite(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    any
		want string // the error; "" for none
	}{
		{"finite", predictResult{Path: "a.png", Probabilities: []float64{0.25, 0.75}}, ""},
		{"NaN probability", predictResult{Path: "a.png", Probabilities: []float64{math.NaN(), 1}}, "--json: the result holds NaN, which JSON cannot represent (a model's outputs overflow when its weights are far too large); the output without --json shows it"},
		{"infinite loss", map[string]float64{"loss": math.Inf(1)}, "--json: the result holds +Inf, which JSON cannot represent (a model's outputs overflow when its weights are far too large); the output without --json shows it"},
	} {
		var out bytes.Buffer
		err := printJSON(&env{out: &out}, tt.v)
		switch {
		case tt.want == "" && (err != nil || out.Len() == 0):
			t.Errorf("%s: %v, output %q", tt.name, err, out.String())
		case tt.want != "" && (err == nil || err.Error() != tt.want || out.Len() != 0):
			t.Errorf("%s: error %v, output %q; want %q and no output", tt.name, err, out.String(), tt.want)
		}
	}
}
