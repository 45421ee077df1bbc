package sweeps

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/recipes"
)

// DefaultLimit is the number of points a sweep may have without
// Plan.Yes: a typo in a grid (a value list pasted twice, one axis too
// many) should not start hours of training.
const DefaultLimit = 64

// MaxPoints is the most points a sweep may have, --yes or not: every
// point's recipe is checked before anything trains (about a millisecond
// each) and sweep.json lists them all, so a count from a typo (--random
// 1000000) would spend minutes and memory before training anything.
const MaxPoints = 10000

// Plan is a sweep as the command line gives it; New checks it and expands
// it into a Spec.
type Plan struct {
	// Recipe is a built-in recipe's name or a recipe file.
	Recipe string
	Quick  bool
	// Set holds --set overrides every point shares.
	Set []string
	// Grid holds the --grid flags, "key=v1,v2,…"; each value is YAML,
	// and commas inside [] or {} do not separate values.
	Grid []string
	// Ranges holds the --range flags, "key=lin:MIN:MAX" or
	// "key=log:MIN:MAX", from which Random points are drawn with Seed.
	Ranges []string
	Random int
	Seed   uint64
	// Halving trains the points by successive halving, keeping the best
	// 1/Eta at each rung; Budgets are the epochs of the rungs before the
	// last (default 1, Eta, Eta², … below the recipe's epochs), whose
	// budget is the recipe's epochs.
	Halving bool
	Eta     int
	Budgets []int
	// Limit is the most points allowed without Yes (DefaultLimit when 0).
	Limit int
	Yes   bool
}

// New checks p and returns the spec of its sweep, created at now. Every
// point is checked as `zoo train` would check it, so a sweep that would
// fail on one of its points fails here, before anything trains.
func New(p Plan, now time.Time) (*Spec, error) {
	s := &Spec{Version: Version, Created: now.UTC(), Quick: p.Quick, Set: slices.Clone(p.Set)}
	var err error
	if s.Recipe, s.RecipeSHA256, err = recipeSource(p.Recipe); err != nil {
		return nil, err
	}
	seen := map[string]string{}
	claim := func(key, flag string) error {
		if prev, ok := seen[key]; ok {
			return fmt.Errorf("sweeps: %s sets %s, which %s sets already: give each key once", flag, key, prev)
		}
		seen[key] = flag
		return nil
	}
	for _, set := range p.Set {
		key, _, _ := strings.Cut(set, "=")
		if err := claim(strings.TrimSpace(key), "--set "+set); err != nil {
			return nil, err
		}
	}
	for _, g := range p.Grid {
		a, err := parseAxis(g)
		if err != nil {
			return nil, err
		}
		if err := claim(a.Key, "--grid "+g); err != nil {
			return nil, err
		}
		s.Grid = append(s.Grid, a)
	}
	switch {
	case p.Random < 0:
		return nil, fmt.Errorf("sweeps: --random %d: want a positive number of points to draw", p.Random)
	case p.Random > 0 && len(p.Ranges) == 0:
		return nil, fmt.Errorf("sweeps: --random %d draws points from --range key=lin:MIN:MAX or key=log:MIN:MAX, and none was given", p.Random)
	case p.Random == 0 && len(p.Ranges) > 0:
		return nil, fmt.Errorf("sweeps: --range %s needs --random N, the number of points to draw", p.Ranges[0])
	}
	if p.Random > 0 {
		s.Random = &Random{N: p.Random, Seed: p.Seed}
		for _, x := range p.Ranges {
			r, err := parseRange(x)
			if err != nil {
				return nil, err
			}
			if err := claim(r.Key, "--range "+x); err != nil {
				return nil, err
			}
			s.Random.Ranges = append(s.Random.Ranges, r)
		}
	}
	if len(s.Grid) == 0 && s.Random == nil {
		return nil, fmt.Errorf("sweeps: nothing to sweep: give --grid key=v1,v2,… or --random N with --range key=log:MIN:MAX")
	}
	// The kinds of the ranges' keys, once the recipe knows the keys.
	if _, err := s.resolve(nil); err != nil {
		return nil, err
	}
	if s.Random != nil {
		for i := range s.Random.Ranges {
			if err := s.checkRange(&s.Random.Ranges[i]); err != nil {
				return nil, err
			}
		}
	}
	limit := p.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	n := s.count()
	if n > MaxPoints {
		return nil, fmt.Errorf("sweeps: the sweep has %s points, more than the %d a sweep may have: sweep fewer values, or split it into several sweeps", countText(n), MaxPoints)
	}
	if n > limit && !p.Yes {
		return nil, fmt.Errorf("sweeps: the sweep has %d points, more than %d: add --yes to train them all", n, limit)
	}
	s.Points = s.expand()
	epochs := 0
	for _, pt := range s.Points {
		r, err := s.resolve(pt.Set)
		if err != nil {
			return nil, fmt.Errorf("sweeps: point %d (%s): %w", pt.Index, strings.Join(pt.Set, " "), err)
		}
		if pt.Index == 0 {
			epochs = r.Epochs
		}
	}
	if err := s.checkSameValues(); err != nil {
		return nil, err
	}
	if p.Halving {
		if slices.Contains(s.Keys(), "epochs") {
			return nil, fmt.Errorf("sweeps: --halving sets the points' epochs rung by rung: do not sweep epochs as well")
		}
		if s.Halving, err = halvingPlan(p.Eta, p.Budgets, epochs); err != nil {
			return nil, err
		}
	} else if p.Budgets != nil || p.Eta != 0 {
		return nil, fmt.Errorf("sweeps: --eta and --budgets set successive halving: add --halving")
	}
	return s, nil
}

