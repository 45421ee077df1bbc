package recipes

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/models"
)

const goodAE = `name: ae
seed: 1
data: {name: mnist}
model:
  type: autoencoder
  encoder:
    - {units: 64, activation: relu}
    - {units: 16, activation: sigmoid}
  tied: true
  output: sigmoid
  corruption: {type: mask, level: 0.25}
  sparsity: {type: kl, weight: 0.1, target: 0.05}
loss: bce
optimizer: {name: adam, lr: 0.001}
batch_size: 50
epochs: 2
quick: {epochs: 1}
`

const goodSDAE = `name: sdae
seed: 1
data: {name: mnist}
model:
  type: sdae
  encoder:
    - {units: 64, activation: sigmoid}
    - {units: 32, activation: relu}
  tied: true
pretrain:
  epochs: 3
  optimizer: {name: adam, lr: 0.001}
  corruption: {type: mask, level: 0.25}
  layers:
    - {corruption: {type: gaussian, level: 0.1}}
    - {epochs: 5, optimizer: {name: sgd, lr: 0.1}}
loss: cross-entropy
optimizer: {name: adam, lr: 0.001}
batch_size: 50
epochs: 2
quick: {epochs: 1, pretrain.epochs: 1}
`

func TestParseAutoencoder(t *testing.T) {
	r, err := Parse("ae.yaml", []byte(goodAE), Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Model
	sp, _ := r.Spec()
	if sp.Model.Family != FamilyAutoencoder || len(sp.Model.Autoencoder.Encoder) != 2 || sp.Model.Autoencoder.Output != models.Sigmoid || len(m.Encoder) != 2 || !m.Tied || m.Output != "sigmoid" || m.Sparsity.Target != 0.05 {
		t.Errorf("parsed %+v", m)
	}
	if c := sp.Model.Corruption; c != (models.Corruption{Type: models.Masking, Level: 0.25}) {
		t.Errorf("corruption %+v", c)
	}
	// The stored recipe parses back to itself.
	text, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if again, err := Parse("again", text, Options{}); err != nil || again.Model.Corruption != m.Corruption || again.Model.Sparsity != m.Sparsity {
		t.Errorf("re-parse of\n%s: %+v, %v", text, again, err)
	}
	if strings.Contains(string(text), "layers") || strings.Contains(string(text), "pretrain") {
		t.Errorf("an autoencoder's stored recipe has keys it does not use:\n%s", text)
	}
}

func TestPretrainPlan(t *testing.T) {
	r, err := Parse("sdae.yaml", []byte(goodSDAE), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	plan := sp.Model.Pretrain
	if len(plan) != 2 {
		t.Fatalf("plan %+v", plan)
	}
	// Layer 0 overrides the corruption, layer 1 the epochs and optimizer.
	if p := plan[0]; p.Epochs != 3 || p.Optimizer.Name != "adam" || p.Corruption != (models.Corruption{Type: models.Gaussian, Level: 0.1}) {
		t.Errorf("layer 0: %+v", p)
	}
	if p := plan[1]; p.Epochs != 5 || p.Optimizer.Name != "sgd" || p.Optimizer.Hyper["lr"] != 0.1 || p.Corruption != (models.Corruption{Type: models.Masking, Level: 0.25}) {
		t.Errorf("layer 1: %+v", p)
	}
	// The fine-tuning takes the regularizers of an mlp with the encoder's
	// layers.
	reg := strings.Replace(goodSDAE, "epochs: 2\n", "epochs: 2\nregularizers:\n  dropout: {hidden: [0.5, 0.3]}\n  activation_l1: {layer: layers.1, lambda: 0.001}\n", 1)
	if _, err := Parse("sdae.yaml", []byte(reg), Options{}); err != nil {
		t.Errorf("sdae with regularizers: %v", err)
	}
	// An autoencoder takes the weight penalties.
	if _, err := Parse("ae.yaml", []byte(strings.Replace(goodAE, "epochs: 2\n", "epochs: 2\nregularizers: {l2: 0.001}\nearly_stopping: {metric: loss, rule: no-improvement, evaluations: 2}\n", 1)), Options{}); err != nil {
		t.Errorf("autoencoder with weight decay: %v", err)
	}
	if sp.Model.PretrainBatchSize != 50 {
		t.Errorf("pretraining batch size %d, want batch_size", sp.Model.PretrainBatchSize)
	}
	q, err := Parse("sdae.yaml", []byte(goodSDAE), Options{Quick: true, Set: []string{"pretrain.layers.1.epochs=2", "pretrain.corruption.level=0.5"}})
	if err != nil {
		t.Fatal(err)
	}
	if qs, _ := q.Spec(); qs.Model.Pretrain[0].Epochs != 1 || qs.Model.Pretrain[1].Epochs != 2 || qs.Model.Pretrain[1].Corruption.Level != 0.5 {
		t.Errorf("quick profile and --set: %+v", qs.Model.Pretrain)
	}
}

// TestAutoencoderErrors checks each mistake in the autoencoder keys names
// the file, the line and the key, and says what was expected.
func TestAutoencoderErrors(t *testing.T) {
	tests := []struct {
		name string
		base string
		edit func(string) string
		set  []string
		want []string
	}{
		{"unknown model type", goodAE, replace("type: autoencoder", "type: autoencodr"), nil,
			[]string{"ae.yaml", "line 5", "model.type", `did you mean "autoencoder"?`}},
		{"no encoder", goodAE, replace("  encoder:\n    - {units: 64, activation: relu}\n    - {units: 16, activation: sigmoid}\n", ""), nil,
			[]string{"ae.yaml", "line 5", "model.encoder: missing", "units: 32"}},
		{"zero-width code", goodAE, replace("units: 16", "units: 0"), nil,
			[]string{"line 8", "model.encoder.1.units", "≥ 1 unit, got 0"}},
		{"unknown encoder activation", goodAE, replace("activation: relu", "activation: rellu"), nil,
			[]string{"line 7", "model.encoder.0.activation", `did you mean "relu"?`}},
		{"layers in an autoencoder", goodAE, replace("  tied: true\n", "  tied: true\n  layers: [{units: 5, activation: relu}]\n"), nil,
			[]string{"line 10", "model.layers", "model.encoder"}},
		{"unknown output", goodAE, replace("output: sigmoid", "output: sigmod"), nil,
			[]string{"line 10", "model.output", "linear, sigmoid", `did you mean "sigmoid"?`}},
		{"no output", goodAE, replace("  output: sigmoid\n", ""), nil,
			[]string{"model.output: missing", "linear, sigmoid"}},
		{"bce with a linear output", goodAE, replace("output: sigmoid", "output: linear"), nil,
			[]string{"line 13", "loss:", "model.output: sigmoid", "use mse"}},
		{"classifier loss", goodAE, replace("loss: bce", "loss: cross-entropy"), nil,
			[]string{"line 13", "loss", "want one of bce, mse"}},
		{"tied with a decoder", goodAE, replace("  tied: true\n", "  tied: true\n  decoder: [{units: 64, activation: relu}]\n"), nil,
			[]string{"line 9", "model.tied", "mirrored decoder"}},
		{"unknown corruption", goodAE, replace("type: mask", "type: masking"), nil,
			[]string{"line 11", "model.corruption.type", `unknown corruption "masking"`, `did you mean "mask"?`}},
		{"corruption level out of range", goodAE, replace("level: 0.25", "level: 1.5"), nil,
			[]string{"line 11", "model.corruption.level", "[0, 1)", "1.5"}},
		{"corruption without a level", goodAE, replace("{type: mask, level: 0.25}", "{type: gaussian}"), nil,
			[]string{"line 11", "model.corruption.level", "missing", "σ for gaussian"}},
		{"corruption without a type", goodAE, replace("{type: mask, level: 0.25}", "{level: 0.25}"), nil,
			[]string{"line 11", "model.corruption.type", "missing", "mask"}},
		{"unknown corruption key", goodAE, replace("{type: mask, level: 0.25}", "{type: mask, levle: 0.25}"), nil,
			[]string{"line 11", `unknown field "levle"`, `did you mean "level"?`}},
		{"unknown sparsity", goodAE, replace("type: kl,", "type: l2,"), nil,
			[]string{"line 12", "model.sparsity.type", "want one of kl, l1"}},
		{"negative sparsity weight", goodAE, replace("weight: 0.1", "weight: -1"), nil,
			[]string{"line 12", "model.sparsity.weight", "> 0", "-1"}},
		{"kl target out of range", goodAE, replace("target: 0.05", "target: 1.5"), nil,
			[]string{"line 12", "model.sparsity.target", "(0, 1)", "1.5"}},
		{"kl on a relu code", goodAE, replace("{units: 16, activation: sigmoid}", "{units: 16, activation: relu}"), nil,
			[]string{"line 8", "model.encoder.1.activation", "needs a sigmoid code"}},
		{"l1 with a target", goodAE, replace("type: kl,", "type: l1,"), nil,
			[]string{"line 12", "model.sparsity.target", "no target"}},
		{"pretrain in an autoencoder", goodAE, replace("epochs: 2\n", "epochs: 2\npretrain: {epochs: 3}\n"), nil,
			[]string{"line 17", "pretrain", "only sdae models are pretrained"}},
		{"encoder in an mlp", goodAE, replace("type: autoencoder", "type: mlp"), nil,
			[]string{"line 7", "model.encoder", "model.layers"}},
		{"dropout in an autoencoder", goodAE, replace("epochs: 2\n", "epochs: 2\nregularizers:\n  l2: 0.0001\n  dropout: {input: 0.2}\n"), nil,
			[]string{"line 19", "regularizers.dropout", "model.corruption"}},
		{"early stopping an autoencoder on its error", goodAE, replace("epochs: 2\n", "epochs: 2\nearly_stopping: {metric: error}\n"), nil,
			[]string{"line 17", "early_stopping.metric", "metric: loss"}},
		{"bad --set corruption", goodAE, nil, []string{"model.corruption.level=-0.5"},
			[]string{"--set model.corruption.level=-0.5", "model.corruption.level", "[0, 1)"}},

		{"sdae without pretrain", goodSDAE, cut("pretrain:", "loss:"), nil,
			[]string{"sdae.yaml", "pretrain: missing", "model.type: mlp"}},
		{"sdae without pretraining epochs", goodSDAE, replace("  epochs: 3\n", ""), nil,
			[]string{"pretrain.epochs: missing"}},
		{"zero pretraining epochs of a layer", goodSDAE, replace("{epochs: 5,", "{epochs: -1,"), nil,
			[]string{"line 16", "pretrain.layers.1.epochs", "must be ≥ 1, got -1"}},
		{"pretraining optimizer typo", goodSDAE, replace("{name: adam, lr: 0.001}\n  corruption", "{name: adma, lr: 0.001}\n  corruption"), nil,
			[]string{"line 12", "pretrain.optimizer.name", `did you mean "adam"?`}},
		{"bad layer optimizer value", goodSDAE, replace("{name: sgd, lr: 0.1}", "{name: sgd, lr: -0.1}"), nil,
			[]string{"line 16", "pretrain.layers.1.optimizer.lr", "-0.1"}},
		{"layer optimizer hyper-parameter of another", goodSDAE, replace("{name: sgd, lr: 0.1}", "{name: sgd, beta1: 0.9}"), nil,
			[]string{"line 16", "pretrain.layers.1.optimizer.beta1", `sgd has no hyper-parameter "beta1"`}},
		{"no optimizer anywhere", goodSDAE, replace("  optimizer: {name: adam, lr: 0.001}\n  corruption", "  corruption"), nil,
			[]string{"pretrain.optimizer: missing", "pretrain.layers.0.optimizer"}},
		{"a pretraining entry per layer", goodSDAE, replace("    - {epochs: 5, optimizer: {name: sgd, lr: 0.1}}\n", ""), nil,
			[]string{"line 15", "pretrain.layers", "1 entry for 2 encoder layers"}},
		{"bad layer corruption", goodSDAE, replace("{type: gaussian, level: 0.1}", "{type: gaussian, level: -0.1}"), nil,
			[]string{"line 15", "pretrain.layers.0.corruption.level", "≥ 0"}},
		{"corruption of the sdae model", goodSDAE, replace("  tied: true\n", "  tied: true\n  corruption: {type: mask, level: 0.1}\n"), nil,
			[]string{"line 10", "model.corruption", "set pretrain.corruption"}},
		{"output of the sdae model", goodSDAE, replace("  tied: true\n", "  tied: true\n  output: sigmoid\n"), nil,
			[]string{"line 10", "model.output", "remove this key"}},
		{"sdae loss", goodSDAE, replace("loss: cross-entropy", "loss: bce"), nil,
			[]string{"line 17", "loss", "cross-entropy"}},
		{"negative pretraining batch", goodSDAE, nil, []string{"pretrain.batch_size=-5"},
			[]string{"--set pretrain.batch_size=-5", "must be ≥ 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.base
			if tt.edit != nil {
				src = tt.edit(src)
			}
			source := "ae.yaml"
			if tt.base == goodSDAE {
				source = "sdae.yaml"
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

func replace(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("test edit: no " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
}

// cut removes the text from the line starting with from up to (not
// including) the line starting with to.
func cut(from, to string) func(string) string {
	return func(s string) string {
		i, j := strings.Index(s, "\n"+from), strings.Index(s, "\n"+to)
		if i < 0 || j < i {
			panic("test edit: no " + from + " … " + to)
		}
		return s[:i] + s[j:]
	}
}

// TestNoPretrainIsTheSameFineTuning keeps the comparison of sdae-mnist with
// sdae-mnist-nopretrain fair: the same network, seed, optimizer, schedule,
// regularizers and budget, in both profiles.
func TestNoPretrainIsTheSameFineTuning(t *testing.T) {
	for _, quick := range []bool{false, true} {
		a, err := Builtin("sdae-mnist", Options{Quick: quick})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Builtin("sdae-mnist-nopretrain", Options{Quick: quick})
		if err != nil {
			t.Fatal(err)
		}
		if a.Model.Type != "sdae" || b.Model.Type != "mlp" {
			t.Fatalf("types %s and %s", a.Model.Type, b.Model.Type)
		}
		same := func(what string, x, y any) {
			if !reflect.DeepEqual(x, y) {
				t.Errorf("quick=%v: %s differ: %v and %v", quick, what, x, y)
			}
		}
		same("layers", a.Model.Encoder, b.Model.Layers)
		same("init", a.Model.Init, b.Model.Init)
		same("seed", a.Seed, b.Seed)
		same("data", a.Data, b.Data)
		same("loss", a.Loss, b.Loss)
		same("optimizer", a.Optimizer, b.Optimizer)
		same("schedule", a.Schedule, b.Schedule)
		same("regularizers", a.Regularizers, b.Regularizers)
		same("early stopping", a.EarlyStopping, b.EarlyStopping)
		same("batch size", a.BatchSize, b.BatchSize)
		same("epochs", a.Epochs, b.Epochs)
	}
}
