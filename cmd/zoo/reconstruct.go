package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
	"github.com/spf13/cobra"
)

type reconstructOptions struct {
	dir   string
	out   string
	n     int
	scale int
	clean bool
	data  string
}

func newReconstructCmd(e *env, runF func(*reconstructOptions) error) *cobra.Command {
	o := &reconstructOptions{}
	cmd := &cobra.Command{
		Use:   "reconstruct DIR|zoo:NAME --out FILE.png",
		Short: "Draw test digits and an autoencoder's reconstructions of them",
		Long: `Draw the first --n test digits of the run's data and their reconstructions
g(f(x)) by the autoencoder trained in run directory DIR, as a PNG grid: one
column per digit, the originals in the first row and the reconstructions in
the last. For a denoising run (model.corruption in its recipe) the middle row
shows the corrupted inputs the reconstructions start from, drawn as the run's
own reconstructions.png was (same seed); --clean reconstructs the originals.

DIR may be zoo:NAME, a model zoo ships trained (zoo list marks them).`,
		Example: `  zoo reconstruct zoo-runs/ae-mnist-20261127-141500 --out grid.png
  zoo reconstruct zoo-runs/dae-mnist-20261127-141500 --out grid.png --n 20 --scale 3
  zoo reconstruct zoo-runs/dae-mnist-20261127-141500 --out clean.png --clean
  zoo reconstruct zoo:dae-mnist --out grid.png   # the dae zoo ships trained`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = args[0]
			if err := checkPNGOut(o.out); err != nil {
				return err
			}
			if o.n < 1 {
				return fmt.Errorf("--n %d: want at least one digit", o.n)
			}
			if o.scale < 1 || o.scale > 16 {
				return fmt.Errorf("--scale %d: want 1 to 16 screen pixels per pixel", o.scale)
			}
			if runF != nil {
				return runF(o)
			}
			return runReconstruct(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "write the grid to this PNG file (required)")
	f.IntVar(&o.n, "n", 10, "number of test digits")
	f.IntVar(&o.scale, "scale", 2, "screen pixels per pixel")
	f.BoolVar(&o.clean, "clean", false, "for a denoising run, reconstruct the originals instead of corrupted copies")
	f.StringVar(&o.data, "data", "", "read the run's data from this directory instead of where the run recorded it (the same files: they are checked)")
	return cmd
}

// checkPNGOut checks --out names a PNG file.
func checkPNGOut(out string) error {
	switch {
	case out == "":
		return fmt.Errorf("no --out: say where to write the picture, e.g. --out grid.png")
	case strings.ToLower(filepath.Ext(out)) != ".png":
		return fmt.Errorf("--out %s: the picture is written as PNG; name the file .png", out)
	}
	return nil
}

func runReconstruct(e *env, o *reconstructOptions) error {
	honourInterrupts(e.ctx) // a download stops on Ctrl-C
	if err := newOutFile(o.out); err != nil {
		return err
	}
	m, err := loadRun(o.dir)
	if err != nil {
		return err
	}
	defer m.Close()
	if m.CodeUnits() == 0 {
		msg := fmt.Sprintf("%s holds a classifier (recipe %s), which does not reconstruct: reconstruct needs an autoencoder run (e.g. zoo train ae-mnist)", o.dir, m.Recipe.Name)
		if _, ship := shipped.Ref(o.dir); m.Spec.Model.Family == recipes.FamilySDAE && !ship {
			msg += fmt.Sprintf("; an sdae saves its fine-tuned classifier, and its first pretrained layer's reconstructions are in %s", filepath.Join(o.dir, runs.ReconstructionsFile))
		}
		return fmt.Errorf("%s", msg)
	}
	if err := pictures(o.dir, m, "reconstruct draws pictures; write the codes with zoo encode "+o.dir); err != nil {
		return err
	}
	data, err := pipeline.LoadRunData(e.ctx, m, pipeline.DataOptions{Dir: o.data, Progress: e.errOut})
	if err != nil {
		return err
	}
	n := min(o.n, data.Test.Len())
	show := data.Test.Slice(0, n)
	dim := show.Dim()
	rows := [][][]float32{examplesOf(show.X, dim)}
	names, labels := []string{"originals"}, []string{"original"}
	in := show.X
	if c := m.Spec.Model.Corruption; c.Active() && !o.clean {
		// The stream the run's own figure drew its corruption from.
		in = make([]float32, len(show.X))
		c.Apply(in, show.X, rng.New(m.Recipe.Seed, "figures"))
		rows = append(rows, examplesOf(in, dim))
		names = append(names, "corrupted ("+c.String()+")")
		labels = append(labels, "corrupted")
	}
	rec, err := m.Reconstruct(in)
	if err != nil {
		return err
	}
	rows = append(rows, examplesOf(rec, dim))
	names, labels = append(names, "reconstructions"), append(labels, "reconstruction")
	img, err := images.LabelledGrid(rows, labels, m.Shape[1], m.Shape[0], o.scale)
	if err != nil {
		return err
	}
	if err := images.WritePNG(o.out, img); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "wrote %s to %s; rows: %s\n", plural.Count(n, "test digit"), o.out, strings.Join(names, ", "))
	return nil
}

// examplesOf cuts row-major examples of dim values into one slice each.
func examplesOf(x []float32, dim int) [][]float32 {
	out := make([][]float32, len(x)/dim)
	for i := range out {
		out[i] = x[i*dim : (i+1)*dim]
	}
	return out
}

// pictures checks the model in dir takes pictures (examples of shape
// [rows cols]), or says it does not and what to do instead.
func pictures(dir string, m *runs.Model, instead string) error {
	if len(m.Shape) == 2 {
		return nil
	}
	return fmt.Errorf("%s was trained on %s data of examples of shape %v, not pictures (rows × columns): %s", dir, m.Spec.Data.Name, m.Shape, instead)
}
