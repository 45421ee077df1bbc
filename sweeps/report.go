package sweeps

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/runs"
)

// ReportSchema is the version of the report's JSON and CSV layout.
const ReportSchema = 1

// Report is a sweep's results: every point with its swept values and its
// metrics, the best point by validation metric and its recipe, and the
// rungs of successive halving. Errors are fractions (0.0123 is 1.23 %),
// as in summary.json.
type Report struct {
	Schema int    `json:"schema"`
	Dir    string `json:"dir"`
	Recipe string `json:"recipe"`
	Quick  bool   `json:"quick,omitempty"`
	// Keys are the swept keys, the columns of Row.Values; Log tells which
	// are drawn on a log scale (a log range, or values over 2 decades).
	Keys []string `json:"keys"`
	Log  []bool   `json:"log"`
	// Metric is what ranks the points: val_error (classifiers) or
	// val_loss (autoencoders); Test is the matching test figure.
	Metric string `json:"metric"`
	Test   string `json:"test"`
	Points []Row  `json:"points"`
	// Best is the index of the finished point with the lowest Metric (nil
	// when none has finished), BestRecipe its recipe.yaml.
	Best       *int   `json:"best"`
	BestRecipe string `json:"best_recipe,omitempty"`
	Rungs      []Rung `json:"rungs,omitempty"`
}

// Row is one point of the report. Val, TestValue and Seconds are nil
// where the point has no such figure yet.
type Row struct {
	Point     int               `json:"point"`
	Values    map[string]string `json:"values"`
	State     State             `json:"state"`
	Epochs    int               `json:"epochs"`
	Val       *float64          `json:"val"`
	TestValue *float64          `json:"test"`
	Seconds   *float64          `json:"seconds"`
	Dir       string            `json:"dir"`
	Error     string            `json:"error,omitempty"`
}

// NewReport reads the sweep in dir into a report.
func NewReport(dir string) (*Report, error) {
	s, err := ReadSpec(dir)
	if err != nil {
		return nil, err
	}
	sts, err := Statuses(dir, s)
	if err != nil {
		return nil, err
	}
	rep := &Report{Schema: ReportSchema, Dir: dir, Recipe: s.Recipe, Quick: s.Quick, Keys: s.Keys(), Metric: "val_error", Test: "test_error"}
	classifier := true
	for _, st := range sts {
		if st.Epochs > 0 || st.Summary != nil {
			classifier = st.Classifier
			break
		}
	}
	if !classifier {
		rep.Metric, rep.Test = "val_loss", "test_reconstruction_loss"
	}
	for _, st := range sts {
		row := Row{Point: st.Point.Index, Values: map[string]string{}, State: st.State, Epochs: st.Epochs, Dir: PointDir(dir, st.Point.Index), Error: st.Error}
		for _, k := range rep.Keys {
			row.Values[k], _ = st.Point.Value(k)
		}
		if !math.IsNaN(st.Metric) {
			row.Val = ptr(st.Metric)
		}
		if sum := st.Summary; sum != nil {
			row.Epochs = sum.Epochs
			row.Seconds = ptr(sum.Seconds)
			row.TestValue = ptr(sum.TestError)
			if !classifier {
				row.TestValue = ptr(sum.TestReconstructionLoss)
			}
			if row.Val != nil && (rep.Best == nil || *row.Val < *rep.Points[*rep.Best].Val) {
				rep.Best = ptr(len(rep.Points))
			}
		} else if rows, err := runs.ReadMetrics(row.Dir); err == nil {
			t := 0.0
			for _, r := range rows {
				t += r.Seconds
			}
			if len(rows) > 0 {
				row.Seconds = ptr(t)
			}
		}
		rep.Points = append(rep.Points, row)
	}
	if rep.Best != nil {
		b, err := os.ReadFile(filepath.Join(rep.Points[*rep.Best].Dir, runs.RecipeFile))
		if err != nil {
			return nil, fmt.Errorf("sweeps: the best point's recipe: %w", err)
		}
		rep.BestRecipe = string(b)
	}
	for _, k := range rep.Keys {
		rep.Log = append(rep.Log, logScale(s, k, rep.Points))
	}
	if r, err := ReadRungs(dir, s); err != nil {
		return nil, err
	} else if r != nil {
		rep.Rungs = r.Rungs
	}
	return rep, nil
}

func ptr[T any](v T) *T { return &v }

