package nb

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"testing"

	"github.com/gorgonia-zoo/zoo/train"
	"gonum.org/v1/plot/plotter"
)

func TestWindow(t *testing.T) {
	for _, c := range []struct {
		name string
		v    []float64
		w    int
		want plotter.XYs
	}{
		{"empty", nil, 5, nil},
		{"exact windows", []float64{1, 3, 5, 7}, 2, plotter.XYs{{X: 2, Y: 2}, {X: 4, Y: 6}}},
		{"short last window", []float64{1, 3, 5, 7, 10}, 2, plotter.XYs{{X: 2, Y: 2}, {X: 4, Y: 6}, {X: 5, Y: 10}}},
		{"window of one", []float64{4, 2}, 1, plotter.XYs{{X: 1, Y: 4}, {X: 2, Y: 2}}},
		{"window below one is one", []float64{4, 2}, 0, plotter.XYs{{X: 1, Y: 4}, {X: 2, Y: 2}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Window(c.v, c.w)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("Window(%v, %d) = %v, want %v", c.v, c.w, got, c.want)
			}
		})
	}
}

func TestRecorder(t *testing.T) {
	r := NewRecorder(10)
	losses := []float64{2, 5, 19, 25, 1}
	var stoppedAt int
	for i, l := range losses {
		if err := r.OnStep(train.StepInfo{Update: i + 1, Loss: l}); err != nil {
			if !errors.Is(err, ErrBlewUp) {
				t.Fatalf("update %d: error %v, want ErrBlewUp", i+1, err)
			}
			stoppedAt = i + 1
			break
		}
	}
	if stoppedAt != 4 || r.BlewUp != 4 {
		t.Errorf("stopped at update %d, BlewUp %d; want 4 and 4 (25 > 10 × 2)", stoppedAt, r.BlewUp)
	}
	if len(r.Loss) != 4 || len(r.Seconds) != 4 {
		t.Errorf("recorded %d losses and %d times, want 4 of each", len(r.Loss), len(r.Seconds))
	}
	for i := 1; i < len(r.Seconds); i++ {
		if r.Seconds[i] < r.Seconds[i-1] {
			t.Errorf("Seconds go back: %v", r.Seconds)
		}
	}
	if err := r.OnEpochEnd(train.Record{Epoch: 1, Updates: 4}); err != nil || len(r.Epochs) != 1 || r.Epochs[0].Updates != 4 {
		t.Errorf("OnEpochEnd: err %v, Epochs %v", err, r.Epochs)
	}

	var zero Recorder
	if err := zero.OnStep(train.StepInfo{Loss: 1}); err != nil || len(zero.Seconds) != 1 || zero.Seconds[0] > 60 {
		t.Errorf("a zero Recorder: err %v, Seconds %v (want one small time since its first update)", err, zero.Seconds)
	}

	never := NewRecorder(0)
	for _, l := range []float64{1, 1e9} {
		if err := never.OnStep(train.StepInfo{Loss: l}); err != nil {
			t.Errorf("a recorder without a limit stopped the run: %v", err)
		}
	}
}

func TestColor(t *testing.T) {
	seen := map[string]int{}
	for i := range len(palette) {
		k := fmt.Sprint(Color(i))
		if j, ok := seen[k]; ok {
			t.Errorf("Color(%d) = Color(%d) = %s", i, j, k)
		}
		seen[k] = i
	}
	if fmt.Sprint(Color(len(palette))) != fmt.Sprint(Color(0)) || fmt.Sprint(Color(-1)) != fmt.Sprint(Color(len(palette)-1)) {
		t.Errorf("Color does not wrap around: Color(13) = %v, Color(-1) = %v", Color(len(palette)), Color(-1))
	}
}

func TestPNG(t *testing.T) {
	p := NewPlot("loss", "update", "loss (log scale)", true)
	if err := AddLine(p, "sgd", Window([]float64{3, 2, 1, 0.5, 0.25}, 2), Color(0), true); err != nil {
		t.Fatal(err)
	}
	b, err := PNG(p, 2, 1.5)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG returned no PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != 192 || got.Y != 144 {
		t.Errorf("2 × 1.5 inches rendered as %v pixels, want 192 × 144 (96 dpi)", got)
	}
	if err := AddLine(p, "nan", plotter.XYs{{X: 1, Y: math.NaN()}}, Color(1), false); err == nil {
		t.Error("AddLine accepted a NaN point")
	}
}

func TestGridPNG(t *testing.T) {
	digit := make([]float32, 28*28)
	rows := [][][]float32{{digit, digit}, {digit, digit}}
	size := func(labels []string) image.Point {
		t.Helper()
		b, err := GridPNG(rows, labels, 1)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("GridPNG returned no PNG: %v", err)
		}
		return img.Bounds().Size()
	}
	bare := size(nil)
	if bare.X < 56 || bare.Y < 56 {
		t.Errorf("two rows of two digits are %v pixels, want at least 56 × 56", bare)
	}
	if got := size([]string{"original", "reconstruction"}); got.Y != bare.Y || got.X <= bare.X {
		t.Errorf("labelled grid is %v pixels, want as high as the bare %v and wider (the label column)", got, bare)
	}
	if _, err := GridPNG([][][]float32{{digit[:10]}}, nil, 1); err == nil {
		t.Error("GridPNG accepted a digit of 10 pixels")
	}
	if _, err := GridPNG(rows, []string{"a", "b", "c"}, 1); err == nil {
		t.Error("GridPNG accepted 3 labels for 2 rows")
	}
}

// Window turns a noisy batch loss into the means of consecutive updates.
func ExampleWindow() {
	for _, pt := range Window([]float64{2.0, 1.0, 0.8, 0.6, 0.5}, 2) {
		fmt.Printf("update %g: mean loss %.2f\n", pt.X, pt.Y)
	}
	// Output:
	// update 2: mean loss 1.50
	// update 4: mean loss 0.70
	// update 5: mean loss 0.50
}
