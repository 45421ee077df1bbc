package pipeline

import (
	"math/rand/v2"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// figureDigits is the number of test digits runs.ReconstructionsFile shows.
const figureDigits = 10

// convFilterScale is the screen pixels per weight of a convolution's
// kernels in runs.FiltersFile: a 3×3 kernel is drawn 24 pixels wide.
const convFilterScale = 8

// writeFigures draws runs.ReconstructionsFile for the first figureDigits
// examples of test (corrupted with r when the task denoises), its rows
// labelled, and runs.FiltersFile for the first encoder layer (a dense
// layer's weights as pictures, a convolution's kernels), when the examples
// are pictures.
func writeFigures(dir string, task *train.Autoencoder, test *datasets.Set, r *rand.Rand) error {
	if len(test.Shape) != 2 || test.Len() == 0 {
		return nil
	}
	w, h := test.Shape[1], test.Shape[0]
	show := test.Slice(0, min(figureDigits, test.Len()))
	rows, labels := [][][]float32{split(show)}, []string{"original"}
	in := show
	if task.Corruption().Active() {
		in = task.Corrupt(show, r)
		rows, labels = append(rows, split(in)), append(labels, "corrupted")
	}
	rec, err := task.Reconstruct(in)
	if err != nil {
		return err
	}
	rows, labels = append(rows, split(rec)), append(labels, "reconstruction")
	img, err := images.LabelledGrid(rows, labels, w, h, 2)
	if err != nil {
		return err
	}
	if err := images.WritePNG(filepath.Join(dir, runs.ReconstructionsFile), img); err != nil {
		return err
	}
	switch ae := task.Model().(type) {
	case *models.Autoencoder:
		first := ae.Encoder[0]
		img, err = images.Filters(first.W.Float64s(), first.In(), first.Out(), w, h, 100, 10, 2)
	case *models.ConvAutoencoder:
		// The first convolution's k×k kernels, drawn large.
		first := ae.Encoder[0]
		img, err = images.ConvFilters(first.W.Float64s(), first.Out(), first.In(), first.Kernel(), 100, 8, convFilterScale)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	return images.WritePNG(filepath.Join(dir, runs.FiltersFile), img)
}

// split returns the examples of s as separate slices.
func split(s *datasets.Set) [][]float32 {
	out := make([][]float32, s.Len())
	for i := range out {
		out[i] = s.Row(i)
	}
	return out
}
