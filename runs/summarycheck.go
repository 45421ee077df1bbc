package runs

import (
	"fmt"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/internal/safetensors"
	"github.com/gorgonia-zoo/zoo/recipes"
)

// checkSummaryShape compares what summary.json says of the examples and the
// classes (s, from inputShape) with the first and last layers in the
// weights file, read from its header alone. The model is built from the
// summary's figures, so a summary that lies would otherwise be reported as
// weights of the wrong shape: here it is named. A weights file whose header
// cannot be read is left to LoadWeights to report.
func checkSummaryShape(dir string, family string, sum *Summary, s *datasets.Set) error {
	h, err := safetensors.ReadHeader(filepath.Join(dir, WeightsFile), safetensors.Limits{})
	if err != nil {
		return nil
	}
	said := fmt.Sprintf("input_shape %v", sum.InputShape)
	if len(sum.InputShape) == 0 {
		said = fmt.Sprintf("no input_shape (a run from before it was recorded: MNIST's %v assumed)", s.Shape)
	}
	first := "layers.0.weight"
	if recipes.Reconstructs(family) || family == recipes.FamilyVAE {
		first = "encoder.0.weight"
	}
	if family == recipes.FamilyConvAutoencoder {
		// [filters, channels, k, k]: the channels are the picture's.
		channels := 1
		if len(s.Shape) == 3 {
			channels = s.Shape[0]
		}
		if t, ok := h.Get(first); ok && len(t.Shape) == 4 && t.Shape[1] != channels {
			return fmt.Errorf("runs: %s says %s, pictures of %d channels, but the first convolution of %s (%s %v) takes %d: is summary.json damaged, or from another run?",
				filepath.Join(dir, SummaryFile), said, channels, WeightsFile, first, t.Shape, t.Shape[1])
		}
		return nil
	}
	if t, ok := h.Get(first); ok && len(t.Shape) == 2 && t.Shape[0] != s.Dim() {
		return fmt.Errorf("runs: %s says %s, examples of %d values, but the first layer of %s (%s %v) takes %d inputs: is summary.json damaged, or from another run?",
			filepath.Join(dir, SummaryFile), said, s.Dim(), WeightsFile, first, t.Shape, t.Shape[0])
	}
	if recipes.Reconstructs(family) || family == recipes.FamilyVAE {
		return nil
	}
	// The output layer is the mlp's last: layers.K.bias with the largest K.
	last := -1
	var out safetensors.Tensor
	for k := 0; k <= len(h.Tensors); k++ {
		if t, ok := h.Get(fmt.Sprintf("layers.%d.bias", k)); ok {
			last, out = k, t
		}
	}
	if last >= 0 && len(out.Shape) == 1 && out.Shape[0] != s.Classes {
		said := fmt.Sprintf("classes %d", sum.Classes)
		if sum.Classes == 0 {
			said = fmt.Sprintf("no classes (a run from before they were recorded: %d assumed)", s.Classes)
		}
		return fmt.Errorf("runs: %s says %s, but the output layer of %s (%s %v) has %d units: is summary.json damaged, or from another run?",
			filepath.Join(dir, SummaryFile), said, WeightsFile, out.Name, out.Shape, out.Shape[0])
	}
	return nil
}
