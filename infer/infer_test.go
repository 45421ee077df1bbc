package infer

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/tensor"
)

func randomSet(n, dim, classes int) *datasets.Set {
	r := rng.New(2, "data")
	s := &datasets.Set{Name: "random", X: make([]float32, n*dim), Shape: []int{dim}, Labels: make([]int, n), Classes: classes}
	for i := range s.X {
		s.X[i] = r.Float32()
	}
	for i := range s.Labels {
		s.Labels[i] = r.IntN(classes)
	}
	return s
}

// TestClassifierBatchIndependent checks the batch size changes nothing:
// padded chunks of 7 and one chunk of all 23 examples give the same bits,
// and PerExample agrees with Evaluate's loss.
func TestClassifierBatchIndependent(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m, err := models.NewMLP(models.MLPConfig{Inputs: 6, Hidden: []models.Layer{{Units: 5, Activation: models.Tanh}}, Classes: 4, DType: dt,
			Dropout: models.Dropout{Input: 0.5}}, rng.New(1, "init"))
		if err != nil {
			t.Fatal(err)
		}
		s := randomSet(23, 6, 4)
		var logits [][]float64
		var metrics []Metrics
		for _, b := range []int{7, 23} {
			c, err := NewClassifier(m, b)
			if err != nil {
				t.Fatal(err)
			}
			l, err := c.Logits(s)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := c.Evaluate(s)
			if err != nil {
				t.Fatal(err)
			}
			per, err := c.PerExample(s.X, s.Labels)
			if err != nil {
				t.Fatal(err)
			}
			pred, err := c.Predict(s)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			sum := 0.0
			for _, v := range per {
				sum += v
			}
			if math.Abs(sum/23-ev.Loss) > 1e-12 || len(pred) != 23 || len(l) != 23*4 {
				t.Errorf("%v batch %d: per-example mean %v, Evaluate %v; %d predictions, %d logits", dt, b, sum/23, ev.Loss, len(pred), len(l))
			}
			logits, metrics = append(logits, l), append(metrics, ev)
		}
		if !slices.Equal(logits[0], logits[1]) || metrics[0] != metrics[1] {
			t.Errorf("%v: results depend on the batch size: %+v vs %+v", dt, metrics[0], metrics[1])
		}
	}
}

func TestAutoencoder(t *testing.T) {
	m, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{{Units: 3, Activation: models.Sigmoid}}, Output: models.Sigmoid}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	s := randomSet(11, 6, 4)
	a, err := NewAutoencoder(m, losses.ReconstructionBCE, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	codes, err := a.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if codes.Dim() != a.CodeUnits() || codes.Len() != 11 || !slices.Equal(codes.Labels, s.Labels) {
		t.Errorf("codes: %d examples of %d features, want 11 of %d", codes.Len(), codes.Dim(), a.CodeUnits())
	}
	rec, err := a.Reconstruct(s)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := a.Evaluate(s)
	if err != nil {
		t.Fatal(err)
	}
	// The mean bce of the reconstructions, computed here.
	sum := 0.0
	for i, x := range s.X {
		r := float64(rec.X[i])
		sum -= float64(x)*math.Log(r) + (1-float64(x))*math.Log(1-r)
	}
	if want := sum / float64(len(s.X)); math.Abs(ev.Loss-want) > 1e-5 || ev.N != 11 || ev.HasError {
		t.Errorf("Evaluate %+v, the reconstructions give loss %v", ev, want)
	}
	if _, err := a.Encode(randomSet(3, 5, 4)); err == nil || !strings.HasPrefix(err.Error(), "infer: encode") {
		t.Errorf("5 features for a 6-input autoencoder: %v", err)
	}
	lin, _ := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 6, Encoder: []models.Layer{{Units: 3, Activation: models.Sigmoid}}, Output: models.Linear}, rng.New(1, "init"))
	if _, err := NewAutoencoder(lin, losses.ReconstructionBCE, 0); err == nil {
		t.Error("bce accepted for a linear output")
	}
	if _, err := NewAutoencoder(lin, "l1", 0); err == nil {
		t.Error("unknown loss accepted")
	}
}

// TestClassMetrics checks the scores and that the JSON form is the run
// summary's per-class entry.
func TestClassMetrics(t *testing.T) {
	got := ClassMetrics([]int{0, 0, 1, 2}, []int{0, 1, 1, 1}, 3)
	want := []ClassScore{
		{Class: 0, Support: 1, Predicted: 2, TruePositives: 1, Precision: 0.5, Recall: 1, F1: 2.0 / 3},
		{Class: 1, Support: 3, Predicted: 1, TruePositives: 1, Precision: 1, Recall: 1.0 / 3, F1: 0.5},
		{Class: 2, Support: 0, Predicted: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ClassMetrics = %+v, want %+v", got, want)
	}
	b, err := json.Marshal(got[1])
	if err != nil {
		t.Fatal(err)
	}
	if w := `{"class":1,"support":3,"precision":1,"recall":0.3333333333333333,"f1":0.5}`; string(b) != w {
		t.Errorf("JSON %s, want %s", b, w)
	}
}

// TestClassMetricsOutOfRange checks inputs that used to index past the
// table: a prediction or label beyond classes widens it, negative classes
// and unmatched predictions are skipped.
func TestClassMetricsOutOfRange(t *testing.T) {
	tests := []struct {
		name         string
		pred, labels []int
		classes      int
		want         []ClassScore
	}{
		{"prediction beyond classes", []int{0, 2}, []int{0, 1}, 2, []ClassScore{
			{Class: 0, Support: 1, Predicted: 1, TruePositives: 1, Precision: 1, Recall: 1, F1: 1},
			{Class: 1, Support: 1},
			{Class: 2, Predicted: 1},
		}},
		{"label beyond classes", []int{0}, []int{1}, 1, []ClassScore{{Class: 0, Predicted: 1}, {Class: 1, Support: 1}}},
		{"negative label", []int{0, 0}, []int{-1, 0}, 1, []ClassScore{{Class: 0, Support: 1, Predicted: 1, TruePositives: 1, Precision: 1, Recall: 1, F1: 1}}},
		{"more predictions than labels", []int{0, 0, 0}, []int{0}, 1, []ClassScore{{Class: 0, Support: 1, Predicted: 1, TruePositives: 1, Precision: 1, Recall: 1, F1: 1}}},
		{"negative classes", nil, nil, -3, []ClassScore{}},
	}
	for _, tt := range tests {
		if got := ClassMetrics(tt.pred, tt.labels, tt.classes); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
