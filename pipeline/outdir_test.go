package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// TestTrainRefusesForeignDirectory: a directory holding anything but a run
// (or its lock) is refused before a byte is written there, whatever the
// files are called: a metrics.csv or checkpoint.safetensors of the user's
// would otherwise be overwritten, and the checkpoint removed.
func TestTrainRefusesForeignDirectory(t *testing.T) {
	r, err := recipes.Parse("tiny", []byte(tinyRecipe), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		files []string
		want  string
	}{
		{"metrics.csv", []string{runs.MetricsFile}, "(it holds metrics.csv)"},
		{"checkpoint", []string{runs.CheckpointFile}, "(it holds checkpoint.safetensors)"},
		{"a lock and a notes file", []string{runs.LockFile, "notes.txt"}, "(it holds notes.txt)"},
		{"many files", []string{"a", "b", "c", "d", "e"}, "(it holds a, b, c, and 2 more)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("the user's "+f), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Train(context.Background(), r, Options{Out: dir})
			if err == nil || !strings.Contains(err.Error(), dir+" is not empty and is not a zoo run "+tt.want) {
				t.Fatalf("Train into a directory with %v: %v, want it refused", tt.files, err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(tt.files) {
				t.Errorf("the refused run left %d entries, want the %d of the user", len(entries), len(tt.files))
			}
			for _, f := range tt.files {
				if got := read(t, dir, f); string(got) != "the user's "+f {
					t.Errorf("%s was changed: %q", f, got)
				}
			}
		})
	}
}

// TestResumeLiveRunInFirstEpoch: a run in its first epoch has recipe.yaml
// and its lock, no checkpoint yet. A resume must say it is in use (its
// lock is checked first), not that it died before its first checkpoint
// and should be removed.
func TestResumeLiveRunInFirstEpoch(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock: Lock takes no lock")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, runs.RecipeFile), []byte(tinyRecipe), 0o644); err != nil {
		t.Fatal(err)
	}
	unlock, err := runs.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = Resume(context.Background(), Options{Out: dir})
	if err == nil || !strings.Contains(err.Error(), "is in use by another zoo process") || strings.Contains(err.Error(), "remove") {
		t.Errorf("resume of a live run in its first epoch: %v, want it in use", err)
	}
}

// TestResumeForeignCheckpoint: a checkpoint.safetensors without recipe.yaml
// is not a run: nothing is created or removed there (no lock file, no
// temporary file cleaned up).
func TestResumeForeignCheckpoint(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{runs.CheckpointFile, "." + runs.CheckpointFile + ".tmp-1"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Resume(context.Background(), Options{Out: dir})
	if err == nil || !strings.Contains(err.Error(), "it is not a zoo run directory") {
		t.Errorf("resume of a foreign checkpoint: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the refused resume changed the directory: %d entries, want 2", len(entries))
	}
}

// TestFailedFinalSaveResumes: when the trained model cannot be saved (here
// a directory in its place), the error says to resume, and resuming once
// the cause is gone finishes the run with the same weights as a run that
// never failed.
func TestFailedFinalSaveResumes(t *testing.T) {
	r, err := recipes.Parse("tiny", []byte(tinyRecipe), recipes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole := filepath.Join(t.TempDir(), "run")
	if _, err := Train(context.Background(), r, Options{Out: whole}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	block := filepath.Join(dir, runs.WeightsFile)
	last := train.EpochEndFunc(func(rec train.Record) error {
		if rec.Epoch == r.Epochs {
			return os.Mkdir(block, 0o755)
		}
		return nil
	})
	_, err = Train(context.Background(), r, Options{Out: dir, Hooks: []train.Hook{last}})
	if err == nil || !strings.Contains(err.Error(), "zoo train --resume "+dir+" repeats the last epoch") {
		t.Fatalf("failed final save: %v, want it to suggest --resume", err)
	}
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(context.Background(), Options{Out: dir}); err != nil {
		t.Fatalf("resume after the failed save: %v", err)
	}
	if !bytes.Equal(read(t, whole, runs.WeightsFile), read(t, dir, runs.WeightsFile)) {
		t.Error("the resumed run's weights differ from the uninterrupted run's")
	}
}
