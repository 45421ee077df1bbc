package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/rng"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/runs"
)

// convEvalBatch is the batch of a convolutional autoencoder's inference
// graph during training (see autoencoderConfig).
const convEvalBatch = 100

// convAutoencoderFamily trains a convolutional autoencoder (model.type
// conv-autoencoder) on pictures, as the autoencoder family trains a dense
// one: the same loop, losses, corruption, summary and figures.
type convAutoencoderFamily struct{}

func (convAutoencoderFamily) build(j *job) (trainer, error) {
	c, err := j.sp.Model.ConvAutoencoderFor(j.data.Train.Shape)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %s: %w", j.sp.Name, err)
	}
	if err := j.checkMemory(c.Size()); err != nil {
		return nil, err
	}
	ae, err := models.NewConvAutoencoder(c, rng.New(j.sp.Seed, "init"))
	if err != nil {
		return nil, fmt.Errorf("pipeline: %s: %w", j.sp.Name, err)
	}
	if err := j.applyInit(ae.Params()); err != nil {
		return nil, err
	}
	return func(ctx context.Context) (*runs.Summary, error) { return j.trainAutoencoder(ctx, ae) }, nil
}

// convShape describes a convolutional autoencoder by the [channels,
// height, width] of its input and of each stage's output, e.g.
// 1×28×28 → 16×14×14 → 8×7×7 → 8×4×4 (code) → 8×7×7 → 8×14×14 → 16×28×28
// → 1×28×28.
func convShape(a *models.ConvAutoencoder) string {
	c := a.Config
	sizes := c.Sizes()
	t := func(ch int, hw [2]int) string { return fmt.Sprintf("%d×%d×%d", ch, hw[0], hw[1]) }
	parts := []string{t(c.Channels, sizes[0])}
	for k, l := range c.Encoder {
		parts = append(parts, t(l.Filters, sizes[k+1]))
	}
	parts[len(parts)-1] += " (code)"
	L := len(c.Encoder)
	for j := range L {
		parts = append(parts, t(c.Encoder[L-1-j].Filters, sizes[L-1-j]))
	}
	return strings.Join(append(parts, t(c.Channels, sizes[0])), " → ")
}
