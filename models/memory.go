package models

import (
	"fmt"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"gorgonia.org/tensor"
)

// Size is a model's size as its config claims it, computed before anything
// is built: a config read from a file can ask for more than the machine
// holds, and allocating that ends the process (Go's out-of-memory is fatal)
// instead of returning an error. Counts are float64 so that no claim wraps.
type Size struct {
	// Params is the number of learnable values.
	Params float64
	// Widths is the number of values one example passes through the
	// network: its inputs and every layer's output.
	Widths float64
	// Elem is the bytes per value: 4 for float32, 8 for float64.
	Elem int
}

// elemSize is the bytes per value of dt (the zero value is float32).
func elemSize(dt tensor.Dtype) int {
	if dt == tensor.Float64 {
		return 8
	}
	return 4
}

// positive is n as a float64, or 0 for a size NewDense refuses anyway.
func positive(n int) float64 { return max(float64(n), 0) }

// dense adds a Dense layer of in×out weights and out biases.
func (s *Size) dense(in, out int) {
	s.Params += positive(in)*positive(out) + positive(out)
	s.Widths += positive(out)
}

// Size is the size of the MLP c describes.
func (c MLPConfig) Size() Size {
	s := Size{Elem: elemSize(c.DType), Widths: positive(c.Inputs)}
	in := c.Inputs
	for _, l := range c.Hidden {
		s.dense(in, l.Units)
		in = l.Units
	}
	s.dense(in, c.Classes)
	return s
}

// Size is the size of the autoencoder c describes (see NewAutoencoderOn
// for its decoder).
func (c AutoencoderConfig) Size() Size {
	s := Size{Elem: elemSize(c.DType), Widths: positive(c.Inputs)}
	in := c.Inputs
	for _, l := range c.Encoder {
		s.dense(in, l.Units)
		in = l.Units
	}
	L := len(c.Encoder)
	if c.Tied {
		// Biases only: the weights are the encoder's, transposed.
		for j := range L {
			w := c.Inputs
			if j < L-1 {
				w = c.Encoder[L-2-j].Units
			}
			s.Params += positive(w)
			s.Widths += positive(w)
		}
		return s
	}
	hidden := c.Decoder
	if hidden == nil {
		for k := L - 2; k >= 0; k-- {
			hidden = append(hidden, c.Encoder[k])
		}
	}
	for _, l := range hidden {
		s.dense(in, l.Units)
		in = l.Units
	}
	s.dense(in, c.Inputs)
	return s
}

// activationCopies is how many values of a batch's width a compiled graph
// holds per layer: the product, the activation, and the gradients of both
// when it trains (an estimate from Gorgonia's tape machine, on the low side
// so that no model that fits is refused).
const activationCopies = 4

// Footprint is the memory a model takes when built and compiled: its
// parameters, and when it trains their gradients and its optimizer's
// buffers (float64, whatever the model's dtype), and the activations of a
// batch.
type Footprint struct {
	Size
	// Batch is the examples per compiled batch.
	Batch int
	// Training adds a gradient per parameter.
	Training bool
	// Optimizer names the optimizer whose Slots buffers per parameter are
	// counted ("" for none).
	Optimizer string
	Slots     int
}

// Bytes is the estimate, in bytes (+Inf rather than wrapping).
func (f Footprint) Bytes() float64 {
	elem := float64(f.Elem)
	copies := 1.0
	if f.Training {
		copies++
	}
	return f.Params*elem*copies + f.Params*8*float64(max(f.Slots, 0)) +
		positive(f.Batch)*f.Widths*elem*activationCopies
}

// String says what the estimate is made of: "3.7 G parameters of float32,
// with gradients and adam's 2 slots; batches of 100 examples of 1.0 M
// values".
func (f Footprint) String() string {
	dt := "float32"
	if f.Elem == 8 {
		dt = "float64"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s parameters of %s", memory.Count(f.Params), dt)
	switch {
	case f.Training && f.Slots > 0:
		slots := "slots"
		if f.Slots == 1 {
			slots = "slot"
		}
		fmt.Fprintf(&b, ", with gradients and %s's %d %s", f.Optimizer, f.Slots, slots)
	case f.Training:
		b.WriteString(", with gradients")
	}
	fmt.Fprintf(&b, "; batches of %s through %s values each", plural.Count(f.Batch, "example"), memory.Count(f.Widths))
	return b.String()
}

// Check refuses a footprint that does not fit limit (memory.Machine() for
// the machine's), naming both: "the model needs about 14.9 GiB (…), this
// machine has 22.8 GiB available". The message has no package prefix: the
// caller adds its own and the file the config came from.
func (f Footprint) Check(limit memory.Limit) error {
	return limit.Check(f.Bytes(), "the model", f.String())
}
