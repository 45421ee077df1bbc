package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// cutLog is a run's log that interrupts the run, as Ctrl-C does, when a
// line containing at is written: the loop, which writes the log, then
// stops after the update in progress, so the cut falls at a known place.
type cutLog struct {
	bytes.Buffer
	at     string
	cancel func()
}

func (c *cutLog) Write(p []byte) (int, error) {
	n, err := c.Buffer.Write(p)
	if strings.Contains(c.String(), c.at) {
		c.cancel()
	}
	return n, err
}

// adaptiveRecipe trains with the adaptive schedule and dropout, so its
// checkpoint holds the heuristic's state and its copies' generators.
const adaptiveRecipe = `name: adaptive-resume
seed: 3
data: {name: mnist, train: 1000, validation: 200, test: 200}
model:
  type: mlp
  layers:
    - {units: 32, activation: relu}
loss: cross-entropy
optimizer: {name: momentum, lr: 0.05, momentum: 0.9}
schedule: {name: adaptive, every: 7, steps: 2, subset: 200}
regularizers:
  dropout: {input: 0.2, hidden: [0.5]}
batch_size: 50
epochs: 3
`

// TestInterruptAndResume interrupts runs of every kind at chosen places
// (mid-epoch, within an sdae's pretraining and fine-tuning, several times
// over), resumes them, and checks the weights are byte-identical to an
// uninterrupted run's.
func TestInterruptAndResume(t *testing.T) {
	dir := t.TempDir()
	adaptive := filepath.Join(dir, "adaptive.yaml")
	if err := os.WriteFile(adaptive, []byte(adaptiveRecipe), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		cuts []string // where each successive segment of the run is interrupted
	}{
		{"mlp", []string{"mlp-mnist", "--quick", "--epochs", "3", "--set", "data.train=3000"}, []string{"epoch 1/3  train loss"}},
		{"early-stopping", []string{"mlp-mnist-early-stopping", "--quick", "--epochs", "3"}, []string{"epoch 2/3  train loss"}},
		{"adaptive", []string{adaptive}, []string{"epoch 1/3  train loss"}},
		{"dae", []string{"dae-mnist", "--quick", "--set", "data.train=2000"}, []string{"epoch 1/2  train loss"}},
		// Gaussian noise, drawn from the run's generator for every batch.
		{"conv-dae", []string{"conv-dae-mnist", "--quick", "--epochs", "2", "--set", "data.train=600", "--set", "data.validation=100", "--set", "data.test=100",
			"--set", "model.conv=[{filters: 4, kernel: 3, activation: relu, pool: 2}, {filters: 2, kernel: 3, activation: relu}]"}, []string{"epoch 1/2  train loss"}},
		{"cae", []string{"cae-mnist", "--quick", "--set", "data.train=2000"}, []string{"epoch 1/2  train loss"}},
		// The noise of the reparameterisation is a stream of the
		// checkpoint; the figures of a 2-D code too must come out the same.
		{"vae", []string{"vae-mnist-2d", "--quick", "--set", "data.train=2000"}, []string{"epoch 1/2  train loss"}},
		{"sdae", []string{"sdae-mnist", "--quick", "--epochs", "2", "--set", "data.train=2000", "--set", "pretrain.epochs=2"},
			// Mid-way through the second layer's pretraining, then the
			// first and second fine-tuning epochs.
			[]string{"pretraining layer 2 of 2", "fine-tuning", "epoch 1/2  train loss"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			whole := filepath.Join(dir, c.name+"-whole")
			if code, _, stderr := zoo(t, append([]string{"train"}, append(c.args, "--out", whole)...)...); code != 0 {
				t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
			}
			cut := filepath.Join(dir, c.name+"-cut")
			args := append([]string{"train"}, append(c.args, "--out", cut)...)
			for i, at := range c.cuts {
				ctx, cancel := context.WithCancel(context.Background())
				log := &cutLog{at: at, cancel: cancel}
				var errOut bytes.Buffer
				code := run(ctx, args, log, &errOut)
				cancel()
				if code != exitStopped || !strings.Contains(errOut.String(), "zoo train --resume "+cut) {
					t.Fatalf("segment %d, cut at %q: exit %d, stderr %q\n%s", i+1, at, code, errOut.String(), log.String())
				}
				if _, err := os.Stat(filepath.Join(cut, runs.WeightsFile)); err == nil {
					t.Fatalf("segment %d: an interrupted run saved a final model", i+1)
				}
				args = []string{"train", "--resume", cut}
			}
			code, stdout, stderr := zoo(t, args...)
			if code != 0 {
				t.Fatalf("last resume: exit %d\n%s\n%s", code, stdout, stderr)
			}
			if !bytes.Equal(readFile(t, cut, runs.WeightsFile), readFile(t, whole, runs.WeightsFile)) {
				t.Error("the resumed run's weights differ from the uninterrupted run's")
			}
			if a, b := metricsWithoutTime(t, cut), metricsWithoutTime(t, whole); a != b {
				t.Errorf("metrics differ:\n%s\n%s", a, b)
			}
			if _, err := os.Stat(filepath.Join(cut, runs.CheckpointFile)); err == nil {
				t.Error("the checkpoint is left behind after the run finished")
			}
			// The summary's time counts every epoch, those before the cuts too.
			sum, err := runs.ReadSummary(cut)
			if err != nil {
				t.Fatal(err)
			}
			if epochs := metricsSeconds(t, cut); sum.Seconds < epochs-0.01 {
				t.Errorf("summary.json says %.3f s, the epochs in metrics.csv took %.3f s", sum.Seconds, epochs)
			}
			for _, f := range []string{runs.AdaptiveFile, runs.ReconstructionsFile, runs.FiltersFile, runs.SamplesFile, runs.LatentGridFile, runs.LatentCodesFile} {
				a, aerr := os.ReadFile(filepath.Join(whole, f))
				b, berr := os.ReadFile(filepath.Join(cut, f))
				if (aerr == nil) != (berr == nil) || !bytes.Equal(a, b) {
					t.Errorf("%s differs between the uninterrupted and the resumed run", f)
				}
			}
		})
	}

	cut := filepath.Join(dir, "mlp-cut")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--resume", cut}, "is finished"},
		{[]string{"train", "--resume", dir}, "has no checkpoint.safetensors"},
		{[]string{"train", "--resume", cut, "--quick"}, "--quick cannot change it"},
		{[]string{"train", "mlp-mnist", "--resume", cut}, "drop \"mlp-mnist\""},
	} {
		if code, _, stderr := zoo(t, tt.args...); code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("zoo %s: exit %d, %q; want an error with %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
}

// metricsSeconds sums metrics.csv's last column, the epochs' seconds.
func metricsSeconds(t *testing.T, dir string) float64 {
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, dir, runs.MetricsFile))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[len(r)-1], 64)
		if err != nil {
			t.Fatal(err)
		}
		total += v
	}
	return total
}
