package models

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestConfigJSONRoundTrip: every field of both configs survives a JSON
// round trip, and the form has the documented snake-case names.
func TestConfigJSONRoundTrip(t *testing.T) {
	mlps := []MLPConfig{
		{},
		{Inputs: 784, Classes: 10},
		{Inputs: 6, Classes: 3, Init: He, DType: tensor.Float64,
			Hidden:  []Layer{{Units: 5, Activation: ReLU}, {Units: 4, Activation: Tanh}},
			Dropout: Dropout{Input: 0.2, Hidden: []float64{0.5, 0.25}}},
		{Inputs: 2, Classes: 2, DType: tensor.Float32, Hidden: []Layer{{Units: 3, Activation: Sigmoid}}, Dropout: Dropout{Hidden: []float64{0.5}}},
	}
	for _, c := range mlps {
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		var back MLPConfig
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("mlp config %+v\nwent through %s\nand came back %+v", c, data, back)
		}
	}
	aes := []AutoencoderConfig{
		{},
		{Inputs: 784, Encoder: []Layer{{Units: 64, Activation: ReLU}}, Output: Sigmoid, Tied: true, Init: Glorot, DType: tensor.Float32},
		{Inputs: 10, Encoder: []Layer{{Units: 8, Activation: ReLU}, {Units: 4, Activation: Linear}},
			Decoder: []Layer{{Units: 6, Activation: Tanh}}, Output: Linear, DType: tensor.Float64, Init: He},
		// An empty, non-nil decoder (no hidden decoder layer) differs from
		// nil (mirror the encoder).
		{Inputs: 10, Encoder: []Layer{{Units: 8, Activation: ReLU}, {Units: 4, Activation: ReLU}}, Decoder: []Layer{}},
	}
	for _, c := range aes {
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		var back AutoencoderConfig
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("autoencoder config %+v\nwent through %s\nand came back %+v", c, data, back)
		}
	}
	data, _ := json.Marshal(mlps[2])
	want := `{"inputs":6,"hidden":[{"units":5,"activation":"relu"},{"units":4,"activation":"tanh"}],"classes":3,"init":"he","dtype":"float64","dropout":{"input":0.2,"hidden":[0.5,0.25]}}`
	if string(data) != want {
		t.Errorf("mlp config JSON\n%s\nwant\n%s", data, want)
	}
	data, _ = json.Marshal(aes[1])
	want = `{"inputs":784,"encoder":[{"units":64,"activation":"relu"}],"decoder":null,"output":"sigmoid","tied":true,"init":"glorot","dtype":"float32"}`
	if string(data) != want {
		t.Errorf("autoencoder config JSON\n%s\nwant\n%s", data, want)
	}
	data, _ = json.Marshal(Corruption{Type: Masking, Level: 0.25})
	if string(data) != `{"type":"mask","level":0.25}` {
		t.Errorf("corruption JSON %s", data)
	}
}

func TestConfigJSONErrors(t *testing.T) {
	tests := []struct {
		name, json string
		into       any
		want       string
	}{
		{"mlp unknown dtype", `{"inputs":2,"classes":2,"dtype":"float16"}`, &MLPConfig{}, `unknown dtype "float16" (want float32 or float64)`},
		{"autoencoder unknown dtype", `{"inputs":2,"encoder":[],"dtype":"int8"}`, &AutoencoderConfig{}, `unknown dtype "int8"`},
		{"gorgonia's dtype form", `{"inputs":2,"classes":2,"dtype":{"Type":{}}}`, &MLPConfig{}, "cannot unmarshal object"},
		{"unknown field", `{"inputs":2,"classes":2,"layers":[]}`, &MLPConfig{}, `unknown field "layers"`},
		{"unknown nested field", `{"inputs":2,"classes":2,"dropout":{"inptu":0.1}}`, &MLPConfig{}, `unknown field "inptu"`},
		{"autoencoder unknown field", `{"inputs":2,"encoder":[],"corruption":{}}`, &AutoencoderConfig{}, `unknown field "corruption"`},
		{"wrong type", `{"inputs":"784"}`, &MLPConfig{}, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		err := json.Unmarshal([]byte(tt.json), tt.into)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	if _, err := json.Marshal(MLPConfig{DType: tensor.Int}); err == nil || !strings.Contains(err.Error(), "unsupported dtype int") {
		t.Errorf("marshal an int model: %v", err)
	}
}
