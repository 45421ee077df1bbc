package recipes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/gorgonia-zoo/zoo/internal/safeopen"
)

// Recipe is one training recipe. The yaml tags are the file's keys.
type Recipe struct {
	// Name identifies the recipe; for a file without one, its base name.
	Name string `yaml:"name"`
	// Description is one line for `zoo list`.
	Description string `yaml:"description,omitempty"`
	// Seed drives every random choice of the run (init, shuffling, noise).
	Seed uint64 `yaml:"seed"`
	Data Data   `yaml:"data"`
	// Model is the network to build.
	Model Model `yaml:"model"`
	// Loss is the training loss: cross-entropy for classifiers.
	Loss string `yaml:"loss"`
	// Optimizer has a name key and the optimizer's hyper-parameters by name
	// (lr, momentum, beta1, …); unset ones take the optimizer's defaults.
	Optimizer map[string]any `yaml:"optimizer"`
	// Schedule, optional, sets the learning rate of every update: a name
	// key (constant, time-constant, step, exponential, cosine, adaptive),
	// the schedule's parameters by name, and warmup (updates of linear
	// warm-up). Spec holds it checked.
	Schedule map[string]any `yaml:"schedule,omitempty"`
	// Regularizers adds penalties, dropout and input noise (mlp).
	Regularizers Regularizers `yaml:"regularizers,omitempty"`
	// EarlyStopping, if set, stops training by the patience rule and keeps
	// the best model on validation.
	EarlyStopping *EarlyStopping `yaml:"early_stopping,omitempty"`
	// BatchSize is the number of examples per update.
	BatchSize int `yaml:"batch_size"`
	// Epochs is the number of passes over the training set.
	Epochs int `yaml:"epochs"`
	// Pretrain is the greedy layer-wise pretraining of an sdae model.
	Pretrain Pretrain `yaml:"pretrain,omitempty"`
	// Init, if set, starts the run from given weights instead of the
	// seed's draw (see Init).
	Init *Init `yaml:"init,omitempty"`
	// Quick is the reduced profile applied by --quick: key paths (as for
	// --set) and the values they take.
	Quick map[string]any `yaml:"quick,omitempty"`

	// spec is the checked recipe and checked the recipe's text (Marshal)
	// it was made from, so a recipe changed since is checked again (see
	// Spec).
	spec    *Spec
	checked []byte
}

// Data says which data set to train on and how much of it to use.
type Data struct {
	// Name is the data set: mnist, or csv, npy or idx for the user's own
	// files (see datasets.Names).
	Name string `yaml:"name"`
	// Dir, if set, reads the data set's files from this directory instead of
	// the copy built into zoo (mnist).
	Dir string `yaml:"dir,omitempty"`
	// Files names the files of csv, npy and idx data by role: train, test,
	// validation, and for npy and idx train_labels, test_labels,
	// validation_labels. A relative path is relative to the recipe file's
	// directory (to the working directory for a --set value or a recipe
	// not read from a file); the recipe as run records absolute paths.
	Files map[string]string `yaml:"files,omitempty"`
	// Label is the column of a csv file holding the classes.
	Label string `yaml:"label,omitempty"`
	// ValidationSplit, in (0, 1), is the fraction of the training file kept
	// for validation, from its end, when files.validation is not given;
	// without it (0, the key left out) MNIST's rule holds, the last sixth
	// (csv, npy, idx). A recipe that writes 0 without files.validation is
	// refused.
	ValidationSplit float64 `yaml:"validation_split,omitempty"`
	// Train, Validation and Test keep only the first N examples of each split
	// (0 keeps all).
	Train      int `yaml:"train,omitempty"`
	Validation int `yaml:"validation,omitempty"`
	Test       int `yaml:"test,omitempty"`
	// Positive, if set, turns the data set into a two-class task: class 1
	// for the labels listed ("is it a 0?": [0]), class 0 for the others.
	Positive []int `yaml:"positive,omitempty"`
}

