// Package killtest checks that a run directory left by a killed zoo train is
// loadable: every file zoo wrote in it parses, and the files agree with each
// other. scripts/killtest.sh runs it (through scripts/runcheck) after every
// SIGKILL.
package killtest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// Report is what Check found in a run directory.
type Report struct {
	// Recipe is set when recipe.yaml exists (and parsed).
	Recipe bool
	// Checkpoint is set when checkpoint.safetensors exists (and loaded);
	// Epoch and Updates are then where it resumes.
	Checkpoint     bool
	Epoch, Updates int
	MetricsRows    int  // rows of metrics.csv, header excluded
	Model, Summary bool // model.safetensors, summary.json
	Stray          []string
}

// String is one line, for the kill-test log.
func (r *Report) String() string {
	var parts []string
	if r.Recipe {
		parts = append(parts, "recipe")
	}
	if r.Checkpoint {
		parts = append(parts, fmt.Sprintf("checkpoint (epoch %d, update %d)", r.Epoch, r.Updates))
	}
	if r.MetricsRows > 0 {
		parts = append(parts, fmt.Sprintf("metrics (%d epochs)", r.MetricsRows))
	}
	if r.Model {
		parts = append(parts, "model")
	}
	if r.Summary {
		parts = append(parts, "summary")
	}
	if len(r.Stray) > 0 {
		parts = append(parts, fmt.Sprintf("%d stray temporary files", len(r.Stray)))
	}
	if len(parts) == 0 {
		return "empty"
	}
	return strings.Join(parts, ", ")
}

// checkpointMeta is the part of a checkpoint's zoo.checkpoint metadata the
// check reads (see runs/checkpoint.go).
type checkpointMeta struct {
	State struct {
		Epoch   int `json:"epoch"`
		Pos     int `json:"pos"`
		Updates int `json:"updates"`
		Records []struct {
			Epoch     int     `json:"epoch"`
			TrainLoss float64 `json:"train_loss"`
		} `json:"records"`
	} `json:"state"`
	Optimizer struct {
		Name  string `json:"name"`
		Slots int    `json:"slots"`
	} `json:"optimizer"`
	Streams map[string][]byte `json:"streams"`
}

