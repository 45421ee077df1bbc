package sweeps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/jsonerr"
)

// File and directory names inside a sweep directory.
const (
	SpecFile  = "sweep.json"
	RungsFile = "rungs.json"
	PointsDir = "points"
	// LogsDir holds the local workers' output and the points' failure
	// records, beside points/ rather than in it, so that points/ holds run
	// directories only (zoo compare DIR/points/* opens them all).
	LogsDir = "logs"
)

// Version is the version of sweep.json this package writes and reads.
const Version = 1

// Spec is sweep.json: what the sweep trains. It is written once, when the
// sweep directory is created, and never changed: re-running the sweep
// compares the spec it would write with this one (see Diff).
type Spec struct {
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	// Recipe is a built-in recipe's name or a recipe file's absolute path;
	// RecipeSHA256 the digest of its text when the sweep was created, so a
	// file edited since is refused rather than silently mixed in.
	Recipe       string `json:"recipe"`
	RecipeSHA256 string `json:"recipe_sha256"`
	// Quick applies the recipe's quick profile to every point.
	Quick bool `json:"quick,omitempty"`
	// Set holds the --set overrides every point shares, before its own.
	Set []string `json:"set,omitempty"`
	// Grid holds the --grid axes, Random the random search; the points
	// are every combination of the grid's values, each with every draw.
	Grid   []Axis  `json:"grid,omitempty"`
	Random *Random `json:"random,omitempty"`
	// Halving, when set, trains the points by successive halving.
	Halving *Halving `json:"halving,omitempty"`
	// Points are the runs of the sweep, by index.
	Points []Point `json:"points"`
}

// Axis is one --grid key and the values it takes, as written.
type Axis struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Random is a random search: N draws from the Ranges, from Seed.
type Random struct {
	N      int     `json:"n"`
	Seed   uint64  `json:"seed"`
	Ranges []Range `json:"ranges"`
}

// Range is one --range: Key drawn uniformly between Min and Max, on a
// linear or logarithmic Scale; Int keys are rounded to integers.
type Range struct {
	Key   string  `json:"key"`
	Scale string  `json:"scale"` // "lin" or "log"
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	Int   bool    `json:"int,omitempty"`
}

// Halving is successive halving: the points train to Budgets[0] epochs,
// the best 1/Eta of them (at least one) continue to Budgets[1], and so on;
// the last budget is the recipe's epochs.
type Halving struct {
	Eta     int   `json:"eta"`
	Budgets []int `json:"budgets"`
}

// Point is one run of the sweep: its index and the --set overrides that
// make it (after Spec.Set), one per swept key in the order of the grid
// axes, then the ranges.
type Point struct {
	Index int      `json:"index"`
	Set   []string `json:"set"`
}

// Value returns the value the point gives key, as written in its --set.
func (p Point) Value(key string) (string, bool) {
	for _, s := range p.Set {
		if k, v, _ := strings.Cut(s, "="); k == key {
			return v, true
		}
	}
	return "", false
}

// Keys returns the swept keys, in the order of the points' --set values.
func (s *Spec) Keys() []string {
	var keys []string
	for _, a := range s.Grid {
		keys = append(keys, a.Key)
	}
	if s.Random != nil {
		for _, r := range s.Random.Ranges {
			keys = append(keys, r.Key)
		}
	}
	return keys
}

// PointDir is the run directory of point i in the sweep directory dir.
func PointDir(dir string, i int) string {
	return filepath.Join(dir, PointsDir, PointName(i))
}

// PointName is a point's name, as its directory, its logs and zoo's
// output give it: its index, zero-padded so that the directories list in
// order.
func PointName(i int) string { return fmt.Sprintf("%03d", i) }

// LogFile is where a local worker writes point i's output.
func LogFile(dir string, i int) string { return filepath.Join(dir, LogsDir, PointName(i)+".log") }

// failedFile records why point i failed (see RunPoint).
func failedFile(dir string, i int) string {
	return filepath.Join(dir, LogsDir, PointName(i)+".failed")
}

// ReadSpec reads dir's sweep.json.
func ReadSpec(dir string) (*Spec, error) {
	b, err := os.ReadFile(filepath.Join(dir, SpecFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sweeps: %s is not a sweep directory (it has no %s; zoo sweep RECIPE --out %s creates one)", dir, SpecFile, dir)
		}
		return nil, fmt.Errorf("sweeps: %w", err)
	}
	path := filepath.Join(dir, SpecFile)
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("sweeps: %s: %s: is the file damaged?", path, jsonerr.Describe(err))
	}
	if s.Version != Version {
		return nil, fmt.Errorf("sweeps: %s is of version %d; this zoo reads version %d", path, s.Version, Version)
	}
	if why := s.damage(); why != "" {
		return nil, fmt.Errorf("sweeps: %s: %s: the file is damaged", path, why)
	}
	return &s, nil
}

