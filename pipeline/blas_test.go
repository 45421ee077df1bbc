package pipeline

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
)

// cutAfter is a run's log that cancels the run once a line containing at
// is written.
type cutAfter struct {
	bytes.Buffer
	at     string
	cancel func()
}

func (c *cutAfter) Write(p []byte) (int, error) {
	n, err := c.Buffer.Write(p)
	if strings.Contains(c.String(), c.at) {
		c.cancel()
	}
	return n, err
}

// TestResumeWithOtherBLAS: the checkpoint keeps the BLAS a run started
// with; resuming with another says so (the run still finishes), resuming
// with the same says nothing, and the summary records the BLAS.
func TestResumeWithOtherBLAS(t *testing.T) {
	for _, tc := range []struct {
		first, then string
		note        bool
	}{
		{"blas A", "blas B", true},
		{"blas A", "blas A", false},
	} {
		r, err := recipes.Builtin("mlp-mnist", recipes.Options{Quick: true, Set: []string{"epochs=2", "data.train=1000"}})
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "run")
		ctx, cancel := context.WithCancel(context.Background())
		cut := &cutAfter{at: "epoch 1/2", cancel: cancel}
		_, err = Train(ctx, r, Options{Out: dir, Log: cut, BLAS: tc.first})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted run: %v", err)
		}
		var log bytes.Buffer
		s, err := Resume(context.Background(), Options{Out: dir, Log: &log, BLAS: tc.then})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(log.String(), "resumes with "+tc.then); got != tc.note {
			t.Errorf("started with %q, resumed with %q: note %t, want %t; log:\n%s", tc.first, tc.then, got, tc.note, log.String())
		}
		if s.BLAS != tc.then {
			t.Errorf("summary blas %q, want %q", s.BLAS, tc.then)
		}
	}
}
