package infer

import "encoding/json"

// Metrics is an evaluation of a model on a data set. Its JSON form (zoo
// eval --json, checkpoints' epoch records) is {"loss", "error", "n"}, with
// "error" present exactly for classifiers, 0 included: its presence is
// HasError.
type Metrics struct {
	// Loss is the mean per-example loss (without regularization terms).
	Loss float64
	// Error is the fraction misclassified (0.0123 is 1.23 %); only for
	// classifiers, see HasError.
	Error    float64
	HasError bool
	// N is the number of examples evaluated.
	N int
}

// metricsJSON is Metrics' JSON form. HasError is read too: checkpoints
// written before the form above held it, and left out an error of 0.
type metricsJSON struct {
	Loss     float64  `json:"loss"`
	Error    *float64 `json:"error,omitempty"`
	HasError *bool    `json:"has_error,omitempty"`
	N        int      `json:"n"`
}

// MarshalJSON writes m without HasError, which the presence of its error
// says.
func (m Metrics) MarshalJSON() ([]byte, error) {
	j := metricsJSON{Loss: m.Loss, N: m.N}
	if m.HasError {
		j.Error = &m.Error
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, and the form with
// has_error.
func (m *Metrics) UnmarshalJSON(data []byte) error {
	var j metricsJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*m = Metrics{Loss: j.Loss, N: j.N, HasError: j.Error != nil}
	if j.Error != nil {
		m.Error = *j.Error
	}
	if j.HasError != nil {
		m.HasError = *j.HasError
	}
	return nil
}

// ClassScore is how well one class is recognised. Its JSON form is the
// per-class entry of a run's summary: the counts behind the ratios are left
// out.
type ClassScore struct {
	Class         int     `json:"class"`
	Support       int     `json:"support"` // examples of the class
	Predicted     int     `json:"-"`       // examples predicted as the class
	TruePositives int     `json:"-"`
	Precision     float64 `json:"precision"`
	Recall        float64 `json:"recall"`
	F1            float64 `json:"f1"`
}

// ClassMetrics compares predictions with labels, class by class: the
// precision (the fraction of the examples predicted as the class that are
// of it), the recall (the fraction of the class's examples predicted as it)
// and their harmonic mean F1, each 0 when undefined. It has a score for
// each class in [0, classes), and more when a prediction or label is
// larger (a model with more classes than the data's). It compares the
// first min(len(pred), len(labels)) pairs and skips a pair with a negative
// class, which no classifier predicts and datasets.Set.Validate rejects:
// it never panics on what it is given.
func ClassMetrics(pred, labels []int, classes int) []ClassScore {
	n := min(len(pred), len(labels))
	pred, labels = pred[:n], labels[:n]
	classes = max(classes, 0)
	for i := range n {
		classes = max(classes, pred[i]+1, labels[i]+1)
	}
	out := make([]ClassScore, classes)
	for c := range out {
		out[c].Class = c
	}
	for i, p := range pred {
		if p < 0 || labels[i] < 0 {
			continue
		}
		out[p].Predicted++
		out[labels[i]].Support++
		if p == labels[i] {
			out[p].TruePositives++
		}
	}
	for c := range out {
		s := &out[c]
		if s.Predicted > 0 {
			s.Precision = float64(s.TruePositives) / float64(s.Predicted)
		}
		if s.Support > 0 {
			s.Recall = float64(s.TruePositives) / float64(s.Support)
		}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
	}
	return out
}
