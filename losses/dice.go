package losses

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dice returns the Dice loss 1 − D of predictions p against ground truth g
// (both [batch, features]; p usually probabilities, g in {0, 1}), with the
// lecture's squared form of the Dice coefficient (Milletari, Navab & Ahmadi,
// "V-Net", 3DV 2016, eq. 1):
//
//	D = (2 Σ p_j g_j + s) / (Σ p_j² + Σ g_j² + s)
//
// and s = smooth (≥ 0). With s = 0 its gradient is the lecture's
//
//	∂D/∂p_j = 2 [g_j (Σ p² + Σ g²) − 2 p_j Σ p g] / (Σ p² + Σ g²)².
//
// The sums run over one example's features when perExample is true, and the
// result is a [batch] vector of losses, one per example, like every loss of
// this package (for segmentation: one Dice per image, over its pixels).
//
// When perExample is false the sums run over the whole batch and the result
// is a scalar node: one Dice for the batch, which is what makes Dice useful
// for an imbalanced classifier with a single output unit (per example, a
// one-feature Dice is 2pg/(p²+g²): 0 whatever p for every negative example,
// so negatives would get no gradient). This batch form is not a sum of
// per-example terms: a training objective takes it as it is (the mean of a
// scalar is itself), and an evaluation computes Dice over the whole set from
// the predictions (DiceCoefficient), not by averaging batch losses.
//
// D is undefined (0/0) when p and g are both all zero and s = 0; a small s
// (1 is customary for masks, 1e-6 for scores) makes D = 1 there and keeps the
// loss finite. The loss is only small when the predictions cover the
// foreground, however few foreground features there are, which is why the
// lecture calls it robust to class imbalance.
func Dice(p, g *gorgonia.Node, perExample bool, smooth float64) (*gorgonia.Node, error) {
	if err := checkPair("dice", p, g); err != nil {
		return nil, err
	}
	if smooth < 0 || math.IsNaN(smooth) || math.IsInf(smooth, 0) {
		return nil, fmt.Errorf("losses: dice: smoothing term must be finite and ≥ 0, got %v", smooth)
	}
	if dt := p.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, fmt.Errorf("losses: dice supports float32 and float64, got %v", dt)
	}
	var along []int // nil: sum over everything
	if perExample {
		along = []int{1}
	}
	wrap := func(err error) error { return fmt.Errorf("losses: dice: %w", err) }
	pg, err := gorgonia.HadamardProd(p, g)
	if err != nil {
		return nil, wrap(err)
	}
	inter, err := gorgonia.Sum(pg, along...)
	if err != nil {
		return nil, wrap(err)
	}
	pp, err := gorgonia.Square(p)
	if err != nil {
		return nil, wrap(err)
	}
	gg, err := gorgonia.Square(g)
	if err != nil {
		return nil, wrap(err)
	}
	sp, err := gorgonia.Sum(pp, along...)
	if err != nil {
		return nil, wrap(err)
	}
	sg, err := gorgonia.Sum(gg, along...)
	if err != nil {
		return nil, wrap(err)
	}
	den, err := gorgonia.Add(sp, sg)
	if err != nil {
		return nil, wrap(err)
	}
	num, err := gorgonia.Mul(constant(p.Dtype(), 2), inter)
	if err != nil {
		return nil, wrap(err)
	}
	if smooth > 0 {
		if num, err = gorgonia.Add(num, constant(p.Dtype(), smooth)); err != nil {
			return nil, wrap(err)
		}
		if den, err = gorgonia.Add(den, constant(p.Dtype(), smooth)); err != nil {
			return nil, wrap(err)
		}
	}
	d, err := gorgonia.HadamardDiv(num, den)
	if err != nil {
		return nil, wrap(err)
	}
	loss, err := gorgonia.Sub(constant(p.Dtype(), 1), d)
	if err != nil {
		return nil, wrap(err)
	}
	return loss, nil
}

// DiceCoefficient returns D = (2 Σ p g + s) / (Σ p² + Σ g² + s) over every
// element of p and g, in float64: the score to report for a whole evaluation
// set (with thresholded predictions it is the F1 score of the positive class).
// It returns NaN when the denominator is 0 and panics if the lengths differ.
func DiceCoefficient[T float32 | float64](p, g []T, smooth float64) float64 {
	if len(p) != len(g) {
		panic(fmt.Sprintf("losses: dice coefficient of %d predictions and %d targets", len(p), len(g)))
	}
	var inter, sp, sg float64
	for i := range p {
		pi, gi := float64(p[i]), float64(g[i])
		inter += pi * gi
		sp += pi * pi
		sg += gi * gi
	}
	den := sp + sg + smooth
	if den == 0 {
		return math.NaN()
	}
	return (2*inter + smooth) / den
}

// constant is v as a constant node of dtype dt (float32 or float64).
func constant(dt tensor.Dtype, v float64) *gorgonia.Node {
	if dt == tensor.Float32 {
		return gorgonia.NewConstant(float32(v))
	}
	return gorgonia.NewConstant(v)
}
