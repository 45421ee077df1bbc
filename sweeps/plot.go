package sweeps

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// WriteFigure draws the validation metric of every point that has one
// against each swept key, one panel per key, into the PNG file path: a
// numeric key on a linear or log axis (see Report.Log), any other with
// its values in the order of the grid.
func (rep *Report) WriteFigure(path string) (err error) {
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".png" {
		return fmt.Errorf("sweeps: --out %s: name the figure .png", path)
	}
	defer func() {
		// gonum/plot panics on some degenerate inputs: report an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("sweeps: plot %s: %v", path, r)
		}
	}()
	have := 0
	for _, r := range rep.Points {
		if r.Val != nil {
			have++
		}
	}
	if have == 0 {
		return fmt.Errorf("sweeps: no point has finished an epoch: nothing to plot")
	}
	const panelW, panelH = 14 * vg.Centimeter, 9 * vg.Centimeter
	plots := make([][]*plot.Plot, len(rep.Keys))
	for k, key := range rep.Keys {
		p, err := rep.panel(key, rep.Log[k])
		if err != nil {
			return fmt.Errorf("sweeps: plot %s: %w", key, err)
		}
		plots[k] = []*plot.Plot{p}
	}
	img := vgimg.New(panelW, panelH*vg.Length(len(plots)))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	t := draw.Tiles{Rows: len(plots), Cols: 1, PadX: vg.Points(6), PadY: vg.Points(6), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	tiles := plot.Align(plots, t, dc)
	for i := range plots {
		plots[i][0].Draw(tiles[i][0])
	}
	return atomicfile.WriteFunc(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// panel is the plot of the metric against key.
func (rep *Report) panel(key string, log bool) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = key
	p.Y.Label.Text = "validation loss"
	if rep.classifier() {
		p.Y.Label.Text = "validation error (%)"
	}
	p.Add(plotter.NewGrid())
	numeric := true
	for _, r := range rep.Points {
		if _, err := strconv.ParseFloat(r.Values[key], 64); err != nil {
			numeric = false
		}
	}
	// Categorical values sit at 0, 1, 2… in order of appearance.
	var names []string
	pos := map[string]int{}
	var xy plotter.XYs
	for _, r := range rep.Points {
		v := r.Values[key]
		if _, ok := pos[v]; !ok {
			pos[v] = len(names)
			names = append(names, v)
		}
		if r.Val == nil {
			continue
		}
		x := float64(pos[v])
		if numeric {
			x, _ = strconv.ParseFloat(v, 64)
		}
		y := *r.Val
		if rep.classifier() {
			y *= 100
		}
		xy = append(xy, plotter.XY{X: x, Y: y})
	}
	s, err := plotter.NewScatter(xy)
	if err != nil {
		return nil, err
	}
	s.GlyphStyle.Shape = draw.CircleGlyph{}
	s.GlyphStyle.Radius = vg.Points(3)
	s.GlyphStyle.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	p.Add(s)
	padAxes(p, xy, numeric && log)
	switch {
	case numeric && log:
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	case !numeric:
		ticks := make([]plot.Tick, len(names))
		for i, n := range names {
			ticks[i] = plot.Tick{Value: float64(i), Label: n}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	}
	return p, nil
}

// padAxes leaves a margin around the points, so none sits on an axis: a
// twentieth of the span (of its logarithm on a log axis), or a unit
// (a factor 2) when all values are equal.
func padAxes(p *plot.Plot, xy plotter.XYs, logX bool) {
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, v := range xy {
		xlo, xhi, ylo, yhi = min(xlo, v.X), max(xhi, v.X), min(ylo, v.Y), max(yhi, v.Y)
	}
	pad := func(lo, hi float64) (float64, float64) {
		if d := (hi - lo) / 20; d > 0 {
			return lo - d, hi + d
		}
		return lo - 1, hi + 1
	}
	if logX {
		f := math.Pow(xhi/xlo, 1.0/20)
		if f == 1 {
			f = 2
		}
		p.X.Min, p.X.Max = xlo/f, xhi*f
	} else {
		p.X.Min, p.X.Max = pad(xlo, xhi)
	}
	p.Y.Min, p.Y.Max = pad(ylo, yhi)
}
