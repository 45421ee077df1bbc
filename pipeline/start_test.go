package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
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
