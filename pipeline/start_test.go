package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// TestFailedStartLeavesNoDirectory: a run whose data cannot be read fails
// before it creates its directory, for every kind of model.
func TestFailedStartLeavesNoDirectory(t *testing.T) {
	for _, name := range []string{"mlp-mnist", "dae-mnist", "sdae-mnist"} {
		t.Run(name, func(t *testing.T) {
			r, err := recipes.Builtin(name, recipes.Options{Quick: true})
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "run")
			_, err = Train(context.Background(), r, Options{Out: out, DataDir: filepath.Join(t.TempDir(), "no-such-data")})
			if err == nil {
				t.Fatal("training on a missing data directory succeeded")
			}
			if _, serr := os.Stat(out); serr == nil {
				t.Errorf("the failed run left %s behind (error: %v)", out, err)
			}
		})
	}
}

// TestBatchLargerThanData: a training split smaller than one batch (of the
// training, or of an sdae's pretraining) is refused with the sizes and the
// fix, before the run directory is made.
func TestBatchLargerThanData(t *testing.T) {
	for _, c := range []struct {
		name string
		set  []string
		want string
	}{
		{"mlp-mnist", []string{"data.train=50", "batch_size=64"}, "pipeline: batch_size 64 is more than the 50 examples of the training split (mnist/train[0:50]): lower it (--set batch_size=50) or give more data"},
		{"sdae-mnist", []string{"data.train=50", "batch_size=16", "pretrain.batch_size=64"}, "pipeline: pretrain.batch_size 64 is more than the 50 examples"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := recipes.Builtin(c.name, recipes.Options{Quick: true, Set: c.set})
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "run")
			_, err = Train(context.Background(), r, Options{Out: out})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if _, serr := os.Stat(out); serr == nil {
				t.Errorf("the refused run left %s behind", out)
			}
		})
	}
}

// TestStoppedDamagedState: a damaged checkpoint state is not followed by
// advice to resume from it.
func TestStoppedDamagedState(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, runs.CheckpointFile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := stopped(fmt.Errorf("train: resume: %w: inconsistent state", train.ErrDamagedState), 0, dir)
	if got := err.Error(); strings.Contains(got, "--resume") || !strings.Contains(got, "cannot be resumed from: train the run again into a new directory") {
		t.Errorf("message %q", got)
	}
	if err := stopped(errors.New("disk full"), 2, dir); !strings.Contains(err.Error(), "continue with: zoo train --resume "+dir) {
		t.Errorf("an ordinary failure: %v", err)
	}
}
