package infer

import (
	"math"
	"sort"

	"github.com/gorgonia-zoo/zoo/datasets"
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

// Classify returns, for each example of s, the most likely class (the one
// Predict returns) and the softmax probabilities of all classes.
func (c *Classifier) Classify(s *datasets.Set) ([]Prediction, error) {
	logits, err := c.Logits(s)
	if err != nil {
		return nil, err
	}
	k := c.Classes()
	out := make([]Prediction, s.Len())
	for i := range out {
		row := logits[i*k : (i+1)*k]
		out[i] = Prediction{Class: argmax(row), Probabilities: softmax(row)}
	}
	return out, nil
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
