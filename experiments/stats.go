package experiments

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// A comparative experiment trains every method with several seeds and
// decides each claim from the spread over the seeds, never from one draw:
// each measure is summarised by its mean and sample standard deviation
// (stat) and the 95 % confidence interval of its mean (Student's t with
// n − 1 degrees of freedom). The runs of one seed share their initial
// weights, data and batch order across methods, so two methods are
// compared seed by seed: a claim "A is lower than B" is decided by where
// the interval of the mean per-seed difference A − B lies against 0
// (pairedDiff); a claim against a fixed value, by where the measure's own
// interval lies against it. docs/experiments.md states the rule for
// readers.

// intervalRule is the rule every verdict follows, as reports and
// results.json state it.
const intervalRule = "95 % confidence intervals of the mean over the seeds (Student's t, n − 1 degrees of freedom); two methods are compared seed by seed, " +
	"by the interval of the mean per-seed difference: held when the interval lies wholly on the claim's side of 0 (or of the claim's threshold), " +
	"did not hold when it lies wholly on the other side, not separable at this budget when it contains it"

// stat summarises one measure over seeds.
type stat struct {
	N        int     // finite values summarised
	Mean, SD float64 // SD is the sample standard deviation (n − 1); 0 for n < 2
	// exact marks a value known without sampling error (a threshold, a
	// deterministic quantity): its interval is the point itself.
	exact bool
}

// statOf summarises the finite values of v; NaN marks a value that could
// not be measured (a diverged run) and is left out.
func statOf(v []float64) stat {
	var s stat
	sum := 0.0
	for _, x := range v {
		if finite(x) {
			s.N++
			sum += x
		}
	}
	if s.N == 0 {
		return stat{Mean: math.NaN(), SD: math.NaN()}
	}
	s.Mean = sum / float64(s.N)
	if s.N > 1 {
		ss := 0.0
		for _, x := range v {
			if finite(x) {
				ss += (x - s.Mean) * (x - s.Mean)
			}
		}
		s.SD = math.Sqrt(ss / float64(s.N-1))
	}
	return s
}

// exactly is the stat of a known value c, such as a threshold.
func exactly(c float64) stat { return stat{N: 1, Mean: c, exact: true} }

// tQuantile is the 97.5 % quantile of Student's t with df degrees of
// freedom: the half-width of a 95 % interval in standard errors.
func tQuantile(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// interval is the 95 % confidence interval of the mean. With fewer than
// two values nothing is known about the spread: the interval is the whole
// line, and no claim on it is separable.
func (s stat) interval() (lo, hi float64) {
	switch {
	case s.exact:
		return s.Mean, s.Mean
	case s.N < 2:
		return math.Inf(-1), math.Inf(1)
	}
	h := tQuantile(s.N-1) * s.SD / math.Sqrt(float64(s.N))
	return s.Mean - h, s.Mean + h
}

// scaled is s multiplied by k (k > 0), for claims such as "more than
// twice B": the interval scales with it.
func (s stat) scaled(k float64) stat {
	s.Mean *= k
	s.SD *= k
	return s
}

// pairedDiff summarises, seed by seed, a's measure an minus k times b's
// measure bn over the seeds both took (a and b may be one method, for two
// of its measures); a seed either could not measure is left out.
func pairedDiff(a *methodStats, an string, b *methodStats, bn string, k float64) stat {
	var d []float64
	for i, seed := range a.Seeds {
		x, okA := a.PerSeed[i][an]
		j := slices.Index(b.Seeds, seed)
		if !okA || j < 0 {
			continue
		}
		if y, okB := b.PerSeed[j][bn]; okB {
			d = append(d, x-k*y)
		}
	}
	return statOf(d)
}

// pairedLower decides "a's measure is lower than b's", seed by seed.
func pairedLower(a *methodStats, an string, b *methodStats, bn string) outcome {
	return lower(pairedDiff(a, an, b, bn, 1), exactly(0))
}

// pairedHigher decides "a's measure is higher than b's", seed by seed.
func pairedHigher(a *methodStats, an string, b *methodStats, bn string) outcome {
	return higher(pairedDiff(a, an, b, bn, 1), exactly(0))
}

// diffText is a paired difference for a report: "−1.23 ± 0.40, 95 %
// interval [−2.22, −0.24]", with format f.
func diffText(d stat, f string) string {
	return fmt.Sprintf("%s, 95 %% interval %s", d.pm(f), d.ci(f))
}

// outcome is a claim's verdict.
type outcome int

const (
	notSeparable outcome = iota
	held
	didNotHold
)

// String is the verdict as a report says it.
func (o outcome) String() string {
	switch o {
	case held:
		return "held"
	case didNotHold:
		return "did not hold"
	}
	return "not separable at this budget"
}

// key is the verdict as results.json records it.
func (o outcome) key() string {
	if o == notSeparable {
		return "not separable"
	}
	return o.String()
}

// lower decides the claim "a is lower than b" by the interval rule.
func lower(a, b stat) outcome {
	alo, ahi := a.interval()
	blo, bhi := b.interval()
	switch {
	case ahi < blo:
		return held
	case alo > bhi:
		return didNotHold
	}
	return notSeparable
}

// higher decides the claim "a is higher than b".
func higher(a, b stat) outcome { return lower(b, a) }

// allOf decides a claim made of parts that must all hold: it held when
// every part held and did not hold when any part did not.
func allOf(parts ...outcome) outcome {
	out := held
	for _, p := range parts {
		switch p {
		case didNotHold:
			return didNotHold
		case notSeparable:
			out = notSeparable
		}
	}
	return out
}

// anyOf decides "at least one of the parts holds": it held when one
// held, and did not hold when every part did not.
func anyOf(parts ...outcome) outcome {
	out := didNotHold
	for _, p := range parts {
		switch p {
		case held:
			return held
		case notSeparable:
			out = notSeparable
		}
	}
	return out
}

// mostOf decides "most of the parts hold" (more than half): it held when
// more than half held, and did not hold when that is out of reach even if
// every part not separated had held.
func mostOf(parts ...outcome) outcome {
	h, open := 0, 0
	for _, p := range parts {
		switch p {
		case held:
			h++
		case notSeparable:
			open++
		}
	}
	switch {
	case 2*h > len(parts):
		return held
	case 2*(h+open) <= len(parts):
		return didNotHold
	}
	return notSeparable
}

// pm formats a stat as "mean ± sd" with format f for both ("%.4f"), or
// "mean (one seed)" when there is no spread to give, "—" when nothing was
// measured.
func (s stat) pm(f string) string {
	switch {
	case s.N == 0:
		return "—"
	case s.exact || s.N == 1:
		return fmt.Sprintf(f, s.Mean)
	}
	return fmt.Sprintf(f+" ± "+strings.Replace(f, "+", "", 1), s.Mean, s.SD)
}

// pct formats a stat of fractions as "1.23 ± 0.05 %".
func (s stat) pct() string {
	if s.N == 0 {
		return "—"
	}
	return s.scaled(100).pm("%.2f") + " %"
}

// ci formats the 95 % interval, "[lo, hi]", with format f.
func (s stat) ci(f string) string {
	lo, hi := s.interval()
	if s.N < 2 && !s.exact {
		return "[unknown: one value]"
	}
	return fmt.Sprintf("["+f+", "+f+"]", lo, hi)
}