// Model describes the network.
type Model struct {
	// Type is the model family: mlp, autoencoder, conv-autoencoder, sdae
	// (a stacked denoising autoencoder classifier; see Pretrain) or vae (a
	// variational autoencoder).
	Type string `yaml:"type"`
	// Layers are the hidden layers, input side first (mlp).
	Layers []Layer `yaml:"layers,omitempty"`
	// Init is the weight initialisation: glorot or he (default: he for relu
	// layers, glorot otherwise).
	Init string `yaml:"init,omitempty"`

	// Encoder lists the encoder layers, input side first; the last is the
	// code (autoencoder), or the stacked encoders that become the hidden
	// layers of the fine-tuned classifier (sdae).
	Encoder []Layer `yaml:"encoder,omitempty"`
	// Decoder lists the decoder's hidden layers, code side first; empty
	// mirrors the encoder (autoencoder).
	Decoder []Layer `yaml:"decoder,omitempty"`
	// Tied makes each decoder layer use its encoder layer's weight,
	// transposed (autoencoder, and the pretraining stages of sdae).
	Tied bool `yaml:"tied,omitempty"`
	// Output is the reconstruction's activation: sigmoid or linear
	// (autoencoder).
	Output string `yaml:"output,omitempty"`
	// Corruption makes an autoencoder denoising (autoencoder).
	Corruption Corruption `yaml:"corruption,omitempty"`
	// Sparsity adds a sparsity penalty on the code (autoencoder).
	Sparsity Sparsity `yaml:"sparsity,omitempty"`
	// Conv lists a conv-autoencoder's encoder stages, input side first;
	// the last one's output is the code, and the decoder mirrors them.
	Conv []ConvLayer `yaml:"conv,omitempty"`
	// Latent is the dimension of the latent code z (vae).
	Latent int `yaml:"latent,omitempty"`
	// Contractive is λ of the contractive penalty λ‖J_f(x)‖²_F on a
	// one-layer sigmoid encoder (autoencoder).
	Contractive float64 `yaml:"contractive,omitempty"`
}

// Layer is one hidden layer.
type Layer struct {
	Units      int    `yaml:"units"`
	Activation string `yaml:"activation"`
}

// ConvLayer is one stage of a conv-autoencoder's encoder: a convolution
// and, optionally, max pooling (see models.ConvLayer).
type ConvLayer struct {
	// Filters is the convolution's output channels.
	Filters int `yaml:"filters"`
	// Kernel is the side of its square filters, odd.
	Kernel     int    `yaml:"kernel"`
	Activation string `yaml:"activation"`
	// Pool is the side of the max pooling after it; 0 for none.
	Pool int `yaml:"pool,omitempty"`
}

