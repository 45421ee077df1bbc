package runs

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
)

// Model is a trained run, ready to use: Predict for classifiers (mlp,
// sdae), Encode and Reconstruct for autoencoders (autoencoder,
// conv-autoencoder; a variational one's codes are the means μ(x), and it
// also Decodes and Samples). It is safe for concurrent
// use by several goroutines (calls take turns on one compiled graph).
type Model struct {
	Dir    string
	Recipe *recipes.Recipe
	// Spec is the recipe's checked values.
	Spec *recipes.Spec
	// Summary is the run's summary.json.
	Summary *Summary
	// Shape is the per-example input shape, e.g. [28 28]; inputs are
	// row-major with pixels in [0, 1], as in the training data.
	Shape []int
	// Classes is the number of classes of a classifier, 0 for an
	// autoencoder.
	Classes int
	// Params are the trained weights.
	Params []*models.Param

	mu          sync.Mutex
	mlp         *models.MLP
	ae          *models.Autoencoder
	conv        *models.ConvAutoencoder
	classifier  *infer.Classifier
	autoencoder *infer.Autoencoder
	vae         *models.VAE
	vaeInfer    *infer.VAE
}

// maxInputs bounds the values of one example a summary may claim, far above
// any picture zoo trains on, so a damaged summary.json cannot make Load
// allocate without limit.
const maxInputs = 1 << 24

// inputShape is the shape of the examples the run in dir was trained on
// and its number of classes, known without reading its data: the summary's
// input_shape and classes, or MNIST's 28×28 and 10 digits (2 classes with
// data.positive) for runs written before they were recorded.
func inputShape(r *recipes.Recipe, sum *Summary) (*datasets.Set, error) {
	shape := []int{28, 28}
	if len(sum.InputShape) > 0 {
		shape = slices.Clone(sum.InputShape)
	}
	n := 1
	for _, d := range shape {
		if d < 1 || d > maxInputs || n*d > maxInputs {
			return nil, fmt.Errorf("input_shape %v: want sizes ≥ 1 whose product is at most %d", sum.InputShape, maxInputs)
		}
		n *= d
	}
	s := &datasets.Set{Name: r.Data.Name, Shape: shape, Classes: sum.Classes}
	if s.Classes == 0 {
		s.Classes = 10
		if len(r.Data.Positive) > 0 {
			s.Classes = 2
		}
	}
	if s.Classes < 2 || s.Classes > maxInputs {
		return nil, fmt.Errorf("classes %d: want at least 2 and at most %d", s.Classes, maxInputs)
	}
	return s, nil
}

// evalBatch is the batch of a loaded model's compiled graphs: small, since
// a model often answers for a few inputs at a time.
const evalBatch = 100

// Load opens the finished run in dir: its recipe, summary and weights. A
// model larger than the memory this machine has available is refused
// before it is built (see models.Footprint): recipe.yaml and summary.json
// are only claims.
func Load(dir string) (*Model, error) {
	return load(dir, memory.Machine())
}

