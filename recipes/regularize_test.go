package recipes

import (
	"strings"
	"testing"
)

func TestRegularizationSections(t *testing.T) {
	base := strings.Replace(good, "batch_size: 32", "regularizers:\n  l2: 1e-4\n  dropout: {input: 0.2, hidden: [0.5]}\n  kl_sparsity: {layer: layers.0, beta: 3, rho: 0.05}\n  noise: {method: stochastic, sigma: 0.3, k: 4}\nearly_stopping: {every: 10, patience: 100, increase: 2}\nbatch_size: 32", 1)
	r, err := Parse("t.yaml", []byte(base), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Regularizers.L2 != 1e-4 || r.Regularizers.Dropout.Input != 0.2 || r.EarlyStopping.Patience != 100 {
		t.Errorf("parsed %+v %+v", r.Regularizers, r.EarlyStopping)
	}
	sp, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if s := sp.EarlyStopping.New(); s.Interval() != 10 {
		t.Errorf("stopper %+v", s)
	}
	if sp.EarlyStopping.New() == sp.EarlyStopping.New() {
		t.Errorf("New returns the same stopper twice; each run needs its own")
	}
	tests := []struct {
		name string
		set  string
		want string
	}{
		{"negative l2", "regularizers.l2=-1", "regularizers.l2: must be ≥ 0, got -1"},
		{"dropout of 1", "regularizers.dropout.input=1", "regularizers.dropout.input: must be a probability in [0, 1), got 1"},
		{"dropout list too long", "regularizers.dropout.hidden=[0.5, 0.5]", "2 probabilities for 1 hidden layer"},
		{"unknown layer", "regularizers.kl_sparsity.layer=layers.3", `no hidden layer "layers.3" (known: layers.0)`},
		{"rho out of range", "regularizers.kl_sparsity.rho=1", "regularizers.kl_sparsity.rho: must be in (0, 1), got 1"},
		{"unknown noise method", "regularizers.noise.method=worst", `unknown noise method "worst"`},
		{"adaptive noise", "regularizers.noise.method=adaptive", "regularizers.noise.method: adaptive noise is not available in a recipe"},
		{"unknown rule", "early_stopping.rule=patient", `did you mean "patience"?`},
		{"bad metric", "early_stopping.metric=accuracy", `unknown metric "accuracy"`},
		{"unknown key", "early_stopping.patince=3", `did you mean "patience"?`},
	}
	for _, tt := range tests {
		_, err := Parse("t.yaml", []byte(base), Options{Set: []string{tt.set}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
