package killtest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"

	"github.com/gorgonia-zoo/zoo/runs"
)

// The headers of metrics.csv: a classifier's and the autoencoder
// family's (see runs.ReadMetrics).
var (
	classifierHeader = []string{"epoch", "train_loss", "val_loss", "val_error", "lr", "seconds"}
	stagedHeader     = append([]string{"phase", "layer"}, classifierHeader...)
)

// checkMetrics reads the metrics.csv at path (a missing file has no rows)
// and checks it against the plan and the checkpoint pos (nil when there is
// none): the layout of the run's model type, one row per epoch in the
// order the phases run, as many rows as the checkpoint allows (see
// plan.metricsRange; without a checkpoint, none or those of a finished
// run) and, on the rows both have, every figure equal to the checkpoint's
// records. It returns the rows.
func (p *plan) checkMetrics(path string, pos *position) ([]runs.MetricsRow, error) {
	text, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var rows []runs.MetricsRow
	var raw [][]string
	if err == nil {
		if rows, err = runs.DecodeMetrics(bytes.NewReader(text)); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		// DecodeMetrics takes either layout: the run's type has one.
		if raw, err = csv.NewReader(bytes.NewReader(text)).ReadAll(); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		header := classifierHeader
		if p.staged() {
			header = stagedHeader
		}
		if !slices.Equal(raw[0], header) {
			return nil, fmt.Errorf("%s: unexpected header %v: a %s run writes %v", path, raw[0], p.r.Model.Type, header)
		}
		raw = raw[1:]
	}
	slots := p.slots()
	for i, row := range rows {
		got := slot{row.Phase, row.Layer, row.Epoch}
		if i >= len(slots) || got != slots[i] {
			want := "nothing"
			if i < len(slots) {
				want = slots[i].String()
			}
			return nil, fmt.Errorf("%s: row %d is of %v, want %s", path, i+1, got, want)
		}
		if p.staged() && row.Phase != runs.PhaseFinetune && row.HasError() {
			return nil, fmt.Errorf("%s: row %d (%v) has a validation error rate", path, i+1, got)
		}
	}
	n := len(rows)
	if pos == nil {
		if n > 0 && !p.ends(n) {
			return nil, fmt.Errorf("%s: %d epochs without a checkpoint, and the run does not end there", path, n)
		}
		return rows, nil
	}
	c := len(pos.records)
	if lo, hi := p.metricsRange(c); n < lo || n > hi {
		return nil, fmt.Errorf("%s: %d epochs, the checkpoint has %d: want %d to %d", path, n, c, lo, hi)
	}
	for i := range min(n, c) {
		if want := p.metricsRow(pos.records[i]); !slices.Equal(raw[i], want) {
			return nil, fmt.Errorf("%s: row %d is %v, the checkpoint's record %v", path, i+1, raw[i], want)
		}
	}
	return rows, nil
}

// metricsRow is rec as runs writes it in metrics.csv.
func (p *plan) metricsRow(rec record) []string {
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	seconds := strconv.FormatFloat(rec.Seconds, 'f', 3, 64)
	if !p.staged() {
		return []string{strconv.Itoa(rec.Epoch), num(rec.TrainLoss), num(rec.Val.Loss), num(rec.Val.Error), num(rec.LR), seconds}
	}
	layer := ""
	if rec.Phase == runs.PhasePretrain {
		layer = strconv.Itoa(rec.Layer)
	}
	valErr := ""
	if rec.Val.HasError {
		valErr = num(rec.Val.Error)
	}
	return []string{rec.Phase, layer, strconv.Itoa(rec.Epoch), num(rec.TrainLoss), num(rec.Val.Loss), valErr, num(rec.LR), seconds}
}
