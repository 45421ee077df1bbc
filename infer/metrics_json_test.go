package infer

import (
	"encoding/json"
	"math"
	"testing"
)

// TestMetricsJSON: the JSON form has no has_error (the presence of the
// error says it), round-trips every Metrics, and still reads the form with
// has_error that checkpoints written before held.
func TestMetricsJSON(t *testing.T) {
	for _, tt := range []struct {
		name string
		m    Metrics
		want string
	}{
		{"classifier", Metrics{Loss: 0.5, Error: 0.25, HasError: true, N: 10}, `{"loss":0.5,"error":0.25,"n":10}`},
		{"perfect classifier", Metrics{Loss: 0.5, HasError: true, N: 10}, `{"loss":0.5,"error":0,"n":10}`},
		{"autoencoder", Metrics{Loss: 0.5, N: 10}, `{"loss":0.5,"n":10}`},
		{"nothing measured", Metrics{}, `{"loss":0,"n":0}`},
	} {
		got, err := json.Marshal(tt.m)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: %s, %v; want %s", tt.name, got, err, tt.want)
		}
		var back Metrics
		if err := json.Unmarshal(got, &back); err != nil || back != tt.m {
			t.Errorf("%s: read back %+v, %v; want %+v", tt.name, back, err, tt.m)
		}
	}
	for _, tt := range []struct {
		old  string
		want Metrics
	}{
		{`{"loss":0.5,"error":0.25,"has_error":true,"n":10}`, Metrics{Loss: 0.5, Error: 0.25, HasError: true, N: 10}},
		{`{"loss":0.5,"has_error":true,"n":10}`, Metrics{Loss: 0.5, HasError: true, N: 10}},
		{`{"loss":0.5,"n":10}`, Metrics{Loss: 0.5, N: 10}},
	} {
		var m Metrics
		if err := json.Unmarshal([]byte(tt.old), &m); err != nil || m != tt.want {
			t.Errorf("%s: %+v, %v; want %+v", tt.old, m, err, tt.want)
		}
	}
	var m Metrics
	if err := json.Unmarshal([]byte(`{"loss":"x"}`), &m); err == nil {
		t.Error(`{"loss":"x"} was read`)
	}
	if _, err := json.Marshal(Metrics{Loss: math.NaN()}); err == nil {
		t.Error("NaN loss marshalled")
	}
}
