package models

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"gorgonia.org/tensor"
)

func TestCloneAndCopyParams(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m, err := NewMLP(MLPConfig{Inputs: 5, Hidden: []Layer{{Units: 3, Activation: Tanh}}, Classes: 2, DType: dt}, rng.New(1, "init"))
		if err != nil {
			t.Fatal(err)
		}
		c := m.Clone()
		if !reflect.DeepEqual(c.Config, m.Config) || len(c.Layers) != 2 || c.Layers[0].Act != Tanh {
			t.Fatalf("%v: clone config %+v", dt, c.Config)
		}
		for i, p := range m.Params() {
			q := c.Params()[i]
			if q == p || q.Value == p.Value || q.Name != p.Name || !reflect.DeepEqual(q.Float64s(), p.Float64s()) {
				t.Fatalf("%v: parameter %s not copied", dt, p.Name)
			}
		}
		// Independent: changing the clone leaves the original alone, and
		// CopyParams brings it back.
		want := m.Params()[0].Float64s()
		c.Params()[0].Value.Zero()
		if !reflect.DeepEqual(m.Params()[0].Float64s(), want) {
			t.Fatalf("%v: zeroing the clone changed the original", dt)
		}
		if err := CopyParams(c.Params(), m.Params()); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.Params()[0].Float64s(), want) {
			t.Errorf("%v: CopyParams did not copy", dt)
		}
	}
	a, _ := NewMLP(MLPConfig{Inputs: 5, Classes: 2}, rng.New(1, "init"))
	b, _ := NewMLP(MLPConfig{Inputs: 6, Classes: 2}, rng.New(1, "init"))
	if err := CopyParams(a.Params(), b.Params()); err == nil || !strings.Contains(err.Error(), "layers.0.weight") {
		t.Errorf("mismatched shapes: %v", err)
	}
	if err := CopyParams(a.Params()[:1], b.Params()); err == nil {
		t.Error("mismatched counts accepted")
	}
}
