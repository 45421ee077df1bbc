package regularizers

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// MaxNorm rescales, in place, every column of the weight matrix w ([in,
// out], so column j holds the incoming weights of unit j) whose Euclidean
// norm exceeds c to norm c:
//
//	w_j ← w_j · min(1, c/‖w_j‖₂)
//
// the max-norm constraint of Srivastava et al. (JMLR 15, 2014, §5.1; Hinton
// et al., arXiv:1207.0580, 2012), applied after every optimizer step; with
// dropout it allows large learning rates without the weights blowing up
// (c = 3 to 4 is typical). It returns the number of columns rescaled and
// fails on a w that is not a float32 or float64 matrix or a c that is not
// positive and finite.
func MaxNorm(w *tensor.Dense, c float64) (int, error) {
	if !(c > 0) || math.IsInf(c, 0) {
		return 0, fmt.Errorf("regularizers: max-norm bound must be finite and > 0, got %v", c)
	}
	if w == nil || w.Dims() != 2 {
		return 0, fmt.Errorf("regularizers: max-norm wants an [in, out] matrix, got %v", denseShape(w))
	}
	switch d := w.Data().(type) {
	case []float32:
		return maxNorm(d, w.Shape()[0], w.Shape()[1], c), nil
	case []float64:
		return maxNorm(d, w.Shape()[0], w.Shape()[1], c), nil
	}
	return 0, fmt.Errorf("regularizers: max-norm supports float32 and float64, got %v", w.Dtype())
}

func maxNorm[T float32 | float64](w []T, rows, cols int, c float64) int {
	n := 0
	for j := 0; j < cols; j++ {
		var ss float64
		for i := 0; i < rows; i++ {
			v := float64(w[i*cols+j])
			ss += v * v
		}
		if nr := math.Sqrt(ss); nr > c {
			s := c / nr
			for i := 0; i < rows; i++ {
				w[i*cols+j] = T(float64(w[i*cols+j]) * s)
			}
			n++
		}
	}
	return n
}

func denseShape(w *tensor.Dense) any {
	if w == nil {
		return "nil"
	}
	return w.Shape()
}