// checkSameValues refuses a grid axis two of whose values, written
// differently, give the recipe the same setting (0.1 and 0.10, 1e-1, or
// {input: 0.2} and {input: 0.20}): their points would train the same run
// twice. parseAxis has already refused values written alike.
func (s *Spec) checkSameValues() error {
	for _, a := range s.Grid {
		seen := map[string]string{}
		kind := keyKind(a.Key)
		numeric := kind == kindInt || kind == kindFloat || kind == kindAny
		for _, v := range a.Values {
			r, err := s.resolve([]string{a.Key + "=" + v})
			if err != nil {
				return fmt.Errorf("sweeps: --grid %s=%s: %w", a.Key, v, err)
			}
			b, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("sweeps: --grid %s=%s: %w", a.Key, v, err)
			}
			// The keys of optimizer and schedule hold their values as
			// written, which their own code reads as numbers.
			if f, err := strconv.ParseFloat(v, 64); err == nil && numeric {
				b = []byte("number " + strconv.FormatFloat(f, 'g', -1, 64))
			}
			if prev, ok := seen[string(b)]; ok {
				return fmt.Errorf("sweeps: --grid %s=%s: the values %s and %s are the same setting: give it once", a.Key, strings.Join(a.Values, ","), prev, v)
			}
			seen[string(b)] = v
		}
	}
	return nil
}

// recipeSource returns how a sweep names the recipe arg (a built-in
// recipe's name, or a file's absolute path) and the digest of its text.
func recipeSource(arg string) (name, digest string, err error) {
	if src, err := recipes.Source(arg); err == nil {
		return arg, sha(src), nil
	}
	if _, err := recipes.Resolve(arg, recipes.Options{}); err != nil {
		return "", "", err
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return "", "", fmt.Errorf("sweeps: recipe %s: %w", arg, err)
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return "", "", fmt.Errorf("sweeps: recipe %s: %w", arg, err)
	}
	return abs, sha(b), nil
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// PointRecipe returns point p's recipe, checked, as its run trains it.
func (s *Spec) PointRecipe(p Point) (*recipes.Recipe, error) {
	if _, digest, err := recipeSource(s.Recipe); err != nil {
		return nil, err
	} else if digest != s.RecipeSHA256 {
		return nil, fmt.Errorf("sweeps: the recipe %s has changed since the sweep was created: restore it, or start a new sweep", s.Recipe)
	}
	return s.resolve(p.Set)
}

// resolve reads the recipe with the sweep's and then set's overrides.
func (s *Spec) resolve(set []string) (*recipes.Recipe, error) {
	return recipes.Resolve(s.Recipe, recipes.Options{Quick: s.Quick, Set: append(slices.Clone(s.Set), set...)})
}

// parseAxis reads a --grid flag, key=v1,v2,….
func parseAxis(flag string) (Axis, error) {
	key, list, ok := strings.Cut(flag, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return Axis{}, fmt.Errorf("sweeps: --grid %q: want key=v1,v2,…, e.g. optimizer.lr=0.01,0.03,0.1", flag)
	}
	values := splitValues(list)
	if len(values) == 0 {
		return Axis{}, fmt.Errorf("sweeps: --grid %s: no values: want %s=v1,v2,…", flag, key)
	}
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" {
			return Axis{}, fmt.Errorf("sweeps: --grid %s: an empty value (two commas in a row, or one at an end)", flag)
		}
		if seen[v] {
			return Axis{}, fmt.Errorf("sweeps: --grid %s: the value %s is given twice", flag, v)
		}
		seen[v] = true
	}
	return Axis{Key: key, Values: values}, nil
}

