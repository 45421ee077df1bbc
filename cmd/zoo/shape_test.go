package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOtherPictureSize trains on an MNIST look-alike of 16×12 pictures
// (rows × columns, as --data allows) and uses the run: eval, predict,
// filters and a dae's reconstructions must work on pictures of that size,
// not assume MNIST's 28×28.
func TestOtherPictureSize(t *testing.T) {
	dir := t.TempDir()
	data := tinyMNIST(t, filepath.Join(dir, "data"), func(files map[string][]byte) {
		for name, n := range map[string]uint32{"train-images-idx3-ubyte": 120, "t10k-images-idx3-ubyte": 20} {
			pix := make([]byte, n*16*12)
			for i := range pix {
				pix[i] = byte(i * 7)
			}
			files[name] = idxFile([]uint32{n, 16, 12}, pix)
		}
	})
	for _, tt := range []struct{ name, recipe string }{
		{"mlp", tinyRecipe},
		{"dae", strings.Replace(tinyRecipe, "model: {type: mlp, layers: [{units: 8, activation: relu}]}\nloss: cross-entropy",
			"model: {type: autoencoder, encoder: [{units: 8, activation: sigmoid}], output: sigmoid, corruption: {type: mask, level: 0.25}}\nloss: bce", 1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recipe := filepath.Join(dir, tt.name+".yaml")
			if err := os.WriteFile(recipe, []byte(tt.recipe), 0o644); err != nil {
				t.Fatal(err)
			}
			run := filepath.Join(dir, tt.name)
			mustRun := func(args ...string) string {
				t.Helper()
				code, out, stderr := zoo(t, args...)
				if code != 0 {
					t.Fatalf("zoo %s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
				}
				return out
			}
			mustRun("train", recipe, "--data", data, "--out", run)
			mustRun("eval", run, "--data", data)
			filters := filepath.Join(dir, tt.name+"-filters.png")
			mustRun("filters", run, "--out", filters)
			if tt.name == "mlp" {
				pic := filepath.Join(dir, "pic.png")
				writePicture(t, pic, image.NewGray(image.Rect(0, 0, 30, 40)))
				if out := mustRun("predict", run, pic); !strings.Contains(out, pic) {
					t.Errorf("zoo predict printed %q", out)
				}
			} else {
				recs := filepath.Join(dir, "recs.png")
				mustRun("reconstruct", run, "--data", data, "--out", recs)
				f, err := os.Open(recs)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := png.DecodeConfig(f); err != nil {
					t.Errorf("reconstructions: %v", err)
				}
			}
		})
	}
}
