package models

import (
	"fmt"
	"slices"

	"gorgonia.org/tensor"
)

// Clone returns a parameter with the same name and a copy of p's values.
func (p *Param) Clone() *Param {
	return &Param{Name: p.Name, Value: p.Value.Clone().(*tensor.Dense)}
}

// Clone returns a layer with the same activation and copies of d's weight
// and bias, so training the copy leaves d unchanged.
func (d *Dense) Clone() *Dense {
	c := *d
	c.W, c.B = d.W.Clone(), d.B.Clone()
	return &c
}

// Clone returns an MLP with the same configuration and copies of m's
// weights, so the copy can be trained (in another graph, another goroutine)
// without touching m.
func (m *MLP) Clone() *MLP {
	c := *m
	c.Config.Hidden = slices.Clone(m.Config.Hidden)
	c.Layers = make([]*Dense, len(m.Layers))
	for i, l := range m.Layers {
		c.Layers[i] = l.Clone()
	}
	return &c
}

// CopyParams copies the values of src into dst, parameter by parameter, in
// place (so graphs bound to dst see them). Both lists must hold the same
// names, dtypes and shapes in the same order; otherwise nothing is copied.
func CopyParams(dst, src []*Param) error {
	if len(dst) != len(src) {
		return fmt.Errorf("models: copy parameters: %d destinations for %d sources", len(dst), len(src))
	}
	for i := range src {
		d, s := dst[i], src[i]
		if d.Name != s.Name || d.Value.Dtype() != s.Value.Dtype() || !d.Value.Shape().Eq(s.Value.Shape()) {
			return fmt.Errorf("models: copy parameters: %s %v %v into %s %v %v", s.Name, s.Value.Dtype(), s.Value.Shape(), d.Name, d.Value.Dtype(), d.Value.Shape())
		}
	}
	for i := range src {
		switch s := src[i].Value.Data().(type) {
		case []float32:
			copy(dst[i].Value.Data().([]float32), s)
		case []float64:
			copy(dst[i].Value.Data().([]float64), s)
		}
	}
	return nil
}
