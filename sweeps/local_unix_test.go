//go:build unix

package sweeps

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunLocalOutcomes: the pool runs every point once, gives each its
// share of the cores, and tells a success, a divergence (a result) and a
// failure (an error naming the point and its log) apart. The workers here
// are shell commands standing in for zoo sweep point.
func TestRunLocalOutcomes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	s, err := New(Plan{Recipe: "mlp-mnist", Grid: []string{"optimizer.lr=0.1,0.2,0.3,0.4"}}, when)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(dir, s); err != nil {
		t.Fatal(err)
	}
	// $1…$4 are "sweep", "point", DIR and the index.
	worker := []string{"/bin/sh", "-c", `echo "threads $GOMAXPROCS $OPENBLAS_NUM_THREADS args $1 $2"; case $4 in 1) exit 3;; 2) exit 1;; esac`, "sh"}
	var progress strings.Builder
	err = RunLocal(context.Background(), dir, s, []int{0, 1, 2, 3}, LocalOptions{Jobs: 2, Command: worker, Progress: &progress, CPUs: 8})
	if err == nil || !strings.Contains(err.Error(), "1 of 4 points failed: 002 (exit 1; see "+LogFile(dir, 2)+")") {
		t.Errorf("error %v, want point 002's failure", err)
	}
	if !strings.Contains(progress.String(), "sweep: 2/4 points done, 0 running, 1 diverged, 1 failed") {
		t.Errorf("progress:\n%s", progress.String())
	}
	for i := range 4 {
		log, err := os.ReadFile(LogFile(dir, i))
		if err != nil || !strings.Contains(string(log), "threads 4 4 args sweep point") {
			t.Errorf("point %d's log (%v):\n%s", i, err, log)
		}
	}
}