// logScale reports whether key's values are best drawn on a log axis: a
// log range, or positive numbers spanning two decades or more.
func logScale(s *Spec, key string, rows []Row) bool {
	if s.Random != nil {
		for _, r := range s.Random.Ranges {
			if r.Key == key {
				return r.Scale == "log"
			}
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		v, err := strconv.ParseFloat(r.Values[key], 64)
		if err != nil || v <= 0 {
			return false
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return hi/lo >= 100
}

// figure writes a metric as the report shows it: errors in percent.
func (rep *Report) figure(v *float64, classifierFigure bool) string {
	if v == nil {
		return "–"
	}
	if classifierFigure {
		return fmt.Sprintf("%.2f%%", 100**v)
	}
	return fmt.Sprintf("%.4f", *v)
}

func (rep *Report) classifier() bool { return rep.Metric == "val_error" }

// WriteMarkdown writes the report as Markdown: the table of points, the
// best point and its recipe, and the rungs of successive halving.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	quick := ""
	if rep.Quick {
		quick = " (--quick)"
	}
	counts := map[State]int{}
	for _, r := range rep.Points {
		counts[r.State]++
	}
	var parts []string
	for _, st := range []State{Done, Running, Paused, Culled, Interrupted, Pending, Failed, Diverged} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	fmt.Fprintf(&b, "# Sweep %s\n\nRecipe %s%s; %d points: %s.\n\n", rep.Dir, rep.Recipe, quick, len(rep.Points), strings.Join(parts, ", "))
	val, test := "val error", "test error"
	if !rep.classifier() {
		val, test = "val loss", "test loss"
	}
	head := []string{"point"}
	for _, k := range rep.Keys {
		head = append(head, mdCell(k))
	}
	head = append(head, "state", "epochs", val, test, "seconds")
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat(" --- |", len(head)))
	for _, r := range rep.Points {
		cells := []string{PointName(r.Point)}
		for _, k := range rep.Keys {
			cells = append(cells, mdCell(r.Values[k]))
		}
		secs := "–"
		if r.Seconds != nil {
			secs = fmt.Sprintf("%.0f", *r.Seconds)
		}
		cells = append(cells, string(r.State), strconv.Itoa(r.Epochs), rep.figure(r.Val, rep.classifier()), rep.figure(r.TestValue, rep.classifier()), secs)
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
	}
	switch {
	case rep.Best == nil && counts[Pending]+counts[Running]+counts[Interrupted]+counts[Paused] > 0:
		fmt.Fprintf(&b, "\nNo point has finished yet.\n")
	case rep.Best == nil:
		// Every point has ended (diverged, failed, culled): none will
		// finish unless the sweep is run again.
		fmt.Fprintf(&b, "\nNo point finished: there is no best point.\n")
	default:
		best := rep.Points[*rep.Best]
		var set []string
		for _, k := range rep.Keys {
			set = append(set, k+"="+best.Values[k])
		}
		fmt.Fprintf(&b, "\nBest point (lowest %s): %s (%s), %s %s, %s %s; run %s.\n\nIts recipe:\n\n```yaml\n%s```\n",
			val, PointName(best.Point), strings.Join(set, " "), val, rep.figure(best.Val, rep.classifier()), test, rep.figure(best.TestValue, rep.classifier()), best.Dir, rep.BestRecipe)
	}
	if len(rep.Rungs) > 0 {
		fmt.Fprintf(&b, "\n## Successive halving\n\n| rung | epochs | points | promoted, best first (%s at the rung's epochs) |\n| --- | --- | --- | --- |\n", val)
		for k, r := range rep.Rungs {
			promoted := "–"
			if r.Scores != nil {
				var p []string
				for _, i := range r.Promoted {
					p = append(p, fmt.Sprintf("%s (%s)", PointName(i), rep.figure(scoreOf(r, i), rep.classifier())))
				}
				promoted = strings.Join(p, ", ")
				if promoted == "" {
					promoted = "none"
				}
			}
			var pts []string
			for _, i := range r.Points {
				pts = append(pts, PointName(i))
			}
			fmt.Fprintf(&b, "| %d | %d | %s | %s |\n", k+1, r.Epochs, strings.Join(pts, " "), promoted)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell writes text for a cell of a Markdown table: a | would end the
// cell and a line break the row (a swept value is any YAML, 'a|b' or a
// quoted string with \n).
func mdCell(text string) string {
	return strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(text)
}

// scoreOf is point i's score at rung r (nil if none).
func scoreOf(r Rung, i int) *float64 {
	for _, sc := range r.Scores {
		if sc.Point == i {
			return sc.Value
		}
	}
	return nil
}

// WriteJSON writes the report as JSON (see Report).
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// CSVHeader is the report's CSV header for the swept keys: point, the
// keys, then state, epochs, metric, val, test_metric, test, seconds, dir,
// error. Empty cells are figures the point does not have yet.
func CSVHeader(keys []string) []string {
	return append(append([]string{"point"}, keys...), "state", "epochs", "metric", "val", "test_metric", "test", "seconds", "dir", "error")
}

// WriteCSV writes the report's table as CSV (see CSVHeader), numbers in
// full precision.
func (rep *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader(rep.Keys)); err != nil {
		return err
	}
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	for _, r := range rep.Points {
		rec := []string{strconv.Itoa(r.Point)}
		for _, k := range rep.Keys {
			rec = append(rec, r.Values[k])
		}
		rec = append(rec, string(r.State), strconv.Itoa(r.Epochs), rep.Metric, num(r.Val), rep.Test, num(r.TestValue), num(r.Seconds), r.Dir, r.Error)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
