package pipeline

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/internal/memory"
	"github.com/gorgonia-zoo/zoo/models"
	"github.com/gorgonia-zoo/zoo/optimizers"
)

// checkMemory refuses a model the machine cannot train, before it is built:
// a recipe's units and batch_size are only claims, and allocating them
// ends the process in Go's fatal out-of-memory (or a makeslice panic)
// instead of an error. The estimate counts the parameters, their
// gradients, the optimizer's buffers and the activations of the largest
// training batch (an sdae's pretraining batch, when larger); the limit is Options.MemoryLimit or the
// memory this machine has available now, once the data is loaded.
func (j *job) checkMemory(s models.Size) error {
	slots, err := optimizerSlots(j.sp.Optimizer)
	if err != nil {
		return err
	}
	batch := max(j.sp.BatchSize, j.sp.Model.PretrainBatchSize)
	f := models.Footprint{Size: s, Batch: batch, Training: true, Optimizer: j.sp.Optimizer.Name, Slots: slots}
	limit := memory.Machine()
	if j.o.MemoryLimit > 0 {
		limit = memory.Of(float64(j.o.MemoryLimit))
	}
	if err := f.Check(limit); err != nil {
		return fmt.Errorf("pipeline: %s: %w; make the model's layers or batch_size smaller", j.sp.Name, err)
	}
	return nil
}

// optimizerSlots is the number of buffers the optimizer c keeps per
// parameter (adam's two moments, momentum's velocity, …), read from an
// optimizer made for the purpose: it allocates its buffers only at its
// first step.
func optimizerSlots(c optimizers.Config) (int, error) {
	opt, err := optimizers.New(c)
	if err != nil {
		return 0, err
	}
	if s, ok := opt.(interface{ SlotNames() []string }); ok {
		return len(s.SlotNames()), nil
	}
	return 0, nil
}
