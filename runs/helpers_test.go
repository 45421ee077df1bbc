package runs

import (
	"bytes"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/models"
)

// tinyMLP is a 6-hidden-3 network, like mlp(t, seed, hidden) but usable
// from a fuzz target's setup.
func tinyMLP(tb testing.TB, seed uint64, hidden int) *models.MLP {
	tb.Helper()
	c := models.MLPConfig{Inputs: 6, Classes: 3, Hidden: []models.Layer{{Units: hidden, Activation: models.ReLU}}}
	m, err := models.NewMLP(c, rng.New(seed, "init"))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// rewrite decodes a safetensors file, lets edit change its tensors and
// metadata, and encodes it again.
func rewrite(tb testing.TB, data []byte, edit func(f *safetensors.File)) []byte {
	tb.Helper()
	f, err := safetensors.Decode(data, safetensors.Limits{})
	if err != nil {
		tb.Fatal(err)
	}
	edit(f)
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, f.Tensors, f.Metadata); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
