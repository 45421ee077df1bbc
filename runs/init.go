package runs

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
)

// InitRecord says where a run's initial weights came from, tensor by
// tensor: summary.json's init, when the run started from given weights
// rather than from its seed alone.
type InitRecord struct {
	// From is the weights file read (a run directory's model.safetensors
	// when a directory was given), as an absolute path.
	From string `json:"from"`
	// Partial is set when tensors that do not match were allowed to come
	// from the seed.
	Partial bool `json:"partial,omitempty"`
	// Tensors are the model's parameters, in order.
	Tensors []InitTensor `json:"tensors"`
	// Unused are the file's tensors no parameter took (partial only).
	Unused []string `json:"unused,omitempty"`
}

// InitTensor is where one parameter's initial values came from.
type InitTensor struct {
	// Name is the model's parameter.
	Name string `json:"name"`
	// From is the file's tensor it was copied from; empty when it kept the
	// values drawn from the seed.
	From string `json:"from,omitempty"`
	// Why says why a parameter kept the seed's values (partial only).
	Why string `json:"why,omitempty"`
}

// Copied counts the parameters that came from the file.
func (r *InitRecord) Copied() int {
	n := 0
	for _, t := range r.Tensors {
		if t.From != "" {
			n++
		}
	}
	return n
}

// InitFile returns the weights file that from names: from itself, or the
// model.safetensors of the finished run directory from.
func InitFile(from string) (string, error) {
	fi, err := os.Stat(from)
	if err != nil {
		return "", fmt.Errorf("runs: init: %w", err)
	}
	if !fi.IsDir() {
		return from, nil
	}
	path := filepath.Join(from, WeightsFile)
	if _, err := os.Stat(path); err != nil {
		if _, cerr := os.Stat(filepath.Join(from, CheckpointFile)); cerr == nil {
			return "", fmt.Errorf("runs: init: the run in %s is unfinished (no %s yet); finish it with zoo train --resume %s, or start from another run", from, WeightsFile, from)
		}
		return "", fmt.Errorf("runs: init: %s is a directory without %s: give a finished run directory or a .safetensors file", from, WeightsFile)
	}
	return path, nil
}

// encoderLayer matches the tensor names a partial start may map onto each
// other: an autoencoder's encoder.K.* and a classifier's layers.K.* (an
// sdae's pretrained encoders are its classifier's hidden layers).
var encoderLayer = regexp.MustCompile(`^(encoder|layers)\.([0-9]+)\.(weight|bias)$`)

// alias is the name of the same layer in the other family, or "".
func alias(name string) string {
	m := encoderLayer.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	other := "layers"
	if m[1] == "layers" {
		other = "encoder"
	}
	return other + "." + m[2] + "." + m[3]
}

// InitWeights sets params from the weights file or finished run directory
// from. Without partial, the file must hold exactly the parameters: the
// same names, dtypes and shapes, none missing and none extra, and the error
// names the first tensor that differs and the file. With partial, each
// parameter takes the file's tensor of its name, or else of the same layer
// of the other family (encoder.K.weight for layers.K.weight and the other
// way round), when its dtype and shape match, and keeps its values
// otherwise; at least one must match. Everything is checked before any
// parameter changes. The record says where each parameter's values came
// from.
func InitWeights(from string, params []*models.Param, partial bool) (*InitRecord, error) {
	return initWeights(from, params, partial, memory.Machine())
}

// initWeights is InitWeights with the memory reading the file may take:
// the file is read whole, and each tensor taken is copied once more as
// values, so a file twice its size beyond limit is refused before it is
// read.
func initWeights(from string, params []*models.Param, partial bool, limit memory.Limit) (*InitRecord, error) {
	path, err := InitFile(from)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil {
		if err := limit.Check(2*float64(fi.Size()), "reading the weights", fmt.Sprintf("a file of %s and the values it holds", memory.Bytes(float64(fi.Size())))); err != nil {
			return nil, fmt.Errorf("runs: init from %s: %w", path, err)
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("runs: init: %w", err)
	}
	f, err := safetensors.ReadFile(path, safetensors.Limits{})
	if err != nil {
		return nil, fmt.Errorf("runs: init: %w", err)
	}
	fail := func(format string, args ...any) (*InitRecord, error) {
		return nil, fmt.Errorf("runs: init from %s: %s", path, fmt.Sprintf(format, args...))
	}
	const hint = "; to take only the tensors that match and draw the others from the seed, set init.partial: true (--init-partial)"
	rec := &InitRecord{From: abs, Partial: partial}
	used := map[string]bool{}
	copies := make([]func(), 0, len(params))
	for _, p := range params {
		want, dt := storedShape(p), "F32"
		if _, ok := p.Value.Data().([]float64); ok {
			dt = "F64"
		}
		names := []string{p.Name}
		if a := alias(p.Name); a != "" && partial {
			names = append(names, a)
		}
		var why []string
		var from *safetensors.Tensor
		for _, n := range names {
			t, ok := f.Get(n)
			switch {
			case !ok:
				continue
			case used[n]:
				why = append(why, fmt.Sprintf("%s is taken", n))
			case t.DType != dt || !slices.Equal(t.Shape, want):
				why = append(why, fmt.Sprintf("the file's %s is %s %v, the model wants %s %v", n, t.DType, t.Shape, dt, want))
			default:
				from = &t
			}
			if from != nil {
				break
			}
		}
		if from == nil {
			if !partial {
				if len(why) > 0 {
					return fail("tensor %q is %s", p.Name, strings.TrimPrefix(why[0], "the file's "+p.Name+" is ")+hint)
				}
				return fail("no tensor %q (the model's parameters are %s; the file holds %s)%s", p.Name, paramNames(params), tensorNames(f), hint)
			}
			if len(why) == 0 {
				why = []string{"not in the file"}
			}
			rec.Tensors = append(rec.Tensors, InitTensor{Name: p.Name, Why: strings.Join(why, "; ")})
			continue
		}
		used[from.Name] = true
		rec.Tensors = append(rec.Tensors, InitTensor{Name: p.Name, From: from.Name})
		var c func()
		switch d := p.Value.Data().(type) {
		case []float32:
			v, err := from.Float32s()
			if err == nil {
				err = nonFiniteWeights(from.Name, v)
			}
			if err != nil {
				return fail("%v", err)
			}
			c = func() { copy(d, v) }
		case []float64:
			v, err := from.Float64s()
			if err == nil {
				err = nonFiniteWeights(from.Name, v)
			}
			if err != nil {
				return fail("%v", err)
			}
			c = func() { copy(d, v) }
		default:
			return fail("parameter %s has unsupported dtype %v", p.Name, p.Value.Dtype())
		}
		copies = append(copies, c)
	}
	for _, t := range f.Tensors {
		if used[t.Name] {
			continue
		}
		if !partial {
			return fail("tensor %q is not a parameter of the model (the model's parameters are %s)%s", t.Name, paramNames(params), hint)
		}
		rec.Unused = append(rec.Unused, t.Name)
	}
	if len(copies) == 0 {
		return fail("no tensor matches a parameter of the model by name and shape (the model's parameters are %s; the file holds %s)", paramNames(params), tensorNames(f))
	}
	for _, c := range copies {
		c()
	}
	return rec, nil
}

func paramNames(ps []*models.Param) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func tensorNames(f *safetensors.File) string {
	names := make([]string, len(f.Tensors))
	for i, t := range f.Tensors {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// finite reports whether x is neither NaN nor infinite: a NaN weight
// makes the first loss NaN, which training reports as a divergence and
// blames on the learning rate.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
