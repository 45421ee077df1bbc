package runs

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/train"
)

// File names inside a run directory.
const (
	RecipeFile  = "recipe.yaml"
	MetricsFile = "metrics.csv"
	SummaryFile = "summary.json"
	WeightsFile = "model.safetensors"
)

// Summary is summary.json: what was run and how well it did. Errors are
// fractions (0.0123 means 1.23 %).
type Summary struct {
	Recipe     string  `json:"recipe"`
	Seed       uint64  `json:"seed"`
	Epochs     int     `json:"epochs"`
	Updates    int     `json:"updates"`
	Parameters int     `json:"parameters"`
	Train      int     `json:"train_examples"`
	Validation int     `json:"validation_examples"`
	Test       int     `json:"test_examples"`
	TrainLoss  float64 `json:"train_loss"`
	ValLoss    float64 `json:"val_loss"`
	ValError   float64 `json:"val_error"`
	TestLoss   float64 `json:"test_loss"`
	TestError  float64 `json:"test_error"`
	// Seconds is the wall time of training and evaluation, data loading
	// excluded.
	Seconds float64 `json:"seconds"`
}

func writeSummary(dir string, s *Summary) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SummaryFile), append(data, '\n'))
}

// ReadSummary reads a run directory's summary.json.
func ReadSummary(dir string) (*Summary, error) {
	data, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	s := &Summary{}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("runs: %s: %w", filepath.Join(dir, SummaryFile), err)
	}
	return s, nil
}

// writeMetrics writes metrics.csv. Numbers are written in full precision so
// two runs compare exactly.
func writeMetrics(dir string, records []train.Record) error {
	return atomicfile.WriteFunc(filepath.Join(dir, MetricsFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"epoch", "train_loss", "val_loss", "val_error", "lr", "seconds"})
		for _, r := range records {
			cw.Write([]string{
				strconv.Itoa(r.Epoch), num(r.TrainLoss), num(r.Val.Loss), num(r.Val.Error), num(r.LR),
				strconv.FormatFloat(r.Seconds, 'f', 3, 64),
			})
		}
		cw.Flush()
		return cw.Error()
	})
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
