package experiments

import (
	"math"

	"github.com/gorgonia-zoo/zoo/optimizers"
	"gorgonia.org/gorgonia"
)

// pathSurfaces returns the four surfaces of optimizer-paths with their
// starts, step counts and per-optimizer hyper-parameters. Unlisted
// hyper-parameters keep the optimizer's defaults.
func pathSurfaces() []surface {
	type h = map[string]float64
	cfg := func(hyper h) optimizers.Config { return optimizers.Config{Hyper: hyper} }
	return []surface{
		{
			name:    "ravine",
			formula: "f = x²/20 + y²",
			f:       func(x, y float64) float64 { return x*x/20 + y*y },
			build: func(b *builder, x, y *gorgonia.Node) *gorgonia.Node {
				return b.add(b.div(b.sq(x), b.c(20)), b.sq(y))
			},
			start:   [2]float64{-8, 1.5},
			steps:   60,
			minimum: []float64{0, 0},
			window:  [4]float64{-9, 3, -2, 2},
			levels:  geomLevels(0.01, 20, 12),
			hyper: map[string]optimizers.Config{
				"sgd":      cfg(h{"lr": 0.9}),
				"momentum": cfg(h{"lr": 0.9, "momentum": 0.5}),
				"nesterov": cfg(h{"lr": 0.6, "momentum": 0.5}),
				"aggmo":    {Hyper: h{"lr": 0.9}, Betas: []float64{0, 0.5, 0.75}},
				"adagrad":  cfg(h{"lr": 1}),
				"adadelta": cfg(h{"eps": 1e-2}),
				"rmsprop":  cfg(h{"lr": 0.2}),
				"adam":     cfg(h{"lr": 0.3}),
				"adamax":   cfg(h{"lr": 0.3}),
				"nadam":    cfg(h{"lr": 0.3}),
				"amsgrad":  cfg(h{"lr": 0.3}),
				"adamw":    cfg(h{"lr": 0.3, "weight_decay": 0.1}),
				"qhadam":   cfg(h{"lr": 0.3, "beta1": 0.9}),
			},
		},
		{
			name:    "rosenbrock",
			formula: "f = (1 − x)² + 100 (y − x²)²",
			f: func(x, y float64) float64 {
				return (1-x)*(1-x) + 100*(y-x*x)*(y-x*x)
			},
			build: func(b *builder, x, y *gorgonia.Node) *gorgonia.Node {
				return b.add(b.sq(b.sub(b.c(1), x)), b.mul(b.c(100), b.sq(b.sub(y, b.sq(x)))))
			},
			start:   [2]float64{-1.5, 2},
			steps:   1000,
			minimum: []float64{1, 1},
			window:  [4]float64{-2, 2, -1, 3},
			levels:  geomLevels(0.05, 2000, 14),
			hyper: map[string]optimizers.Config{
				"sgd":      cfg(h{"lr": 1e-3}),
				"momentum": cfg(h{"lr": 1e-3, "momentum": 0.9}),
				"nesterov": cfg(h{"lr": 1e-3, "momentum": 0.9}),
				"aggmo":    {Hyper: h{"lr": 3e-4}},
				"adagrad":  cfg(h{"lr": 0.5}),
				"rmsprop":  cfg(h{"lr": 0.01}),
				"adam":     cfg(h{"lr": 0.05}),
				"adamax":   cfg(h{"lr": 0.05}),
				"nadam":    cfg(h{"lr": 0.02}),
				"amsgrad":  cfg(h{"lr": 0.05}),
				"adamw":    cfg(h{"lr": 0.05}),
				"qhadam":   cfg(h{"lr": 0.05}),
			},
		},
		{
			name:    "beale",
			formula: "f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
			f: func(x, y float64) float64 {
				a, b, c := 1.5-x+x*y, 2.25-x+x*y*y, 2.625-x+x*y*y*y
				return a*a + b*b + c*c
			},
			build: func(b *builder, x, y *gorgonia.Node) *gorgonia.Node {
				xy := b.mul(x, y)
				xy2 := b.mul(xy, y)
				xy3 := b.mul(xy2, y)
				t1 := b.sq(b.add(b.sub(b.c(1.5), x), xy))
				t2 := b.sq(b.add(b.sub(b.c(2.25), x), xy2))
				t3 := b.sq(b.add(b.sub(b.c(2.625), x), xy3))
				return b.add(b.add(t1, t2), t3)
			},
			start:   [2]float64{1, 1.5},
			steps:   300,
			minimum: []float64{3, 0.5},
			window:  [4]float64{-1, 4.5, -1.5, 2},
			levels:  geomLevels(0.01, 1000, 14),
			hyper: map[string]optimizers.Config{
				"sgd":      cfg(h{"lr": 1e-3}),
				"momentum": cfg(h{"lr": 1e-3, "momentum": 0.9}),
				"nesterov": cfg(h{"lr": 1e-3, "momentum": 0.9}),
				"aggmo":    {Hyper: h{"lr": 3e-4}},
				"adagrad":  cfg(h{"lr": 0.5}),
				"adadelta": cfg(h{"eps": 1e-4}),
				"rmsprop":  cfg(h{"lr": 0.01}),
				"adam":     cfg(h{"lr": 0.05}),
				"adamax":   cfg(h{"lr": 0.05}),
				"nadam":    cfg(h{"lr": 0.05}),
				"amsgrad":  cfg(h{"lr": 0.05}),
				"adamw":    cfg(h{"lr": 0.05}),
				"qhadam":   cfg(h{"lr": 0.05}),
			},
		},
		{
			name:    "saddle",
			formula: "f = x² − y²",
			f:       func(x, y float64) float64 { return x*x - y*y },
			build: func(b *builder, x, y *gorgonia.Node) *gorgonia.Node {
				return b.sub(b.sq(x), b.sq(y))
			},
			start:  [2]float64{1, 1e-3},
			steps:  60,
			window: [4]float64{-1.2, 1.2, -1.2, 1.2},
			levels: linLevels(-1.375, 1.375, 12), // not 0: gonum's contour tracer panics on the crossing at the saddle
			hyper: map[string]optimizers.Config{
				"sgd":      cfg(h{"lr": 0.05}),
				"momentum": cfg(h{"lr": 0.05, "momentum": 0.5}),
				"nesterov": cfg(h{"lr": 0.05, "momentum": 0.5}),
				"aggmo":    {Hyper: h{"lr": 0.05}},
				"adagrad":  cfg(h{"lr": 0.1}),
				"adadelta": cfg(h{"eps": 1e-3}),
				"rmsprop":  cfg(h{"lr": 0.02}),
				"adam":     cfg(h{"lr": 0.05}),
				"adamax":   cfg(h{"lr": 0.05}),
				"nadam":    cfg(h{"lr": 0.05}),
				"amsgrad":  cfg(h{"lr": 0.05}),
				"adamw":    cfg(h{"lr": 0.05}),
				"qhadam":   cfg(h{"lr": 0.05}),
			},
		},
	}
}

// geomLevels returns n contour levels from lo to hi, evenly spaced in log
// scale.
func geomLevels(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	return out
}

// linLevels returns n evenly spaced contour levels from lo to hi.
func linLevels(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	return out
}
