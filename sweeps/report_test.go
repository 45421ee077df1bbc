package sweeps

import (
	"regexp"
	"strings"
	"testing"
)

// TestMarkdownCells: a swept value holding a | or a line break stays in
// its cell of the Markdown table: every row has the header's cells.
func TestMarkdownCells(t *testing.T) {
	rep := &Report{
		Dir: "sw", Recipe: "mlp-mnist", Keys: []string{"description", "optimizer.lr"}, Metric: "val_error", Test: "test_error",
		Points: []Row{
			{Point: 0, Values: map[string]string{"description": "a|b", "optimizer.lr": "0.1"}, State: Pending},
			{Point: 1, Values: map[string]string{"description": "\"two\nlines\"", "optimizer.lr": "0.1"}, State: Pending},
		},
	}
	var b strings.Builder
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	// Cells are separated by the | not escaped with a backslash.
	sep := regexp.MustCompile(`(^|[^\\])\|`)
	var rows []string
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "|") {
			rows = append(rows, line)
		}
	}
	if len(rows) != 4 {
		t.Fatalf("%d table rows, want 4:\n%s", len(rows), b.String())
	}
	want := len(sep.FindAllString(rows[0], -1))
	for _, r := range rows[1:] {
		if n := len(sep.FindAllString(r, -1)); n != want {
			t.Errorf("row %q has %d separators, the header %d", r, n, want)
		}
	}
	if !strings.Contains(rows[2], `| a\|b |`) || !strings.Contains(rows[3], `| "two lines" |`) {
		t.Errorf("rows:\n%s", strings.Join(rows[2:], "\n"))
	}
}

// TestMarkdownNoBest: without a finished point the report says whether
// one may still finish.
func TestMarkdownNoBest(t *testing.T) {
	for _, tt := range []struct {
		states []State
		want   string
	}{
		{[]State{Diverged, Pending}, "No point has finished yet."},
		{[]State{Diverged, Interrupted}, "No point has finished yet."},
		{[]State{Diverged, Diverged}, "No point finished: there is no best point."},
		{[]State{Diverged, Failed}, "No point finished: there is no best point."},
	} {
		rep := &Report{Dir: "sw", Recipe: "mlp-mnist", Keys: []string{"optimizer.lr"}, Metric: "val_error", Test: "test_error"}
		for i, st := range tt.states {
			rep.Points = append(rep.Points, Row{Point: i, Values: map[string]string{"optimizer.lr": "1000"}, State: st})
		}
		var b strings.Builder
		if err := rep.WriteMarkdown(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "\n"+tt.want+"\n") {
			t.Errorf("states %v: report\n%s\nwant %q", tt.states, b.String(), tt.want)
		}
	}
}
