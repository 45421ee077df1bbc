package models

import (
	"bytes"
	"encoding/json"
	"fmt"

	"gorgonia.org/tensor"
)

// The JSON forms of the configs exist so that a model can be saved with its
// architecture (runs.SaveModel writes the config into the weights file's
// metadata) and rebuilt from it. tensor.Dtype itself marshals as
// {"Type":{}} and does not unmarshal, so the dtype is written by name, and
// the field names are lower-case snake like every other file zoo writes.
// Unmarshalling is strict: an unknown field or dtype is an error, not a
// silently different model.

// The dtype names of the JSON forms.
const (
	DTypeFloat32 = "float32"
	DTypeFloat64 = "float64"
)

// DTypeName returns the name of dt in the JSON forms: "float32" or
// "float64"; the zero Dtype (which the configs read as Float32) is "".
func DTypeName(dt tensor.Dtype) (string, error) {
	switch dt {
	case tensor.Dtype{}:
		return "", nil
	case tensor.Float32:
		return DTypeFloat32, nil
	case tensor.Float64:
		return DTypeFloat64, nil
	}
	return "", fmt.Errorf("models: unsupported dtype %v (want float32 or float64)", dt)
}

// ParseDType returns the Dtype named s ("" is the zero Dtype, Float32 to
// the configs).
func ParseDType(s string) (tensor.Dtype, error) {
	switch s {
	case "":
		return tensor.Dtype{}, nil
	case DTypeFloat32:
		return tensor.Float32, nil
	case DTypeFloat64:
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, fmt.Errorf("models: unknown dtype %q (want %s or %s)", s, DTypeFloat32, DTypeFloat64)
}

// mlpConfigJSON is MLPConfig's JSON form.
type mlpConfigJSON struct {
	Inputs  int      `json:"inputs"`
	Hidden  []Layer  `json:"hidden"`
	Classes int      `json:"classes"`
	Init    Init     `json:"init,omitempty"`
	DType   string   `json:"dtype,omitempty"`
	Dropout *Dropout `json:"dropout,omitempty"`
}

// MarshalJSON writes c as {"inputs": 784, "hidden": [{"units": 128,
// "activation": "relu"}], "classes": 10, "init": "he", "dtype": "float32",
// "dropout": {"input": 0.2, "hidden": [0.5]}}; init, dtype and dropout are
// left out when zero.
func (c MLPConfig) MarshalJSON() ([]byte, error) {
	dt, err := DTypeName(c.DType)
	if err != nil {
		return nil, err
	}
	j := mlpConfigJSON{Inputs: c.Inputs, Hidden: c.Hidden, Classes: c.Classes, Init: c.Init, DType: dt}
	if c.Dropout.Input != 0 || c.Dropout.Hidden != nil {
		d := c.Dropout
		j.Dropout = &d
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads MarshalJSON's form, refusing unknown fields and
// dtypes. It does not check the values: NewMLP does.
func (c *MLPConfig) UnmarshalJSON(data []byte) error {
	var j mlpConfigJSON
	if err := strictJSON(data, &j); err != nil {
		return fmt.Errorf("models: mlp config: %w", err)
	}
	dt, err := ParseDType(j.DType)
	if err != nil {
		return err
	}
	*c = MLPConfig{Inputs: j.Inputs, Hidden: j.Hidden, Classes: j.Classes, Init: j.Init, DType: dt}
	if j.Dropout != nil {
		c.Dropout = *j.Dropout
	}
	return nil
}

// autoencoderConfigJSON is AutoencoderConfig's JSON form. Decoder has no
// omitempty: null (mirror the encoder) and [] (no hidden decoder layer)
// are different decoders.
type autoencoderConfigJSON struct {
	Inputs  int        `json:"inputs"`
	Encoder []Layer    `json:"encoder"`
	Decoder []Layer    `json:"decoder"`
	Output  Activation `json:"output,omitempty"`
	Tied    bool       `json:"tied,omitempty"`
	Init    Init       `json:"init,omitempty"`
	DType   string     `json:"dtype,omitempty"`
}

// MarshalJSON writes c as {"inputs": 784, "encoder": [...], "decoder":
// null, "output": "sigmoid", "tied": true, "init": "glorot", "dtype":
// "float32"}; a null decoder mirrors the encoder.
func (c AutoencoderConfig) MarshalJSON() ([]byte, error) {
	dt, err := DTypeName(c.DType)
	if err != nil {
		return nil, err
	}
	return json.Marshal(autoencoderConfigJSON{Inputs: c.Inputs, Encoder: c.Encoder, Decoder: c.Decoder,
		Output: c.Output, Tied: c.Tied, Init: c.Init, DType: dt})
}

// UnmarshalJSON reads MarshalJSON's form, refusing unknown fields and
// dtypes. It does not check the values: NewAutoencoder does.
func (c *AutoencoderConfig) UnmarshalJSON(data []byte) error {
	var j autoencoderConfigJSON
	if err := strictJSON(data, &j); err != nil {
		return fmt.Errorf("models: autoencoder config: %w", err)
	}
	dt, err := ParseDType(j.DType)
	if err != nil {
		return err
	}
	*c = AutoencoderConfig{Inputs: j.Inputs, Encoder: j.Encoder, Decoder: j.Decoder, Output: j.Output, Tied: j.Tied, Init: j.Init, DType: dt}
	return nil
}

// strictJSON decodes data into v, refusing unknown fields and anything
// after the value.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the config")
	}
	return nil
}
