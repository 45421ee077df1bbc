package pipeline

import (
	"math/rand/v2"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/images"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/train"
)

// figureDigits is the number of test digits runs.ReconstructionsFile shows.
const figureDigits = 10

// writeFigures draws runs.ReconstructionsFile for the first figureDigits
// examples of test (corrupted with r when the task denoises), its rows
// labelled, and runs.FiltersFile for the first encoder layer, when the examples are
// pictures.
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
	first := task.Model().Encoder[0]
	img, err = images.Filters(first.W.Float64s(), first.In(), first.Out(), w, h, 100, 10, 2)
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
