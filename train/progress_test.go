package train

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/gorgonia-zoo/zoo/infer"
)

// TestProgressRate: with a counter, an epoch's line ends with the GFLOP/s
// of the operations counted during the epoch; without one it ends with the
// epoch's time.
func TestProgressRate(t *testing.T) {
	var done int64
	for _, tc := range []struct {
		name  string
		flops func() int64
		end   *regexp.Regexp
	}{
		{"counting", func() int64 { return done }, regexp.MustCompile(`val error 2\.00%  1\.5s  [0-9]+\.[0-9] GFLOP/s\n$`)},
		{"not counting", nil, regexp.MustCompile(`val error 2\.00%  1\.5s\n$`)},
	} {
		var w bytes.Buffer
		p := NewProgressCounting(&w, false, 10, tc.flops)
		p.(EpochStartHook).OnEpochStart(1, 2, 3)
		done += 4e9 // the epoch's products
		if err := p.(EpochEndHook).OnEpochEnd(Record{Epoch: 1, TrainLoss: 0.5, Val: infer.Metrics{N: 10, Loss: 0.25, Error: 0.02, HasError: true}, Seconds: 1.5}); err != nil {
			t.Fatal(err)
		}
		if !tc.end.MatchString(w.String()) {
			t.Errorf("%s: epoch line %q, want it to match %s", tc.name, w.String(), tc.end)
		}
	}
}
