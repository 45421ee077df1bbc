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

// series is one line of a chart.
type series struct {
	Name   string
	X, Y   []float64
	Color  color.Color // nil picks the chart's palette colour
	Dashed bool
	Points bool // a marker at every point
	Thin   bool
	// Err, if set, holds a ± half-width per point (one standard deviation
	// over seeds), drawn as a vertical error bar.
	Err []float64
}

// marker is a single labelled point, such as where a run diverged.
type marker struct {
	Name  string
	X, Y  float64
	Color color.Color
	Shape draw.GlyphDrawer // nil is a cross
	Small bool
}

func circle() draw.GlyphDrawer { return draw.CircleGlyph{} }

// rule is a vertical (X set) or horizontal line across the chart.
type rule struct {
	Name     string
	Vertical bool
	At       float64
	Color    color.Color
}

// chart is a line chart. Points that a log axis cannot show (≤ 0) and
// non-finite points are left out.
type chart struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Series                []series
	Markers               []marker
	Rules                 []rule
	// YMax, if > 0, clips the Y axis (lines leave the top of the chart).
	YMax float64
	// Y0 and Y1, if Y1 > Y0, fix the Y axis to [Y0, Y1].
	Y0, Y1 float64
	// LegendLeft puts the legend at the left instead of the right,
	// LegendBottom at the bottom instead of the top; NoLegend leaves it out.
	LegendLeft, LegendBottom, NoLegend bool
}

// palette is a set of distinct colours (matplotlib's tab10, then more).
var paletteHex = []uint32{0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0x637939, 0x843c39}

func paletteColor(i int) color.Color { return hexColor(paletteHex[i%len(paletteHex)]) }

func hexColor(h uint32) color.RGBA {
	return color.RGBA{R: uint8(h >> 16), G: uint8(h >> 8), B: uint8(h), A: 255}
}

// ramp maps t ∈ [0, 1] to a colour from dark blue through green to
// orange-red (a viridis-like sequential map), for ordered series such as
// learning rates.
func ramp(t float64) color.Color {
	stops := []color.RGBA{hexColor(0x440154), hexColor(0x3b528b), hexColor(0x21918c), hexColor(0x5ec962), hexColor(0xe6a100), hexColor(0xd62728)}
	t = math.Max(0, math.Min(1, t))
	x := t * float64(len(stops)-1)
	i := min(int(x), len(stops)-2)
	f := x - float64(i)
	a, b := stops[i], stops[i+1]
	mix := func(u, v uint8) uint8 { return uint8(math.Round(float64(u) + f*(float64(v)-float64(u)))) }
	return color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 255}
}

// keep reports whether (x, y) can be drawn on the chart's axes.
func (c *chart) keep(x, y float64) bool {
	if !finite(x) || !finite(y) {
		return false
	}
	return !(c.LogX && x <= 0) && !(c.LogY && y <= 0)
}

