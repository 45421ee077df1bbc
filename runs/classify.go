package runs

import (
	"fmt"
	"math"
	"sort"
)

// Prediction is a classifier's answer for one example.
type Prediction struct {
	// Class is the most likely class, the one Predict returns.
	Class int `json:"class"`
	// Probabilities are the softmax probabilities of the classes, class 0
	// first; they sum to 1.
	Probabilities []float64 `json:"probabilities"`
}

// Top returns the k most likely classes, most likely first (ties by class).
func (p Prediction) Top(k int) []int {
	idx := make([]int, len(p.Probabilities))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p.Probabilities[idx[a]] > p.Probabilities[idx[b]] })
	return idx[:min(k, len(idx))]
}

// Classify returns, for each example in x (row-major, Shape per example),
// the most likely class and the probabilities of all classes.
func (m *Model) Classify(x []float32) ([]Prediction, error) {
	if m.classifier == nil {
		return nil, fmt.Errorf("runs: %s is an autoencoder: it encodes and reconstructs, it does not classify", m.Recipe.Name)
	}
	s, err := m.set(x)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	logits, err := m.classifier.Logits(s)
	m.mu.Unlock()
	if err != nil {
		return nil, err
	}
	k := m.Classes
	out := make([]Prediction, s.Len())
	for i := range out {
		out[i] = Prediction{Class: argmax(logits[i*k : (i+1)*k]), Probabilities: softmax(logits[i*k : (i+1)*k])}
	}
	return out, nil
}

// argmax is the index of v's first maximum, as Predict chooses.
func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// softmax returns exp(v) normalised to sum 1, computed stably.
func softmax(v []float64) []float64 {
	hi := math.Inf(-1)
	for _, x := range v {
		hi = max(hi, x)
	}
	out := make([]float64, len(v))
	sum := 0.0
	for i, x := range v {
		out[i] = math.Exp(x - hi)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}
