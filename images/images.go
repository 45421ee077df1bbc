// Package images draws what a model learned as pictures: grids of examples
// (originals, corrupted inputs, reconstructions), their rows labelled, and
// the first layer's weights as image tiles, written as PNG files.
//
// Pixels are grey levels: 0 is black and 1 white; values outside [0, 1] are
// clipped. Cells are separated by a mid-grey border, so black digits on
// black padding stay readable.
package images

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
)

// border is the grey of the lines between cells.
const border = 128

// Grid lays out rows of w×h images, each given row-major with values in
// [0, 1], every pixel drawn as a scale×scale square and every cell framed
// by a one-pixel border. Rows may have different lengths; the grid is as
// wide as the longest. It fails if an image does not hold w·h values.
func Grid(rows [][][]float32, w, h, scale int) (*image.Gray, error) {
	if w < 1 || h < 1 || scale < 1 {
		return nil, fmt.Errorf("images: cell %d×%d at scale %d", w, h, scale)
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	cw, ch := w*scale+1, h*scale+1
	img := image.NewGray(image.Rect(0, 0, cols*cw+1, len(rows)*ch+1))
	for i := range img.Pix {
		img.Pix[i] = border
	}
	for i, r := range rows {
		for j, cell := range r {
			if len(cell) != w*h {
				return nil, fmt.Errorf("images: row %d, image %d has %d values, want %d×%d", i, j, len(cell), w, h)
			}
			x0, y0 := j*cw+1, i*ch+1
			for y := range h {
				for x := range w {
					v := grey(float64(cell[y*w+x]))
					for dy := range scale {
						for dx := range scale {
							img.SetGray(x0+x*scale+dx, y0+y*scale+dy, color.Gray{Y: v})
						}
					}
				}
			}
		}
	}
	return img, nil
}

// Row labels are drawn in basicfont's 7×13 pixel face, black on white,
// labelPad pixels from the label column's edges.
const labelPad = 4

// LabelledGrid is Grid with a column on the left that names each row:
// labels[i] is drawn level with row i, so a figure says which row holds
// the originals, the corrupted inputs, the reconstructions. A label may be
// empty (a row continuing the one above); labels beyond the rows are an
// error. The label column is as wide as the longest label needs.
func LabelledGrid(rows [][][]float32, labels []string, w, h, scale int) (*image.Gray, error) {
	if len(labels) > len(rows) {
		return nil, fmt.Errorf("images: %d labels for %d rows", len(labels), len(rows))
	}
	grid, err := Grid(rows, w, h, scale)
	if err != nil {
		return nil, err
	}
	face := basicfont.Face7x13
	width := 0
	for _, l := range labels {
		width = max(width, font.MeasureString(face, l).Ceil())
	}
	if width == 0 {
		return grid, nil
	}
	left := width + 2*labelPad
	gb := grid.Bounds()
	img := image.NewGray(image.Rect(0, 0, left+gb.Dx(), gb.Dy()))
	draw.Draw(img, image.Rect(0, 0, left, gb.Dy()), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(left, 0, left+gb.Dx(), gb.Dy()), grid, gb.Min, draw.Src)
	d := font.Drawer{Dst: img, Src: image.Black, Face: face}
	ch := h*scale + 1
	m := face.Metrics()
	for i, l := range labels {
		// The text's box (ascent + descent) centred on the row's cells.
		top := 1 + i*ch + (ch-1-(m.Ascent+m.Descent).Ceil())/2
		d.Dot = fixed.P(labelPad, top+m.Ascent.Ceil())
		d.DrawString(l)
	}
	return img, nil
}

// Filters draws the weights of a dense layer W ([in, out], row-major, as a
// models.Dense stores it) as tiles: column j, the weights from every input
// to unit j, is a w×h image (in = w·h), scaled to its own range (its
// smallest weight black, its largest white) so each unit's preferred
// pattern shows whatever its magnitude. The first n units are drawn (all if
// n ≤ 0 or n > out), cols to a row.
func Filters(weights []float64, in, out, w, h, n, cols, scale int) (*image.Gray, error) {
	if in != w*h {
		return nil, fmt.Errorf("images: %d inputs do not make %d×%d tiles", in, w, h)
	}
	if len(weights) != in*out {
		return nil, fmt.Errorf("images: %d weights for a %d×%d layer", len(weights), in, out)
	}
	if cols < 1 {
		return nil, fmt.Errorf("images: %d columns", cols)
	}
	if n <= 0 || n > out {
		n = out
	}
	var rows [][][]float32
	for j := range n {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range in {
			v := weights[i*out+j]
			lo, hi = min(lo, v), max(hi, v)
		}
		tile := make([]float32, in)
		if hi > lo {
			for i := range in {
				tile[i] = float32((weights[i*out+j] - lo) / (hi - lo))
			}
		}
		if j%cols == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], tile)
	}
	return Grid(rows, w, h, scale)
}

// grey maps [0, 1] to 0…255, clipping.
func grey(v float64) uint8 {
	switch {
	case !(v > 0): // NaN too
		return 0
	case v >= 1:
		return 255
	}
	return uint8(math.Round(255 * v))
}

// WritePNG writes img to path as a PNG file, atomically: a failed write
// leaves any previous file in place.
func WritePNG(path string, img image.Image) error {
	err := atomicfile.WriteFunc(path, func(w io.Writer) error { return png.Encode(w, img) })
	if err != nil {
		return fmt.Errorf("images: write %s: %w", path, err)
	}
	return nil
}
