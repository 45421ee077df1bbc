package runs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/recipes"
	"gorgonia.org/tensor"
)

// A model file is a weights file (see SaveWeights) whose metadata also
// holds the model's architecture, so that the file alone rebuilds the
// model: a Go program saves what it trained and loads it back, or hands it
// to another program, without a recipe or a run directory.
//
// The architecture is under ModelKey, as JSON:
//
//	{"format": 1, "family": "mlp", "config": {"inputs": 784, "hidden": [...], "classes": 10, ...}}
//
// config is a models.MLPConfig (family mlp), a models.AutoencoderConfig
// (family autoencoder), a models.ConvAutoencoderConfig (family
// conv-autoencoder) or a models.VAEConfig (family vae) in their JSON forms.
const (
	// ModelKey is the safetensors metadata key of a model file's
	// architecture.
	ModelKey = "zoo.model"
	// ModelFormat is the version of the JSON under ModelKey that this
	// package writes; it reads no other.
	ModelFormat = 1
)

// modelJSON is the JSON under ModelKey.
type modelJSON struct {
	Format int             `json:"format"`
	Family string          `json:"family"`
	Config json.RawMessage `json:"config"`
}

// ModelInfo describes a model file from its header alone: its architecture
// and its tensors. Reading it allocates nothing the size of the weights.
type ModelInfo struct {
	// Path is the file.
	Path string
	// Family is "mlp", "autoencoder", "conv-autoencoder" or "vae"; the
	// matching config is set.
	Family          string
	MLP             *models.MLPConfig
	Autoencoder     *models.AutoencoderConfig
	ConvAutoencoder *models.ConvAutoencoderConfig
	VAE             *models.VAEConfig
	// Tensors are the file's tensors, in their stored order.
	Tensors []TensorInfo
	// Metadata is the header's whole metadata, ModelKey included.
	Metadata map[string]string
}

