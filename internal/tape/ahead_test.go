package tape

import (
	"math/rand/v2"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"gorgonia.org/tensor"
)

// notPCG hides a *rand.PCG behind another type, so that neither the masks
// drawn ahead nor the split drawing apply: every mask is drawn
// sequentially, the reference the other paths must equal.
type notPCG struct{ p *rand.PCG }

func (s notPCG) Uint64() uint64 { return s.p.Uint64() }

// TestMasksAheadMatchSequential trains an MLP with dropout whose masks
// are drawn ahead and one whose masks are drawn one by one: parameters,
// every value read after each run and the generator's final state must be
// bit-identical, also when something else draws from the generator between
// steps (the spares are then dropped) and for batches too large for one
// idle task.
func TestMasksAheadMatchSequential(t *testing.T) {
	const steps = 5
	tests := []struct {
		name    string
		dt      tensor.Dtype
		n       int
		meddle  bool // draw from the generator between steps
		minTake int  // runs that must have taken spares
	}{
		{"float32", tensor.Float32, 16, false, steps - 1},
		{"float64", tensor.Float64, 16, false, steps - 1},
		{"float32 large batch", tensor.Float32, 512, false, steps - 1},
		{"float32 generator moved between steps", tensor.Float32, 16, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := func(ahead bool) (trace, uint64, int) {
				c := models.MLPConfig{Hidden: []models.Layer{{Units: 40, Activation: models.ReLU}, {Units: 30, Activation: models.Sigmoid}}, DType: tt.dt,
					Dropout: models.Dropout{Input: 0.2, Hidden: []float64{0.5, 0.3}}}
				k := classifierTask(t, c, newOpt(t, "momentum", 0.1), tt.n, 7)
				defer k.close()
				p := rng.Source(3, "dropout")
				k.train.RNG = notPCG{p}
				if ahead {
					k.train.RNG = p
				}
				r := rand.New(rand.NewPCG(5, 6))
				data := []batch{randomBatch(r, tt.n, 20, true), randomBatch(r, tt.n, 20, true)}
				var tr trace
				for i := range steps {
					b := data[i%len(data)]
					if _, err := k.step(b.x, b.labels); err != nil {
						t.Fatal(err)
					}
					tr.steps = append(tr.steps, record(k.train))
					if tt.meddle {
						p.Uint64()
					}
				}
				tr.params = snapshot(k.params)
				return tr, p.Uint64(), k.train.ahead.taken
			}
			want, wantNext, _ := run(false)
			got, gotNext, taken := run(true)
			if taken < tt.minTake {
				t.Fatalf("%d of %d runs took masks drawn ahead, want at least %d", taken, steps, tt.minTake)
			}
			if tt.meddle && taken != 0 {
				t.Fatalf("%d runs took masks drawn from a generator that had moved on", taken)
			}
			if d := want.diff(got); d != "" {
				t.Fatalf("%s from the masks drawn one by one", d)
			}
			if gotNext != wantNext {
				t.Error("the generator ends in another state than with the masks drawn one by one")
			}
		})
	}
}
