package images

import (
	"fmt"
	"image"
)

// ConvFilters draws the filters of a convolution whose weights are
// [out, in, k, k] (row-major, as a models.Conv2D stores them) as tiles:
// filter j is a k×(k·in) image, its input channels' k×k kernels one above
// the other, scaled to its own range (its smallest weight black, its
// largest white). The first n filters are drawn (all if n ≤ 0 or n > out),
// cols to a row; scale is screen pixels per weight.
func ConvFilters(weights []float64, out, in, k, n, cols, scale int) (*image.Gray, error) {
	if out < 1 || in < 1 || k < 1 {
		return nil, fmt.Errorf("images: a convolution of %d filters over %d channels, %d×%d", out, in, k, k)
	}
	size := in * k * k
	if len(weights) != out*size {
		return nil, fmt.Errorf("images: %d weights for %d filters of %d×%d×%d", len(weights), out, in, k, k)
	}
	// As a dense layer's [in·k·k, out]: column j is filter j.
	t := make([]float64, len(weights))
	for j := range out {
		for i := range size {
			t[i*out+j] = weights[j*size+i]
		}
	}
	return Filters(t, size, out, k, k*in, n, cols, scale)
}