// SaveModel writes m (an *models.MLP, *models.Autoencoder,
// *models.ConvAutoencoder or *models.VAE) and its
// architecture to the model file at path, which must not exist: a file
// someone owns is never overwritten. LoadModel builds it again.
func SaveModel(path string, m models.Network) error {
	family, config, err := networkConfig(m)
	if err != nil {
		return fmt.Errorf("runs: save model %s: %w", path, err)
	}
	meta, err := modelMetadata(m, family, config)
	if err != nil {
		return fmt.Errorf("runs: save model %s: %w", path, err)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("runs: save model: %s already exists; remove it or choose another path", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("runs: save model: %w", err)
	}
	return SaveWeights(path, m.Params(), meta)
}

// modelMetadata returns the metadata of m's model file, after checking that
// its config describes exactly its parameters (so the file loads again).
func modelMetadata(m models.Network, family string, config any) (map[string]string, error) {
	raw, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	params := m.Params()
	stored := make([]TensorInfo, len(params))
	for i, p := range params {
		dt := "F32"
		if _, ok := p.Value.Data().([]float64); ok {
			dt = "F64"
		}
		stored[i] = TensorInfo{Name: p.Name, DType: dt, Shape: storedShape(p)}
	}
	info := &ModelInfo{Family: family, Tensors: stored}
	switch c := config.(type) {
	case models.MLPConfig:
		info.MLP = &c
	case models.AutoencoderConfig:
		info.Autoencoder = &c
	case models.ConvAutoencoderConfig:
		info.ConvAutoencoder = &c
	case models.VAEConfig:
		info.VAE = &c
	}
	if err := info.check(); err != nil {
		return nil, fmt.Errorf("the model's config does not describe its parameters (was it changed after the model was built?): %w", err)
	}
	data, err := json.Marshal(modelJSON{Format: ModelFormat, Family: family, Config: raw})
	if err != nil {
		return nil, err
	}
	return map[string]string{ModelKey: string(data)}, nil
}

// networkConfig returns m's family and config.
func networkConfig(m models.Network) (string, any, error) {
	switch n := m.(type) {
	case *models.MLP:
		return n.Family(), n.Config, nil
	case *models.Autoencoder:
		return n.Family(), n.Config, nil
	case *models.ConvAutoencoder:
		return n.Family(), n.Config, nil
	case *models.VAE:
		return n.Family(), n.Config, nil
	case nil:
		return "", nil, fmt.Errorf("no model")
	}
	return "", nil, fmt.Errorf("cannot store a %T: want a *models.MLP, *models.Autoencoder, *models.ConvAutoencoder or *models.VAE", m)
}

// ReadModelInfo reads the architecture and tensor list of the model file at
// path from its header only (bounded: see safetensors.ReadHeader), without
// a model to load into. It checks the architecture's JSON, not that it
// matches the tensors (LoadModel does).
func ReadModelInfo(path string) (*ModelInfo, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("runs: %s is a directory, not a model file (a run directory opens with runs.Load)", path)
	}
	h, err := safetensors.ReadHeader(path, safetensors.Limits{})
	if err != nil {
		return nil, fmt.Errorf("runs: read model: %w", err)
	}
	fail := func(format string, args ...any) (*ModelInfo, error) {
		return nil, fmt.Errorf("runs: read model %s: %s", path, fmt.Sprintf(format, args...))
	}
	text, ok := h.Metadata[ModelKey]
	if !ok {
		if recipe, run := h.Metadata["zoo.recipe"]; run {
			info, err := runModelInfo(path, recipe, h)
			if err != nil {
				return fail("the model of a run (no %s metadata): %v; open the run with runs.Load(its directory)", ModelKey, err)
			}
			return info, nil
		}
		return fail("no %s metadata: not a model file written by runs.SaveModel", ModelKey)
	}
	var j modelJSON
	if err := strictJSON([]byte(text), &j); err != nil {
		return fail("%s: %v", ModelKey, err)
	}
	if j.Format != ModelFormat {
		return fail("%s: format %d, this zoo reads format %d; is the file from a newer zoo?", ModelKey, j.Format, ModelFormat)
	}
	info := &ModelInfo{Path: path, Family: j.Family, Metadata: h.Metadata}
	switch j.Family {
	case "mlp":
		info.MLP = &models.MLPConfig{}
		err = json.Unmarshal(j.Config, info.MLP)
	case "autoencoder":
		info.Autoencoder = &models.AutoencoderConfig{}
		err = json.Unmarshal(j.Config, info.Autoencoder)
	case "conv-autoencoder":
		info.ConvAutoencoder = &models.ConvAutoencoderConfig{}
		err = json.Unmarshal(j.Config, info.ConvAutoencoder)
	case "vae":
		info.VAE = &models.VAEConfig{}
		err = json.Unmarshal(j.Config, info.VAE)
	default:
		return fail("%s: unknown family %q (want mlp, autoencoder, conv-autoencoder or vae)", ModelKey, j.Family)
	}
	if err != nil {
		return fail("%s: %v", ModelKey, err)
	}
	info.Tensors = tensorInfos(h)
	return info, nil
}

// tensorInfos lists a header's tensors.
func tensorInfos(h *safetensors.File) []TensorInfo {
	var ts []TensorInfo
	for _, t := range h.Tensors {
		size := 1
		for _, d := range t.Shape {
			size *= d
		}
		ts = append(ts, TensorInfo{Name: t.Name, DType: t.DType, Shape: t.Shape, Size: size})
	}
	return ts
}

