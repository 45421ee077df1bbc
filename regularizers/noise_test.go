package regularizers

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGaussianNoiseMoments checks the noise θ = dst − src over 200 000
// draws: its mean is 0 within 5 standard errors (5σ/√N) and its variance σ²
// within 5 standard errors of a sample variance (σ²√(2/N), 1.6 % of σ²).
func TestGaussianNoiseMoments(t *testing.T) {
	const n = 200_000
	for _, sigma := range []float64{0.1, 0.5, 2} {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(i%7) - 3
		}
		dst := make([]float32, n)
		GaussianNoise(dst, src, sigma, rand.New(rand.NewPCG(21, 22)))
		var sum, sq float64
		for i := range dst {
			d := float64(dst[i]) - float64(src[i])
			sum += d
			sq += d * d
		}
		mean := sum / n
		variance := sq/n - mean*mean
		if tol := 5 * sigma / math.Sqrt(n); math.Abs(mean) > tol {
			t.Errorf("σ=%g: noise mean %.5f, want 0 ± %.5f", sigma, mean, tol)
		}
		if tol := 5 * sigma * sigma * math.Sqrt(2.0/n); math.Abs(variance-sigma*sigma) > tol {
			t.Errorf("σ=%g: noise variance %.5f, want %.5f ± %.5f", sigma, variance, sigma*sigma, tol)
		}
	}
}

