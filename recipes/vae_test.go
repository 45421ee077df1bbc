package recipes

import (
	"errors"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/models"
)

const goodVAE = `name: vae
seed: 1
data: {name: mnist}
model:
  type: vae
  encoder:
    - {units: 64, activation: relu}
  latent: 4
loss: elbo
optimizer: {name: adam, lr: 0.001}
batch_size: 50
epochs: 2
`

const goodCAE = `name: cae
seed: 1
data: {name: mnist}
model:
  type: autoencoder
  encoder:
    - {units: 32, activation: sigmoid}
  tied: true
  output: sigmoid
  contractive: 0.01
loss: bce
optimizer: {name: adam, lr: 0.001}
batch_size: 50
epochs: 2
`

func TestParseVAE(t *testing.T) {
	r, err := Parse("vae.yaml", []byte(goodVAE), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := r.Spec()
	c := sp.Model.VAEFor(784)
	want := models.VAEConfig{Inputs: 784, Encoder: []models.Layer{{Units: 64, Activation: models.ReLU}}, Latent: 4}
	if sp.Model.Family != FamilyVAE || c.Inputs != want.Inputs || c.Latent != want.Latent || len(c.Encoder) != 1 || c.Encoder[0] != want.Encoder[0] || c.Decoder != nil {
		t.Errorf("vae config %+v, want %+v", c, want)
	}
	if sp.Loss != "" || sp.Reconstruction != "" {
		t.Errorf("a vae's spec has loss %q and reconstruction %q; its objective is the ELBO", sp.Loss, sp.Reconstruction)
	}
	text, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := Parse("again", text, Options{}); err != nil || again.Model.Latent != 4 {
		t.Errorf("re-parse of\n%s: %v", text, err)
	}
	// An explicit decoder.
	r, err = Parse("vae.yaml", []byte(strings.Replace(goodVAE, "  latent: 4\n", "  latent: 4\n  decoder: [{units: 32, activation: tanh}]\n", 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, _ = r.Spec()
	if d := sp.Model.VAE.Decoder; len(d) != 1 || d[0] != (models.Layer{Units: 32, Activation: models.Tanh}) {
		t.Errorf("decoder %+v", d)
	}
}

func TestParseContractive(t *testing.T) {
	r, err := Parse("cae.yaml", []byte(goodCAE), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, _ := r.Spec()
	if sp.Model.Family != FamilyAutoencoder || sp.Model.Contractive != 0.01 {
		t.Errorf("contractive λ %v in a %s", sp.Model.Contractive, sp.Model.Family)
	}
	r, err = Parse("ae.yaml", []byte(goodAE), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sp, _ := r.Spec(); sp.Model.Contractive != 0 {
		t.Errorf("an autoencoder without the key has λ %v", sp.Model.Contractive)
	}
}

func TestVAEAndContractiveErrors(t *testing.T) {
	tests := []struct {
		name string
		base string
		edit func(string) string
		set  []string
		want []string
	}{
		{"no latent", goodVAE, replace("  latent: 4\n", ""), nil,
			[]string{"vae.yaml", "model.latent: missing", "e.g. 20"}},
		{"negative latent", goodVAE, replace("latent: 4", "latent: -2"), nil,
			[]string{"line 8", "model.latent", "≥ 1, got -2"}},
		{"no encoder", goodVAE, replace("  encoder:\n    - {units: 64, activation: relu}\n", ""), nil,
			[]string{"model.encoder: missing", "hidden layers"}},
		{"bad decoder layer", goodVAE, replace("  latent: 4\n", "  latent: 4\n  decoder: [{units: 0, activation: relu}]\n"), nil,
			[]string{"line 9", "model.decoder.0.units", "≥ 1 unit"}},
		{"another loss", goodVAE, replace("loss: elbo", "loss: bce"), nil,
			[]string{"line 9", "loss", "negative ELBO", "loss: elbo"}},
		{"no loss", goodVAE, replace("loss: elbo\n", ""), nil,
			[]string{"loss: missing", "elbo"}},
		{"an output", goodVAE, replace("  latent: 4\n", "  latent: 4\n  output: sigmoid\n"), nil,
			[]string{"line 9", "model.output", "Bernoulli"}},
		{"tied", goodVAE, replace("  latent: 4\n", "  latent: 4\n  tied: true\n"), nil,
			[]string{"line 9", "model.tied", "own weights"}},
		{"corruption", goodVAE, replace("  latent: 4\n", "  latent: 4\n  corruption: {type: mask, level: 0.1}\n"), nil,
			[]string{"line 9", "model.corruption", "not denoising"}},
		{"contractive", goodVAE, replace("  latent: 4\n", "  latent: 4\n  contractive: 0.1\n"), nil,
			[]string{"line 9", "model.contractive", "model.type: autoencoder"}},
		{"layers", goodVAE, replace("  latent: 4\n", "  latent: 4\n  layers: [{units: 5, activation: relu}]\n"), nil,
			[]string{"line 9", "model.layers", "model.encoder"}},
		{"dropout", goodVAE, replace("epochs: 2\n", "epochs: 2\nregularizers: {dropout: {input: 0.2}}\n"), nil,
			[]string{"line 13", "regularizers.dropout", "l1 and l2"}},
		{"early stopping on the error", goodVAE, replace("epochs: 2\n", "epochs: 2\nearly_stopping: {metric: error}\n"), nil,
			[]string{"line 13", "early_stopping.metric", "metric: loss"}},
		{"latent in an mlp", goodVAE, replace("type: vae", "type: mlp"), nil,
			[]string{"model.latent", "only vae models"}},

		{"contractive on a relu encoder", goodCAE, replace("activation: sigmoid", "activation: relu"), nil,
			[]string{"line 7", "model.encoder.0.activation", "sigmoid encoder, got relu"}},
		{"contractive on a deep encoder", goodCAE, replace("    - {units: 32, activation: sigmoid}\n", "    - {units: 32, activation: sigmoid}\n    - {units: 8, activation: sigmoid}\n"), nil,
			[]string{"model.encoder", "one-layer sigmoid encoder; this one has 2 layers"}},
		{"negative contractive λ", goodCAE, replace("contractive: 0.01", "contractive: -0.01"), nil,
			[]string{"line 10", "model.contractive", "> 0, got -0.01"}},
		{"contractive in an sdae", goodCAE, nil, []string{"model.type=sdae"},
			[]string{"model.contractive", "only autoencoder models"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.base
			if tt.edit != nil {
				src = tt.edit(src)
			}
			source := "vae.yaml"
			if tt.base == goodCAE {
				source = "cae.yaml"
			}
			_, err := Parse(source, []byte(src), Options{Set: tt.set})
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