// runModelInfo describes the model file of a run directory, copied out of
// it: such a file holds the recipe it was trained from (zoo.recipe) rather
// than the architecture, and the widths the data decided (inputs, classes)
// are those of its first and last tensors. LoadModel then checks every
// tensor against the architecture, as for a model file.
func runModelInfo(path, recipe string, h *safetensors.File) (*ModelInfo, error) {
	r, err := recipes.Parse(path+" (zoo.recipe)", []byte(recipe), recipes.Options{})
	if err != nil {
		return nil, err
	}
	sp, err := r.Spec()
	if err != nil {
		return nil, err
	}
	shape := func(name string, dims int) ([]int, error) {
		for _, t := range h.Tensors {
			if t.Name == name {
				if len(t.Shape) != dims {
					return nil, fmt.Errorf("tensor %q has shape %v, want %d dimensions", name, t.Shape, dims)
				}
				return t.Shape, nil
			}
		}
		return nil, fmt.Errorf("no tensor %q", name)
	}
	info := &ModelInfo{Path: path, Metadata: h.Metadata, Tensors: tensorInfos(h)}
	if sp.Model.Family == recipes.FamilyConvAutoencoder {
		return nil, fmt.Errorf("its weights do not say the size of the pictures a conv-autoencoder was trained on (its summary.json does)")
	}
	if sp.Model.Family == recipes.FamilyVAE {
		in, err := shape("encoder.0.weight", 2)
		if err != nil {
			return nil, err
		}
		c := sp.Model.VAEFor(in[0])
		info.Family, info.VAE = "vae", &c
		return info, nil
	}
	if sp.Model.Family == recipes.FamilyAutoencoder {
		in, err := shape("encoder.0.weight", 2)
		if err != nil {
			return nil, err
		}
		c := sp.Model.AutoencoderFor(in[0])
		info.Family, info.Autoencoder = "autoencoder", &c
		return info, nil
	}
	in, err := shape("layers.0.weight", 2)
	if err != nil {
		return nil, err
	}
	out, err := shape(fmt.Sprintf("layers.%d.bias", len(sp.Model.MLP.Hidden)), 1)
	if err != nil {
		return nil, err
	}
	c := sp.Model.MLPFor(in[0], out[0])
	info.Family, info.MLP = "mlp", &c
	return info, nil
}

// strictJSON decodes data into v, refusing unknown fields.
func strictJSON(data []byte, v any) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	for k := range raw {
		if k != "format" && k != "family" && k != "config" {
			return fmt.Errorf("unknown field %q", k)
		}
	}
	return json.Unmarshal(data, v)
}

// maxLayers bounds the layers a model file's config may list before its
// tensors are compared with it: each layer has at least one tensor, and
// the header holds at most safetensors.DefaultMaxTensors.
const maxLayers = safetensors.DefaultMaxTensors

// check compares the architecture with the file's tensors: the names, order,
// dtypes and shapes the built model's parameters would have. Only the
// config's lists are walked (bounded by maxLayers), so a config claiming a
// billion units is refused by this comparison, before anything is built.
func (info *ModelInfo) check() error {
	want, err := info.expected()
	if err != nil {
		return err
	}
	// Tensors are matched by name, not position: a file written elsewhere
	// (the safetensors package sorts names) may hold them in any order.
	have := make(map[string]TensorInfo, len(info.Tensors))
	for _, t := range info.Tensors {
		have[t.Name] = t
	}
	wanted := make(map[string]bool, len(want))
	var missing, extra []string
	for _, w := range want {
		wanted[w.Name] = true
		if _, ok := have[w.Name]; !ok {
			missing = append(missing, w.Name)
		}
	}
	for _, t := range info.Tensors {
		if !wanted[t.Name] {
			extra = append(extra, t.Name)
		}
	}
	if len(missing) > 0 || len(extra) > 0 || len(want) != len(info.Tensors) {
		msg := fmt.Sprintf("the config describes %d tensors, the file holds %d", len(want), len(info.Tensors))
		if len(missing) > 0 {
			msg += fmt.Sprintf("; the file lacks %s", nameList(missing))
		}
		if len(extra) > 0 {
			msg += fmt.Sprintf("; the config's model has no %s", nameList(extra))
		}
		return errors.New(msg)
	}
	for _, w := range want {
		t := have[w.Name]
		if t.DType != w.DType || !slices.Equal(t.Shape, w.Shape) {
			return fmt.Errorf("tensor %q is %s %v, the config's model wants %s %v", t.Name, t.DType, t.Shape, w.DType, w.Shape)
		}
	}
	return nil
}

// nameList quotes the first three names and counts the rest.
func nameList(names []string) string {
	var q []string
	for _, n := range names[:min(len(names), 3)] {
		q = append(q, strconv.Quote(n))
	}
	s := strings.Join(q, ", ")
	if len(names) > 3 {
		s += fmt.Sprintf(" and %d more", len(names)-3)
	}
	return s
}