// damage says what makes a spec read from a file one New cannot have
// written ("" for nothing), so that a damaged sweep.json is refused by
// name rather than failing deep inside a command.
func (s *Spec) damage() string {
	if len(s.Points) == 0 {
		return "it lists no points"
	}
	keys := s.Keys()
	for i, p := range s.Points {
		if p.Index != i {
			return fmt.Sprintf("point %d has index %d", i, p.Index)
		}
		if len(p.Set) != len(keys) {
			return fmt.Sprintf("point %d sets %d keys, the sweep sweeps %d", i, len(p.Set), len(keys))
		}
		for k, key := range keys {
			if name, _, _ := strings.Cut(p.Set[k], "="); name != key {
				return fmt.Sprintf("point %d sets %q where the sweep sweeps %s", i, p.Set[k], key)
			}
		}
	}
	if h := s.Halving; h != nil {
		if h.Eta < 2 {
			return fmt.Sprintf("halving has eta %d, below 2", h.Eta)
		}
		if len(h.Budgets) < 2 {
			return fmt.Sprintf("halving has %d budgets, fewer than 2", len(h.Budgets))
		}
		for k, b := range h.Budgets {
			if b < 1 || (k > 0 && b <= h.Budgets[k-1]) {
				return fmt.Sprintf("halving's budgets %s are not increasing epochs", joinInts(h.Budgets, ","))
			}
		}
	}
	return ""
}

// Open returns the spec of the sweep in dir for spec: it creates dir with
// spec when dir does not exist or is empty, and otherwise reads the spec
// there, which must be the same sweep (see Diff): re-running a sweep's
// command resumes it. created reports which.
func Open(dir string, spec *Spec) (s *Spec, created bool, err error) {
	if _, err := os.Stat(filepath.Join(dir, SpecFile)); err == nil {
		old, err := ReadSpec(dir)
		if err != nil {
			return nil, false, err
		}
		if old.Recipe == spec.Recipe && old.RecipeSHA256 != spec.RecipeSHA256 {
			// The same command, a recipe file edited since: resuming
			// would mix two recipes in one sweep.
			return nil, false, fmt.Errorf("sweeps: the recipe %s has changed since the sweep in %s was created: restore it to resume the sweep, or sweep the edited recipe into another --out", spec.Recipe, dir)
		}
		if d := Diff(old, spec); d != "" {
			return nil, false, fmt.Errorf("sweeps: %s holds another sweep (%s): choose another --out, or repeat that sweep's own command to resume it", dir, d)
		}
		return old, false, nil
	}
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return nil, false, fmt.Errorf("sweeps: --out %s is a file, not a directory", dir)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, false, fmt.Errorf("sweeps: %w", err)
		}
		if len(entries) > 0 {
			return nil, false, fmt.Errorf("sweeps: --out %s is not empty and holds no sweep (no %s): choose another --out", dir, SpecFile)
		}
	}
	for _, sub := range []string{PointsDir, LogsDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, false, fmt.Errorf("sweeps: create %s: %w", dir, err)
		}
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return nil, false, err
	}
	if err := atomicfile.Write(filepath.Join(dir, SpecFile), append(b, '\n')); err != nil {
		return nil, false, fmt.Errorf("sweeps: %w", err)
	}
	return spec, true, nil
}

// Diff names what differs between two sweeps' specs ("" for none): the
// creation time and version aside, everything that decides the points.
func Diff(a, b *Spec) string {
	var d []string
	if a.Recipe != b.Recipe {
		d = append(d, fmt.Sprintf("recipe: %s there, %s here", a.Recipe, b.Recipe))
	} else if a.RecipeSHA256 != b.RecipeSHA256 {
		d = append(d, fmt.Sprintf("recipe %s has changed since the sweep was created", a.Recipe))
	}
	if a.Quick != b.Quick {
		d = append(d, fmt.Sprintf("--quick: %v there, %v here", a.Quick, b.Quick))
	}
	if !slices.Equal(a.Set, b.Set) {
		d = append(d, fmt.Sprintf("--set: %s there, %s here", describeSet(a.Set), describeSet(b.Set)))
	}
	if !jsonEqual(a.Grid, b.Grid) {
		d = append(d, fmt.Sprintf("grid: %s there, %s here", describeGrid(a.Grid), describeGrid(b.Grid)))
	}
	if !jsonEqual(a.Random, b.Random) {
		d = append(d, fmt.Sprintf("random search: %s there, %s here", describeRandom(a.Random), describeRandom(b.Random)))
	}
	if !jsonEqual(a.Halving, b.Halving) {
		d = append(d, fmt.Sprintf("halving: %s there, %s here", describeHalving(a.Halving), describeHalving(b.Halving)))
	}
	if len(d) == 0 && !jsonEqual(a.Points, b.Points) {
		d = append(d, "its points differ")
	}
	return strings.Join(d, "; ")
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func describeSet(set []string) string {
	if len(set) == 0 {
		return "none"
	}
	return strings.Join(set, " ")
}

func describeGrid(g []Axis) string {
	if len(g) == 0 {
		return "none"
	}
	var s []string
	for _, a := range g {
		s = append(s, a.Key+"="+strings.Join(a.Values, ","))
	}
	return strings.Join(s, " ")
}

func describeRandom(r *Random) string {
	if r == nil {
		return "none"
	}
	var s []string
	for _, x := range r.Ranges {
		s = append(s, fmt.Sprintf("%s=%s:%g:%g", x.Key, x.Scale, x.Min, x.Max))
	}
	return fmt.Sprintf("%d draws of %s, seed %d", r.N, strings.Join(s, " "), r.Seed)
}

func describeHalving(h *Halving) string {
	if h == nil {
		return "none"
	}
	return fmt.Sprintf("eta %d, budgets %s", h.Eta, joinInts(h.Budgets, ","))
}

func joinInts(v []int, sep string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, sep)
}