// Check loads every file of the mlp run in dir: the recipe parses; the
// checkpoint decodes, has every parameter and optimizer buffer the recipe's
// model needs and a consistent state; metrics.csv parses and agrees with
// the checkpoint's records (see checkMetrics); model.safetensors loads into the recipe's model;
// summary.json parses. Temporary files of interrupted atomic writes are
// listed in Report.Stray, not treated as errors. dataDir is as zoo train's
// --data (empty: the recipe's).
func Check(dir, dataDir string) (*Report, error) {
	rep := &Report{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{runs.RecipeFile: true, runs.CheckpointFile: true, runs.MetricsFile: true, runs.WeightsFile: true, runs.SummaryFile: true}
	have := map[string]bool{}
	for _, e := range entries {
		switch name := e.Name(); {
		case known[name]:
			have[name] = true
		case strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-"):
			rep.Stray = append(rep.Stray, name)
		default:
			return nil, fmt.Errorf("%s: unexpected file %s", dir, name)
		}
	}
	if !have[runs.RecipeFile] {
		for name := range have {
			return nil, fmt.Errorf("%s: %s without %s", dir, name, runs.RecipeFile)
		}
		return rep, nil
	}
	r, err := recipes.Load(filepath.Join(dir, runs.RecipeFile), recipes.Options{})
	if err != nil {
		return nil, err
	}
	rep.Recipe = true
	if r.Model.Type != "mlp" {
		return nil, fmt.Errorf("%s: checks mlp runs only, this is %s", dir, r.Model.Type)
	}
	data, err := runs.LoadData(r, dataDir)
	if err != nil {
		return nil, err
	}
	m, err := runs.BuildModel(r, data.Train, rng.New(r.Seed, "init"))
	if err != nil {
		return nil, err
	}
	var meta *checkpointMeta
	if have[runs.CheckpointFile] {
		if meta, err = checkCheckpoint(filepath.Join(dir, runs.CheckpointFile), m.Params(), data.Train, r.Epochs); err != nil {
			return nil, err
		}
		rep.Checkpoint, rep.Epoch, rep.Updates = true, meta.State.Epoch, meta.State.Updates
	}
	if have[runs.MetricsFile] {
		if rep.MetricsRows, err = checkMetrics(filepath.Join(dir, runs.MetricsFile), meta); err != nil {
			return nil, err
		}
	}
	if have[runs.WeightsFile] {
		if _, err := runs.LoadWeights(filepath.Join(dir, runs.WeightsFile), m.Params()); err != nil {
			return nil, err
		}
		rep.Model = true
	}
	if have[runs.SummaryFile] {
		s, err := runs.ReadSummary(dir)
		if err != nil {
			return nil, err
		}
		if !have[runs.WeightsFile] {
			return nil, fmt.Errorf("%s: %s without %s", dir, runs.SummaryFile, runs.WeightsFile)
		}
		if s.Epochs != rep.MetricsRows {
			return nil, fmt.Errorf("%s: summary says %d epochs, metrics.csv has %d", dir, s.Epochs, rep.MetricsRows)
		}
		rep.Summary = true
	}
	return rep, nil
}

// checkCheckpoint decodes path and checks it against the model's params
// and the training set.
func checkCheckpoint(path string, params []*models.Param, trainSet *datasets.Set, epochs int) (*checkpointMeta, error) {
	f, err := safetensors.ReadFile(path, safetensors.Limits{})
	if err != nil {
		return nil, err
	}
	meta := &checkpointMeta{}
	if err := json.Unmarshal([]byte(f.Metadata["zoo.checkpoint"]), meta); err != nil {
		return nil, fmt.Errorf("%s: zoo.checkpoint metadata: %v", path, err)
	}
	st := meta.State
	if st.Epoch < 1 || st.Epoch > epochs || len(st.Records) != st.Epoch-1 || st.Updates < 0 {
		return nil, fmt.Errorf("%s: inconsistent state: epoch %d of %d, %d records, %d updates", path, st.Epoch, epochs, len(st.Records), st.Updates)
	}
	for i, rec := range st.Records {
		if rec.Epoch != i+1 {
			return nil, fmt.Errorf("%s: record %d is of epoch %d", path, i, rec.Epoch)
		}
	}
	for _, name := range []string{"shuffle", "dropout", "noise"} {
		if len(meta.Streams[name]) == 0 {
			return nil, fmt.Errorf("%s: no state for the random stream %q", path, name)
		}
	}
	tensor := func(name, dtype string, n int) error {
		t, ok := f.Get(name)
		if !ok {
			return fmt.Errorf("%s: no tensor %q", path, name)
		}
		if t.DType != dtype || len(t.Data) != n*8 {
			return fmt.Errorf("%s: tensor %q is %s %v, want %s [%d]", path, name, t.DType, t.Shape, dtype, n)
		}
		return nil
	}
	for _, p := range params {
		n := p.Value.Shape().TotalSize()
		if err := tensor(p.Name, "F64", n); err != nil {
			return nil, err
		}
		for k := range meta.Optimizer.Slots {
			if err := tensor(fmt.Sprintf("optimizer.%s.%d", p.Name, k), "F64", n); err != nil {
				return nil, err
			}
		}
	}
	if _, ok := f.Get("order"); ok {
		if err := tensor("order", "I64", trainSet.Len()); err != nil {
			return nil, err
		}
	}
	return meta, nil
}

// checkMetrics parses metrics.csv and, when there is a checkpoint, checks
// that its rows are the checkpoint's records, give or take one epoch: the
// file lags one epoch behind when the run was killed between saving the
// checkpoint and the metrics, and leads by one (the last epoch, which a
// resume repeats identically) when it was killed after training but before
// the model was saved.
func checkMetrics(path string, meta *checkpointMeta) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return 0, fmt.Errorf("%s: %v", path, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "epoch,train_loss,val_loss,val_error,lr,seconds" {
		return 0, fmt.Errorf("%s: missing or unexpected header", path)
	}
	rows = rows[1:]
	for i, row := range rows {
		if e, err := strconv.Atoi(row[0]); err != nil || e != i+1 {
			return 0, fmt.Errorf("%s: row %d is epoch %q", path, i+1, row[0])
		}
		for _, v := range row[1:] {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return 0, fmt.Errorf("%s: row %d: %v", path, i+1, err)
			}
		}
	}
	if meta != nil {
		recs := meta.State.Records
		if len(rows) < len(recs)-1 || len(rows) > len(recs)+1 {
			return 0, fmt.Errorf("%s: %d epochs, the checkpoint has %d records", path, len(rows), len(recs))
		}
		for i, row := range rows[:min(len(rows), len(recs))] {
			if row[1] != strconv.FormatFloat(recs[i].TrainLoss, 'g', -1, 64) {
				return 0, fmt.Errorf("%s: epoch %d train loss %s, the checkpoint says %v", path, i+1, row[1], recs[i].TrainLoss)
			}
		}
	}
	return len(rows), nil
}
