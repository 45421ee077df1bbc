package pipeline

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// initPath is the recipe's init.from as an absolute path, "" without one.
// A recipe file's relative path was made absolute as the file was read
// (relative to it); one given otherwise (a built-in recipe, Go) is relative
// to the working directory.
func initPath(sp *recipes.Spec) (string, error) {
	if sp.Init == nil {
		return "", nil
	}
	abs, err := filepath.Abs(sp.Init.From)
	if err != nil {
		return "", fmt.Errorf("pipeline: init.from %s: %w", sp.Init.From, err)
	}
	return abs, nil
}

// applyInit sets params, just built from the seed, from the recipe's init
// file (if any, and not when resuming: the checkpoint holds the weights),
// reports in the log where each came from, and keeps the record for
// summary.json. It runs in the families' build, before the run directory
// exists, so a file that does not fit leaves nothing behind.
func (j *job) applyInit(params []*models.Param) error {
	if j.initFrom == "" || j.resume {
		return nil
	}
	rec, err := runs.InitWeights(j.initFrom, params, j.sp.Init.Partial)
	if err != nil {
		return err
	}
	j.init = rec
	w := j.o.Log
	if !rec.Partial {
		fmt.Fprintf(w, "initial weights: all %s from %s\n", plural.Count(len(rec.Tensors), "tensor"), rec.From)
		return nil
	}
	fmt.Fprintf(w, "initial weights (partial): %d of %s from %s, the others drawn from seed %d\n",
		rec.Copied(), plural.Count(len(rec.Tensors), "tensor"), rec.From, j.sp.Seed)
	for _, t := range rec.Tensors {
		if t.From != "" {
			fmt.Fprintf(w, "  %-20s from the file's %s\n", t.Name, t.From)
		} else {
			fmt.Fprintf(w, "  %-20s from the seed: %s\n", t.Name, t.Why)
		}
	}
	if len(rec.Unused) > 0 {
		fmt.Fprintf(w, "  not used from the file: %s\n", strings.Join(rec.Unused, ", "))
	}
	return nil
}