// plot builds the gonum plot.
func (c *chart) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = c.XLabel
	p.Y.Label.Text = c.YLabel
	if c.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if c.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		if c.YLabel != "" {
			// gonum/plot places the label at the arithmetic middle of the
			// data range, near the top of a log axis, and pads the chart
			// for it there: reserve the room with a blank label and let
			// finish write it at the middle.
			p.Y.Label.Text = " "
		}
	}
	if !c.LogX {
		p.X.Tick.Marker = linearTicks{}
	}
	if !c.LogY {
		p.Y.Tick.Marker = linearTicks{}
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = !c.LegendBottom
	p.Legend.Left = c.LegendLeft
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	p.Legend.ThumbnailWidth = vg.Points(18)
	ymax := math.Inf(-1)
	for i, s := range c.Series {
		var xy plotter.XYs
		for k := range s.X {
			if c.keep(s.X[k], s.Y[k]) {
				xy = append(xy, plotter.XY{X: s.X[k], Y: s.Y[k]})
				ymax = math.Max(ymax, s.Y[k])
			}
		}
		if len(xy) == 0 {
			continue
		}
		col := s.Color
		if col == nil {
			col = paletteColor(i)
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return nil, err
		}
		line.Color = col
		line.Width = vg.Points(1.5)
		if s.Thin {
			line.Width = vg.Points(0.8)
		}
		if s.Dashed {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(2.5)}
		}
		p.Add(line)
		thumbs := []plot.Thumbnailer{line}
		if s.Points {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, err
			}
			sc.Shape = draw.CircleGlyph{}
			sc.Radius = vg.Points(2.2)
			sc.Color = col
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		if s.Name != "" && !c.NoLegend {
			p.Legend.Add(s.Name, thumbs...)
		}
		if len(s.Err) > 0 {
			p.Add(c.errorBars(s.X, s.Y, s.Err, col, 0))
		}
	}
	for _, m := range c.Markers {
		if !c.keep(m.X, m.Y) {
			continue
		}
		sc, err := plotter.NewScatter(plotter.XYs{{X: m.X, Y: m.Y}})
		if err != nil {
			return nil, err
		}
		sc.Shape = m.Shape
		if sc.Shape == nil {
			sc.Shape = draw.CrossGlyph{}
		}
		sc.Radius = vg.Points(5)
		if m.Small {
			sc.Radius = vg.Points(2.5)
		}
		sc.Color = m.Color
		if sc.Color == nil {
			sc.Color = color.Black
		}
		p.Add(sc)
		if m.Name != "" && !c.NoLegend {
			p.Legend.Add(m.Name, sc)
		}
	}
	if c.YMax > 0 && ymax > c.YMax {
		p.Y.Max = c.YMax
	}
	if c.Y1 > c.Y0 {
		p.Y.Min, p.Y.Max = c.Y0, c.Y1
	}
	for _, r := range c.Rules {
		col := r.Color
		if col == nil {
			col = color.Gray{Y: 90}
		}
		rl := &ruleLine{rule: r, color: col}
		p.Add(rl)
		if r.Name != "" && !c.NoLegend {
			p.Legend.Add(r.Name, rl)
		}
	}
	return p, nil
}

// finish writes the Y label of a log-scale chart, rotated, at the middle
// of the tile's left edge (see plot).
func (c *chart) finish(p *plot.Plot, tile draw.Canvas) {
	if !c.LogY || c.YLabel == "" {
		return
	}
	sty := p.Y.Label.TextStyle
	sty.Rotation = math.Pi / 2
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YTop
	tile.FillText(sty, vg.Point{X: tile.Min.X, Y: (tile.Min.Y + tile.Max.Y) / 2}, c.YLabel)
}

// errorBars returns the error bars y ± err at x, of the points the chart
// can show; on a log axis a bar reaching 0 or below is drawn to the bottom
// of the chart.
func (c *chart) errorBars(x, y, err []float64, col color.Color, offset vg.Length) *errorBars {
	e := &errorBars{color: col, offset: offset}
	for i := range x {
		if i >= len(err) || !c.keep(x[i], y[i]) || !finite(err[i]) {
			continue
		}
		lo := y[i] - err[i]
		if c.LogY && lo <= 0 {
			lo = math.NaN()
		}
		e.x, e.lo, e.hi = append(e.x, x[i]), append(e.lo, lo), append(e.hi, y[i]+err[i])
	}
	return e
}

// errorBars draws vertical bars from lo to hi at each x (lo NaN: from the
// bottom of the chart), offset sideways by offset (for grouped bars).
type errorBars struct {
	x, lo, hi []float64
	color     color.Color
	offset    vg.Length
}

func (e *errorBars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	sty := draw.LineStyle{Color: e.color, Width: vg.Points(1)}
	w := vg.Points(3) // half the width of a cap
	// A bar reaching past a fixed axis range stops at the chart's edge,
	// without a cap there.
	clip := func(y vg.Length) (vg.Length, bool) {
		switch {
		case y < c.Min.Y:
			return c.Min.Y, false
		case y > c.Max.Y:
			return c.Max.Y, false
		}
		return y, true
	}
	for i := range e.x {
		x := tx(e.x[i]) + e.offset
		y0, cap0 := c.Min.Y, false
		if !math.IsNaN(e.lo[i]) {
			y0, cap0 = clip(ty(e.lo[i]))
		}
		y1, cap1 := clip(ty(e.hi[i]))
		c.StrokeLine2(sty, x, y0, x, y1)
		if cap0 {
			c.StrokeLine2(sty, x-w, y0, x+w, y0)
		}
		if cap1 {
			c.StrokeLine2(sty, x-w, y1, x+w, y1)
		}
	}
}

