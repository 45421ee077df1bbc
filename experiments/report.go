package experiments

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// report builds a report.md and, for a comparative experiment, the
// results.json beside it (res; nil for optimizer-paths).
type report struct {
	b   bytes.Buffer
	res *results
}

// newReport starts a report with its title and, for a quick run, the
// warning that its numbers are a smoke test.
func newReport(title string, quick bool) *report {
	r := &report{}
	fmt.Fprintf(&r.b, "# %s\n\n", title)
	if quick {
		r.b.WriteString("> **Quick run** (`--quick`): reduced data and budgets. The numbers below are a smoke test, not the experiment's results.\n\n")
	}
	return r
}

// p adds a paragraph.
func (r *report) p(format string, args ...any) {
	fmt.Fprintf(&r.b, format, args...)
	r.b.WriteString("\n\n")
}

func (r *report) h2(title string) { fmt.Fprintf(&r.b, "## %s\n\n", title) }

// table adds a Markdown table, its first column aligned left and the
// others right.
func (r *report) table(header []string, rows [][]string) {
	r.b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for i := range header {
		if i == 0 {
			r.b.WriteString("---|")
		} else {
			r.b.WriteString("---:|")
		}
	}
	r.b.WriteString("\n")
	for _, row := range rows {
		r.b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	r.b.WriteString("\n")
}

// figure embeds a PNG of the output directory.
func (r *report) figure(file, alt string) {
	fmt.Fprintf(&r.b, "![%s](%s)\n\n", alt, file)
}

// verdict adds a paragraph on one claim of the lecture, decided over the
// seeds by the interval rule: the claim in bold with its verdict, the
// evidence, and the rule that decided it, which results.json records too.
func (r *report) verdict(claim string, o outcome, rule, evidence string, args ...any) {
	fmt.Fprintf(&r.b, "**%s — %s.** ", claim, o)
	fmt.Fprintf(&r.b, evidence, args...)
	if rule != "" {
		fmt.Fprintf(&r.b, " Rule: %s.", rule)
	}
	r.b.WriteString("\n\n")
	if r.res != nil {
		r.res.Verdicts = append(r.res.Verdicts, verdictRecord{Claim: claim, Result: o.key(), Rule: rule})
	}
}

// seedsNote says how the report's numbers were made: how many seeds, what
// a seed changes, how each method was tuned, and the verdict rule.
func (r *report) seedsNote(seeds []uint64, varies, tuning string) {
	var s []string
	for _, x := range seeds {
		s = append(s, strconv.FormatUint(x, 10))
	}
	r.p("**Seeds, tuning, verdicts.** Every method is trained with %d seeds (%s); a seed changes %s. Tables give the mean ± the standard deviation over the seeds, figures the mean with bars of ± one standard deviation. %s "+
		"Each claim is decided from 95 %% confidence intervals of the mean over the seeds (Student's t, n − 1 degrees of freedom). "+
		"The runs of one seed share their initial weights, data and batch order across methods, so two methods are compared seed by seed: "+
		"the claim held when the interval of the mean per-seed difference lies wholly on the claim's side of 0, did not hold when it lies wholly on the other side, and is not separable at this budget when it contains 0; "+
		"a measure against a fixed threshold is judged by its own interval, and a claim about an exact property is checked with every seed, as its rule says. `results.json` holds every seed's numbers.",
		len(seeds), strings.Join(s, ", "), varies, tuning)
}

// g3 formats v with 3 significant digits; pct a fraction as a percentage.
func g3(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
func pct(v float64) string {
	return strconv.FormatFloat(100*v, 'f', 2, 64) + " %"
}
