package runs

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestReadMetrics reads back both layouts as WriteMetrics writes them.
func TestReadMetrics(t *testing.T) {
	row := func(phase string, layer, epoch int, loss, valErr float64) MetricsRow {
		return MetricsRow{Phase: phase, Layer: layer, Epoch: epoch, TrainLoss: loss, ValLoss: loss + 0.1, ValError: valErr, LR: 0.01, Seconds: float64(epoch)}
	}
	dir := t.TempDir()
	want := []MetricsRow{row(PhaseTrain, -1, 1, 0.5, 0.1), row(PhaseTrain, -1, 2, 0.25, 0.05)}
	if err := WriteMetrics(dir, want, false); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows, want) {
		t.Errorf("classifier layout:\n got %+v\nwant %+v", rows, want)
	}

	// An sdae: two layers pretrained, then fine-tuned.
	dir = t.TempDir()
	staged := []MetricsRow{row(PhasePretrain, 0, 1, 0.3, math.NaN()), row(PhasePretrain, 1, 1, 0.2, math.NaN()), row(PhaseFinetune, -1, 1, 0.4, 0.08)}
	if err := WriteMetrics(dir, staged, true); err != nil {
		t.Fatal(err)
	}
	rows, err = ReadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Phase != PhasePretrain || rows[1].Layer != 1 || rows[0].HasError() ||
		rows[2].Phase != PhaseFinetune || rows[2].Layer != -1 || rows[2].ValError != 0.08 {
		t.Errorf("staged layout: %+v", rows)
	}
	if c := Curve(rows); len(c) != 1 || c[0] != rows[2] {
		t.Errorf("Curve kept %+v, want the fine-tuning row", c)
	}

	// An autoencoder: phase train, no error rate.
	dir = t.TempDir()
	if err := WriteMetrics(dir, []MetricsRow{row(PhaseTrain, -1, 1, 0.3, math.NaN())}, true); err != nil {
		t.Fatal(err)
	}
	rows, err = ReadMetrics(dir)
	if err != nil || len(rows) != 1 || rows[0].Phase != PhaseTrain || !math.IsNaN(rows[0].ValError) || len(Curve(rows)) != 1 {
		t.Errorf("autoencoder layout: %+v, %v", rows, err)
	}
}

func TestDecodeMetricsErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"", "empty file"},
		{"a,b,c\n", "unknown columns"},
		{"epoch,train_loss,val_loss,val_error,lr,seconds\nx,1,1,1,1,1\n", `line 2: epoch "x"`},
		{"epoch,train_loss,val_loss,val_error,lr,seconds\n1,1,1,,1,1\n1,1,1,1,1\n", "wrong number of fields"},
		{"epoch,train_loss,val_loss,val_error,lr,seconds\n1,1,nan?,1,1,1\n", `val_loss "nan?"`},
		{"phase,layer,epoch,train_loss,val_loss,val_error,lr,seconds\nwarmup,,1,1,1,,1,1\n", `unknown phase "warmup"`},
		{"phase,layer,epoch,train_loss,val_loss,val_error,lr,seconds\npretrain,,1,1,1,,1,1\n", `layer ""`},
		// Lines longer than MaxMetricsLine fail where they pass the bound,
		// whatever their length: memory follows the bound, not the line.
		{strings.Repeat("x", 1<<20), "line 1 is longer than 4096 bytes (runs.MaxMetricsLine): not a metrics.csv zoo writes"},
		{"epoch,train_loss,val_loss,val_error,lr,seconds\n1," + strings.Repeat("9", 5000) + ",1,1,1,1\n", "line 2 is longer than 4096 bytes"},
		{"epoch,train_loss,val_loss,val_error,lr,seconds\n1,1,1,1,1,1\n\"" + strings.Repeat("\n", 10) + strings.Repeat("a", 4097), "line 13 is longer than 4096 bytes"},
	} {
		if _, err := DecodeMetrics(strings.NewReader(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.text, err, c.want)
		}
	}
	if _, err := ReadMetrics(t.TempDir()); err == nil || !strings.Contains(err.Error(), MetricsFile) {
		t.Errorf("no metrics.csv: %v", err)
	}
}
