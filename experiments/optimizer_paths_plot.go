package experiments

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// pathStyle is how an optimizer's path is drawn. Related methods share a
// hue family: black for SGD, blues for the momentum methods, warm browns and
// purple for the adaptive ones, reds, pinks and greens for Adam's family.
type pathStyle struct {
	color  color.RGBA
	dashed bool
}

func styleOf(optimizer string) pathStyle {
	rgb := func(hex uint32, dashed bool) pathStyle {
		return pathStyle{color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 255}, dashed}
	}
	switch optimizer {
	case "sgd":
		return rgb(0x000000, false)
	case "momentum":
		return rgb(0x1f77b4, false)
	case "nesterov":
		return rgb(0x17becf, true)
	case "aggmo":
		return rgb(0x393b79, true)
	case "adagrad":
		return rgb(0xff7f0e, false)
	case "adadelta":
		return rgb(0x8c564b, false)
	case "rmsprop":
		return rgb(0x9467bd, false)
	case "adam":
		return rgb(0xd62728, false)
	case "adamax":
		return rgb(0xe377c2, true)
	case "nadam":
		return rgb(0xbcbd22, false)
	case "amsgrad":
		return rgb(0x843c39, true)
	case "adamw":
		return rgb(0x2ca02c, false)
	case "qhadam":
		return rgb(0x637939, true)
	}
	return rgb(0x7f7f7f, false)
}

// grid samples f over the plot window for the contour plot.
type grid struct {
	xs, ys []float64
	z      [][]float64 // z[c][r] = f(xs[c], ys[r])
}

func newGrid(s surface, n int) *grid {
	g := &grid{xs: make([]float64, n), ys: make([]float64, n), z: make([][]float64, n)}
	for i := range n {
		t := float64(i) / float64(n-1)
		g.xs[i] = s.window[0] + t*(s.window[1]-s.window[0])
		g.ys[i] = s.window[2] + t*(s.window[3]-s.window[2])
	}
	for c := range n {
		g.z[c] = make([]float64, n)
		for r := range n {
			g.z[c][r] = s.f(g.xs[c], g.ys[r])
		}
	}
	return g
}

func (g *grid) Dims() (int, int)   { return len(g.xs), len(g.ys) }
func (g *grid) Z(c, r int) float64 { return g.z[c][r] }
func (g *grid) X(c int) float64    { return g.xs[c] }
func (g *grid) Y(r int) float64    { return g.ys[r] }
func (s surface) inWindow(x, y float64) bool {
	return x >= s.window[0] && x <= s.window[1] && y >= s.window[2] && y <= s.window[3]
}

// Figure size, and the width of the legend column at its right.
const (
	figWidth    = 10 * vg.Inch
	figHeight   = 7 * vg.Inch
	legendWidth = 1.6 * vg.Inch
)

// writePlot draws the surface's contours and every path, with the legend in
// a column at the right, and writes the figure as a PNG.
func writePlot(path string, s surface, paths []*Path) (err error) {
	defer func() {
		// gonum/plot panics on some degenerate inputs (a contour level
		// through a saddle point): report it as an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("gonum/plot: %v", r)
		}
	}()
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %s, %d steps from (%g, %g)", s.name, s.formula, paths[0].Steps, s.start[0], s.start[1])
	p.X.Label.Text = "x"
	p.Y.Label.Text = "y"

	contour := plotter.NewContour(newGrid(s, 300), s.levels, nil)
	contour.LineStyles = []draw.LineStyle{{Color: color.Gray{Y: 190}, Width: vg.Points(0.6)}}
	p.Add(plainContour{contour})

	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.TextStyle.Font.Size = vg.Points(11)
	for _, path := range paths {
		xy := make(plotter.XYs, len(path.X))
		var inside plotter.XYs
		for k := range path.X {
			xy[k] = plotter.XY{X: path.X[k], Y: path.Y[k]}
			if s.inWindow(path.X[k], path.Y[k]) {
				inside = append(inside, xy[k])
			}
		}
		st := styleOf(path.Optimizer)
		line, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		line.Color = st.color
		line.Width = vg.Points(1.4)
		if st.dashed {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(2.5)}
		}
		p.Add(line)
		thumbs := []plot.Thumbnailer{line}
		if len(inside) > 0 && len(path.X) <= 200 {
			// Dots at every iterate show the step lengths.
			dots, err := plotter.NewScatter(inside)
			if err != nil {
				return err
			}
			dots.Shape = draw.CircleGlyph{}
			dots.Radius = vg.Points(1.6)
			dots.Color = st.color
			p.Add(dots)
			thumbs = append(thumbs, dots)
		}
		legend.Add(path.Optimizer, thumbs...)
	}

	marks := []struct {
		name  string
		at    []float64
		shape draw.GlyphDrawer
	}{{"start", s.start[:], draw.CrossGlyph{}}, {"minimum", s.minimum, draw.PlusGlyph{}}}
	for _, m := range marks {
		if m.at == nil {
			continue
		}
		sc, err := plotter.NewScatter(plotter.XYs{{X: m.at[0], Y: m.at[1]}})
		if err != nil {
			return err
		}
		sc.Shape = m.shape
		sc.Radius = vg.Points(6)
		sc.Color = color.Black
		p.Add(sc)
		legend.Add(m.name, sc)
	}

	// Adding plotters widens the axes to the data: fix them to the window.
	p.X.Min, p.X.Max = s.window[0], s.window[1]
	p.Y.Min, p.Y.Max = s.window[2], s.window[3]
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.Title.Padding = vg.Points(8)

	img := vgimg.New(figWidth, figHeight)
	dc := draw.New(img)
	dc.SetColor(color.White)
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	legend.Draw(draw.Crop(dc, figWidth-legendWidth+vg.Points(8), 0, 0, -vg.Points(40)))
	return atomicfile.WriteFunc(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// niceTicks labels about eight round values (steps of 1, 2 or 5 × 10^k)
// across an axis, with unlabelled minor ticks between them.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) {
		return nil
	}
	step := math.Pow(10, math.Floor(math.Log10(span/8)))
	for _, m := range []float64{1, 2, 5, 10} {
		if span/(m*step) <= 8 {
			step *= m
			break
		}
	}
	var ticks []plot.Tick
	minor := step / 2
	for v := math.Ceil(lo/minor) * minor; v <= hi+minor*1e-9; v += minor {
		v = math.Round(v/minor) * minor
		t := plot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-9 {
			t.Label = strconv.FormatFloat(v, 'g', 6, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// plainContour draws a contour without reporting a glyph box per grid
// point, which only slows the plot's padding down (contours have no glyphs
// to keep inside the axes).
type plainContour struct{ c *plotter.Contour }

func (p plainContour) Plot(c draw.Canvas, plt *plot.Plot) { p.c.Plot(c, plt) }
func (p plainContour) DataRange() (xmin, xmax, ymin, ymax float64) {
	return p.c.DataRange()
}