// DataRange covers the bars, except the lower ends drawn to the bottom.
func (e *errorBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range e.x {
		xmin, xmax = math.Min(xmin, e.x[i]), math.Max(xmax, e.x[i])
		if !math.IsNaN(e.lo[i]) {
			ymin = math.Min(ymin, e.lo[i])
		}
		ymin, ymax = math.Min(ymin, e.hi[i]), math.Max(ymax, e.hi[i])
	}
	return xmin, xmax, ymin, ymax
}

// ruleLine draws a rule across the whole chart.
type ruleLine struct {
	rule  rule
	color color.Color
}

func (r *ruleLine) style() draw.LineStyle {
	return draw.LineStyle{Color: r.color, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
}

func (r *ruleLine) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	if r.rule.Vertical {
		x := tx(r.rule.At)
		c.StrokeLine2(r.style(), x, c.Min.Y, x, c.Max.Y)
		return
	}
	y := ty(r.rule.At)
	c.StrokeLine2(r.style(), c.Min.X, y, c.Max.X, y)
}

// DataRange covers the rule's position only, so it never stretches the
// other axis.
func (r *ruleLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	if r.rule.Vertical {
		return r.rule.At, r.rule.At, math.Inf(1), math.Inf(-1)
	}
	return math.Inf(1), math.Inf(-1), r.rule.At, r.rule.At
}

func (r *ruleLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(r.style(), c.Min.X, y, c.Max.X, y)
}

// Default figure sizes.
const (
	chartWidth  = 8 * vg.Inch
	chartHeight = 5 * vg.Inch
)

// panel is one chart of a figure: a line chart or a bar chart.
type panel interface {
	plot() (*plot.Plot, error)
	// finish draws what gonum/plot could not, after the plot is drawn.
	finish(p *plot.Plot, tile draw.Canvas)
}

var (
	_ panel = (*chart)(nil)
	_ panel = (*barChart)(nil)
)

// barChart is a grouped bar chart: one group per label, one bar per series
// in each group.
type barChart struct {
	Title, YLabel string
	Groups        []string
	Bars          []bars
	YMax          float64 // > 0 fixes the top of the Y axis
	LegendLeft    bool
}

// bars is one series of a bar chart: a value per group, and optionally
// a ± half-width per group drawn as an error bar.
type bars struct {
	Name   string
	Values []float64
	Err    []float64
	Color  color.Color
}

func (b *barChart) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = b.Title
	p.Title.Padding = vg.Points(6)
	p.Y.Label.Text = b.YLabel
	p.Y.Tick.Marker = linearTicks{}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = b.LegendLeft
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	w := vg.Points(min(40, 240/float64(max(1, len(b.Bars)*len(b.Groups)))))
	for i, s := range b.Bars {
		bc, err := plotter.NewBarChart(plotter.Values(s.Values), w)
		if err != nil {
			return nil, err
		}
		bc.Color = s.Color
		if bc.Color == nil {
			bc.Color = paletteColor(i)
		}
		bc.LineStyle.Width = 0
		bc.Offset = vg.Length(float64(i)-float64(len(b.Bars)-1)/2) * w
		p.Add(bc)
		if len(s.Err) > 0 {
			x := make([]float64, len(s.Values))
			for k := range x {
				x[k] = float64(k)
			}
			p.Add((&chart{}).errorBars(x, s.Values, s.Err, color.Black, bc.Offset))
		}
		if len(b.Bars) > 1 {
			p.Legend.Add(s.Name, bc)
		}
	}
	p.NominalX(b.Groups...)
	p.Y.Min = 0
	switch {
	case b.YMax > 0:
		p.Y.Max = b.YMax
	case len(b.Bars) > 1:
		// Room above the bars for the legend.
		top := 0.0
		for _, s := range b.Bars {
			for k, v := range s.Values {
				if k < len(s.Err) && finite(s.Err[k]) {
					v += s.Err[k]
				}
				top = math.Max(top, v)
			}
		}
		p.Y.Max = 1.25 * top
	}
	return p, nil
}