// load is Load with the memory the model may take.
func load(dir string, limit memory.Limit) (*Model, error) {
	if _, err := os.Stat(filepath.Join(dir, WeightsFile)); err != nil {
		if InUse(dir) {
			return nil, fmt.Errorf("runs: the run in %s is still training (another zoo process holds %s): open it once it has finished", dir, filepath.Join(dir, LockFile))
		}
		if _, cerr := os.Stat(filepath.Join(dir, CheckpointFile)); cerr == nil {
			return nil, fmt.Errorf("runs: the run in %s is unfinished (no %s yet); finish it with zoo train --resume %s", dir, WeightsFile, dir)
		}
		return nil, fmt.Errorf("runs: %s is not a finished run directory: %w", dir, err)
	}
	r, err := recipes.Load(filepath.Join(dir, RecipeFile), recipes.Options{})
	if err != nil {
		return nil, err
	}
	sum, err := ReadSummary(dir)
	if err != nil {
		return nil, err
	}
	shape, err := inputShape(r, sum)
	if err != nil {
		return nil, fmt.Errorf("runs: %s: %w", filepath.Join(dir, SummaryFile), err)
	}
	sp, err := r.Spec()
	if err != nil {
		return nil, err
	}
	if err := checkSummaryShape(dir, sp.Model.Family, sum, shape); err != nil {
		return nil, err
	}
	m := &Model{Dir: dir, Recipe: r, Spec: sp, Summary: sum, Shape: shape.Shape}
	init := rng.New(r.Seed, "init") // overwritten by the saved weights
	fits := func(s models.Size) error {
		if err := (models.Footprint{Size: s, Batch: evalBatch}).Check(limit); err != nil {
			return fmt.Errorf("runs: %s: %w", filepath.Join(dir, RecipeFile), err)
		}
		return nil
	}
	if sp.Model.Family == recipes.FamilyVAE {
		return m, m.loadVAE(fits)
	}
	if recipes.Reconstructs(sp.Model.Family) {
		var ae models.Reconstructor
		if sp.Model.Family == recipes.FamilyConvAutoencoder {
			c, err := sp.Model.ConvAutoencoderFor(shape.Shape)
			if err != nil {
				return nil, fmt.Errorf("runs: %s: %w", filepath.Join(dir, SummaryFile), err)
			}
			if err := fits(c.Size()); err != nil {
				return nil, err
			}
			if m.conv, err = models.NewConvAutoencoder(c, init); err != nil {
				return nil, err
			}
			ae = m.conv
		} else {
			c := sp.Model.AutoencoderFor(shape.Dim())
			if err := fits(c.Size()); err != nil {
				return nil, err
			}
			if m.ae, err = models.NewAutoencoder(c, init); err != nil {
				return nil, err
			}
			ae = m.ae
		}
		m.Params = ae.Params()
		meta, err := LoadWeights(filepath.Join(dir, WeightsFile), m.Params)
		if err != nil {
			return nil, err
		}
		if err := unedited(dir, r, meta["zoo.recipe"]); err != nil {
			return nil, err
		}
		if m.autoencoder, err = infer.NewAutoencoder(ae, sp.Reconstruction, evalBatch); err != nil {
			return nil, err
		}
		return m, nil
	}
	c := sp.Model.MLPFor(shape.Dim(), shape.Classes)
	if err := fits(c.Size()); err != nil {
		return nil, err
	}
	mlp, err := models.NewMLP(c, init)
	if err != nil {
		return nil, err
	}
	m.mlp, m.Params, m.Classes = mlp, mlp.Params(), shape.Classes
	meta, err := LoadWeights(filepath.Join(dir, WeightsFile), m.Params)
	if err != nil {
		return nil, err
	}
	if err := unedited(dir, r, meta["zoo.recipe"]); err != nil {
		return nil, err
	}
	if m.classifier, err = infer.NewClassifier(mlp, evalBatch); err != nil {
		return nil, err
	}
	return m, nil
}

// Close releases the compiled graphs.
func (m *Model) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.classifier != nil {
		m.classifier.Close()
	}
	if m.autoencoder != nil {
		m.autoencoder.Close()
	}
	if m.vaeInfer != nil {
		m.vaeInfer.Close()
	}
}

// set wraps n examples (row-major in x) for the tasks, checking their size.
func (m *Model) set(x []float32) (*datasets.Set, error) {
	s := &datasets.Set{Name: "input", X: x, Shape: m.Shape}
	if s.Dim() == 0 || len(x)%s.Dim() != 0 {
		return nil, fmt.Errorf("runs: %d input values are not whole examples of %v", len(x), m.Shape)
	}
	return s, nil
}

// Predict returns the most likely class of each example in x (row-major,
// Shape per example).
func (m *Model) Predict(x []float32) ([]int, error) {
	s, err := m.classifierInput(x)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.classifier.Predict(s)
}

// classifierInput wraps x for the classifier, or says the model is none.
func (m *Model) classifierInput(x []float32) (*datasets.Set, error) {
	if m.classifier == nil {
		return nil, fmt.Errorf("runs: %s is an autoencoder: it encodes and reconstructs, it does not classify", m.Recipe.Name)
	}
	return m.set(x)
}

// autoencoderInput wraps x for the autoencoder, or says the model is none.
func (m *Model) autoencoderInput(x []float32, what string) (*datasets.Set, error) {
	if m.autoencoder == nil && m.vaeInfer == nil {
		return nil, fmt.Errorf("runs: %s is a classifier: only autoencoders %s", m.Recipe.Name, what)
	}
	return m.set(x)
}

// Encode returns the codes of the examples in x, CodeUnits values each.
func (m *Model) Encode(x []float32) ([]float32, error) {
	s, err := m.autoencoderInput(x, "encode")
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vaeInfer != nil {
		codes, err := m.vaeInfer.Encode(s)
		if err != nil {
			return nil, err
		}
		return codes.X, nil
	}
	codes, err := m.autoencoder.Encode(s)
	if err != nil {
		return nil, err
	}
	return codes.X, nil
}

