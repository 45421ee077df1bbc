package nb

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/gorgonia-zoo/zoo/images"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Window returns the means of consecutive windows of w values of v (the
// last window may be shorter), each placed at the update that ends it:
// batch losses are noisy, and their means show the trend.
func Window(v []float64, w int) plotter.XYs {
	w = max(w, 1)
	var xy plotter.XYs
	for i := 0; i < len(v); i += w {
		j := min(i+w, len(v))
		s := 0.0
		for _, u := range v[i:j] {
			s += u
		}
		xy = append(xy, plotter.XY{X: float64(j), Y: s / float64(j-i)})
	}
	return xy
}

// NewPlot returns a plot with a grid, a title and axis labels, with a
// logarithmic Y axis if logY (losses and learning rates span decades).
func NewPlot(title, x, y string, logY bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Add(plotter.NewGrid())
	return p
}

// AddLine adds a line through xy to p with a legend entry, solid or
// dashed.
func AddLine(p *plot.Plot, name string, xy plotter.XYs, c color.Color, dashed bool) error {
	l, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("nb: line %q: %w", name, err)
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// palette is matplotlib's ten default colours and three darker ones, so
// that all 13 optimizers get a colour of their own.
var palette = [...]uint32{0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0x637939, 0x843c39}

// Color returns the i-th of 13 distinct colours, repeating after the 13th.
func Color(i int) color.Color {
	c := palette[((i%len(palette))+len(palette))%len(palette)]
	return color.RGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 255}
}

// PNG renders p as a PNG of w × h inches (at gonum/plot's default 96 dpi).
func PNG(p *plot.Plot, w, h float64) ([]byte, error) {
	wt, err := p.WriterTo(vg.Length(w)*vg.Inch, vg.Length(h)*vg.Inch, "png")
	if err != nil {
		return nil, fmt.Errorf("nb: plot %q: %w", p.Title.Text, err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("nb: plot %q: %w", p.Title.Text, err)
	}
	return b.Bytes(), nil
}

// ImagePNG encodes img as a PNG, e.g. the first-layer filters of
// images.Filters.
func ImagePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("nb: %w", err)
	}
	return b.Bytes(), nil
}

// GridPNG draws rows of 28×28 digits (pixels in [0, 1]) as one PNG grid,
// each pixel scale × scale, with labels[i] left of row i (see
// images.LabelledGrid), so that a figure names its rows (original,
// corrupted, reconstruction) instead of a caption counting them. No labels
// draws the bare grid.
func GridPNG(rows [][][]float32, labels []string, scale int) ([]byte, error) {
	img, err := images.LabelledGrid(rows, labels, 28, 28, scale)
	if err != nil {
		return nil, fmt.Errorf("nb: %w", err)
	}
	return ImagePNG(img)
}
