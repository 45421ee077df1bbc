package runs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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
	// SamplesFile is a grid of pictures a variational autoencoder decodes
	// from codes drawn from its prior.
	SamplesFile = "samples.png"
	// LatentGridFile is the pictures a variational autoencoder with a 2-D
	// code decodes over its latent plane, and LatentCodesFile the test
	// examples' codes in that plane, coloured by class.
	LatentGridFile  = "latent-grid.png"
	LatentCodesFile = "latent-codes.png"
)

// AdaptiveFile is written by a run with the adaptive schedule: every search's
// candidate rates and their losses on the subset.
const AdaptiveFile = "adaptive.csv"

// files are every file a run directory may hold but its lock.
var files = []string{RecipeFile, CheckpointFile, MetricsFile, WeightsFile, SummaryFile, AdaptiveFile, ReconstructionsFile, FiltersFile,
	SamplesFile, LatentGridFile, LatentCodesFile}

// DefaultParent is the directory, under the working directory, that holds
// the run directories made when none is given (see DefaultOut). It is not
// "runs": in zoo's own repository, as in many Go modules, that is the
// folder of a source package, which runs would then be written into.
const DefaultParent = "zoo-runs"

// DefaultOut is the run directory used when none is given:
// zoo-runs/NAME-YYYYMMDD-HHMMSS under the working directory.
func DefaultOut(name string, now time.Time) string {
	return filepath.Join(DefaultParent, fmt.Sprintf("%s-%s", name, now.Format("20060102-150405")))
}

// NoRun refuses a directory that already holds a run, so a trained model is
// never overwritten, and a directory holding anything else (but a lock
// file and the temporary files of a run killed as it started), so that a user's own files are never written into: a metrics.csv
// or checkpoint.safetensors of theirs would be replaced, and the checkpoint
// then removed when the run finishes. A directory that does not exist
// passes: the run creates it.
func NoRun(dir string) error {
	for _, f := range []string{SummaryFile, WeightsFile, RecipeFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("runs: %s already holds a run (%s exists); choose another --out or remove it", dir, f)
		}
	}
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("runs: %s is a file, not a directory: a run is a directory; choose another --out", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		// Missing: creating it says what else may be wrong.
		return nil
	}
	var names []string
	for _, e := range entries {
		if e.Name() != LockFile && !isTemp(e.Name()) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil
	}
	if len(names) > 3 {
		names = append(names[:3], fmt.Sprintf("and %d more", len(names)-3))
	}
	return fmt.Errorf("runs: %s is not empty and is not a zoo run (it holds %s): a run is written only into a new or empty directory, so that nothing there is overwritten; choose another --out", dir, strings.Join(names, ", "))
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

// isTemp reports whether name is a temporary file that a write of a run
// file leaves when the process is killed during it (see RemoveTemps).
func isTemp(name string) bool {
	for _, f := range files {
		if strings.HasPrefix(name, "."+f+".tmp-") {
			return true
		}
	}
	return false
}
