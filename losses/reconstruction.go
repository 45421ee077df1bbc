package losses

import (
	"fmt"

	"gorgonia.org/gorgonia"
)

// Reconstruction names the loss L(x, r) between an autoencoder's input and
// its reconstruction. Both are averaged over the features, so they read the
// same whatever the input size: (1/d) Σ_j L(x_j, r_j). It is a name, so a
// recipe, a checkpoint and a run's summary can carry it.
type Reconstruction string

// The reconstruction losses.
const (
	// ReconstructionMSE is the squared error (r_j − x_j)², for any output
	// activation.
	ReconstructionMSE Reconstruction = "mse"
	// ReconstructionBCE is the binary cross-entropy
	// −[x_j log r_j + (1−x_j) log(1−r_j)], for inputs in [0, 1] and a
	// sigmoid output; it is computed from the output's logits
	// (BinaryCrossEntropyWithLogits), so it stays finite when the sigmoid
	// saturates.
	ReconstructionBCE Reconstruction = "bce"
)

// Reconstructions lists the reconstruction loss names, sorted.
func Reconstructions() []string {
	return []string{string(ReconstructionBCE), string(ReconstructionMSE)}
}

// Validate reports whether r is a known loss.
func (r Reconstruction) Validate() error {
	switch r {
	case ReconstructionMSE, ReconstructionBCE:
		return nil
	}
	return fmt.Errorf("losses: unknown reconstruction loss %q (known: bce, mse)", string(r))
}

// PerExample builds the loss of each example against target, given the
// output's logits z (before the output activation) and the reconstruction
// rec (after it). The bce loss reads only z, so a graph that needs no
// reconstruction may pass rec = nil for it.
func (r Reconstruction) PerExample(z, rec, target *gorgonia.Node) (*gorgonia.Node, error) {
	switch r {
	case ReconstructionBCE:
		return BinaryCrossEntropyWithLogits(z, target)
	case ReconstructionMSE:
		return MSE(rec, target)
	}
	return nil, r.Validate()
}
