package recipes

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/models"
)

const goodConv = `name: conv
seed: 1
data: {name: mnist}
model:
  type: conv-autoencoder
  conv:
    - {filters: 16, kernel: 3, activation: relu, pool: 2}
    - {filters: 8, kernel: 5, activation: tanh}
  output: sigmoid
  corruption: {type: gaussian, level: 0.5}
loss: bce
optimizer: {name: adam, lr: 0.001}
batch_size: 50
epochs: 2
`

func TestParseConvAutoencoder(t *testing.T) {
	r, err := Parse("conv.yaml", []byte(goodConv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	want := models.ConvAutoencoderConfig{Output: models.Sigmoid, Encoder: []models.ConvLayer{
		{Filters: 16, Kernel: 3, Activation: models.ReLU, Pool: 2},
		{Filters: 8, Kernel: 5, Activation: models.Tanh},
	}}
	if sp.Model.Family != FamilyConvAutoencoder || !reflect.DeepEqual(sp.Model.ConvAutoencoder, want) {
		t.Errorf("model %s %+v, want %+v", sp.Model.Family, sp.Model.ConvAutoencoder, want)
	}
	if sp.Reconstruction != "bce" || sp.Model.Corruption != (models.Corruption{Type: models.Gaussian, Level: 0.5}) {
		t.Errorf("loss %q, corruption %v", sp.Reconstruction, sp.Model.Corruption)
	}
	for _, c := range []struct {
		shape []int
		chw   [3]int
	}{{[]int{28, 28}, [3]int{1, 28, 28}}, {[]int{3, 32, 30}, [3]int{3, 32, 30}}} {
		got, err := sp.Model.ConvAutoencoderFor(c.shape)
		if err != nil || [3]int{got.Channels, got.Height, got.Width} != c.chw {
			t.Errorf("for %v: %d×%d×%d, %v; want %v", c.shape, got.Channels, got.Height, got.Width, err, c.chw)
		}
	}
	if _, err := sp.Model.ConvAutoencoderFor([]int{784}); err == nil || !strings.Contains(err.Error(), "pictures") {
		t.Errorf("flat examples: %v", err)
	}
	if !Reconstructs(FamilyConvAutoencoder) || !Reconstructs(FamilyAutoencoder) || Reconstructs(FamilyMLP) || Reconstructs(FamilySDAE) {
		t.Error("Reconstructs")
	}
}

// TestConvAutoencoderErrors checks each mistake in a conv-autoencoder's
// keys names the line and the key, and says what was expected.
func TestConvAutoencoderErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		set  []string
		want []string
	}{
		{"no stages", cut("  conv:", "  output:"), nil, []string{"model.conv: missing", "filters: 16"}},
		{"encoder", replace("  output:", "  encoder: [{units: 5, activation: relu}]\n  output:"), nil, []string{"line 9", "model.encoder", "model.conv"}},
		{"units in a stage", replace("{filters: 16,", "{units: 16, filters: 16,"), nil, []string{"line 7", `unknown field "units"`}},
		{"no filters", replace("filters: 8, ", ""), nil, []string{"line 8", "model.conv.1.filters", "≥ 1 filter, got 0"}},
		{"no kernel", replace("kernel: 5, ", ""), nil, []string{"line 8", "model.conv.1.kernel: missing", "odd"}},
		{"even kernel", replace("kernel: 5", "kernel: 4"), nil, []string{"line 8", "model.conv.1.kernel", "odd", "got 4"}},
		{"negative pool", replace("pool: 2", "pool: -2"), nil, []string{"line 7", "model.conv.0.pool", "got -2"}},
		{"huge filters", replace("filters: 16", "filters: 99999999"), nil, []string{"line 7", "model.conv.0.filters", "too large"}},
		{"no activation", replace(", activation: tanh", ""), nil, []string{"model.conv.1.activation: missing"}},
		{"unknown activation", replace("activation: tanh", "activation: tahn"), nil, []string{"line 8", `did you mean "tanh"?`}},
		{"a decoder", replace("  output:", "  decoder: [{units: 5, activation: relu}]\n  output:"), nil, []string{"line 9", "model.decoder", "mirrors its encoder"}},
		{"tied", replace("  output:", "  tied: true\n  output:"), nil, []string{"line 9", "model.tied", "remove this key"}},
		{"sparsity", replace("  output:", "  sparsity: {type: l1, weight: 0.1}\n  output:"), nil, []string{"line 9", "model.sparsity", "no sparsity"}},
		{"layers", replace("  output:", "  layers: [{units: 5, activation: relu}]\n  output:"), nil, []string{"line 9", "model.layers", "model.conv"}},
		{"bce with a linear output", replace("output: sigmoid", "output: linear"), nil, []string{"line 11", "loss", "use mse"}},
		{"classifier loss", replace("loss: bce", "loss: cross-entropy"), nil, []string{"line 11", "want one of bce, mse"}},
		{"bad corruption level", replace("level: 0.5", "level: -0.5"), nil, []string{"line 10", "model.corruption.level", "≥ 0"}},
		{"dropout", replace("epochs: 2\n", "epochs: 2\nregularizers: {dropout: {input: 0.2}}\n"), nil, []string{"regularizers.dropout", "model.corruption"}},
		{"activation penalty", replace("epochs: 2\n", "epochs: 2\nregularizers: {activation_l1: {layer: code, lambda: 0.1}}\n"), nil,
			[]string{"regularizers.activation_l1", "no activation penalty"}},
		{"pretrain", replace("epochs: 2\n", "epochs: 2\npretrain: {epochs: 3}\n"), nil, []string{"pretrain", "only sdae models"}},
		{"bad --set", nil, []string{"model.conv.0.kernel=2"}, []string{"--set model.conv.0.kernel=2", "odd"}},
		{"stages in an autoencoder", func(string) string {
			return replace("  tied: true\n", "  tied: true\n  conv: [{filters: 3, kernel: 3, activation: relu}]\n")(goodAE)
		}, nil, []string{"model.conv", "only conv-autoencoder models", "model.encoder"}},
		{"stages in an mlp", replace("type: conv-autoencoder", "type: mlp"), nil, []string{"model.conv", "only conv-autoencoder models", "model.layers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := goodConv
			if tt.edit != nil {
				src = tt.edit(src)
			}
			_, err := Parse("conv.yaml", []byte(src), Options{Set: tt.set})
			if err == nil {
				t.Fatalf("no error for\n%s", src)
			}
			var re *Error
			if !errors.As(err, &re) {
				t.Errorf("error %T is not a *recipes.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