// CodeUnits is the size of an autoencoder's code (0 for a classifier).
func (m *Model) CodeUnits() int {
	if m.vaeInfer != nil {
		return m.vaeInfer.CodeUnits()
	}
	if m.autoencoder == nil {
		return 0
	}
	return m.autoencoder.CodeUnits()
}

// Reconstruct returns g(f(x)) for the examples in x, shaped like x.
func (m *Model) Reconstruct(x []float32) ([]float32, error) {
	s, err := m.autoencoderInput(x, "reconstruct")
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vaeInfer != nil {
		out, err := m.vaeInfer.Reconstruct(s)
		if err != nil {
			return nil, err
		}
		return out.X, nil
	}
	out, err := m.autoencoder.Reconstruct(s)
	if err != nil {
		return nil, err
	}
	return out.X, nil
}

// Evaluate measures the model on s: a classifier's mean cross-entropy and
// error rate, an autoencoder's mean reconstruction loss, a variational
// autoencoder's mean negative ELBO in nats (its noise drawn from the run's
// seed: see infer.NewVAE).
func (m *Model) Evaluate(s *datasets.Set) (infer.Metrics, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.vaeInfer != nil {
		return m.vaeInfer.Evaluate(s)
	}
	if m.autoencoder != nil {
		return m.autoencoder.Evaluate(s)
	}
	return m.classifier.Evaluate(s)
}

// Classify returns, for each example in x (row-major, Shape per example),
// the most likely class and the probabilities of all classes.
func (m *Model) Classify(x []float32) ([]infer.Prediction, error) {
	s, err := m.classifierInput(x)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.classifier.Classify(s)
}

// loadVAE builds the run's variational autoencoder, loads its weights and
// compiles its graphs; fits refuses a model too large for the machine.
func (m *Model) loadVAE(fits func(models.Size) error) error {
	c := m.Spec.Model.VAEFor((&datasets.Set{Shape: m.Shape}).Dim())
	if err := fits(c.Size()); err != nil {
		return err
	}
	v, err := models.NewVAE(c, rng.New(m.Recipe.Seed, "init")) // overwritten by the saved weights
	if err != nil {
		return err
	}
	m.vae, m.Params = v, v.Params()
	meta, err := LoadWeights(filepath.Join(m.Dir, WeightsFile), m.Params)
	if err != nil {
		return err
	}
	if err := unedited(m.Dir, m.Recipe, meta["zoo.recipe"]); err != nil {
		return err
	}
	m.vaeInfer, err = infer.NewVAE(v, evalBatch, m.Recipe.Seed)
	return err
}

// vaeOnly returns the run's variational autoencoder, or says the model is
// none.
func (m *Model) vaeOnly(what string) (*infer.VAE, error) {
	if m.vaeInfer == nil {
		return nil, fmt.Errorf("runs: %s is a %s model: only variational autoencoders (model.type vae) %s", m.Recipe.Name, m.Spec.Model.Family, what)
	}
	return m.vaeInfer, nil
}

// Decode returns the pictures a variational autoencoder decodes from the
// codes in z (CodeUnits values each): the Bernoulli means of p(x|z), Shape
// per picture.
func (m *Model) Decode(z []float32) ([]float32, error) {
	v, err := m.vaeOnly("decode codes")
	if err != nil {
		return nil, err
	}
	k := v.CodeUnits()
	if len(z)%k != 0 {
		return nil, fmt.Errorf("runs: %d values are not whole codes of %d", len(z), k)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out, err := v.Decode(&datasets.Set{Name: "codes", X: z, Shape: []int{k}})
	if err != nil {
		return nil, err
	}
	return out.X, nil
}

// Sample returns n pictures a variational autoencoder decodes from codes
// drawn from its prior N(0, I) with r.
func (m *Model) Sample(n int, r rand.Source) ([]float32, error) {
	v, err := m.vaeOnly("sample")
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out, err := v.Sample(n, r)
	if err != nil {
		return nil, err
	}
	return out.X, nil
}

// ELBO returns a variational autoencoder's negative ELBO on s and its
// terms, in nats per example.
func (m *Model) ELBO(s *datasets.Set) (infer.ELBO, error) {
	v, err := m.vaeOnly("have an ELBO")
	if err != nil {
		return infer.ELBO{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return v.ELBO(s)
}