func (b *barChart) finish(*plot.Plot, draw.Canvas) {}

// writeCharts draws the panels in a grid of cols columns, each
// panelW × panelH, and writes the figure as a PNG.
func writeCharts(path string, cols int, panelW, panelH vg.Length, charts ...panel) (err error) {
	defer func() {
		// gonum/plot panics on some degenerate inputs: report an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("experiments: plot %s: %v", path, r)
		}
	}()
	if len(charts) == 0 {
		return fmt.Errorf("experiments: plot %s: no charts", path)
	}
	cols = max(1, min(cols, len(charts)))
	rows := (len(charts) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for i := range plots {
		plots[i] = make([]*plot.Plot, cols)
	}
	for i, c := range charts {
		p, err := c.plot()
		if err != nil {
			return fmt.Errorf("experiments: plot %s: %w", path, err)
		}
		plots[i/cols][i%cols] = p
	}
	img := vgimg.New(panelW*vg.Length(cols), panelH*vg.Length(rows))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(6), PadY: vg.Points(6), PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	// Align gives every panel the same data area, so stacked panels share
	// their X positions. Empty grid cells get an empty plot.
	for i := range plots {
		for j := range plots[i] {
			if plots[i][j] == nil {
				plots[i][j] = plot.New()
				plots[i][j].HideAxes()
			}
		}
	}
	tiles := plot.Align(plots, t, dc)
	for i := range plots {
		for j, p := range plots[i] {
			if k := i*cols + j; k < len(charts) {
				p.Draw(tiles[i][j])
				charts[k].finish(p, tiles[i][j])
			}
		}
	}
	return atomicfile.WriteFunc(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// writeChart writes one chart at the default size.
func writeChart(path string, c *chart) error {
	return writeCharts(path, 1, chartWidth, chartHeight, c)
}

// histChart is a histogram of values over [lo, hi] in bins bins (values
// outside are counted in the end bins), as the fraction of values per bin,
// with a log Y axis when logY is set.
func histChart(title, xlabel string, values []float64, lo, hi float64, bins int, logY bool, col color.Color) *chart {
	counts := make([]float64, bins)
	w := (hi - lo) / float64(bins)
	for _, v := range values {
		f := (v - lo) / w
		switch {
		case math.IsNaN(f):
			continue
		case f < 0:
			counts[0]++
		case f >= float64(bins):
			counts[bins-1]++
		default:
			counts[int(f)]++
		}
	}
	// A step outline: the chart type draws lines, which keeps the panels
	// of a figure alike.
	var xs, ys []float64
	floor := 0.0
	if logY {
		floor = 0.5 / float64(max(len(values), 1)) // below one value: draws as the axis floor
	}
	for k, c := range counts {
		f := c / float64(max(len(values), 1))
		if logY && f == 0 {
			f = floor
		}
		x0 := lo + float64(k)*w
		xs = append(xs, x0, x0+w)
		ys = append(ys, f, f)
	}
	return &chart{Title: title, XLabel: xlabel, YLabel: "fraction of weights per bin", LogY: logY, NoLegend: true,
		Series: []series{{X: xs, Y: ys, Color: col}}}
}

// logTicks marks a log axis: every power of ten labelled, the multiples 2…9
// between them as minor ticks, and 2 and 5 labelled too when the axis spans
// less than two decades.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	k0, k1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	few := k1-k0 <= 2
	var ticks []plot.Tick
	for k := k0; k <= k1; k++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(k)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (few && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', 6, 64)
			}
			ticks = append(ticks, t)
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 {
		// Less than a decade: label round values instead.
		return linearTicks{}.Ticks(lo, hi)
	}
	return ticks
}

// linearTicks is niceTicks (round values, about eight labels) without a
// "-0" label.
type linearTicks struct{}

func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := niceTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label == "-0" {
			ticks[i].Label = "0"
		}
	}
	return ticks
}