// Error is a problem with a recipe, located as precisely as possible.
type Error struct {
	Source string // file path, or "built-in NAME"
	Line   int    // 1-based; 0 when unknown
	Key    string // dotted key path, e.g. optimizer.lr; "" when none
	Set    string // the --set or quick override that gave the value, if any
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "recipe %s", e.Source)
	if e.Line > 0 {
		fmt.Fprintf(&b, ", line %d", e.Line)
	}
	if e.Set != "" {
		fmt.Fprintf(&b, ", %s", e.Set)
	}
	b.WriteString(": ")
	if e.Key != "" {
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// doc is a recipe with the parsed source it came from, to locate errors.
type doc struct {
	source string
	file   *ast.File
	set    map[string]string // key path → the override that set it
}

// Options adjust a recipe as it is read.
type Options struct {
	// Quick applies the recipe's quick profile (before Set).
	Quick bool
	// Set holds "key.path=value" overrides, applied in order, as --set gives
	// them; the value is YAML (0.01, relu, [0, 0.9]).
	Set []string

	// base is the directory relative paths of the recipe's own text are
	// relative to: the recipe file's (Load); "" for the working
	// directory.
	base string
}

// Parse reads a recipe from YAML. source names it in errors (a file path or
// "built-in NAME"). The recipe is adjusted by o, then checked, before it is
// returned.
func Parse(source string, data []byte, o Options) (*Recipe, error) {
	r, d, err := parse(source, data)
	if err != nil {
		return nil, err
	}
	// A --set of the quick profile itself (quick.epochs=1, quick={…})
	// changes the profile, so it goes before the profile is applied:
	// after it, it would change nothing, and say nothing.
	for _, s := range o.Set {
		if setsQuick(s) {
			if err := d.apply(r, s, "--set "+s); err != nil {
				return nil, err
			}
		}
	}
	if o.Quick {
		if err := d.applyQuick(r); err != nil {
			return nil, err
		}
	}
	for _, s := range o.Set {
		if setsQuick(s) {
			continue
		}
		if err := d.apply(r, s, "--set "+s); err != nil {
			return nil, err
		}
	}
	if err := d.resolvePaths(r, o.base); err != nil {
		return nil, err
	}
	sp, err := d.check(r)
	if err != nil {
		return nil, err
	}
	if r.checked, err = r.Marshal(); err != nil {
		return nil, err
	}
	r.spec = sp
	return r, nil
}

// setsQuick reports whether the override s ("key.path=value") sets the
// quick profile or a key of it.
func setsQuick(s string) bool {
	key, _, _ := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	return key == "quick" || strings.HasPrefix(key, "quick.")
}

func parse(source string, data []byte) (*Recipe, *doc, error) {
	d := &doc{source: source, set: map[string]string{}}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, &Error{Source: source, Msg: "the recipe is empty; it needs at least data, model, loss, optimizer, batch_size and epochs"}
	}
	if se := scanShape(data); se != nil {
		return nil, nil, &Error{Source: source, Line: se.line, Msg: se.msg}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, nil, d.yamlError(err)
	}
	d.file = f
	// The decoder reads the first document only: a second would be
	// silently ignored.
	var body ast.Node
	for _, doc := range f.Docs {
		if unwrap(doc) == nil {
			continue
		}
		if body != nil {
			return nil, nil, &Error{Source: source, Line: lineOf(unwrap(doc)), Msg: "a second YAML document (after ---); a recipe is one document"}
		}
		body = unwrap(doc)
	}
	// An alias repeats a whole subtree, so a few lines of nested aliases
	// expand into gigabytes (the "billion laughs"): recipes have none.
	var aliases aliasFinder
	for _, doc := range f.Docs {
		ast.Walk(&aliases, doc)
	}
	if aliases.first != nil {
		e := &Error{Source: source, Msg: "YAML aliases (*name) are not allowed in recipes; write the value out"}
		if tok := aliases.first.GetToken(); tok != nil && tok.Position != nil {
			e.Line = tok.Position.Line
		}
		return nil, nil, e
	}
	if body != nil {
		if _, ok := mappingEntries(body); !ok {
			return nil, nil, &Error{Source: source, Line: lineOf(body), Msg: fmt.Sprintf("the recipe is %s; want a mapping of keys (name, data, model, …) to values", describeNode(body))}
		}
	}
	if te := checkNode(body, reflect.TypeOf(Recipe{}), ""); te != nil {
		return nil, nil, &Error{Source: source, Line: te.line, Key: te.key, Msg: te.msg}
	}
	r := &Recipe{}
	dec := yaml.NewDecoder(bytes.NewReader(data), yaml.Strict(), yaml.DisallowUnknownField())
	if err := dec.Decode(r); err != nil {
		return nil, nil, d.yamlError(err)
	}
	return r, d, nil
}

// aliasFinder is an ast.Visitor finding the first alias node. (ast.Filter's
// visitor panics on the nil nodes ast.Walk visits, e.g. for a tag without
// a value: FuzzParse found the document "!".)
type aliasFinder struct{ first ast.Node }

