package runs

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
)

// The figures of an autoencoder run.
const (
	// ReconstructionsFile is a grid of test digits, one column each: the
	// originals, then (for a denoising autoencoder) their corrupted copies,
	// then the reconstructions.
	ReconstructionsFile = "reconstructions.png"
	// FiltersFile shows the first encoder layer's weights, one tile per
	// unit: the input pattern that unit responds to most.
	FiltersFile = "filters.png"
)

// AdaptiveFile is written by a run with the adaptive schedule: every search's
// candidate rates and their losses on the subset.
const AdaptiveFile = "adaptive.csv"

// files are every file a run directory may hold but its lock.
var files = []string{RecipeFile, CheckpointFile, MetricsFile, WeightsFile, SummaryFile, AdaptiveFile, ReconstructionsFile, FiltersFile}

// DefaultOut is the run directory used when none is given:
// runs/NAME-YYYYMMDD-HHMMSS under the working directory.
func DefaultOut(name string, now time.Time) string {
	return filepath.Join("runs", fmt.Sprintf("%s-%s", name, now.Format("20060102-150405")))
}

// NoRun refuses a directory that already holds a run, so a trained model is
// never overwritten.
func NoRun(dir string) error {
	for _, f := range []string{SummaryFile, WeightsFile, RecipeFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("runs: %s already holds a run (%s exists); choose another --out or remove it", dir, f)
		}
	}
	return nil
}

// RemoveTemps removes the temporary files a process killed while saving
// left in the run directory dir. Call it holding dir's lock: they may be
// another process's writes in progress.
func RemoveTemps(dir string) error {
	for _, name := range files {
		if err := atomicfile.RemoveTemps(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}