// expected lists the tensors of the model the config describes, in the
// order of its Params.
func (info *ModelInfo) expected() ([]TensorInfo, error) {
	var out []TensorInfo
	dense := func(name string, in, out_ int, dt string) {
		out = append(out, TensorInfo{Name: name + ".weight", DType: dt, Shape: []int{in, out_}},
			TensorInfo{Name: name + ".bias", DType: dt, Shape: []int{out_}})
	}
	switch {
	case info.MLP != nil:
		c := info.MLP
		dt, err := storedDType(c.DType)
		if err != nil {
			return nil, err
		}
		if len(c.Hidden) > maxLayers {
			return nil, fmt.Errorf("the config lists %d hidden layers, more than a file holds", len(c.Hidden))
		}
		in := c.Inputs
		for k, l := range c.Hidden {
			dense(fmt.Sprintf("layers.%d", k), in, l.Units, dt)
			in = l.Units
		}
		dense(fmt.Sprintf("layers.%d", len(c.Hidden)), in, c.Classes, dt)
	case info.Autoencoder != nil:
		c := info.Autoencoder
		dt, err := storedDType(c.DType)
		if err != nil {
			return nil, err
		}
		L := len(c.Encoder)
		if L > maxLayers || len(c.Decoder) > maxLayers {
			return nil, fmt.Errorf("the config lists %d encoder and %d decoder layers, more than a file holds", L, len(c.Decoder))
		}
		if L == 0 {
			return nil, fmt.Errorf("the config has no encoder layer")
		}
		ins := make([]int, L) // each encoder layer's input width
		in := c.Inputs
		for k, l := range c.Encoder {
			ins[k] = in
			dense(fmt.Sprintf("encoder.%d", k), in, l.Units, dt)
			in = l.Units
		}
		if c.Tied {
			for j := range L {
				out = append(out, TensorInfo{Name: fmt.Sprintf("decoder.%d.bias", j), DType: dt, Shape: []int{ins[L-1-j]}})
			}
			break
		}
		hidden := c.Decoder
		if hidden == nil {
			for k := L - 2; k >= 0; k-- {
				hidden = append(hidden, c.Encoder[k])
			}
		}
		for j, l := range append(slices.Clone(hidden), models.Layer{Units: c.Inputs}) {
			dense(fmt.Sprintf("decoder.%d", j), in, l.Units, dt)
			in = l.Units
		}
	case info.ConvAutoencoder != nil:
		c := info.ConvAutoencoder
		dt, err := storedDType(c.DType)
		if err != nil {
			return nil, err
		}
		L := len(c.Encoder)
		if L > maxLayers {
			return nil, fmt.Errorf("the config lists %d encoder stages, more than a file holds", L)
		}
		if L == 0 {
			return nil, fmt.Errorf("the config has no encoder stage")
		}
		conv := func(name string, in, o, k int) {
			out = append(out, TensorInfo{Name: name + ".weight", DType: dt, Shape: []int{o, in, k, k}},
				TensorInfo{Name: name + ".bias", DType: dt, Shape: []int{o}})
		}
		in := c.Channels
		for k, l := range c.Encoder {
			conv(fmt.Sprintf("encoder.%d", k), in, l.Filters, l.Kernel)
			in = l.Filters
		}
		for j := range L {
			l := c.Encoder[L-1-j]
			conv(fmt.Sprintf("decoder.%d", j), in, l.Filters, l.Kernel)
			in = l.Filters
		}
		conv(fmt.Sprintf("decoder.%d", L), in, c.Channels, c.Encoder[0].Kernel)
	case info.VAE != nil:
		c := info.VAE
		dt, err := storedDType(c.DType)
		if err != nil {
			return nil, err
		}
		if len(c.Encoder) > maxLayers || len(c.Decoder) > maxLayers {
			return nil, fmt.Errorf("the config lists %d encoder and %d decoder layers, more than a file holds", len(c.Encoder), len(c.Decoder))
		}
		in := c.Inputs
		for k, l := range c.Encoder {
			dense(fmt.Sprintf("encoder.%d", k), in, l.Units, dt)
			in = l.Units
		}
		dense("latent.mean", in, c.Latent, dt)
		dense("latent.logvar", in, c.Latent, dt)
		hidden := c.Decoder
		if hidden == nil {
			for k := len(c.Encoder) - 1; k >= 0; k-- {
				hidden = append(hidden, c.Encoder[k])
			}
		}
		in = c.Latent
		for j, l := range append(slices.Clone(hidden), models.Layer{Units: c.Inputs}) {
			dense(fmt.Sprintf("decoder.%d", j), in, l.Units, dt)
			in = l.Units
		}
	default:
		return nil, fmt.Errorf("no config")
	}
	return out, nil
}

