package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

type compareOptions struct {
	dirs   []string
	out    string
	metric string
	json   bool
}

// The --metric values of zoo compare.
const (
	metricAuto  = "auto"
	metricError = "error"
	metricLoss  = "loss"
)

func newCompareCmd(e *env, runF func(*compareOptions) error) *cobra.Command {
	o := &compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare RUN...",
		Short: "Compare runs: a table of their summaries and a plot of their validation curves",
		Long: `Print the summaries of the run directories RUN… side by side: recipe, seed,
epochs, test error and loss (the reconstruction loss of autoencoders), seconds.
A run still training (or interrupted) shows the epochs it has finished. When
finished runs were computed by different BLAS (see zoo version), a note says
which: they round differently, so the same seed gives slightly different
figures. A RUN may be zoo:NAME, a model zoo ships trained (zoo list marks
them).

With --out, also plot their validation curves, one line per run, from their
metrics.csv: the validation error when every run has one (classifiers), else
the validation loss (--metric chooses). For an sdae the fine-tuning epochs
are plotted, not the pretraining. The format follows the file's extension:
.png, .svg or .pdf.

With --json, print one object instead of the table (docs/json.md): runs, one
entry per RUN with dir, recipe, seed, finished, epochs, summary (the run's
summary.json, absent while it is unfinished) and curve (epoch, val_loss,
val_error by epoch); and with --out, plot (file and metric).`,
		Example: `  zoo compare zoo-runs/mlp-mnist-*
  zoo compare zoo:sdae-mnist zoo-runs/sdae-mnist-*   # against the model zoo ships
  zoo compare zoo-runs/sdae-mnist-20261127-141500 zoo-runs/sdae-mnist-nopretrain-20261127-150000 --out curves.png
  zoo compare zoo-runs/ae-mnist-* zoo-runs/dae-mnist-* --out losses.svg --metric loss
  zoo compare zoo-runs/mlp-mnist-* --json | jq '.runs[] | [.dir, .summary.test_error]'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("want one or more run directories, e.g. zoo compare zoo-runs/mlp-mnist-*")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dirs = args
			switch o.metric {
			case metricAuto, metricError, metricLoss:
			default:
				return fmt.Errorf("--metric %q: want auto, error or loss", o.metric)
			}
			if o.out != "" {
				if _, err := plotFormat(o.out); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(o)
			}
			return runCompare(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "also plot the validation curves to this .png, .svg or .pdf file")
	f.StringVar(&o.metric, "metric", metricAuto, "the curve to plot: error, loss, or auto (error when every run has one)")
	f.BoolVar(&o.json, "json", false, "print the runs' summaries and curves as JSON")
	return cmd
}

// plotFormat returns the image format of path by its extension.
func plotFormat(path string) (string, error) {
	switch ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")); ext {
	case "png", "svg", "pdf":
		return ext, nil
	}
	return "", fmt.Errorf("--out %s: name the plot .png, .svg or .pdf", path)
}

// comparedRun is one run of zoo compare.
type comparedRun struct {
	dir     string
	recipe  string
	seed    string
	summary *runs.Summary // nil for an unfinished run
	curve   []runs.MetricsRow
}

// readComparedRun reads what compare shows of the run arg names (a
// directory, or zoo:NAME): a finished run has summary.json; a run still
// training or interrupted has only its recipe and the metrics of its
// finished epochs.
func readComparedRun(arg string) (*comparedRun, error) {
	dir, err := shipped.Resolve(arg)
	if err != nil {
		return nil, err
	}
	c := &comparedRun{dir: arg, recipe: "?", seed: "?"}
	s, serr := runs.ReadSummary(dir)
	if serr != nil && !errors.Is(serr, fs.ErrNotExist) {
		return nil, serr
	}
	rows, merr := runs.ReadMetrics(dir)
	if merr != nil && !errors.Is(merr, fs.ErrNotExist) {
		return nil, merr
	}
	switch {
	case serr == nil:
		c.summary, c.recipe, c.seed = s, s.Recipe, strconv.FormatUint(s.Seed, 10)
	case merr != nil:
		return nil, fmt.Errorf("%s is not a run directory (it has neither %s nor %s)", arg, runs.SummaryFile, runs.MetricsFile)
	default:
		if r, err := recipes.Load(filepath.Join(dir, runs.RecipeFile), recipes.Options{}); err == nil {
			c.recipe, c.seed = r.Name, strconv.FormatUint(r.Seed, 10)
		}
	}
	c.curve = runs.Curve(rows)
	return c, nil
}

func runCompare(e *env, o *compareOptions) error {
	var cs []*comparedRun
	for _, dir := range o.dirs {
		c, err := readComparedRun(dir)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	metric := o.metric
	if metric == metricAuto {
		metric = metricError
		for _, c := range cs {
			if len(c.curve) > 0 && !hasErrors(c.curve) {
				metric = metricLoss
			}
		}
	}
	if o.out != "" && metric == metricError {
		for _, c := range cs {
			if len(c.curve) > 0 && !hasErrors(c.curve) {
				return fmt.Errorf("%s has no validation error (an autoencoder?): plot the loss with --metric loss", c.dir)
			}
		}
	}
	if o.out != "" {
		if err := newOutFile(o.out); err != nil {
			return err
		}
	}
	if o.json {
		if o.out != "" {
			if err := plotCurves(o.out, cs, metric); err != nil {
				return err
			}
		}
		return printJSON(e, newCompareJSON(cs, o.out, metric))
	}
	if err := printComparison(e.out, cs); err != nil {
		return err
	}
	if o.out == "" {
		return nil
	}
	if err := plotCurves(o.out, cs, metric); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "validation %s curves written to %s\n", metric, o.out)
	return nil
}

// hasErrors reports whether every row of a curve has a validation error.
func hasErrors(curve []runs.MetricsRow) bool {
	for _, r := range curve {
		if !r.HasError() {
			return false
		}
	}
	return len(curve) > 0
}

// printComparison writes the table of summaries. Autoencoders' test loss is
// their reconstruction loss; a column shows it only when one is compared.
func printComparison(out io.Writer, cs []*comparedRun) error {
	ae := false
	for _, c := range cs {
		ae = ae || (c.summary != nil && c.summary.TestReconstructionLoss != 0)
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	head := "RUN\tRECIPE\tSEED\tEPOCHS\tTEST ERROR\tTEST LOSS"
	if ae {
		head += "\tRECON LOSS"
	}
	fmt.Fprintln(w, head+"\tSECONDS")
	for _, c := range cs {
		s := c.summary
		cells := []string{c.dir, c.recipe, c.seed}
		switch {
		case s == nil:
			cells = append(cells, fmt.Sprintf("%d (unfinished)", len(c.curve)), "-", "-")
			if ae {
				cells = append(cells, "-")
			}
			cells = append(cells, "-")
		default:
			epochs := strconv.Itoa(s.Epochs)
			if s.BestEpoch > 0 {
				epochs += fmt.Sprintf(" (best %d)", s.BestEpoch)
			}
			cells = append(cells, epochs)
			if s.TestReconstructionLoss != 0 {
				cells = append(cells, "-", "-", fmt.Sprintf("%.4f", s.TestReconstructionLoss))
			} else {
				cells = append(cells, fmt.Sprintf("%.2f%%", 100*s.TestError), fmt.Sprintf("%.4f", s.TestLoss))
				if ae {
					cells = append(cells, "-")
				}
			}
			cells = append(cells, fmt.Sprintf("%.1f", s.Seconds))
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return noteBLAS(out, cs)
}

// noteBLAS says when the finished runs' matrix products were computed by
// different BLAS, which round differently: the same recipe and seed then
// give slightly different figures, and the table alone would not say why.
func noteBLAS(out io.Writer, cs []*comparedRun) error {
	var lines []string
	seen := map[string]bool{}
	for _, c := range cs {
		if c.summary == nil || c.summary.BLAS == "" {
			continue
		}
		seen[c.summary.BLAS] = true
		lines = append(lines, fmt.Sprintf("  %s: %s", c.dir, c.summary.BLAS))
	}
	if len(seen) < 2 {
		return nil
	}
	_, err := fmt.Fprintf(out, "note: these runs' matrix products were computed by different BLAS, which round differently (the same recipe and seed give slightly different figures):\n%s\n", strings.Join(lines, "\n"))
	return err
}

// plotCurves draws each run's validation error (in %) or loss by epoch.
func plotCurves(path string, cs []*comparedRun, metric string) (err error) {
	defer func() {
		// gonum/plot panics on some degenerate inputs: report an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("plot %s: %v", path, r)
		}
	}()
	format, err := plotFormat(path)
	if err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = "validation " + metric
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "validation loss"
	if metric == metricError {
		p.Y.Label.Text = "validation error (%)"
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	labels := curveLabels(cs)
	drawn := 0
	for i, c := range cs {
		if len(c.curve) == 0 {
			continue
		}
		xy := make(plotter.XYs, len(c.curve))
		for k, r := range c.curve {
			xy[k] = plotter.XY{X: float64(r.Epoch), Y: r.ValLoss}
			if metric == metricError {
				xy[k].Y = 100 * r.ValError
			}
		}
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			return fmt.Errorf("plot %s: %w", c.dir, err)
		}
		line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
		line.Width = vg.Points(1.5)
		line.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		points.Shape = draw.CircleGlyph{}
		points.Radius = vg.Points(2)
		p.Add(line, points)
		p.Legend.Add(labels[i], line, points)
		drawn++
	}
	if drawn == 0 {
		return fmt.Errorf("none of the runs has finished an epoch: nothing to plot")
	}
	wt, err := p.WriterTo(18*vg.Centimeter, 11*vg.Centimeter, format)
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	if err := atomicfile.WriteFunc(path, func(w io.Writer) error { _, err := wt.WriteTo(w); return err }); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// curveLabels names each run in the legend by its directory's base name,
// or its whole path where base names repeat.
func curveLabels(cs []*comparedRun) []string {
	count := map[string]int{}
	for _, c := range cs {
		count[filepath.Base(c.dir)]++
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = filepath.Base(c.dir)
		if count[out[i]] > 1 {
			out[i] = filepath.Clean(c.dir)
		}
	}
	return out
}
