package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestRunLock: while a run directory is locked, a second Lock, a new run
// into it and a resume of it all fail at once, saying the directory is in
// use, and the resume touches nothing (not even the temporary files, which
// may be the other process's writes in progress); released, it can be
// taken again.
func TestRunLock(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock: Lock takes no lock")
	}
	dir := t.TempDir()
	unlock, err := runs.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	inUse := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), dir+" is in use by another zoo process") {
			t.Errorf("%s of a locked run directory: %v, want it refused as in use", what, err)
		}
	}
	_, err = runs.Lock(dir)
	inUse("a second Lock", err)

	r, err := recipes.Builtin("mlp-mnist", recipes.Options{Quick: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Train(context.Background(), r, Options{Out: dir})
	inUse("a new run", err)
	if _, err := os.Stat(filepath.Join(dir, runs.RecipeFile)); err == nil {
		t.Error("the refused run wrote its recipe")
	}

	for name, text := range map[string]string{runs.CheckpointFile: "checkpoint", "." + runs.CheckpointFile + ".tmp-1": "a write in progress"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err = Resume(context.Background(), Options{Out: dir})
	inUse("a resume", err)
	if _, err := os.Stat(filepath.Join(dir, "."+runs.CheckpointFile+".tmp-1")); err != nil {
		t.Errorf("the refused resume removed another process's temporary file: %v", err)
	}

	unlock()
	again, err := runs.Lock(dir)
	if err != nil {
		t.Fatalf("Lock after the release: %v", err)
	}
	again()
}