// storedDType is the safetensors dtype of a config's dtype.
func storedDType(dt tensor.Dtype) (string, error) {
	switch dt {
	case tensor.Dtype{}, tensor.Float32:
		return "F32", nil
	case tensor.Float64:
		return "F64", nil
	}
	return "", fmt.Errorf("unsupported dtype %v", dt)
}

// LoadModel builds the model saved in the model file at path: an
// *models.MLP, an *models.Autoencoder, an *models.ConvAutoencoder or an
// *models.VAE with the saved weights (a type switch, or LoadMLP,
// LoadAutoencoder and LoadVAE, tell
// which). The architecture is
// checked against the file's tensors, and its size against the memory this
// machine has available, before anything is built. A run directory's
// model.safetensors loads too, copied out of its run: it holds the recipe
// the architecture comes from.
func LoadModel(path string) (models.Network, error) {
	return loadModel(path, memory.Machine())
}

// loadModel is LoadModel with the memory the model may take.
func loadModel(path string, limit memory.Limit) (models.Network, error) {
	info, err := ReadModelInfo(path)
	if err != nil {
		return nil, err
	}
	if err := info.check(); err != nil {
		return nil, fmt.Errorf("runs: load model %s: %w", path, err)
	}
	var size models.Size
	switch {
	case info.MLP != nil:
		size = info.MLP.Size()
	case info.ConvAutoencoder != nil:
		size = info.ConvAutoencoder.Size()
	case info.VAE != nil:
		size = info.VAE.Size()
	default:
		size = info.Autoencoder.Size()
	}
	// A model is answered in batches of the caller's choosing: count one
	// of infer.DefaultBatch.
	if err := (models.Footprint{Size: size, Batch: infer.DefaultBatch}).Check(limit); err != nil {
		return nil, fmt.Errorf("runs: load model %s: %w", path, err)
	}
	// The initial draw is overwritten by the saved weights.
	r := rng.New(0, "init")
	var m models.Network
	switch {
	case info.MLP != nil:
		m, err = models.NewMLP(*info.MLP, r)
	case info.ConvAutoencoder != nil:
		m, err = models.NewConvAutoencoder(*info.ConvAutoencoder, r)
	case info.VAE != nil:
		m, err = models.NewVAE(*info.VAE, r)
	default:
		m, err = models.NewAutoencoder(*info.Autoencoder, r)
	}
	if err != nil {
		return nil, fmt.Errorf("runs: load model %s: %w", path, err)
	}
	if _, err := LoadWeights(path, m.Params()); err != nil {
		return nil, err
	}
	return m, nil
}

// LoadMLP is LoadModel for a file that must hold a classifier.
func LoadMLP(path string) (*models.MLP, error) {
	m, err := LoadModel(path)
	if err != nil {
		return nil, err
	}
	mlp, ok := m.(*models.MLP)
	if !ok {
		return nil, fmt.Errorf("runs: load model %s: it holds an %s, not an mlp", path, m.Family())
	}
	return mlp, nil
}

// LoadAutoencoder is LoadModel for a file that must hold an autoencoder.
func LoadAutoencoder(path string) (*models.Autoencoder, error) {
	m, err := LoadModel(path)
	if err != nil {
		return nil, err
	}
	ae, ok := m.(*models.Autoencoder)
	if !ok {
		return nil, fmt.Errorf("runs: load model %s: it holds an %s, not an autoencoder", path, m.Family())
	}
	return ae, nil
}

// LoadVAE is LoadModel for a file that must hold a variational
// autoencoder.
func LoadVAE(path string) (*models.VAE, error) {
	m, err := LoadModel(path)
	if err != nil {
		return nil, err
	}
	v, ok := m.(*models.VAE)
	if !ok {
		return nil, fmt.Errorf("runs: load model %s: it holds an %s, not a vae", path, m.Family())
	}
	return v, nil
}
