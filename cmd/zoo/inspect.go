package main

import (
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/goccy/go-yaml"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
	"github.com/spf13/cobra"
)

type inspectOptions struct {
	dir  string
	json bool
}

func newInspectCmd(e *env, runF func(*inspectOptions) error) *cobra.Command {
	o := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect DIR|zoo:NAME",
		Short: "Describe a trained run: architecture, tensors, training summary",
		Long: `Describe the finished run in DIR: its recipe, the model's type and layers
(widths and activations), every tensor of model.safetensors with its shape and
size, the parameter count, and the training summary (epochs, losses and
errors, time, early stopping, pretraining, initial weights given with --init).

DIR may be zoo:NAME, a model zoo ships trained (zoo list marks them).`,
		Example: `  zoo inspect zoo-runs/mlp-mnist-20261127-141500
  zoo inspect zoo:sdae-mnist   # a model zoo ships trained
  zoo inspect zoo-runs/sdae-mnist-20261127-141500 --json | jq .summary.pretrain`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = args[0]
			if runF != nil {
				return runF(o)
			}
			return runInspect(e, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print the description as JSON")
	return cmd
}

// inspection is what zoo inspect shows, and its --json.
type inspection struct {
	Dir         string `json:"dir"`
	Recipe      string `json:"recipe"`
	Description string `json:"description,omitempty"`
	// Type is the recipe's model type: mlp, autoencoder, conv-autoencoder,
	// sdae or vae.
	Type      string            `json:"type"`
	Input     []int             `json:"input"`
	Classes   int               `json:"classes,omitempty"`
	CodeUnits int               `json:"code_units,omitempty"`
	Layers    []runs.LayerInfo  `json:"layers"`
	Tensors   []runs.TensorInfo `json:"tensors"`
	// Parameters is the number of trained values.
	Parameters int           `json:"parameters"`
	Summary    *runs.Summary `json:"summary"`
	// path is the run directory read: Dir, or a shipped model's copy.
	path string
}

func runInspect(e *env, o *inspectOptions) error {
	m, err := loadRun(o.dir)
	if err != nil {
		return err
	}
	defer m.Close()
	in := inspection{
		Dir: o.dir, Recipe: m.Recipe.Name, Description: m.Recipe.Description, Type: m.Recipe.Model.Type,
		Input: m.Shape, Classes: m.Classes, CodeUnits: m.CodeUnits(),
		Layers: m.Layers(), Tensors: m.Tensors(), Summary: m.Summary, path: m.Dir,
	}
	for _, t := range in.Tensors {
		in.Parameters += t.Size
	}
	if o.json {
		return printJSON(e, in)
	}
	return printInspection(e.out, &in, m.Recipe)
}

// printInspection writes in as aligned sections: a heading, then lines.
func printInspection(out io.Writer, in *inspection, r *recipes.Recipe) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	section := func(head string, lines ...string) {
		for i, l := range lines {
			if i > 0 {
				head = ""
			}
			fmt.Fprintf(w, "%s\t%s\n", head, l)
		}
	}
	if in.Description != "" {
		section("recipe", in.Recipe+": "+in.Description)
	} else {
		section("recipe", in.Recipe)
	}
	widths := strconv.Itoa(in.Layers[0].In)
	for _, l := range in.Layers {
		widths += fmt.Sprintf(" → %d %s", l.Out, l.Activation)
	}
	switch {
	case in.Type == recipes.FamilyVAE:
		section("model", fmt.Sprintf("%s: %s inputs → %d-D Gaussian code z (μ, log σ²) → Bernoulli reconstruction", in.Type, shapeString(in.Input, "×"), in.CodeUnits), widths)
	case in.CodeUnits > 0:
		section("model", fmt.Sprintf("%s: %s inputs → %d-unit code → reconstruction", in.Type, shapeString(in.Input, "×"), in.CodeUnits), widths)
	default:
		section("model", fmt.Sprintf("%s: a classifier of %s inputs into %d classes", in.Type, shapeString(in.Input, "×"), in.Classes), widths)
	}
	section("layers", alignedLines(func(t io.Writer) {
		for i, l := range in.Layers {
			note := ""
			switch {
			case l.TiedTo != "":
				note = "(weight: " + l.TiedTo + ".weight transposed)"
			case l.Kernel > 0 && l.Pool > 1:
				note = fmt.Sprintf("(%d×%d convolution, %d×%d max pooling)", l.Kernel, l.Kernel, l.Pool, l.Pool)
			case l.Kernel > 0:
				note = fmt.Sprintf("(%d×%d convolution)", l.Kernel, l.Kernel)
			case in.Classes > 0 && i == len(in.Layers)-1:
				note = "(logits: softmax gives the class probabilities)"
			case l.Name == "latent.mean":
				note = "(μ of q(z|x): the code)"
			case l.Name == "latent.logvar":
				note = "(log σ² of q(z|x); z = μ + σ ⊙ ε feeds the decoder)"
			}
			fmt.Fprintf(t, "%s\t%d → %d\t%s\t%s\n", l.Name, l.In, l.Out, l.Activation, note)
		}
	})...)
	bytes := 0
	section("tensors", alignedLines(func(t io.Writer) {
		for _, ts := range in.Tensors {
			fmt.Fprintf(t, "%s\t%s\t[%s]\t%d\n", ts.Name, ts.DType, shapeString(ts.Shape, ", "), ts.Size)
			bytes += ts.Size * map[string]int{"F32": 4, "F64": 8}[ts.DType]
		}
	})...)
	section("parameters", fmt.Sprintf("%d (%.1f MiB)", in.Parameters, float64(bytes)/(1<<20)))

	s := in.Summary
	section("data", append([]string{fmt.Sprintf("%s: %d training, %d validation, %s", r.Data.Name, s.Train, s.Validation, plural.Count(s.Test, "test example"))}, dataSource(s.Data)...)...)
	lines := []string{
		fmt.Sprintf("seed %d; %s, %s of batch %d; %.1fs", s.Seed, plural.Count(s.Epochs, "epoch"), plural.Count(s.Updates, "update"), r.BatchSize, s.Seconds),
		"optimizer " + namedMapping(r.Optimizer),
	}
	if r.Schedule != nil {
		lines = append(lines, "schedule "+namedMapping(r.Schedule))
	}
	if !reflect.ValueOf(r.Regularizers).IsZero() {
		lines = append(lines, "regularizers "+yamlFlow(r.Regularizers))
	}
	if c := r.Model.Corruption; c.Type != "" {
		lines = append(lines, "corruption "+yamlFlow(c))
	}
	if i := s.Init; i != nil {
		// Where the initial weights came from (summary.json's init has
		// them tensor by tensor).
		if i.Partial {
			lines = append(lines, fmt.Sprintf("init %d of %s from %s (partial), the others from the seed", i.Copied(), plural.Count(len(i.Tensors), "tensor"), i.From))
		} else {
			lines = append(lines, fmt.Sprintf("init all %s from %s", plural.Count(len(i.Tensors), "tensor"), i.From))
		}
	}
	if sp := r.Model.Sparsity; sp.Type != "" {
		lines = append(lines, "sparsity "+yamlFlow(sp))
	}
	section("training", lines...)
	lines = nil
	for _, p := range s.Pretrain {
		lines = append(lines, fmt.Sprintf("layer %d of %d: %s, %s corruption; train loss %.4f, validation reconstruction loss %.4f; %.1fs",
			p.Layer+1, len(s.Pretrain), plural.Count(p.Epochs, "epoch"), p.Corruption, p.TrainLoss, p.ValReconstructionLoss, p.Seconds))
	}
	section("pretraining", lines...)
	switch {
	case in.Type == recipes.FamilyVAE:
		section("results", fmt.Sprintf("negative ELBO (nats per example): train %.2f, validation %.2f, test %.2f (of which KL %.2f)", s.TrainLoss, s.ValLoss, s.TestELBONats, s.TestKLNats))
	case in.CodeUnits > 0:
		section("results", fmt.Sprintf("reconstruction loss (%s): train %.4f, validation %.4f, test %.4f", r.Loss, s.TrainLoss, s.ValReconstructionLoss, s.TestReconstructionLoss))
	default:
		section("results", fmt.Sprintf("train loss %.4f", s.TrainLoss),
			fmt.Sprintf("validation loss %.4f, error %.2f%%", s.ValLoss, 100*s.ValError),
			fmt.Sprintf("test loss %.4f, error %.2f%%", s.TestLoss, 100*s.TestError))
	}
	if s.StopReason != "" {
		section("early stopping", fmt.Sprintf("kept the model of epoch %d (update %d, validation score %.4g)", s.BestEpoch, s.BestUpdate, s.BestScore), "stopped: "+s.StopReason)
	}
	if _, ok := shipped.Ref(in.Dir); ok {
		section("run", fmt.Sprintf("%s, shipped with zoo, unpacked in %s (the whole recipe is in its %s, the model card in %s)", in.Dir, in.path, runs.RecipeFile, shipped.CardFile))
	} else {
		section("run", fmt.Sprintf("%s (the whole recipe is in %s)", in.Dir, runs.RecipeFile))
	}
	return w.Flush()
}

