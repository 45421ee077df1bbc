// Package killtest checks that a run directory left by a killed zoo train is
// loadable: every file zoo wrote in it parses, and the files agree with each
// other. scripts/killtest.sh runs it (through scripts/runcheck) after every
// SIGKILL.
package killtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// Report is what Check found in a run directory.
type Report struct {
	// Recipe is set when recipe.yaml exists (and parsed); Type is then its
	// model type: mlp, autoencoder or sdae.
	Recipe bool
	Type   string
	// Checkpoint is set when checkpoint.safetensors exists (and loaded);
	// Where says where it resumes (an sdae's phase and layer, the epoch
	// and update), Epoch and Updates are those of its phase.
	Checkpoint     bool
	Where          string
	Epoch, Updates int
	MetricsRows    int  // rows of metrics.csv, header excluded
	Figures        int  // reconstructions.png and filters.png present
	Adaptive       bool // adaptive.csv
	Model, Summary bool // model.safetensors, summary.json
	Stray          []string
}

// String is one line, for the kill-test log.
func (r *Report) String() string {
	var parts []string
	if r.Recipe {
		parts = append(parts, r.Type+" recipe")
	}
	if r.Checkpoint {
		parts = append(parts, fmt.Sprintf("checkpoint (%s)", r.Where))
	}
	if r.MetricsRows > 0 {
		parts = append(parts, fmt.Sprintf("metrics (%s)", plural.Count(r.MetricsRows, "epoch")))
	}
	if r.Figures > 0 {
		parts = append(parts, fmt.Sprintf("%d figures", r.Figures))
	}
	if r.Adaptive {
		parts = append(parts, "adaptive log")
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

// The files a run directory may hold.
var runFiles = []string{
	runs.RecipeFile, runs.CheckpointFile, runs.MetricsFile, runs.WeightsFile, runs.SummaryFile,
	runs.AdaptiveFile, runs.ReconstructionsFile, runs.FiltersFile,
	runs.SamplesFile, runs.LatentGridFile, runs.LatentCodesFile,
}

// Check loads every file of the run in dir (any model type: mlp, with or
// without the adaptive schedule, autoencoder, sdae in either phase, vae),
// against the model the recipe builds, as runs builds it:
//
//   - recipe.yaml parses;
//   - checkpoint.safetensors is of one phase of the run and holds
//     exactly the tensors of its loop (parameters, optimizer buffers, best
//     parameters, example order) with the right sizes and dtypes, the
//     phase's random streams, and a consistent state (see
//     plan.checkCheckpoint);
//   - metrics.csv has the layout of the run's type, a row per epoch in the
//     order of the run's phases, and agrees with the checkpoint's records
//     (see plan.checkMetrics);
//   - model.safetensors loads (with runs.Load once summary.json exists)
//     and is there only once all epochs are; summary.json agrees with
//     metrics.csv;
//   - the figures decode as PNG, adaptive.csv parses, and each is there
//     only in runs of a type that writes it.
//
// The run lock's file (runs.LockFile) may be there from the start.
// Temporary files of interrupted atomic writes are listed in Report.Stray,
// not treated as errors. dataDir is as zoo train's --data (empty: the
// recipe's).
func Check(dir, dataDir string) (*Report, error) {
	rep := &Report{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
entries:
	for _, e := range entries {
		name := e.Name()
		if name == runs.LockFile && e.Type().IsRegular() {
			continue // the run lock's empty file, there from the start
		}
		for _, f := range runFiles {
			switch {
			case name == f && e.Type().IsRegular():
				have[name] = true
				continue entries
			case strings.HasPrefix(name, "."+f+".tmp-"):
				rep.Stray = append(rep.Stray, name)
				continue entries
			}
		}
		return nil, fmt.Errorf("%s: unexpected file %s", dir, name)
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
	rep.Recipe, rep.Type = true, r.Model.Type
	sp, err := r.Spec()
	if err != nil {
		return nil, err
	}
	data, err := pipeline.LoadData(context.Background(), sp.Data, pipeline.DataOptions{Dir: dataDir})
	if err != nil {
		return nil, err
	}
	p, err := newPlan(r, data)
	if err != nil {
		return nil, err
	}
	path := func(name string) string { return filepath.Join(dir, name) }

	var pos *position
	if have[runs.CheckpointFile] {
		if pos, err = p.checkCheckpoint(path(runs.CheckpointFile)); err != nil {
			return nil, err
		}
		st := pos.meta.State
		rep.Checkpoint, rep.Where, rep.Epoch, rep.Updates = true, pos.describe(), st.Epoch, st.Updates
	}
	rows, err := p.checkMetrics(path(runs.MetricsFile), pos)
	if err != nil {
		return nil, err
	}
	rep.MetricsRows = len(rows)
	// finished: metrics.csv has all the run's epochs, which it gets just
	// before the model is evaluated and saved.
	finished := len(rows) > 0 && p.ends(len(rows))

	for _, fig := range []string{runs.ReconstructionsFile, runs.FiltersFile, runs.SamplesFile, runs.LatentGridFile, runs.LatentCodesFile} {
		if !have[fig] {
			continue
		}
		switch {
		case r.Model.Type == recipes.FamilyMLP:
			return nil, fmt.Errorf("%s: %s in an mlp run", dir, fig)
		case (recipes.Reconstructs(r.Model.Type) || r.Model.Type == recipes.FamilyVAE) && !finished:
			return nil, fmt.Errorf("%s: %s before the training is over", dir, fig)
		case r.Model.Type == recipes.FamilySDAE && pos != nil && pos.phase == 0 && pos.meta.State.Epoch < p.phases[0].Epochs:
			return nil, fmt.Errorf("%s: %s before the pretraining of layer 0 is over", dir, fig)
		}
		if err := checkPNG(path(fig)); err != nil {
			return nil, err
		}
		rep.Figures++
	}
	if have[runs.AdaptiveFile] {
		if !p.adaptive {
			return nil, fmt.Errorf("%s: %s in a run without the adaptive schedule", dir, runs.AdaptiveFile)
		}
		if err := checkAdaptive(path(runs.AdaptiveFile)); err != nil {
			return nil, err
		}
		rep.Adaptive = true
	}

	if have[runs.WeightsFile] {
		if !finished {
			return nil, fmt.Errorf("%s: %s, but metrics.csv has %d of the run's epochs", dir, runs.WeightsFile, len(rows))
		}
		if _, err := runs.LoadWeights(path(runs.WeightsFile), p.params()); err != nil {
			return nil, err
		}
		rep.Model = true
	}
	if have[runs.SummaryFile] {
		if !have[runs.WeightsFile] {
			return nil, fmt.Errorf("%s: %s without %s", dir, runs.SummaryFile, runs.WeightsFile)
		}
		if err := p.checkSummary(dir, rows); err != nil {
			return nil, err
		}
		rep.Summary = true
	}
	return rep, nil
}

// checkSummary checks summary.json against the plan and the rows of
// metrics.csv, and that runs.Load opens the finished run.
func (p *plan) checkSummary(dir string, rows []runs.MetricsRow) error {
	s, err := runs.ReadSummary(dir)
	if err != nil {
		return err
	}
	if s.Recipe != p.r.Name {
		return fmt.Errorf("%s: summary of recipe %q, the run's is %q", dir, s.Recipe, p.r.Name)
	}
	if last := len(rows) - p.start(len(p.phases)-1); s.Epochs != last {
		return fmt.Errorf("%s: summary says %d epochs, metrics.csv has %d", dir, s.Epochs, last)
	}
	if len(s.Pretrain) != len(p.stages) {
		return fmt.Errorf("%s: summary has %d pretrained layers, the recipe %d", dir, len(s.Pretrain), len(p.stages))
	}
	for k, l := range s.Pretrain {
		if l.Layer != k || l.Epochs != p.stages[k].Epochs {
			return fmt.Errorf("%s: summary: layer %d pretrained %d epochs, the recipe says %d", dir, l.Layer, l.Epochs, p.stages[k].Epochs)
		}
	}
	m, err := runs.Load(dir)
	if err != nil {
		return err
	}
	m.Close()
	return nil
}
