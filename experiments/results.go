package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// results is an experiment's results.json: every method it compared, at
// which settings, with which seeds, its measures per seed with their mean
// and standard deviation, and the verdict on every claim. It is one schema
// for every experiment but optimizer-paths (which draws no random numbers),
// documented in docs/experiments.md, so that a script can read any of them.
type results struct {
	Experiment string `json:"experiment"`
	// Quick marks a --quick run, whose numbers are a smoke test.
	Quick bool `json:"quick"`
	// Rule is how every verdict was decided (intervalRule).
	Rule     string          `json:"rule"`
	Methods  []*methodStats  `json:"methods"`
	Verdicts []verdictRecord `json:"verdicts"`
}

// methodStats is one method of a comparison, measured with every seed.
type methodStats struct {
	Name string `json:"name"`
	// Settings are the method's settings that differ between methods (the
	// report gives those all share), including the tuned one at its
	// chosen value.
	Settings map[string]any `json:"settings"`
	// Tuned says how the method's main hyper-parameter was chosen; absent
	// for a method with none to tune.
	Tuned *tuning  `json:"tuned,omitempty"`
	Seeds []uint64 `json:"seeds"`
	// PerSeed holds the measures of the run with Seeds[i]. A measure a run
	// could not take (it diverged) is absent from its entry.
	PerSeed []map[string]float64 `json:"per_seed"`
	// Mean, SD and N summarise each measure over the seeds that took it
	// (SD: the sample standard deviation, absent for a single value).
	Mean map[string]float64 `json:"mean"`
	SD   map[string]float64 `json:"sd"`
	N    map[string]int     `json:"n"`
}

// verdictRecord is the verdict on one claim.
type verdictRecord struct {
	Claim string `json:"claim"`
	// Result is "held", "did not hold" or "not separable".
	Result string `json:"result"`
	// Rule is what decides this claim: the measures compared and how.
	Rule string `json:"rule"`
}

// newResults starts the results of the lab's experiment.
func newResults(name string, quick bool) *results {
	return &results{Experiment: name, Quick: quick, Rule: intervalRule, Methods: []*methodStats{}, Verdicts: []verdictRecord{}}
}

// method adds a method to the results; its measures follow with add.
func (res *results) method(name string, settings map[string]any, tuned *tuning) *methodStats {
	if settings == nil {
		settings = map[string]any{}
	}
	m := &methodStats{Name: name, Settings: settings, Tuned: tuned, Seeds: []uint64{}, PerSeed: []map[string]float64{}}
	res.Methods = append(res.Methods, m)
	return m
}

// add records the measures of the run with seed; NaN marks one the run
// could not take.
func (m *methodStats) add(seed uint64, measures map[string]float64) {
	kept := map[string]float64{}
	for k, v := range measures {
		if !math.IsNaN(v) {
			kept[k] = v
		}
	}
	m.Seeds = append(m.Seeds, seed)
	m.PerSeed = append(m.PerSeed, kept)
}

// stat summarises the measure called name over the seeds.
func (m *methodStats) stat(name string) stat {
	var v []float64
	for _, s := range m.PerSeed {
		if x, ok := s[name]; ok {
			v = append(v, x)
		} else {
			v = append(v, math.NaN())
		}
	}
	return statOf(v)
}

// summarise fills Mean, SD and N from PerSeed.
func (m *methodStats) summarise() {
	m.Mean, m.SD, m.N = map[string]float64{}, map[string]float64{}, map[string]int{}
	names := map[string]bool{}
	for _, s := range m.PerSeed {
		for k := range s {
			names[k] = true
		}
	}
	for k := range names {
		s := m.stat(k)
		m.Mean[k], m.N[k] = s.Mean, s.N
		if s.N > 1 {
			m.SD[k] = s.SD
		}
	}
}

// encode returns the results as indented JSON. A non-finite measure or
// setting is an error: JSON cannot hold it, and NaN already means "not
// measured".
func (res *results) encode() ([]byte, error) {
	for _, m := range res.Methods {
		m.summarise()
		for i, s := range m.PerSeed {
			for k, v := range s {
				if math.IsInf(v, 0) {
					return nil, fmt.Errorf("results.json: %s, seed %d: %s is %v", m.Name, m.Seeds[i], k, v)
				}
			}
		}
		for k, v := range m.Settings {
			if f, ok := v.(float64); ok && !finite(f) {
				return nil, fmt.Errorf("results.json: %s: setting %s is %v", m.Name, k, f)
			}
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return nil, fmt.Errorf("results.json: %w", err)
	}
	return b.Bytes(), nil
}