func (a *aliasFinder) Visit(n ast.Node) ast.Visitor {
	if n == nil || reflect.ValueOf(n).IsNil() || a.first != nil {
		return nil
	}
	if n.Type() == ast.AliasType {
		a.first = n
		return nil
	}
	return a
}

// yamlPosition is go-yaml's [line:column] in a message.
var yamlPosition = regexp.MustCompile(`at \[(\d+):\d+\]`)

// yamlError turns a go-yaml error into an *Error with its line.
func (d *doc) yamlError(err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		// go-yaml places a duplicate key's first "at [14:1]".
		e := &Error{Source: d.source, Msg: yamlPosition.ReplaceAllString(ye.GetMessage(), "on line $1")}
		if tok := ye.GetToken(); tok != nil && tok.Position != nil {
			e.Line = tok.Position.Line
		}
		var te *yaml.TypeError
		if errors.As(err, &te) && te.DstType != nil && te.Token != nil {
			e.Msg = fmt.Sprintf("cannot use %q: want %s", te.Token.Value, kindName(te.DstType))
			if te.StructFieldName != nil {
				if k := yamlKeyOf(*te.StructFieldName); k != "" {
					e.Key = k
				}
			}
		}
		var uf *yaml.UnknownFieldError
		if errors.As(err, &uf) {
			if s := suggest(ye.GetToken().Value, allKeys()); s != "" {
				e.Msg += fmt.Sprintf("; did you mean %q?", s)
			}
		}
		return e
	}
	return &Error{Source: d.source, Msg: err.Error()}
}

// line returns the line of a dotted key path (layers.0.units) in the source,
// or 0 when the key is not in the file.
func (d *doc) line(key string) int {
	if d.file == nil || key == "" {
		return 0
	}
	var b strings.Builder
	b.WriteString("$")
	for _, part := range strings.Split(key, ".") {
		if isIndex(part) {
			fmt.Fprintf(&b, "[%s]", part)
		} else {
			fmt.Fprintf(&b, ".%s", part)
		}
	}
	p, err := yaml.PathString(b.String())
	if err != nil {
		return 0
	}
	n, err := p.FilterFile(d.file)
	if err != nil || n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// errorf returns an *Error about key, located by the file or the override.
func (d *doc) errorf(key, format string, args ...any) error {
	e := &Error{Source: d.source, Key: key, Msg: fmt.Sprintf(format, args...)}
	for k := key; k != ""; k = parent(k) {
		if s, ok := d.set[k]; ok {
			e.Set = s
			return e
		}
	}
	e.Line = d.line(key)
	for k := parent(key); e.Line == 0 && k != ""; k = parent(k) {
		e.Line = d.line(k)
	}
	return e
}

func parent(key string) string {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return ""
	}
	return key[:i]
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// MaxRecipeBytes is the size of the largest recipe file Load reads.
const MaxRecipeBytes = 1 << 20

// Load reads the recipe file at path, adjusted by o, and checks it.
func Load(path string, o Options) (*Recipe, error) {
	f, err := safeopen.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load recipe %s: %w", path, err)
	}
	defer f.Close()
	// Recipes are a few hundred bytes: a bound keeps a wrong path (a
	// device, a data file) from being read whole.
	data, err := io.ReadAll(io.LimitReader(f, MaxRecipeBytes+1))
	if err != nil {
		return nil, fmt.Errorf("load recipe %s: %w", path, err)
	}
	if len(data) > MaxRecipeBytes {
		return nil, fmt.Errorf("load recipe %s: larger than %d bytes; is it a recipe?", path, MaxRecipeBytes)
	}
	if o.base, err = filepath.Abs(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("load recipe %s: %w", path, err)
	}
	r, err := Parse(path, data, o)
	if err != nil {
		return nil, err
	}
	if r.Name == "" {
		r.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return r, nil
}

// Marshal returns the recipe as YAML, as a run directory stores it.
func (r *Recipe) Marshal() ([]byte, error) {
	return yaml.MarshalWithOptions(r, yaml.Indent(2), yaml.IndentSequence(true))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