// splitValues splits a grid's list at the commas outside brackets,
// braces and quotes, so that YAML lists, mappings and quoted strings
// ('a, b' or "a, b") are values of their own. A quote opens a quoted
// string where YAML's would: at the start of a value or of an item of a
// list or mapping (so the apostrophe of don't is a letter).
func splitValues(list string) []string {
	if strings.TrimSpace(list) == "" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	var quote rune   // the quote of the open quoted string, or 0
	prev := ','      // the last character outside spaces and quotes
	escaped := false // the previous character was \ in a "…" string
	for i, c := range list {
		switch {
		case quote == '"':
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				quote = 0
			}
			continue
		case quote == '\'':
			// '' inside a '…' string is a quote: closing and reopening
			// at once reads it right.
			if c == '\'' {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			if strings.ContainsRune(",[{:", prev) {
				quote = c
				continue
			}
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(list[start:i]))
				start = i + 1
			}
		}
		if c != ' ' && c != '\t' {
			prev = c
		}
	}
	return append(out, strings.TrimSpace(list[start:]))
}

// parseRange reads a --range flag, key=lin:MIN:MAX or key=log:MIN:MAX.
func parseRange(flag string) (Range, error) {
	bad := func(why string) (Range, error) {
		return Range{}, fmt.Errorf("sweeps: --range %s: %s", flag, why)
	}
	key, spec, ok := strings.Cut(flag, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return bad("want key=lin:MIN:MAX or key=log:MIN:MAX, e.g. optimizer.lr=log:1e-4:1")
	}
	parts := strings.Split(spec, ":")
	if len(parts) != 3 || (parts[0] != "lin" && parts[0] != "log") {
		return bad(fmt.Sprintf("want %s=lin:MIN:MAX or %s=log:MIN:MAX", key, key))
	}
	r := Range{Key: key, Scale: parts[0]}
	var err error
	if r.Min, err = strconv.ParseFloat(parts[1], 64); err != nil || math.IsInf(r.Min, 0) || math.IsNaN(r.Min) {
		return bad(fmt.Sprintf("the minimum %q is not a number", parts[1]))
	}
	if r.Max, err = strconv.ParseFloat(parts[2], 64); err != nil || math.IsInf(r.Max, 0) || math.IsNaN(r.Max) {
		return bad(fmt.Sprintf("the maximum %q is not a number", parts[2]))
	}
	if r.Min >= r.Max {
		return bad(fmt.Sprintf("the minimum %g is not below the maximum %g", r.Min, r.Max))
	}
	if math.IsInf(r.Max-r.Min, 0) {
		return bad("the range is wider than a float64 can hold")
	}
	if r.Scale == "log" && r.Min <= 0 {
		return bad(fmt.Sprintf("a log range needs a positive minimum, got %g", r.Min))
	}
	return r, nil
}

