package runs

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// MetricsRow is one row of metrics.csv: one epoch.
type MetricsRow struct {
	// Phase is train (a classifier's or an autoencoder's epochs), pretrain
	// (an sdae's greedy pretraining of Layer) or finetune (an sdae's
	// supervised epochs). Classifier runs' files have no phase column;
	// their rows read as train.
	Phase string
	// Layer is the layer pretrained, from 0 at the input; -1 outside
	// pretraining.
	Layer     int
	Epoch     int
	TrainLoss float64
	// ValLoss is the validation loss: the cross-entropy of a classifier,
	// the reconstruction loss of an autoencoder or a pretraining stage.
	ValLoss float64
	// ValError is the validation error rate; NaN where there is no
	// classifier (see HasError).
	ValError float64
	LR       float64
	Seconds  float64
}

// HasError reports whether the row has a validation error rate.
func (r MetricsRow) HasError() bool { return !math.IsNaN(r.ValError) }

// The phases of metrics.csv.
const (
	PhaseTrain    = "train"
	PhasePretrain = "pretrain"
	PhaseFinetune = "finetune"
)

// The two layouts of metrics.csv (see the package documentation).
var (
	classifierColumns = []string{"epoch", "train_loss", "val_loss", "val_error", "lr", "seconds"}
	stagedColumns     = append([]string{"phase", "layer"}, classifierColumns...)
)

// ReadMetrics reads the metrics.csv of the run in dir, in either layout:
// classifiers' epoch,train_loss,val_loss,val_error,lr,seconds or the
// autoencoder family's, with phase,layer first.
func ReadMetrics(dir string) ([]MetricsRow, error) {
	path := filepath.Join(dir, MetricsFile)
	f, err := safeopen.Open(path)
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	defer f.Close()
	rows, err := DecodeMetrics(f)
	if err != nil {
		return nil, fmt.Errorf("runs: %s: %w", path, err)
	}
	return rows, nil
}

// MaxMetricsLine bounds the length of a line of metrics.csv, in bytes: a
// row is eight numbers (about 150 bytes as zoo writes them), so a longer
// line means the file is not a metrics.csv, and reading it whole would
// cost memory in proportion (one 200 MB line took 1 GB for zoo compare).
const MaxMetricsLine = 4096

// lineLimit reads from r, failing at the first line longer than
// MaxMetricsLine, so the CSV reader never buffers more.
type lineLimit struct {
	r io.Reader
	// line is the number of the line being read (from 1), n its bytes so
	// far.
	line, n int
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line++
			l.n = 0
			continue
		}
		if l.n++; l.n > MaxMetricsLine {
			return i, fmt.Errorf("line %d is longer than %d bytes (runs.MaxMetricsLine): not a metrics.csv zoo writes", l.line, MaxMetricsLine)
		}
	}
	return n, err
}

// DecodeMetrics reads metrics.csv from r; see ReadMetrics. A line longer
// than MaxMetricsLine is an error.
func DecodeMetrics(r io.Reader) ([]MetricsRow, error) {
	cr := csv.NewReader(&lineLimit{r: r, line: 1})
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: no header")
	}
	if err != nil {
		return nil, err
	}
	staged := slices.Equal(header, stagedColumns)
	if !staged && !slices.Equal(header, classifierColumns) {
		return nil, fmt.Errorf("unknown columns %v: want %v or %v", header, classifierColumns, stagedColumns)
	}
	var out []MetricsRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		row := MetricsRow{Phase: PhaseTrain, Layer: -1}
		if staged {
			row.Phase = rec[0]
			switch row.Phase {
			case PhaseTrain, PhaseFinetune:
			case PhasePretrain:
				if row.Layer, err = strconv.Atoi(rec[1]); err != nil || row.Layer < 0 {
					return nil, fmt.Errorf("line %d: layer %q: want a layer number", line, rec[1])
				}
			default:
				return nil, fmt.Errorf("line %d: unknown phase %q (want train, pretrain or finetune)", line, rec[0])
			}
			rec = rec[2:]
		}
		if row.Epoch, err = strconv.Atoi(rec[0]); err != nil {
			return nil, fmt.Errorf("line %d: epoch %q: want a whole number", line, rec[0])
		}
		fields := []*float64{&row.TrainLoss, &row.ValLoss, &row.ValError, &row.LR, &row.Seconds}
		for i, p := range fields {
			name, v := classifierColumns[i+1], rec[i+1]
			if v == "" && name == "val_error" {
				*p = math.NaN()
				continue
			}
			if *p, err = strconv.ParseFloat(v, 64); err != nil {
				return nil, fmt.Errorf("line %d: %s %q: want a number", line, name, v)
			}
		}
		out = append(out, row)
	}
}

// Curve returns the rows of the run's final training (its train or
// finetune phase), whose validation figures describe the saved model:
// pretraining rows are left out.
func Curve(rows []MetricsRow) []MetricsRow {
	var out []MetricsRow
	for _, r := range rows {
		if r.Phase != PhasePretrain {
			out = append(out, r)
		}
	}
	return out
}

// WriteMetrics writes the run directory's metrics.csv from rows: in the
// classifiers' layout (epoch first), or with staged in the autoencoder
// family's (phase and layer first; layer empty outside pretraining,
// val_error empty where there is none). Numbers are written in full
// precision so two runs compare exactly; seconds to the millisecond.
func WriteMetrics(dir string, rows []MetricsRow, staged bool) error {
	return atomicfile.WriteFunc(filepath.Join(dir, MetricsFile), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if staged {
			cw.Write(stagedColumns)
		} else {
			cw.Write(classifierColumns)
		}
		for _, r := range rows {
			valErr := num(r.ValError)
			if staged && !r.HasError() {
				valErr = ""
			}
			rec := []string{strconv.Itoa(r.Epoch), num(r.TrainLoss), num(r.ValLoss), valErr, num(r.LR),
				strconv.FormatFloat(r.Seconds, 'f', 3, 64)}
			if staged {
				layer := ""
				if r.Phase == PhasePretrain {
					layer = strconv.Itoa(r.Layer)
				}
				rec = append([]string{r.Phase, layer}, rec...)
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	})
}
