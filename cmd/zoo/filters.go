package main

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/spf13/cobra"
)

type filtersOptions struct {
	dir   string
	out   string
	n     int
	cols  int
	scale int
}

func newFiltersCmd(e *env, runF func(*filtersOptions) error) *cobra.Command {
	o := &filtersOptions{}
	cmd := &cobra.Command{
		Use:   "filters DIR|zoo:NAME --out FILE.png",
		Short: "Draw the first layer's weights as picture-sized tiles",
		Long: `Draw the weights of the first layer of the model trained in run directory DIR
(a classifier's layers.0, an autoencoder's encoder.0) as a PNG: one tile the
size of the training pictures (28×28 for MNIST) per unit, the weights from every pixel to that unit, each tile scaled to its own
range (smallest weight black, largest white), so it shows the input pattern the
unit responds to most. The first --n units are drawn, --cols to a row. For a
conv-autoencoder, each tile is one filter of its first convolution: its k×k
kernel (one per input channel, stacked), scaled likewise; use --scale 8 or so.

DIR may be zoo:NAME, a model zoo ships trained (zoo list marks them).`,
		Example: `  zoo filters zoo-runs/ae-mnist-20261127-141500 --out filters.png
  zoo filters zoo-runs/mlp-mnist-20261127-141500 --out filters.png --n 64 --cols 8 --scale 3
  zoo filters zoo-runs/conv-ae-mnist-20261127-141500 --out kernels.png --cols 8 --scale 8
  zoo filters zoo:dae-mnist --out filters.png   # the dae zoo ships trained`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = args[0]
			if err := checkPNGOut(o.out); err != nil {
				return err
			}
			if o.n < 1 {
				return fmt.Errorf("--n %d: want at least one unit (a number above the layer's units draws them all)", o.n)
			}
			if o.cols < 1 {
				return fmt.Errorf("--cols %d: want at least one tile per row", o.cols)
			}
			if o.scale < 1 || o.scale > 16 {
				return fmt.Errorf("--scale %d: want 1 to 16 screen pixels per weight", o.scale)
			}
			if runF != nil {
				return runF(o)
			}
			return runFilters(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "write the tiles to this PNG file (required)")
	f.IntVar(&o.n, "n", 100, "number of units to draw (all when the layer has fewer)")
	f.IntVar(&o.cols, "cols", 10, "tiles per row")
	f.IntVar(&o.scale, "scale", 2, "screen pixels per weight")
	return cmd
}

func runFilters(e *env, o *filtersOptions) error {
	if err := newOutFile(o.out); err != nil {
		return err
	}
	m, err := loadRun(o.dir)
	if err != nil {
		return err
	}
	defer m.Close()
	first := m.Layers()[0]
	w := m.Param(first.Name + ".weight")
	if w == nil {
		return fmt.Errorf("%s: the model has no %s.weight", o.dir, first.Name)
	}
	if first.Kernel > 0 {
		// A convolution: its filters are k×k kernels, not pictures.
		img, err := images.ConvFilters(w.Float64s(), first.Out, first.In, first.Kernel, o.n, o.cols, o.scale)
		if err != nil {
			return err
		}
		if err := images.WritePNG(o.out, img); err != nil {
			return err
		}
		fmt.Fprintf(e.out, "wrote %d of the %s of %s (%d→%d channels, %d×%d, %s) to %s\n", min(o.n, first.Out), plural.Count(first.Out, "filter"), first.Name, first.In, first.Out, first.Kernel, first.Kernel, first.Activation, o.out)
		return nil
	}
	if err := pictures(o.dir, m, "filters draws a unit's weights as a picture"); err != nil {
		return err
	}
	if m.Shape[0]*m.Shape[1] != first.In {
		return fmt.Errorf("%s: the first layer takes %d inputs of shape %v, which are not a picture's pixels", o.dir, first.In, m.Shape)
	}
	img, err := images.Filters(w.Float64s(), first.In, first.Out, m.Shape[1], m.Shape[0], o.n, o.cols, o.scale)
	if err != nil {
		return err
	}
	if err := images.WritePNG(o.out, img); err != nil {
		return err
	}
	n := o.n
	if n > first.Out {
		n = first.Out
	}
	fmt.Fprintf(e.out, "wrote the weights of %d of the %s of %s (%d→%d, %s) to %s\n", n, plural.Count(first.Out, "unit"), first.Name, first.In, first.Out, first.Activation, o.out)
	return nil
}
