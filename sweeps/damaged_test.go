package sweeps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedFiles: a sweep.json, rungs.json or NNN.failed that New and
// the workers cannot have written is refused, naming the file and what is
// wrong with it, by every reader (and never panics).
func TestDamagedFiles(t *testing.T) {
	good, err := New(Plan{Recipe: "mlp-mnist", Set: []string{"epochs=4"}, Grid: []string{"optimizer.lr=0.1,0.2"}, Halving: true, Eta: 2}, when)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		// file is the file written into the sweep's directory, text its
		// content; edit, when set, changes the good spec instead.
		file, text string
		edit       func(s *Spec)
		want       string
	}{
		{"spec not JSON", SpecFile, `{"version": 1, "poin`, nil, "sweep.json: empty, or cut short (unexpected end of JSON): is the file damaged?"},
		{"spec not an object", SpecFile, `[]`, nil, "sweep.json: the document is an array; want an object: is the file damaged?"},
		{"spec of no points", SpecFile, "", func(s *Spec) { s.Points = nil }, "sweep.json: it lists no points: the file is damaged"},
		{"spec's point out of order", SpecFile, "", func(s *Spec) { s.Points[1].Index = 5 }, "sweep.json: point 1 has index 5: the file is damaged"},
		{"spec's point of another key", SpecFile, "", func(s *Spec) { s.Points[1].Set = []string{"batch_size=3"} }, `sweep.json: point 1 sets "batch_size=3" where the sweep sweeps optimizer.lr: the file is damaged`},
		{"spec's point of no key", SpecFile, "", func(s *Spec) { s.Points[0].Set = nil }, "sweep.json: point 0 sets 0 keys, the sweep sweeps 1: the file is damaged"},
		{"spec's halving eta", SpecFile, "", func(s *Spec) { s.Halving.Eta = 0 }, "sweep.json: halving has eta 0, below 2: the file is damaged"},
		{"spec's halving without budgets", SpecFile, "", func(s *Spec) { s.Halving.Budgets = nil }, "sweep.json: halving has 0 budgets, fewer than 2: the file is damaged"},
		{"spec's halving budgets", SpecFile, "", func(s *Spec) { s.Halving.Budgets = []int{2, 2, 4} }, "sweep.json: halving's budgets 2,2,4 are not increasing epochs: the file is damaged"},
		{"rungs not JSON", RungsFile, `{"rungs": [`, nil, "rungs.json is damaged (empty, or cut short (unexpected end of JSON)): remove it"},
		{"rungs of no rung", RungsFile, `{"rungs": []}`, nil, "rungs.json is damaged (it lists 0 rungs, the sweep has 1 to 3): remove it"},
		{"rungs of another kind", RungsFile, `{"rungs": {}}`, nil, `rungs.json is damaged ("rungs" is an object; want a list): remove it`},
		{"failure record not JSON", filepath.Join(LogsDir, "000.failed"), "garbage", nil, "000.failed: not valid JSON at byte 1: invalid character 'g' looking for beginning of value: the file is damaged; remove it, and the next run of the sweep trains point 0 again"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sweep")
			s := *good
			s.Points = append([]Point(nil), good.Points...)
			h := *good.Halving
			s.Halving = &h
			if _, _, err := Open(dir, &s); err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				tt.edit(&s)
				b, err := json.Marshal(&s)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, SpecFile), b, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := NewReport(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("report: %v, want an error naming %s and saying %q", err, dir, tt.want)
			}
			if _, err := RunPoint(t.Context(), dir, 0, PointOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("RunPoint: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