// alignedLines returns the tab-separated lines that fill writes, as columns
// aligned among themselves.
func alignedLines(fill func(w io.Writer)) []string {
	var b strings.Builder
	t := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fill(t)
	t.Flush()
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

// namedMapping writes a recipe mapping with a name key as the name, then
// the rest, e.g. momentum {lr: 0.05, momentum: 0.9}.
func namedMapping(m map[string]any) string {
	rest := map[string]any{}
	for k, v := range m {
		if k != "name" {
			rest[k] = v
		}
	}
	name := fmt.Sprint(m["name"])
	if len(rest) == 0 {
		return name
	}
	return name + " " + yamlFlow(rest)
}

// shapeString writes a shape's sizes separated by sep: 28×28, 784, 512.
func shapeString(shape []int, sep string) string {
	s := make([]string, len(shape))
	for i, d := range shape {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, sep)
}

// yamlFlow writes v as one line of YAML, e.g. {type: mask, level: 0.3}.
func yamlFlow(v any) string {
	out, err := yaml.MarshalWithOptions(v, yaml.Flow(true))
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(string(out))
}

// dataSource says where a run's data came from, as its summary records it
// (nothing for a run written before it was recorded): eval and resume read
// it from there.
func dataSource(d *runs.DataRecord) []string {
	if d == nil {
		return nil
	}
	var from string
	switch d.Source {
	case runs.DataBuiltIn:
		from = "zoo's built-in copy"
	case runs.DataDownload:
		from = "the download cache, checked against the published digests"
	case runs.DataDir:
		from = d.Dir
	default:
		from = "the files of data.files"
	}
	line := "from " + from
	if f, ok := d.Files["train"]; ok {
		line += fmt.Sprintf(" (%s sha256 %.12s…)", filepath.Base(f.Path), f.SHA256)
	}
	return []string{line}
}
