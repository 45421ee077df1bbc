package main

import (
	"io"
	"os"
	"strconv"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
	"golang.org/x/term"
)

// The values the --json flags print. docs/json.md documents each one, and
// jsonout_test.go checks the fields it lists: a change here is a change of
// what users' scripts read.

// recipeJSON is one entry of zoo list --json.
type recipeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Trained is zoo:NAME when the recipe's trained model ships with zoo.
	Trained string `json:"trained,omitempty"`
}

func listJSON(list []recipes.Info) []recipeJSON {
	out := make([]recipeJSON, len(list))
	for i, r := range list {
		out[i] = recipeJSON{Name: r.Name, Description: r.Description}
		if shipped.Has(r.Name) {
			out[i].Trained = shipped.Prefix + r.Name
		}
	}
	return out
}

// trainJSON is zoo train --json: the finished run's directory and its
// summary.json.
type trainJSON struct {
	Dir     string        `json:"dir"`
	Summary *runs.Summary `json:"summary"`
}

// trainLog is where zoo train writes its progress, and whether as a
// progress bar: with --json on standard error, so that standard output
// holds the JSON alone.
func trainLog(e *env, asJSON bool) (io.Writer, bool) {
	if !asJSON {
		return e.out, e.tty
	}
	f, ok := e.errOut.(*os.File)
	return e.errOut, ok && term.IsTerminal(int(f.Fd()))
}

// finishTrain prints a finished run's result: its JSON, or the lines of
// report.
func finishTrain(e *env, asJSON bool, s *runs.Summary, dir string) error {
	if asJSON {
		return printJSON(e, trainJSON{Dir: dir, Summary: s})
	}
	return report(e, s, dir)
}

// compareJSON is zoo compare --json.
type compareJSON struct {
	Runs []comparedJSON `json:"runs"`
	Plot *plotJSON      `json:"plot,omitempty"`
}

// comparedJSON is one run of zoo compare --json.
type comparedJSON struct {
	Dir      string        `json:"dir"`
	Recipe   string        `json:"recipe,omitempty"`
	Seed     *uint64       `json:"seed,omitempty"`
	Finished bool          `json:"finished"`
	Epochs   int           `json:"epochs"`
	Summary  *runs.Summary `json:"summary,omitempty"`
	Curve    []curveJSON   `json:"curve"`
}

// curveJSON is one epoch of a run's validation curve.
type curveJSON struct {
	Epoch    int      `json:"epoch"`
	ValLoss  float64  `json:"val_loss"`
	ValError *float64 `json:"val_error,omitempty"`
}

type plotJSON struct {
	File   string `json:"file"`
	Metric string `json:"metric"`
}

func newCompareJSON(cs []*comparedRun, plotFile, metric string) compareJSON {
	out := compareJSON{Runs: make([]comparedJSON, len(cs))}
	for i, c := range cs {
		r := comparedJSON{Dir: c.dir, Finished: c.summary != nil, Epochs: len(c.curve), Summary: c.summary, Curve: []curveJSON{}}
		if c.summary != nil {
			r.Epochs = c.summary.Epochs
		}
		// readComparedRun marks what it could not read with "?".
		if c.recipe != "?" {
			r.Recipe = c.recipe
			if seed, err := strconv.ParseUint(c.seed, 10, 64); err == nil {
				r.Seed = &seed
			}
		}
		for _, row := range c.curve {
			p := curveJSON{Epoch: row.Epoch, ValLoss: row.ValLoss}
			if row.HasError() {
				v := row.ValError
				p.ValError = &v
			}
			r.Curve = append(r.Curve, p)
		}
		out.Runs[i] = r
	}
	if plotFile != "" {
		out.Plot = &plotJSON{File: plotFile, Metric: metric}
	}
	return out
}