func TestGaussianNoiseDraws(t *testing.T) {
	src := []float32{1, 2, 3, 4, 5, 6}
	a, b := make([]float32, 6), make([]float32, 6)
	r := rand.New(rand.NewPCG(1, 2))
	GaussianNoise(a, src, 1, r)
	GaussianNoise(b, src, 1, r)
	if slices.Equal(a, b) {
		t.Error("two calls drew the same noise")
	}
	c := slices.Clone(src)
	GaussianNoise(c, c, 1, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(a, c) {
		t.Errorf("in place with the same seed: %v, want %v", c, a)
	}
	GaussianNoise(c, src, 0, r)
	if !slices.Equal(c, src) {
		t.Errorf("σ = 0 changed the input: %v", c)
	}
}

// scripted is a BatchLoss that returns the next row of script and records
// the candidate batches it was shown.
type scripted struct {
	script [][]float64
	seen   [][]float32
}

func (s *scripted) loss(x []float32) ([]float64, error) {
	s.seen = append(s.seen, slices.Clone(x))
	if len(s.seen) > len(s.script) {
		return nil, errors.New("called too often")
	}
	return s.script[len(s.seen)-1], nil
}

func TestStochasticNoisePicksWorstOfK(t *testing.T) {
	const dim, k = 3, 4
	src := []float32{1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}
	// Per example (column), the worst candidate is 2, 0, 3 and (a tie
	// between 1 and 3, the first wins) 1.
	s := &scripted{script: [][]float64{
		{0.1, 9.0, 0.3, 0.0},
		{0.2, 1.0, 0.1, 5.0},
		{0.9, 2.0, 0.2, 1.0},
		{0.3, 3.0, 0.4, 5.0},
	}}
	want := []int{2, 0, 3, 1}
	for _, inPlace := range []bool{false, true} {
		s.seen = nil
		dst := make([]float32, len(src))
		in := slices.Clone(src)
		if inPlace {
			dst = in
		}
		if err := StochasticNoise(dst, in, dim, k, 0.5, rand.New(rand.NewPCG(3, 3)), s.loss); err != nil {
			t.Fatal(err)
		}
		if len(s.seen) != k {
			t.Fatalf("loss called %d times, want k = %d", len(s.seen), k)
		}
		// The candidates are src plus GaussianNoise, drawn in order from
		// the same generator.
		r := rand.New(rand.NewPCG(3, 3))
		for j, cand := range s.seen {
			ref := make([]float32, len(src))
			GaussianNoise(ref, src, 0.5, r)
			if !slices.Equal(cand, ref) {
				t.Fatalf("in place %v: candidate %d is not src + N(0, σ²) from the generator", inPlace, j)
			}
		}
		for i, j := range want {
			if got := dst[i*dim : (i+1)*dim]; !slices.Equal(got, s.seen[j][i*dim:(i+1)*dim]) {
				t.Errorf("in place %v: example %d got %v, want candidate %d %v", inPlace, i, got, j, s.seen[j][i*dim:(i+1)*dim])
			}
		}
	}
}

// TestStochasticNoiseMaximisesLoss uses a loss computed from the candidates
// (the distance from the clean input) and checks the kept noise is, per
// example, the largest of the k drawn.
func TestStochasticNoiseMaximisesLoss(t *testing.T) {
	const dim, n, k = 5, 50, 8
	r := rand.New(rand.NewPCG(4, 4))
	src := make([]float32, n*dim)
	for i := range src {
		src[i] = float32(r.Float64())
	}
	dist := func(x []float32) []float64 {
		out := make([]float64, n)
		for i := range out {
			for j := i * dim; j < (i+1)*dim; j++ {
				d := float64(x[j] - src[j])
				out[i] += d * d
			}
		}
		return out
	}
	var all [][]float64
	loss := func(x []float32) ([]float64, error) {
		all = append(all, dist(x))
		return all[len(all)-1], nil
	}
	dst := make([]float32, len(src))
	if err := StochasticNoise(dst, src, dim, k, 1, r, loss); err != nil {
		t.Fatal(err)
	}
	got := dist(dst)
	var mean, meanRandom float64
	for i := range n {
		worst := 0.0
		for _, ls := range all {
			worst = max(worst, ls[i])
		}
		if got[i] != worst {
			t.Errorf("example %d: kept ‖θ‖² = %v, the worst of %d was %v", i, got[i], k, worst)
		}
		mean += got[i] / n
		meanRandom += all[0][i] / n
	}
	if mean <= meanRandom {
		t.Errorf("mean kept ‖θ‖² %v is no larger than one random draw's %v", mean, meanRandom)
	}
}

func TestStochasticNoiseK1IsRandom(t *testing.T) {
	src := []float32{1, 2, 3, 4}
	a, b := make([]float32, 4), make([]float32, 4)
	called := false
	loss := func([]float32) ([]float64, error) { called = true; return nil, nil }
	if err := StochasticNoise(a, src, 2, 1, 0.3, rand.New(rand.NewPCG(5, 5)), loss); err != nil {
		t.Fatal(err)
	}
	GaussianNoise(b, src, 0.3, rand.New(rand.NewPCG(5, 5)))
	if called || !slices.Equal(a, b) {
		t.Errorf("k = 1: loss called %v, noise %v; want no call and %v", called, a, b)
	}
}

func TestStochasticNoiseErrors(t *testing.T) {
	src := []float32{1, 2, 3, 4}
	dst := make([]float32, 4)
	r := rand.New(rand.NewPCG(6, 6))
	ok := func([]float32) ([]float64, error) { return []float64{1, 2}, nil }
	boom := errors.New("boom")
	tests := []struct {
		name string
		dst  []float32
		dim  int
		k    int
		loss BatchLoss
	}{
		{"k = 0", dst, 2, 0, ok},
		{"no loss", dst, 2, 2, nil},
		{"ragged rows", dst, 3, 2, ok},
		{"short dst", dst[:2], 2, 2, ok},
		{"too few losses", dst, 2, 2, func([]float32) ([]float64, error) { return []float64{1}, nil }},
		{"NaN loss", dst, 2, 2, func([]float32) ([]float64, error) { return []float64{1, math.NaN()}, nil }},
		{"loss fails", dst, 2, 2, func([]float32) ([]float64, error) { return nil, boom }},
	}
	for _, tt := range tests {
		if err := StochasticNoise(tt.dst, src, tt.dim, tt.k, 1, r, tt.loss); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	err := StochasticNoise(dst, src, 2, 2, 1, r, func([]float32) ([]float64, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Errorf("the loss's error is not wrapped: %v", err)
	}
}

// quadratic is ℓ_i = ½‖x_i − c_i‖² with gradient x_i − c_i.
func quadratic(c []float32) (BatchGrad, func(x []float32, dim int) []float64) {
	grad := func(x []float32) ([]float32, error) {
		g := make([]float32, len(x))
		for k := range x {
			g[k] = x[k] - c[k]
		}
		return g, nil
	}
	loss := func(x []float32, dim int) []float64 {
		out := make([]float64, len(x)/dim)
		for k := range x {
			d := float64(x[k] - c[k])
			out[k/dim] += d * d / 2
		}
		return out
	}
	return grad, loss
}

func TestAdaptiveNoise(t *testing.T) {
	const dim = 2
	src := []float32{3, 4, 1, 1, -1, 0}
	c := []float32{0, 0, 1, 1, 0, 0} // example 1 sits at the optimum: no gradient
	grad, loss := quadratic(c)
	t.Run("one step from zero", func(t *testing.T) {
		dst := make([]float32, len(src))
		if err := AdaptiveNoise(dst, src, dim, 0, 0.5, 0, 1, rand.New(rand.NewPCG(1, 1)), grad); err != nil {
			t.Fatal(err)
		}
		// θ = α (x − c)/‖x − c‖: away from c, length α.
		want := []float32{3 + 0.3, 4 + 0.4, 1, 1, -1.5, 0}
		for k := range want {
			if math.Abs(float64(dst[k]-want[k])) > 1e-6 {
				t.Errorf("dst = %v, want %v", dst, want)
				break
			}
		}
	})
	t.Run("bounded", func(t *testing.T) {
		dst := slices.Clone(src)
		if err := AdaptiveNoise(dst, dst, dim, 0, 0.5, 0.1, 1, rand.New(rand.NewPCG(1, 1)), grad); err != nil {
			t.Fatal(err)
		}
		want := []float32{3.06, 4.08, 1, 1, -1.1, 0}
		for k := range want {
			if math.Abs(float64(dst[k]-want[k])) > 1e-6 {
				t.Errorf("dst = %v, want %v", dst, want)
				break
			}
		}
	})
	t.Run("random start, several steps", func(t *testing.T) {
		const bound = 0.3
		dst := make([]float32, len(src))
		calls := 0
		counting := func(x []float32) ([]float32, error) { calls++; return grad(x) }
		if err := AdaptiveNoise(dst, src, dim, 1, 0.1, bound, 5, rand.New(rand.NewPCG(2, 2)), counting); err != nil {
			t.Fatal(err)
		}
		if calls != 5 {
			t.Errorf("gradient called %d times, want 5", calls)
		}
		before, after := loss(src, dim), loss(dst, dim)
		for i := range before {
			var nr float64
			for k := i * dim; k < (i+1)*dim; k++ {
				d := float64(dst[k] - src[k])
				nr += d * d
			}
			if math.Sqrt(nr) > bound+1e-6 {
				t.Errorf("example %d: ‖θ‖ = %v exceeds the bound %v", i, math.Sqrt(nr), bound)
			}
			if after[i] < before[i] {
				t.Errorf("example %d: loss fell from %v to %v", i, before[i], after[i])
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		dst := make([]float32, len(src))
		r := rand.New(rand.NewPCG(3, 3))
		nan := func(x []float32) ([]float32, error) {
			g := make([]float32, len(x))
			g[0] = float32(math.NaN())
			return g, nil
		}
		short := func(x []float32) ([]float32, error) { return x[:1], nil }
		for name, g := range map[string]BatchGrad{"nil": nil, "NaN": nan, "short": short} {
			if err := AdaptiveNoise(dst, src, dim, 0, 0.1, 0, 1, r, g); err == nil {
				t.Errorf("gradient %s: no error", name)
			}
		}
		if err := AdaptiveNoise(dst, src, dim, 0, -0.1, 0, 1, r, grad); err == nil {
			t.Error("negative step accepted")
		}
	})
}

func TestNoiseValidate(t *testing.T) {
	tests := []struct {
		n  Noise
		ok bool
	}{
		{Noise{}, true},
		{Noise{Sigma: 0.3}, true},
		{Noise{Method: "RANDOM", Sigma: 0.3}, true},
		{Noise{Method: Stochastic, Sigma: 0.3, K: 4}, true},
		{Noise{Method: Adaptive, Sigma: 0.1, Step: 0.2, Steps: 3, Bound: 1}, true},
		{Noise{Method: Adaptive, Step: 0.2}, true},
		{Noise{Method: "gaussian"}, false},
		{Noise{Sigma: -1}, false},
		{Noise{Sigma: math.NaN()}, false},
		{Noise{Method: Stochastic, Sigma: 0.3}, false},
		{Noise{Sigma: 0.3, K: 3}, false},
		{Noise{Sigma: 0.3, Bound: 1}, false},
		{Noise{Method: Stochastic, K: 2, Step: 1}, false},
		{Noise{Method: Adaptive, Step: -1}, false},
		{Noise{Method: Adaptive, Step: 1, Steps: -1}, false},
		{Noise{Method: Adaptive, Step: 1, K: 2}, false},
	}
	for _, tt := range tests {
		if err := tt.n.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: Validate() = %v, want ok %v", tt.n, err, tt.ok)
		}
	}
}

func TestNoiseApply(t *testing.T) {
	src := []float32{1, 2, 3, 4}
	want := make([]float32, 4)
	GaussianNoise(want, src, 0.5, rand.New(rand.NewPCG(9, 9)))
	got := make([]float32, 4)
	if err := (Noise{Sigma: 0.5}).Apply(got, src, 2, rand.New(rand.NewPCG(9, 9)), nil, nil); err != nil || !slices.Equal(got, want) {
		t.Errorf("random: %v, %v; want %v", got, err, want)
	}
	if err := (Noise{}).Apply(got, src, 2, nil, nil, nil); err != nil || !slices.Equal(got, src) {
		t.Errorf("inactive: %v, %v; want a copy of %v", got, err, src)
	}
	calls := 0
	loss := func([]float32) ([]float64, error) { calls++; return []float64{0, 0}, nil }
	if err := (Noise{Method: Stochastic, Sigma: 0.5, K: 3}).Apply(got, src, 2, rand.New(rand.NewPCG(9, 9)), loss, nil); err != nil || calls != 3 {
		t.Errorf("stochastic: %v, %d loss calls; want 3", err, calls)
	}
	grad, _ := quadratic(make([]float32, 4))
	if err := (Noise{Method: Adaptive, Step: 1}).Apply(got, src, 2, rand.New(rand.NewPCG(9, 9)), nil, grad); err != nil {
		t.Errorf("adaptive: %v", err)
	}
	if err := (Noise{Method: Stochastic, Sigma: 0.5, K: 3}).Apply(got, src, 2, rand.New(rand.NewPCG(9, 9)), nil, nil); err == nil {
		t.Error("stochastic without a loss: no error")
	}
	if err := (Noise{Sigma: -1}).Apply(got, src, 2, nil, nil, nil); err == nil {
		t.Error("invalid noise applied")
	}
}