// checkRange refuses a range on a key that is not a number, and marks
// one on an integer key, whose bounds must then be integers. A key unknown
// to the recipe is reported by the recipe's own check, as --set reports
// it.
func (s *Spec) checkRange(r *Range) error {
	switch kind := keyKind(r.Key); kind {
	case kindInt:
		if r.Min != math.Trunc(r.Min) || r.Max != math.Trunc(r.Max) {
			return fmt.Errorf("sweeps: --range %s=%s:%g:%g: %s is an integer key: give integer bounds", r.Key, r.Scale, r.Min, r.Max, r.Key)
		}
		r.Int = true
	case kindFloat, kindAny:
	case kindUnknown:
		if _, err := s.resolve([]string{r.Key + "=" + formatFloat(r.Min)}); err != nil {
			return fmt.Errorf("sweeps: --range %s=%s:%g:%g: %w", r.Key, r.Scale, r.Min, r.Max, err)
		}
	default:
		return fmt.Errorf("sweeps: --range %s: %s is not a numeric key (it holds %s): sweep its values with --grid %s=v1,v2,…", r.Key, r.Key, kind, r.Key)
	}
	return nil
}

// count is the number of points the spec expands to (at most one past
// math.MaxInt32, which no limit reaches).
func (s *Spec) count() int {
	n := 1
	for _, a := range s.Grid {
		n = min(n*len(a.Values), math.MaxInt32+1)
	}
	if s.Random != nil {
		n = min(n*s.Random.N, math.MaxInt32+1)
	}
	return n
}

// countText writes a count: count's cap as "over 2147483647".
func countText(n int) string {
	if n > math.MaxInt32 {
		return fmt.Sprintf("over %d", math.MaxInt32)
	}
	return strconv.Itoa(n)
}

// expand lists the points: every combination of the grid's values (the
// first axis varying slowest), each with every random draw. The draws
// come from the stream "sweep" of the seed, one number per range and
// point, so the same seed gives the same points.
func (s *Spec) expand() []Point {
	combos := [][]string{nil}
	for _, a := range s.Grid {
		var next [][]string
		for _, c := range combos {
			for _, v := range a.Values {
				next = append(next, append(slices.Clone(c), a.Key+"="+v))
			}
		}
		combos = next
	}
	draws := [][]string{nil}
	if s.Random != nil {
		draws = s.Random.draw()
	}
	var points []Point
	for _, c := range combos {
		for _, d := range draws {
			points = append(points, Point{Index: len(points), Set: append(slices.Clone(c), d...)})
		}
	}
	return points
}

// draw returns the random search's N draws, as --set overrides.
func (r *Random) draw() [][]string {
	g := rng.New(r.Seed, "sweep")
	out := make([][]string, r.N)
	for i := range out {
		for _, x := range r.Ranges {
			u := g.Float64()
			v := x.Min + u*(x.Max-x.Min)
			if x.Scale == "log" {
				v = math.Exp(math.Log(x.Min) + u*(math.Log(x.Max)-math.Log(x.Min)))
			}
			text := formatFloat(v)
			if x.Int {
				text = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
			}
			out[i] = append(out[i], x.Key+"="+text)
		}
	}
	return out
}

// formatFloat writes a drawn value to 4 significant digits: enough to
// tell the points apart, few enough to read in a table; the run trains
// on the value written.
func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// halvingPlan checks successive halving's settings for a recipe of
// epochs epochs and returns them with the rungs' budgets.
func halvingPlan(eta int, budgets []int, epochs int) (*Halving, error) {
	if eta == 0 {
		eta = 3
	}
	if eta < 2 {
		return nil, fmt.Errorf("sweeps: --eta %d: want 2 or more (the best 1/eta of the points continue at each rung)", eta)
	}
	if epochs < 2 {
		return nil, fmt.Errorf("sweeps: --halving needs a recipe of 2 or more epochs to split into rungs; this one has %d (set epochs with --set epochs=N)", epochs)
	}
	if budgets == nil {
		for b := 1; b < epochs; b *= eta {
			budgets = append(budgets, b)
		}
	}
	for i, b := range budgets {
		if b < 1 || b >= epochs || (i > 0 && b <= budgets[i-1]) {
			return nil, fmt.Errorf("sweeps: --budgets %s: want increasing epochs, each at least 1 and below the recipe's %d (the last rung trains to the recipe's epochs)", joinInts(budgets, ","), epochs)
		}
	}
	return &Halving{Eta: eta, Budgets: append(slices.Clone(budgets), epochs)}, nil
}
