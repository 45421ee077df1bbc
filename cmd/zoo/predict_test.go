package main

import (
	"encoding/json"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/runs"
)

// writePicture saves img at path in the format its extension names.
func writePicture(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	switch filepath.Ext(path) {
	case ".png":
		err = png.Encode(f, img)
	case ".jpg":
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 95})
	case ".gif":
		err = gif.Encode(f, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// userDrawn returns an MNIST digit as a user might draw it: black on white,
// each pixel a k×k block.
func userDrawn(t *testing.T, pixels []float32, k int) *image.Gray {
	t.Helper()
	src, err := images.Gray(pixels, 28, 28)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 28*k, 28*k))
	for y := range 28 * k {
		for x := range 28 * k {
			img.Pix[y*img.Stride+x] = 255 - src.Pix[(y/k)*src.Stride+x/k]
		}
	}
	return img
}

func testPredict(t *testing.T, mlp, dae string) {
	data, err := datasets.MNIST()
	if err != nil {
		t.Fatal(err)
	}
	m, err := runs.Load(mlp)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	const n = 6
	digits := data.Test.Slice(0, n)
	want, err := m.Predict(digits.X)
	if err != nil {
		t.Fatal(err)
	}

	// Each digit twice: as MNIST has it (28×28, white on black; bytes, so
	// a PNG holds it exactly), and drawn black on white at 4× the size.
	dir := t.TempDir()
	var paths []string
	for i := range n {
		as := filepath.Join(dir, "mnist-"+strconv.Itoa(i)+".png")
		img, _ := images.Gray(digits.Row(i), 28, 28)
		writePicture(t, as, img)
		drawn := filepath.Join(dir, "drawn-"+strconv.Itoa(i)+".png")
		writePicture(t, drawn, userDrawn(t, digits.Row(i), 4))
		paths = append(paths, as, drawn)
	}
	code, out, stderr := zoo(t, append([]string{"predict", mlp, "--json"}, paths...)...)
	if code != 0 {
		t.Fatalf("zoo predict --json: exit %d: %s", code, stderr)
	}
	var results []predictResult
	if err := json.Unmarshal([]byte(out), &results); err != nil || len(results) != 2*n {
		t.Fatalf("zoo predict --json: %d results, %v\n%s", len(results), err, out)
	}
	for i, r := range results {
		sum := 0.0
		for _, p := range r.Probabilities {
			sum += p
		}
		if r.Path != paths[i] || r.Class != want[i/2] || r.Inverted != (i%2 == 1) || len(r.Top) != 3 || r.Top[0].Class != r.Class || math.Abs(sum-1) > 1e-6 {
			t.Errorf("%s: %+v; want class %d, inverted %v", filepath.Base(paths[i]), r, want[i/2], i%2 == 1)
		}
	}

	// The text form: one line per picture, path, class, top 3.
	gifPath, jpgPath := filepath.Join(dir, "drawn.gif"), filepath.Join(dir, "drawn.jpg")
	writePicture(t, gifPath, userDrawn(t, digits.Row(0), 3))
	writePicture(t, jpgPath, userDrawn(t, digits.Row(0), 3))
	code, out, stderr = zoo(t, "predict", mlp, paths[0], paths[1], gifPath, jpgPath, "--center")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 {
		t.Fatalf("zoo predict: exit %d, %d lines\n%s%s", code, len(lines), out, stderr)
	}
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) < 8 || f[0] != []string{paths[0], paths[1], gifPath, jpgPath}[i] || !strings.HasPrefix(f[2], "(") || (i > 0) != strings.HasSuffix(l, "inverted") {
			t.Errorf("line %d: %q", i, l)
		}
	}
	// --invert no leaves black-on-white as it is: the prediction may change,
	// the note goes.
	code, out, _ = zoo(t, "predict", mlp, paths[1], "--invert", "no")
	if code != 0 || strings.Contains(out, "inverted") {
		t.Errorf("--invert no: exit %d, %q", code, out)
	}

	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a picture"), 0o644)
	missing := filepath.Join(dir, "missing.png")
	wantError(t, []string{"predict", mlp, paths[0], missing}, missing, "no such file")
	wantError(t, []string{"predict", mlp, text}, text, "not an image the standard library decodes")
	wantError(t, []string{"predict", dae, paths[0]}, "holds an autoencoder", "zoo encode "+dae)
	wantError(t, []string{"predict", dir, paths[0]}, "not a finished run directory")
}

func TestPredictArgs(t *testing.T) {
	var got *predictOptions
	cmd := newPredictCmd(&env{}, func(o *predictOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"run", "a.png", "b.jpg", "--invert", "yes", "--center"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.dir != "run" || len(got.images) != 2 || got.invert != images.InvertYes || !got.center || got.json {
		t.Errorf("options %+v", got)
	}
	wantError(t, []string{"predict", "run"}, "want a run directory and at least one picture")
	wantError(t, []string{"predict", "run", "a.png", "--invert", "maybe"}, `--invert "maybe": want auto, yes or no`)
}
