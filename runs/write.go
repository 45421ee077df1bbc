package runs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"gorgonia.org/tensor"
)

// RunInfo is what WriteRun needs besides the model: the data it was
// trained on and how, as far as a recipe records it, and its results.
type RunInfo struct {
	// Name names the run's recipe; "" gives go-mlp, go-autoencoder or
	// go-conv-autoencoder.
	Name        string
	Description string
	// Seed is the seed the model was trained with, recorded.
	Seed uint64
	// Data is the data set the model was trained on, as a recipe names it
	// (required): zoo eval, encode and reconstruct read its test split.
	Data recipes.Data
	// Shape is the shape of one example, e.g. [28 28] for pictures, which
	// zoo predict and filters need; nil is [Inputs], flat features (for a
	// conv-autoencoder, its [Height Width], or [Channels Height Width]).
	Shape []int
	// Loss is the training loss as a recipe names it; "" is cross-entropy
	// for an mlp, and bce (with a sigmoid output) or mse for an
	// autoencoder.
	Loss string
	// Optimizer is the optimizer as a recipe writes it ({name: adam, lr:
	// 0.001}); nil records {name: sgd}.
	Optimizer map[string]any
	// BatchSize and Epochs are recorded; 0 records 1, and Epochs then the
	// number of Metrics rows if there are any.
	BatchSize, Epochs int
	// Corruption is a denoising autoencoder's input corruption.
	Corruption models.Corruption
	// Metrics are the rows of metrics.csv (one per epoch, Phase train);
	// none writes no metrics.csv.
	Metrics []MetricsRow
	// Summary holds the figures measured (test_error, test_loss,
	// test_reconstruction_loss, …). WriteRun sets its recipe, seed,
	// parameters, input_shape and classes, and epochs if zero.
	Summary Summary
}

// WriteRun writes m, trained in Go, as a finished run directory that every
// zoo command accepts (zoo eval, predict, compare, inspect, …, and Load):
// recipe.yaml, model.safetensors, summary.json and, with info.Metrics,
// metrics.csv. The recipe is made from m's config, and checked to rebuild
// exactly m's architecture: a model no recipe can describe (float64
// weights, an autoencoder with an empty decoder list) is refused. The
// weights file also holds the model's config (see SaveModel), so LoadModel
// reads it too.
//
// dir is created; if it exists it must be empty, so nothing a user owns is
// overwritten.
func WriteRun(dir string, m models.Network, info RunInfo) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("runs: write run %s: %s", dir, fmt.Sprintf(format, args...))
	}
	family, config, err := networkConfig(m)
	if err != nil {
		return fail("%v", err)
	}
	if info.Data.Name == "" {
		return fail(`RunInfo.Data.Name is empty: name the data set the model was trained on (recipes.Data{Name: "mnist"}, or "csv" with its Files and Label), which zoo eval reads`)
	}
	r, inputs, classes, err := runRecipe(m, info)
	if err != nil {
		return fail("%v", err)
	}
	text, err := r.Marshal()
	if err != nil {
		return fail("%v", err)
	}
	// The recipe is checked as Load will read it, and must rebuild m.
	parsed, err := recipes.Parse("made from RunInfo", text, recipes.Options{})
	if err != nil {
		return fail("RunInfo does not make a valid recipe: %v", err)
	}
	sp, err := parsed.Spec()
	if err != nil {
		return fail("%v", err)
	}
	shape := slices.Clone(info.Shape)
	if conv, ok := m.(*models.ConvAutoencoder); ok && shape == nil {
		c := conv.Config
		shape = []int{c.Channels, c.Height, c.Width}
		if c.Channels == 1 {
			shape = shape[1:]
		}
	}
	if shape == nil {
		shape = []int{inputs}
	}
	var rebuilt any
	switch family {
	case recipes.FamilyMLP:
		rebuilt = sp.Model.MLPFor(inputs, classes)
	case recipes.FamilyConvAutoencoder:
		if rebuilt, err = sp.Model.ConvAutoencoderFor(shape); err != nil {
			return fail("RunInfo.Shape: %v", err)
		}
	case recipes.FamilyVAE:
		rebuilt = sp.Model.VAEFor(inputs)
	default:
		rebuilt = sp.Model.AutoencoderFor(inputs)
	}
	if a, b := configJSON(config), configJSON(rebuilt); a != b {
		return fail("a recipe cannot describe this model: it has %s, a recipe rebuilds %s", a, b)
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != inputs || len(shape) == 0 {
		return fail("examples of shape %v have %d values, the model takes %d inputs", shape, n, inputs)
	}
	meta, err := modelMetadata(m, family, config)
	if err != nil {
		return fail("%v", err)
	}
	meta["zoo.recipe"], meta["zoo.format"] = string(text), "1"

	unlock, err := emptyDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	if err := atomicfile.Write(filepath.Join(dir, RecipeFile), text); err != nil {
		return fail("%v", err)
	}
	if len(info.Metrics) > 0 {
		if err := WriteMetrics(dir, info.Metrics, family != recipes.FamilyMLP); err != nil {
			return fail("%v", err)
		}
	}
	if err := SaveWeights(filepath.Join(dir, WeightsFile), m.Params(), meta); err != nil {
		return err
	}
	s := info.Summary
	s.Recipe, s.Seed, s.Parameters = r.Name, r.Seed, models.Count(m.Params())
	s.InputShape, s.Classes = shape, classes
	if s.Epochs == 0 {
		s.Epochs = r.Epochs
	}
	// Last: a summary marks a finished run.
	return WriteSummary(dir, &s)
}

