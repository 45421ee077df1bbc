package train

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
	"github.com/gorgonia-zoo/zoo/regularizers"
	"gorgonia.org/gorgonia"
)

func newOpt(t *testing.T, name string, lr float64) optimizers.Optimizer {
	t.Helper()
	o, err := optimizers.New(optimizers.Config{Name: name, Hyper: map[string]float64{"lr": lr}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func newAutoencoder(t *testing.T, c models.AutoencoderConfig, opt optimizers.Optimizer, tc AutoencoderConfig) *Autoencoder {
	t.Helper()
	m, err := models.NewAutoencoder(c, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	task, err := NewAutoencoder(m, opt, tc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(task.Close)
	return task
}

// TestDenoisingAutoencoderLearns trains a small denoising autoencoder for
// two epochs on 3,000 digits: the clean validation reconstruction loss must
// fall well below that of the mean image (measured: 0.147 nats per pixel,
// against 0.256 for the mean image and 0.695 before training).
func TestDenoisingAutoencoderLearns(t *testing.T) {
	s := mnist(t).Limit(3000, 500, 0)
	task := newAutoencoder(t, models.AutoencoderConfig{Inputs: 784, Encoder: []models.Layer{{Units: 64, Activation: models.Sigmoid}}, Output: models.Sigmoid, Tied: true},
		newOpt(t, "adam", 0.01), AutoencoderConfig{BatchSize: 20, Loss: losses.ReconstructionBCE, Corruption: models.Corruption{Type: models.Masking, Level: 0.25}, Random: rng.New(1, "noise")})
	before, err := task.Evaluate(s.Validation)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := Run(context.Background(), task, s.Train, s.Validation, Config{Epochs: 2, Shuffle: rng.New(1, "shuffle")})
	if err != nil {
		t.Fatal(err)
	}
	after := recs[len(recs)-1].Val
	if after.HasError || after.N != 500 {
		t.Errorf("metrics %+v: an autoencoder has no error rate", after)
	}
	// Predicting every pixel's training mean, whatever the input, is the
	// bar a code that carries information must clear.
	mean := make([]float64, 784)
	for i, x := range s.Train.X {
		mean[i%784] += float64(x) / float64(s.Train.Len())
	}
	var base float64
	for i, x := range s.Validation.X {
		p := math.Min(math.Max(mean[i%784], 1e-7), 1-1e-7)
		base -= float64(x)*math.Log(p) + (1-float64(x))*math.Log(1-p)
	}
	base /= float64(len(s.Validation.X))
	if testing.Verbose() {
		t.Logf("validation BCE %.4f before training, %.4f after; the mean image gives %.4f", before.Loss, after.Loss, base)
	}
	if after.Loss > 0.8*base {
		t.Errorf("validation reconstruction loss: want < %.4f (0.8 × the mean image's), got %.4f (before training %.4f)", 0.8*base, after.Loss, before.Loss)
	}
	// Evaluation never corrupts: it is deterministic, and Reconstruct
	// agrees with it.
	again, _ := task.Evaluate(s.Validation)
	if again != after {
		t.Errorf("evaluating twice: %+v then %+v", after, again)
	}
	rec, err := task.Reconstruct(s.Validation)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for i, x := range s.Validation.X {
		r := math.Min(math.Max(float64(rec.X[i]), 1e-7), 1-1e-7)
		sum -= float64(x)*math.Log(r) + (1-float64(x))*math.Log(1-r)
	}
	if got := sum / float64(len(s.Validation.X)); math.Abs(got-after.Loss) > 1e-3*after.Loss {
		t.Errorf("BCE of Reconstruct's output %.6f, Evaluate says %.6f", got, after.Loss)
	}
	codes, err := task.Encode(s.Validation)
	if err != nil {
		t.Fatal(err)
	}
	if codes.Dim() != 64 || codes.Len() != 500 || codes.Labels[3] != s.Validation.Labels[3] {
		t.Errorf("codes: %d × %d", codes.Len(), codes.Dim())
	}
	for _, h := range codes.X {
		if !(h >= 0 && h <= 1) { // float32 rounds a saturated unit to 0 or 1
			t.Fatalf("a sigmoid code of %v", h)
		}
	}
}

// TestTiedStepMovesEncoderAndDecoder takes one SGD step on a tied
// autoencoder and on the untied one holding the same values: the tied
// weight moves by the sum of the untied encoder's move and the transposed
// decoder's move, and the decoder keeps using it.
func TestTiedStepMovesEncoderAndDecoder(t *testing.T) {
	s := mnist(t).Limit(20, 0, 0)
	c := models.AutoencoderConfig{Inputs: 784, Encoder: []models.Layer{{Units: 16, Activation: models.Sigmoid}}, Output: models.Sigmoid, Tied: true}
	tied := newAutoencoder(t, c, newOpt(t, "sgd", 1), AutoencoderConfig{BatchSize: 20, Loss: losses.ReconstructionBCE})
	c.Tied = false
	untied := newAutoencoder(t, c, newOpt(t, "sgd", 1), AutoencoderConfig{BatchSize: 20, Loss: losses.ReconstructionBCE})
	tm, um := tied.Model().(*models.Autoencoder), untied.Model().(*models.Autoencoder)
	w := tm.Encoder[0].W.Value.Data().([]float32)
	copy(um.Encoder[0].W.Value.Data().([]float32), w)
	dec := um.Decoder[0].(*models.Dense).W.Value.Data().([]float32)
	for i := range 784 {
		for j := range 16 {
			dec[j*784+i] = w[i*16+j]
		}
	}
	w0, d0 := slices.Clone(w), slices.Clone(dec)
	b := &Batch{X: s.Train.X, N: 20}
	if _, err := tied.Step(b); err != nil {
		t.Fatal(err)
	}
	if _, err := untied.Step(b); err != nil {
		t.Fatal(err)
	}
	if tm.Decoder[0].(*models.TiedDense).W != tm.Encoder[0].W {
		t.Fatal("after a step the decoder no longer holds the encoder's weight")
	}
	ue := um.Encoder[0].W.Value.Data().([]float32)
	moved := 0
	for i := range 784 {
		for j := range 16 {
			k := i*16 + j
			want := float64(ue[k]-w0[k]) + float64(dec[j*784+i]-d0[j*784+i])
			got := float64(w[k] - w0[k])
			if got != 0 {
				moved++
			}
			if math.Abs(got-want) > 1e-6+1e-3*math.Abs(want) {
				t.Fatalf("W[%d,%d] moved by %g; encoder + decoder moves of the untied model %g", i, j, got, want)
			}
		}
	}
	if moved == 0 {
		t.Error("the step did not move the tied weight")
	}
}

// TestSparsityPenalties checks the L1 and KL penalties reach the code and
// make it sparser than without them.
func TestSparsityPenalties(t *testing.T) {
	s := mnist(t).Limit(2000, 500, 0)
	meanCode := func(pen func(m *models.Autoencoder) []Penalty) float64 {
		m, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 784, Encoder: []models.Layer{{Units: 64, Activation: models.Sigmoid}}, Output: models.Sigmoid}, rng.New(1, "init"))
		if err != nil {
			t.Fatal(err)
		}
		task, err := NewAutoencoder(m, newOpt(t, "adam", 0.003), AutoencoderConfig{BatchSize: 50, Loss: losses.ReconstructionBCE, Penalties: pen(m)})
		if err != nil {
			t.Fatal(err)
		}
		defer task.Close()
		if _, err := Run(context.Background(), task, s.Train, nil, Config{Epochs: 2, Shuffle: rng.New(1, "shuffle")}); err != nil {
			t.Fatal(err)
		}
		codes, err := task.Encode(s.Validation)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, h := range codes.X {
			sum += float64(h)
		}
		return sum / float64(len(codes.X))
	}
	plain := meanCode(func(*models.Autoencoder) []Penalty { return nil })
	l1 := meanCode(func(m *models.Autoencoder) []Penalty {
		return []Penalty{OnCode(m, func(h *gorgonia.Node) (*gorgonia.Node, error) { return regularizers.ActivationL1(0.003, h) })}
	})
	kl := meanCode(func(m *models.Autoencoder) []Penalty {
		return []Penalty{OnCode(m, func(h *gorgonia.Node) (*gorgonia.Node, error) { return regularizers.KLSparsity(0.5, 0.05, h) })}
	})
	if testing.Verbose() {
		t.Logf("mean code activation: %.4f plain, %.4f with L1, %.4f with KL (target 0.05)", plain, l1, kl)
	}
	if !(l1 < plain/2) {
		t.Errorf("L1 penalty: mean code %.4f, without it %.4f: want less than half", l1, plain)
	}
	if !(kl < plain/2) || math.Abs(kl-0.05) > 0.05 {
		t.Errorf("KL penalty: mean code %.4f (target 0.05), without it %.4f", kl, plain)
	}
}

func TestAutoencoderConfigErrors(t *testing.T) {
	m, _ := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 10, Encoder: []models.Layer{{Units: 3, Activation: models.ReLU}}, Output: models.Linear}, rng.New(1, "init"))
	for name, c := range map[string]AutoencoderConfig{
		"bce with a linear output": {BatchSize: 5, Loss: losses.ReconstructionBCE},
		"unknown loss":             {BatchSize: 5, Loss: "hinge"},
		"zero batch":               {Loss: losses.ReconstructionMSE},
		"noise without generator":  {BatchSize: 5, Corruption: models.Corruption{Type: models.Masking, Level: 0.2}},
		"bad level":                {BatchSize: 5, Corruption: models.Corruption{Type: models.Masking, Level: 2}, Random: rng.New(1, "x")},
	} {
		if task, err := NewAutoencoder(m, newOpt(t, "sgd", 0.1), c); err == nil {
			task.Close()
			t.Errorf("%s: no error", name)
		}
	}
}

// stackedData returns a small MNIST split for the stacked tests.
func stackedData(t *testing.T) *datasets.Splits { return mnist(t).Limit(2000, 500, 0) }

func stages(t *testing.T, n, epochs int) []Stage {
	var out []Stage
	for k := range n {
		out = append(out, Stage{
			Epochs: epochs, Optimizer: newOpt(t, "adam", 0.003),
			Corruption: models.Corruption{Type: models.Masking, Level: 0.2}, Output: models.Sigmoid, Loss: losses.ReconstructionBCE, Tied: true,
			Init: rng.New(uint64(k), "init"), Shuffle: rng.New(uint64(k), "shuffle"), Noise: rng.New(uint64(k), "noise"),
		})
	}
	return out
}

// TestPretrainFreezesLowerLayers checks greedy pretraining leaves layer 0
// bit-identical while it trains layer 1, and does train layer 1.
func TestPretrainFreezesLowerLayers(t *testing.T) {
	s := stackedData(t)
	st, err := models.NewStacked(models.MLPConfig{Inputs: 784, Hidden: []models.Layer{{Units: 64, Activation: models.Sigmoid}, {Units: 32, Activation: models.Sigmoid}}, Classes: 10}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	enc := st.Encoders()
	initial1 := slices.Concat(enc[1].W.Float64s(), enc[1].B.Float64s())
	var after0 []float64
	recs, err := Pretrain(context.Background(), st, s.Train, s.Validation, PretrainConfig{
		Stages: stages(t, 2, 1), BatchSize: 50,
		Hooks: []Hook{StageEndFunc(func(k int, stage *Autoencoder, train, val *datasets.Set) error {
			if k == 0 {
				after0 = slices.Concat(enc[0].W.Float64s(), enc[0].B.Float64s())
				if train.Dim() != 784 {
					t.Errorf("layer 0 trained on %d features", train.Dim())
				}
			} else if train.Dim() != 64 || val.Dim() != 64 {
				t.Errorf("layer 1 trained on %d features, want layer 0's 64 codes", train.Dim())
			}
			return nil
		})},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Layer != 0 || recs[1].Layer != 1 {
		t.Fatalf("records %+v", recs)
	}
	if !slices.Equal(after0, slices.Concat(enc[0].W.Float64s(), enc[0].B.Float64s())) {
		t.Error("training layer 1 changed layer 0")
	}
	if slices.Equal(initial1, slices.Concat(enc[1].W.Float64s(), enc[1].B.Float64s())) {
		t.Error("layer 1 was not trained")
	}
	if st.MLP.Layers[2].W.Float64s()[0] != mustMLP(t).Layers[2].W.Float64s()[0] {
		t.Error("pretraining touched the output layer")
	}
}

func mustMLP(t *testing.T) *models.MLP {
	m, err := models.NewMLP(models.MLPConfig{Inputs: 784, Hidden: []models.Layer{{Units: 64, Activation: models.Sigmoid}, {Units: 32, Activation: models.Sigmoid}}, Classes: 10}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestTinyStackedRun pretrains a 784-64-32 stack on 2,000 digits and
// fine-tunes it for three epochs: its validation error must beat its
// untrained start by far (measured: 90.2 % → 19.6 %); the classifier
// trained is the stack itself.
func TestTinyStackedRun(t *testing.T) {
	s := stackedData(t)
	st, err := models.NewStacked(models.MLPConfig{Inputs: 784, Hidden: []models.Layer{{Units: 64, Activation: models.Sigmoid}, {Units: 32, Activation: models.Sigmoid}}, Classes: 10}, rng.New(1, "init"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(st.MLP, newOpt(t, "adam", 0.003), ClassifierConfig{BatchSize: 50, EvalBatch: 500})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before, err := c.Evaluate(s.Validation)
	if err != nil {
		t.Fatal(err)
	}
	pre, err := Pretrain(context.Background(), st, s.Train, s.Validation, PretrainConfig{Stages: stages(t, 2, 2), BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	for k := range 2 {
		first, last := pre[2*k].Val.Loss, pre[2*k+1].Val.Loss
		if !(last < first) {
			t.Errorf("layer %d: validation reconstruction loss %v then %v", k, first, last)
		}
	}
	recs, err := Run(context.Background(), c, s.Train, s.Validation, Config{Epochs: 3, Shuffle: rng.New(1, "shuffle")})
	if err != nil {
		t.Fatal(err)
	}
	after := recs[2].Val
	if testing.Verbose() {
		t.Logf("validation error %.4f untrained, %.4f after pretraining and three epochs of fine-tuning", before.Error, after.Error)
	}
	if !(after.Error < 0.35 && after.Error < before.Error/2) {
		t.Errorf("validation error %.4f untrained, %.4f after: want < 0.35", before.Error, after.Error)
	}
}

// BenchmarkDAEStep times one update of a 784→500 tied denoising
// autoencoder (BCE, masking noise) on 100 digits; samples/s is what the
// pretraining of sdae-mnist's first layer runs at.
func BenchmarkDAEStep(b *testing.B) {
	s, err := datasets.MNIST()
	if err != nil {
		b.Fatal(err)
	}
	m, err := models.NewAutoencoder(models.AutoencoderConfig{Inputs: 784, Encoder: []models.Layer{{Units: 500, Activation: models.Sigmoid}}, Output: models.Sigmoid, Tied: true}, rng.New(1, "init"))
	if err != nil {
		b.Fatal(err)
	}
	opt, _ := optimizers.New(optimizers.Config{Name: "adam"})
	task, err := NewAutoencoder(m, opt, AutoencoderConfig{BatchSize: 100, Loss: losses.ReconstructionBCE, Corruption: models.Corruption{Type: models.Masking, Level: 0.25}, Random: rng.New(1, "noise")})
	if err != nil {
		b.Fatal(err)
	}
	defer task.Close()
	batch := &Batch{X: s.Train.X[:100*784], N: 100}
	b.ResetTimer()
	for range b.N {
		if _, err := task.Step(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "samples/s")
}
