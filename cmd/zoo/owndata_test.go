package main

import (
	"image"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/runs"
)

// TestOwnDataCommands trains on the CSV and NPY data of
// pipeline/testdata/own through the CLI and uses the runs: every command
// works on the NPY pictures (6×6), and the commands that draw or read
// pictures refuse the CSV data (examples of 4 features) clearly, while eval
// and encode work on it.
func TestOwnDataCommands(t *testing.T) {
	own := filepath.Join("..", "..", "pipeline", "testdata", "own")
	dir := t.TempDir()
	pic := filepath.Join(dir, "pic.png")
	writePicture(t, pic, image.NewGray(image.Rect(0, 0, 12, 12)))
	ok := func(args ...string) string {
		t.Helper()
		code, out, stderr := zoo(t, args...)
		if code != 0 {
			t.Fatalf("zoo %s: exit %d\n%s%s", strings.Join(args, " "), code, out, stderr)
		}
		return out
	}
	refused := func(want string, args ...string) {
		t.Helper()
		code, out, stderr := zoo(t, args...)
		if code != 1 || stderr != want+"\n" {
			t.Errorf("zoo %s: exit %d, stderr\n%s\nwant\n%s", strings.Join(args, " "), code, stderr+out, want)
		}
	}
	run := func(recipe string) string {
		out := filepath.Join(dir, recipe)
		ok("train", filepath.Join(own, recipe+".yaml"), "--out", out)
		ok("eval", out)
		return out
	}

	mlp, ae := run("mlp-csv"), run("ae-csv")
	refused("zoo: "+mlp+" was trained on csv data of examples of shape [4], not pictures (rows × columns): predict classifies pictures; measure it on its test data with zoo eval "+mlp+", or classify rows from Go with runs.Load and Model.Classify",
		"predict", mlp, pic)
	refused("zoo: "+mlp+" was trained on csv data of examples of shape [4], not pictures (rows × columns): filters draws a unit's weights as a picture",
		"filters", mlp, "--out", filepath.Join(dir, "f.png"))
	refused("zoo: "+ae+" was trained on csv data of examples of shape [4], not pictures (rows × columns): reconstruct draws pictures; write the codes with zoo encode "+ae,
		"reconstruct", ae, "--out", filepath.Join(dir, "r.png"))
	refused("zoo: "+mlp+" holds a classifier (recipe mlp-csv), which has no code to write: encode needs an autoencoder run (model type autoencoder, e.g. zoo train ae-mnist); measure it on its test data with zoo eval "+mlp,
		"encode", mlp)
	if out := ok("encode", ae); !strings.HasPrefix(out, "label,c0,c1\n") || strings.Count(out, "\n") != 61 {
		t.Errorf("zoo encode: want a header and 60 rows of 2-unit codes, got\n%s", out)
	}

	mlp, ae = run("mlp-npy"), run("ae-npy")
	ok("predict", mlp, pic)
	ok("filters", mlp, "--out", filepath.Join(dir, "npy-f.png"))
	ok("filters", ae, "--out", filepath.Join(dir, "npy-ae-f.png"))
	ok("reconstruct", ae, "--out", filepath.Join(dir, "npy-r.png"))

	// idx: IDX files of 10×7 pictures and 12 classes, named relative to
	// the recipe's directory.
	data := tinyMNIST(t, filepath.Join(dir, "idx"), func(files map[string][]byte) {
		for name, n := range map[string]int{"train-images-idx3-ubyte": 120, "t10k-images-idx3-ubyte": 20} {
			files[name] = idxFile([]uint32{uint32(n), 10, 7}, make([]byte, n*70))
			labels := make([]byte, n)
			for i := range labels {
				labels[i] = byte(i % 12)
			}
			files[strings.Replace(strings.Replace(name, "images", "labels", 1), "idx3", "idx1", 1)] = idxFile([]uint32{uint32(n)}, labels)
		}
	})
	recipe := filepath.Join(data, "idx.yaml")
	writeText(t, recipe, strings.Replace(tinyRecipe, "data: {name: mnist}",
		"data: {name: idx, files: {train: train-images-idx3-ubyte, train_labels: train-labels-idx1-ubyte, test: t10k-images-idx3-ubyte, test_labels: t10k-labels-idx1-ubyte}}", 1))
	idx := filepath.Join(dir, "idx-run")
	ok("train", recipe, "--out", idx)
	ok("eval", idx)
	sum, err := runs.ReadSummary(idx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Classes != 12 || !slices.Equal(sum.InputShape, []int{10, 7}) {
		t.Errorf("summary: %d classes of shape %v, want 12 of [10 7]", sum.Classes, sum.InputShape)
	}
	ok("predict", idx, pic)
	ok("filters", idx, "--out", filepath.Join(dir, "idx-f.png"))
}
