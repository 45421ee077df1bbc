package jsonerr

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDescribe: every kind of refusal is worded without Go's types.
func TestDescribe(t *testing.T) {
	type inner struct {
		Epoch int `json:"epoch"`
	}
	type doc struct {
		State  inner     `json:"state"`
		Loss   float64   `json:"loss"`
		Shape  []int     `json:"shape"`
		Name   string    `json:"name"`
		Done   bool      `json:"done"`
		Counts []float64 `json:"counts"`
	}
	for _, tt := range []struct{ text, want string }{
		{`{"state": {"epoch": "x"}}`, `"state.epoch" is a string; want an integer in range`},
		{`{"state": {"epoch": -1.5}}`, `"state.epoch" is a number -1.5; want an integer in range`},
		{`{"loss": 1e999}`, `"loss" is a number 1e999; want a finite number in range`},
		{`{"shape": {}}`, `"shape" is an object; want a list`},
		{`{"name": 3}`, `"name" is a number; want a string`},
		{`{"done": "yes"}`, `"done" is a string; want true or false`},
		{`[1]`, `the document is an array; want an object`},
		{``, `empty, or cut short (unexpected end of JSON)`},
		{`{"loss": 1`, `empty, or cut short (unexpected end of JSON)`},
		{`{"loss": x}`, `not valid JSON at byte 10: invalid character 'x' looking for beginning of value`},
	} {
		var d doc
		err := json.Unmarshal([]byte(tt.text), &d)
		if err == nil {
			t.Fatalf("%s: decoded", tt.text)
		}
		got := Describe(err)
		if got != tt.want {
			t.Errorf("%s: %q, want %q (from %v)", tt.text, got, tt.want, err)
		}
		if strings.Contains(got, "Go ") || strings.Contains(got, "json: ") {
			t.Errorf("%s: %q speaks Go", tt.text, got)
		}
	}
}
