package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/gorgonia-zoo/zoo/images"
	"github.com/spf13/cobra"
)

type predictOptions struct {
	dir    string
	images []string
	json   bool
	invert images.Invert
	center bool
}

// predictTop is the number of most likely classes predict shows.
const predictTop = 3

func newPredictCmd(e *env, runF func(*predictOptions) error) *cobra.Command {
	o := &predictOptions{}
	var invert string
	cmd := &cobra.Command{
		Use:   "predict DIR|zoo:NAME IMAGE...",
		Short: "Classify pictures of digits with a trained run",
		Long: `Classify pictures with the classifier trained in run directory DIR (an mlp or
sdae run). Each picture may have any size and any format the standard library
decodes (PNG, JPEG, GIF) and is prepared like an MNIST digit:

  - converted to grey (luma; transparent pixels count as white paper);
  - inverted when it is mostly light (a dark digit on light paper), so the
    digit is light on dark as in MNIST: --invert auto (default), yes or no;
  - scaled to the size of the training pictures (28×28 for MNIST) by area
    averaging (each pixel the mean of the picture's pixels under it); the
    aspect ratio is not kept, so crop the digit roughly square, or use
    --center, which prepares it as MNIST's digits were: the digit's
    bounding box fitted into 20/28 of that size (20×20 for MNIST; aspect
    ratio kept) and centred by its centre of mass.

Prints one line per picture: its path, the predicted class and the three most
likely classes with their probabilities.

DIR may be zoo:NAME, a model zoo ships trained (zoo list marks them).`,
		Example: `  zoo predict zoo-runs/mlp-mnist-20261127-141500 digit.png
  zoo predict zoo-runs/mlp-mnist-20261127-141500 photos/*.jpg --center
  zoo predict zoo-runs/mlp-mnist-20261127-141500 scan.png --invert no --json
  zoo predict zoo:sdae-mnist digit.png   # a model zoo ships trained`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return fmt.Errorf("want a run directory and at least one picture, e.g. zoo predict zoo-runs/mlp-mnist-… digit.png; got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir, o.images = args[0], args[1:]
			inv, err := images.ParseInvert(invert)
			if err != nil {
				return fmt.Errorf("--invert %q: want auto, yes or no", invert)
			}
			o.invert = inv
			if runF != nil {
				return runF(o)
			}
			return runPredict(e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print a JSON array with every class's probability")
	f.StringVar(&invert, "invert", "auto", "turn dark-on-light pictures light-on-dark: auto (when mostly light), yes or no")
	f.BoolVar(&o.center, "center", false, "fit the digit into 20×20 and centre it by mass, as MNIST's digits were prepared")
	return cmd
}

// predictResult is one picture's line of zoo predict (and its --json).
type predictResult struct {
	Path          string        `json:"path"`
	Class         int           `json:"class"`
	Top           []classChance `json:"top"`
	Probabilities []float64     `json:"probabilities"`
	// Inverted says whether the picture's grey levels were inverted.
	Inverted bool `json:"inverted"`
}

type classChance struct {
	Class       int     `json:"class"`
	Probability float64 `json:"probability"`
}

func runPredict(e *env, o *predictOptions) error {
	m, err := loadRun(o.dir)
	if err != nil {
		return err
	}
	defer m.Close()
	if m.Classes == 0 {
		return fmt.Errorf("%s holds an autoencoder (recipe %s), which does not classify: see its codes with zoo encode %s, or its reconstructions with zoo reconstruct %s --out grid.png", o.dir, m.Recipe.Name, o.dir, o.dir)
	}
	if err := pictures(o.dir, m, "predict classifies pictures; measure it on its test data with zoo eval "+o.dir+", or classify rows from Go with runs.Load and Model.Classify"); err != nil {
		return err
	}
	lo := images.LoadOptions{Width: m.Shape[1], Height: m.Shape[0], Invert: o.invert, Center: o.center}
	x := make([]float32, 0, len(o.images)*lo.Width*lo.Height)
	inputs := make([]*images.Input, len(o.images))
	for i, path := range o.images {
		if inputs[i], err = images.Load(path, lo); err != nil {
			return err
		}
		x = append(x, inputs[i].Pixels...)
	}
	preds, err := m.Classify(x)
	if err != nil {
		return err
	}
	results := make([]predictResult, len(preds))
	for i, p := range preds {
		r := predictResult{Path: o.images[i], Class: p.Class, Probabilities: p.Probabilities, Inverted: inputs[i].Inverted}
		for _, c := range p.Top(predictTop) {
			r.Top = append(r.Top, classChance{Class: c, Probability: p.Probabilities[c]})
		}
		results[i] = r
	}
	if o.json {
		return printJSON(e, results)
	}
	w := tabwriter.NewWriter(e.out, 0, 0, 2, ' ', 0)
	for _, r := range results {
		top := make([]string, len(r.Top))
		for i, c := range r.Top {
			top[i] = fmt.Sprintf("%d %.1f%%", c.Class, 100*c.Probability)
		}
		line := fmt.Sprintf("%s\t%d\t(%s)", r.Path, r.Class, strings.Join(top, ", "))
		if r.Inverted {
			line += "\tinverted"
		}
		fmt.Fprintln(w, line)
	}
	return w.Flush()
}

// printJSON writes v as indented JSON, as every command's --json does. JSON
// has no NaN or infinity: a result holding one (a model whose outputs
// overflow, a timing divided by zero) is refused with a line saying so,
// before anything is printed.
func printJSON(e *env, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	var bad *json.UnsupportedValueError
	if errors.As(err, &bad) {
		return fmt.Errorf("--json: the result holds %s, which JSON cannot represent (a model's outputs overflow when its weights are far too large); the output without --json shows it", bad.Str)
	}
	if err != nil {
		return err
	}
	_, err = e.out.Write(append(data, '\n'))
	return err
}