// runRecipe makes the recipe that describes m and info, and returns m's
// inputs and classes (0 for an autoencoder).
func runRecipe(m models.Network, info RunInfo) (*recipes.Recipe, int, int, error) {
	r := &recipes.Recipe{Name: info.Name, Description: info.Description, Seed: info.Seed, Data: info.Data,
		Loss: info.Loss, Optimizer: info.Optimizer, BatchSize: info.BatchSize, Epochs: info.Epochs}
	if r.Name == "" {
		r.Name = "go-" + m.Family()
	}
	if r.Optimizer == nil {
		r.Optimizer = map[string]any{"name": "sgd"}
	}
	if r.BatchSize == 0 {
		r.BatchSize = 1
	}
	if r.Epochs == 0 {
		r.Epochs = max(1, len(info.Metrics))
	}
	layers := func(ls []models.Layer) []recipes.Layer {
		out := make([]recipes.Layer, len(ls))
		for i, l := range ls {
			out[i] = recipes.Layer{Units: l.Units, Activation: string(l.Activation)}
			if l.Activation == "" {
				out[i].Activation = string(models.Linear)
			}
		}
		return out
	}
	var dt tensor.Dtype
	var inputs, classes int
	switch n := m.(type) {
	case *models.MLP:
		c := n.Config
		dt, inputs, classes = c.DType, c.Inputs, c.Classes
		r.Model = recipes.Model{Type: recipes.FamilyMLP, Layers: layers(c.Hidden), Init: string(c.Init)}
		if c.Dropout.Active() || len(c.Dropout.Hidden) > 0 {
			r.Regularizers.Dropout = &recipes.DropoutSpec{Input: c.Dropout.Input, Hidden: c.Dropout.Hidden}
		}
		if r.Loss == "" {
			r.Loss = "cross-entropy"
		}
	case *models.Autoencoder:
		c := n.Config
		dt, inputs = c.DType, c.Inputs
		out := c.Output
		if out == "" {
			out = models.Linear
		}
		r.Model = recipes.Model{Type: recipes.FamilyAutoencoder, Encoder: layers(c.Encoder), Tied: c.Tied,
			Output: string(out), Init: string(c.Init)}
		if c.Decoder != nil {
			r.Model.Decoder = layers(c.Decoder)
		}
		if info.Corruption.Active() {
			r.Model.Corruption = recipes.Corruption{Type: string(info.Corruption.Type), Level: info.Corruption.Level}
		}
		if r.Loss == "" {
			r.Loss = "mse"
			if out == models.Sigmoid {
				r.Loss = "bce"
			}
		}
	case *models.ConvAutoencoder:
		c := n.Config
		dt, inputs = c.DType, c.Inputs()
		out := c.Output
		if out == "" {
			out = models.Linear
		}
		r.Model = recipes.Model{Type: recipes.FamilyConvAutoencoder, Output: string(out), Init: string(c.Init)}
		for _, l := range c.Encoder {
			a := l.Activation
			if a == "" {
				a = models.Linear
			}
			r.Model.Conv = append(r.Model.Conv, recipes.ConvLayer{Filters: l.Filters, Kernel: l.Kernel, Activation: string(a), Pool: l.Pool})
		}
		if info.Corruption.Active() {
			r.Model.Corruption = recipes.Corruption{Type: string(info.Corruption.Type), Level: info.Corruption.Level}
		}
		if r.Loss == "" {
			r.Loss = "mse"
			if out == models.Sigmoid {
				r.Loss = "bce"
			}
		}
	case *models.VAE:
		c := n.Config
		dt, inputs = c.DType, c.Inputs
		r.Model = recipes.Model{Type: recipes.FamilyVAE, Encoder: layers(c.Encoder), Latent: c.Latent, Init: string(c.Init)}
		if c.Decoder != nil {
			r.Model.Decoder = layers(c.Decoder)
		}
		if r.Loss == "" {
			r.Loss = "elbo"
		}
	}
	if dt != (tensor.Dtype{}) && dt != tensor.Float32 {
		return nil, 0, 0, fmt.Errorf("run directories hold float32 models (recipes have no dtype), this one is %v; save it with SaveModel instead", dt)
	}
	return r, inputs, classes, nil
}

