package pipeline

import (
	"context"
	"fmt"
	"io"

	"github.com/gorgonia-zoo/zoo/datasets"
	"github.com/gorgonia-zoo/zoo/recipes"
)

// DataOptions says where LoadData reads a data set from and where it
// reports long work.
type DataOptions struct {
	// Dir, if not empty, replaces the recipe's data.dir (--data); for a
	// run's own data (LoadRunData), where the run recorded it.
	Dir string
	// Progress receives the progress of long work, such as a download; nil
	// for none. A terminal gets a bar, anything else a few lines.
	Progress io.Writer
}

// LoadData returns the splits of the data set d names (see datasets.Lookup),
// limited as it asks, and relabelled as a two-class task when it lists
// positive classes. Cancelling ctx stops a download.
func LoadData(ctx context.Context, d recipes.Data, o DataOptions) (*datasets.Splits, error) {
	dir := o.Dir
	if dir == "" {
		dir = d.Dir
	}
	src, err := datasets.Lookup(d.Name)
	if err != nil {
		return nil, err
	}
	s, err := src.Load(datasets.Request{
		Dir:             dir,
		Files:           d.Files,
		Label:           d.Label,
		ValidationSplit: d.ValidationSplit,
		Progress:        o.Progress,
		Context:         ctx,
	})
	if err != nil {
		return nil, err
	}
	s = s.Limit(d.Train, d.Validation, d.Test)
	if len(d.Positive) > 0 {
		// The recipe checked data.positive against the classes a data set
		// knows beforehand (mnist); the others' are known now.
		classes := s.Train.Classes
		for i, c := range d.Positive {
			if c < 0 || c >= classes {
				return nil, fmt.Errorf("pipeline: data.positive.%d: the %s data has classes 0 to %d, got %d", i, d.Name, classes-1, c)
			}
		}
		s = &datasets.Splits{
			Train:      twoClass(s.Train, d.Positive),
			Validation: twoClass(s.Validation, d.Positive),
			Test:       twoClass(s.Test, d.Positive),
			Files:      s.Files,
		}
	}
	return s, nil
}

// twoClass relabels s for the two-class task; a missing split stays missing.
func twoClass(s *datasets.Set, positive []int) *datasets.Set {
	if s == nil {
		return nil
	}
	return s.Binary(positive...)
}

// fitsBatches reports a training split smaller than one batch (of the
// training or of the pretraining), which could never make an update: said
// before the run directory is made, with the sizes, rather than by the
// loop after it.
func fitsBatches(sp *recipes.Spec, data *datasets.Splits) error {
	n := data.Train.Len()
	for _, b := range []struct {
		key  string
		size int
	}{{"batch_size", sp.BatchSize}, {"pretrain.batch_size", sp.Model.PretrainBatchSize}} {
		if b.size > n {
			return fmt.Errorf("pipeline: %s %d is more than the %d examples of the training split (%s): lower it (--set %s=%d) or give more data",
				b.key, b.size, n, data.Train.Name, b.key, n)
		}
	}
	return validatesInBudget(sp, n)
}

// validatesInBudget reports an early-stopping rule that validates every N
// updates when the run makes fewer than N: it would never validate, and
// the run would end with no model chosen.
func validatesInBudget(sp *recipes.Spec, examples int) error {
	es := sp.EarlyStopping
	if es == nil || sp.BatchSize <= 0 {
		return nil
	}
	every := 0
	switch {
	case es.Patience != nil:
		every = es.Patience.Every
	case es.NoImprovement != nil:
		every = es.NoImprovement.Every
	}
	perEpoch := examples / sp.BatchSize // an epoch's last partial batch is dropped
	if every <= 0 || every <= perEpoch*sp.Epochs {
		return nil
	}
	return fmt.Errorf("pipeline: early_stopping.every %d is more than the run's %d updates (%d an epoch × %d epochs), so the rule would never validate: lower it, or leave it out to validate after every epoch",
		every, perEpoch*sp.Epochs, perEpoch, sp.Epochs)
}
