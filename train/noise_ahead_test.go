package train

import (
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/losses"
	"github.com/gorgonia-zoo/zoo/models"
)

// TestNoiseAheadMatchesSerial trains the same denoising autoencoder with
// its noise drawn ahead (a *rand.PCG) and drawn at each step on one core
// (the same PCG behind a rand.Rand): losses must agree exactly at every
// step, including after something else draws from the generator between
// steps (as a resumed run's restored state does), which makes the choices
// drawn ahead stale.
func TestNoiseAheadMatchesSerial(t *testing.T) {
	s := mnist(t).Limit(200, 0, 0)
	for _, c := range []models.Corruption{{Type: models.Masking, Level: 0.3}, {Type: models.SaltAndPepper, Level: 0.2}} {
		mc := models.AutoencoderConfig{Inputs: 784, Encoder: []models.Layer{{Units: 32, Activation: models.Sigmoid}}, Output: models.Sigmoid}
		pa, ps := rng.Source(2, "noise"), rng.Source(2, "noise")
		ahead := newAutoencoder(t, mc, newOpt(t, "sgd", 0.1), AutoencoderConfig{BatchSize: 20, Loss: losses.ReconstructionBCE, Corruption: c, Random: pa})
		serial := newAutoencoder(t, mc, newOpt(t, "sgd", 0.1), AutoencoderConfig{BatchSize: 20, Loss: losses.ReconstructionBCE, Corruption: c, Random: rand.New(ps)})
		if ahead.ahead == nil || serial.ahead != nil {
			t.Fatalf("%s: noise drawn ahead for the PCG: %v, for the rand.Rand: %v; want true, false", c, ahead.ahead != nil, serial.ahead != nil)
		}
		for step := range 8 {
			if step == 4 {
				pa.Uint64()
				ps.Uint64()
			}
			b := &Batch{X: s.Train.X[(step%10)*20*784 : (step%10+1)*20*784], N: 20}
			la, err := ahead.Step(b)
			if err != nil {
				t.Fatal(err)
			}
			ls, err := serial.Step(b)
			if err != nil {
				t.Fatal(err)
			}
			if la != ls {
				t.Fatalf("%s, step %d: loss %v with noise drawn ahead, %v drawn at the step", c, step, la, ls)
			}
		}
		if a, b := pa.Uint64(), ps.Uint64(); a != b {
			t.Errorf("%s: the generators end in different states", c)
		}
	}
}
