package runs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
)

// SaveWeights writes params to path in the safetensors format, atomically
// (a crash mid-write leaves any previous file intact).
//
// Tensor names are the parameters' names (layers.0.weight, layers.0.bias, …,
// counted from the input). A weight has shape [in, out], row-major, so a
// layer computes y = act(x·W + b) for a row vector x; a bias has shape
// [out]. Dtypes are F32 or F64 as trained. metadata goes into the header's
// __metadata__.
func SaveWeights(path string, params []*models.Param, metadata map[string]string) error {
	ts := make([]safetensors.Tensor, len(params))
	for i, p := range params {
		shape := storedShape(p)
		switch d := p.Value.Data().(type) {
		case []float32:
			ts[i] = safetensors.F32(p.Name, shape, d)
		case []float64:
			ts[i] = safetensors.F64(p.Name, shape, d)
		default:
			return fmt.Errorf("runs: save %s: parameter %s has unsupported dtype %v", path, p.Name, p.Value.Dtype())
		}
	}
	if err := safetensors.WriteFile(path, ts, metadata); err != nil {
		return fmt.Errorf("runs: save weights: %w", err)
	}
	return nil
}

// LoadWeights reads path into params, which must match it exactly: the same
// names, dtypes and shapes, no tensor missing and none extra, and every
// value finite (see nonFinite). Everything is
// checked before any parameter changes, so a failed load leaves the model as
// it was.
func LoadWeights(path string, params []*models.Param) (map[string]string, error) {
	f, err := safetensors.ReadFile(path, safetensors.Limits{})
	if err != nil {
		return nil, fmt.Errorf("runs: load weights: %w", err)
	}
	if len(f.Tensors) != len(params) {
		return nil, fmt.Errorf("runs: load weights %s: it holds %s, the model has %s: is it a model of another architecture?", path, plural.Count(len(f.Tensors), "tensor"), plural.Count(len(params), "parameter"))
	}
	copies := make([]func(), len(params))
	for i, p := range params {
		t, ok := f.Get(p.Name)
		if !ok {
			return nil, fmt.Errorf("runs: load weights %s: no tensor %q: is it a model of another architecture?", path, p.Name)
		}
		if want := storedShape(p); !slices.Equal(t.Shape, want) {
			return nil, fmt.Errorf("runs: load weights %s: tensor %q has shape %v, the model wants %v", path, p.Name, t.Shape, want)
		}
		switch d := p.Value.Data().(type) {
		case []float32:
			v, err := t.Float32s()
			if err == nil {
				err = nonFiniteWeights(p.Name, v)
			}
			if err != nil {
				return nil, fmt.Errorf("runs: load weights %s: %w", path, err)
			}
			copies[i] = func() { copy(d, v) }
		case []float64:
			if t.DType != "F64" {
				return nil, fmt.Errorf("runs: load weights %s: tensor %q is %s, the model wants F64", path, p.Name, t.DType)
			}
			v, err := t.Float64s()
			if err == nil {
				err = nonFiniteWeights(p.Name, v)
			}
			if err != nil {
				return nil, fmt.Errorf("runs: load weights %s: %w", path, err)
			}
			copies[i] = func() { copy(d, v) }
		default:
			return nil, fmt.Errorf("runs: load weights %s: parameter %s has unsupported dtype %v", path, p.Name, p.Value.Dtype())
		}
	}
	for _, c := range copies {
		c()
	}
	return f.Metadata, nil
}

// storedShape drops the leading 1 of a [1, out] bias.
func storedShape(p *models.Param) []int {
	s := []int(p.Value.Shape())
	if len(s) == 2 && s[0] == 1 && strings.HasSuffix(p.Name, ".bias") {
		return []int{s[1]}
	}
	return slices.Clone(s)
}
