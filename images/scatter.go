package images

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// classColors are the colours of Scatter's classes: matplotlib's tab10,
// then more.
var classColors = []uint32{0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0x637939, 0x843c39}

// ClassColor is the colour Scatter gives class k.
func ClassColor(k int) color.RGBA {
	h := classColors[((k%len(classColors))+len(classColors))%len(classColors)]
	return color.RGBA{R: uint8(h >> 16), G: uint8(h >> 8), B: uint8(h), A: 255}
}

// Scatter draws the points (x[i], y[i]) as small dots, each coloured by
// its class (classes[i]; ClassColor), with axes, a title and a legend
// naming the classes, as a size×size-pixel picture: for example a
// variational autoencoder's 2-D codes of test digits, coloured by digit.
// Points that are not finite are left out.
func Scatter(x, y []float64, classes []int, title, xLabel, yLabel string, size int) (img image.Image, err error) {
	if len(x) != len(y) || len(x) != len(classes) {
		return nil, fmt.Errorf("images: scatter of %d x, %d y and %d classes", len(x), len(y), len(classes))
	}
	if size < 64 {
		return nil, fmt.Errorf("images: scatter of %d pixels, want at least 64", size)
	}
	defer func() {
		// gonum/plot panics on some degenerate inputs: report an error.
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("images: scatter: %v", r)
		}
	}()
	byClass := map[int]plotter.XYs{}
	maxClass := -1
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			continue
		}
		byClass[classes[i]] = append(byClass[classes[i]], plotter.XY{X: x[i], Y: y[i]})
		maxClass = max(maxClass, classes[i])
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.Top = true
	for k := 0; k <= maxClass; k++ {
		pts, ok := byClass[k]
		if !ok {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("images: scatter: %w", err)
		}
		s.GlyphStyle = draw.GlyphStyle{Color: ClassColor(k), Radius: vg.Points(1), Shape: draw.CircleGlyph{}}
		p.Add(s)
		p.Legend.Add(strconv.Itoa(k), s)
	}
	const dpi = 96
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(size)*vg.Inch/dpi, vg.Length(size)*vg.Inch/dpi), vgimg.UseDPI(dpi))
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	p.Draw(dc)
	return c.Image(), nil
}
