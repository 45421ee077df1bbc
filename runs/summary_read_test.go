package runs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadSummaryDamaged: a damaged summary.json is named with what is
// wrong in the document, never in Go's terms ("Go struct field", "of type
// int"), and one too large to be a summary says so, not "unexpected end of
// JSON input" from the bounded read.
func TestReadSummaryDamaged(t *testing.T) {
	for _, tt := range []struct {
		name, text, want string
	}{
		{"string for an integer", `{"epochs": "x"}`, `summary.json: "epochs" is a string; want an integer in range: is the file damaged?`},
		{"number beyond float64", `{"test_error": 1e999}`, `summary.json: "test_error" is a number 1e999; want a finite number in range`},
		{"negative for a count", `{"classes": -1}`, ``},
		{"number for a list", `{"input_shape": 3}`, `summary.json: "input_shape" is a number; want a list`},
		{"a list, not an object", `[1, 2]`, `summary.json: the document is an array; want an object`},
		{"empty", ``, `summary.json: empty, or cut short (unexpected end of JSON): is the file damaged?`},
		{"cut short", `{"epochs": 3`, `summary.json: empty, or cut short (unexpected end of JSON)`},
		{"not JSON", `epochs: 3`, `summary.json: not valid JSON at byte 1: invalid character 'e' looking for beginning of value`},
		{"too large", `{"pad": "` + strings.Repeat("x", MaxSummaryBytes) + `"}`, `summary.json is larger than 1048576 bytes (runs.MaxSummaryBytes): not a summary.json zoo writes`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, SummaryFile), []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadSummary(dir)
			if tt.want == "" {
				// Decodes; the values are checked where they are used.
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			for _, leak := range []string{"Go ", "of type", ": json: "} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q speaks Go (%q)", err, leak)
				}
			}
		})
	}
}
