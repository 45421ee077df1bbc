package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// TestEvaluateSplit measures runs on their own data (a classifier on a CSV,
// a denoising autoencoder on NPY pictures), trained with data.test=20 of
// the 60 test examples, on each split and limit, against the model
// measured directly on the same examples: by default the examples the run
// was scored on, AllExamples the whole split, N the first N.
func TestEvaluateSplit(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"mlp-csv", "ae-npy"} {
		t.Run(name, func(t *testing.T) {
			r, err := recipes.Load(filepath.Join("testdata", "own", name+".yaml"), recipes.Options{Set: []string{"data.test=20"}})
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "run")
			s, err := Train(ctx, r, Options{Out: dir})
			if err != nil {
				t.Fatal(err)
			}
			m, err := runs.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			whole := m.Spec.Data
			whole.Train, whole.Validation, whole.Test = 0, 0, 0
			data, err := LoadData(ctx, whole, DataOptions{})
			if err != nil {
				t.Fatal(err)
			}
			direct := func(split Split, n int) infer.Metrics {
				t.Helper()
				set := map[Split]*datasets.Set{SplitTrain: data.Train, SplitValidation: data.Validation, SplitTest: data.Test}[split]
				got, err := m.Evaluate(set.Slice(0, n))
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			for _, tt := range []struct {
				split Split
				limit int
				n     int // the examples measured
				size  int // of the split's
			}{
				{"", 0, 20, 60},
				{SplitTest, AllExamples, 60, 60},
				{SplitTest, 7, 7, 60},
				{SplitTest, 1000, 60, 60},
				{SplitValidation, 0, s.Validation, s.Validation},
				{SplitTrain, 5, 5, s.Train},
			} {
				ev, err := EvaluateSplit(ctx, dir, EvalOptions{Split: tt.split, Limit: tt.limit})
				if err != nil {
					t.Fatalf("split %q limit %d: %v", tt.split, tt.limit, err)
				}
				split := tt.split
				if split == "" {
					split = SplitTest
				}
				if ev.Split != split || ev.SplitSize != tt.size || ev.Metrics.N != tt.n {
					t.Errorf("split %q limit %d: measured %d of %d %s examples, want %d of %d %s", tt.split, tt.limit, ev.Metrics.N, ev.SplitSize, ev.Split, tt.n, tt.size, split)
				}
				if want := direct(split, tt.n); ev.Metrics != want {
					t.Errorf("split %q limit %d: %+v, measured directly %+v", tt.split, tt.limit, ev.Metrics, want)
				}
				if (ev.Test != nil) != (split == SplitTest) || ev.Test != nil && *ev.Test != ev.Metrics {
					t.Errorf("split %q: Test is %+v, Metrics %+v", split, ev.Test, ev.Metrics)
				}
			}
			// By default, what the run was scored on.
			ev, err := Evaluate(ctx, dir, DataOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := s.TestError
			if m.CodeUnits() > 0 {
				want = s.TestReconstructionLoss
				ev.Test.Error = ev.Test.Loss
			}
			if ev.Test.N != s.Test || ev.Test.Error != want {
				t.Errorf("Evaluate: %+v, the run reported %v on %d examples", *ev.Test, want, s.Test)
			}
		})
	}
}

// TestEvaluateSplitRefuses: an unknown split or a negative limit is named.
func TestEvaluateSplitRefuses(t *testing.T) {
	for _, tt := range []struct {
		o    EvalOptions
		want string
	}{
		{EvalOptions{Split: "tests"}, `pipeline: split "tests": want train, validation or test`},
		{EvalOptions{Limit: -2}, "pipeline: limit -2: want a number of examples, 0 (as the run's recipe limits the split) or AllExamples"},
	} {
		_, err := EvaluateSplit(context.Background(), t.TempDir(), tt.o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %s", tt.o, err, tt.want)
		}
	}
}