// configJSON is a config's JSON with its dtype made explicit, to compare
// two configs.
func configJSON(c any) string {
	switch v := c.(type) {
	case models.MLPConfig:
		if v.DType == (tensor.Dtype{}) {
			v.DType = tensor.Float32
		}
		c = v
	case models.AutoencoderConfig:
		if v.DType == (tensor.Dtype{}) {
			v.DType = tensor.Float32
		}
		if v.Output == "" {
			v.Output = models.Linear
		}
		c = v
	case models.ConvAutoencoderConfig:
		if v.DType == (tensor.Dtype{}) {
			v.DType = tensor.Float32
		}
		if v.Output == "" {
			v.Output = models.Linear
		}
		v.Encoder = slices.Clone(v.Encoder)
		for i, l := range v.Encoder {
			if l.Activation == "" {
				v.Encoder[i].Activation = models.Linear
			}
			if l.Pool == 1 {
				v.Encoder[i].Pool = 0
			}
		}
		c = v
	case models.VAEConfig:
		if v.DType == (tensor.Dtype{}) {
			v.DType = tensor.Float32
		}
		c = v
	}
	data, err := json.Marshal(c)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// emptyDir creates dir, or accepts it empty, and locks it: WriteRun never
// writes into a directory that holds anything.
func emptyDir(dir string) (unlock func(), err error) {
	if err := isEmpty(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("runs: write run: %w", err)
	}
	if unlock, err = Lock(dir); err != nil {
		return nil, err
	}
	// Again under the lock: another process may have written meanwhile.
	if err := isEmpty(dir); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// isEmpty fails when dir exists and holds anything but a lock file.
func isEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("runs: write run: %w", err)
	}
	for _, e := range entries {
		if e.Name() != LockFile {
			return fmt.Errorf("runs: write run: %s is not empty (it holds %s); nothing there is overwritten: choose a new directory", dir, e.Name())
		}
	}
	return nil
}
