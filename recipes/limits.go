package recipes

import (
	"fmt"
	"reflect"
	"strings"
)

// The largest values of the integer keys. A recipe's integers size what a
// run allocates (a batch, a layer's weights, an adaptive schedule's subset)
// or how long it runs; past these limits a value can only be a mistake
// (batch_size near 2⁶³ ended in "makeslice: len out of range"), so the
// recipe is refused, naming the key and its line, before anything is
// allocated. Whether a whole model fits the machine's memory is checked
// when the run starts, from the data's sizes.
const (
	// MaxWidth bounds batch sizes and layer widths: 2²⁴.
	MaxWidth = 1 << 24
	// MaxExamples bounds counts of examples (data.train, data.validation,
	// data.test, an adaptive schedule's subset): 2³⁰.
	MaxExamples = 1 << 30
	// MaxEpochs bounds epochs, of training and of pretraining.
	MaxEpochs = 1_000_000
	// MaxUpdates bounds counts of updates (early_stopping.every and
	// patience, a schedule's every, steps and warmup) and of evaluations:
	// 2³¹−1.
	MaxUpdates = 1<<31 - 1
	// MaxDraws bounds the input noise's candidates (k) and ascent steps
	// per update: 2¹⁶.
	MaxDraws = 1 << 16
)

// limit is the largest value of an integer key, and what it counts.
type limit struct {
	max  int
	unit string
}

// intLimit returns the limit of the integer key (a dotted path, list
// indexes as numbers), and false for a key without one (seed,
// data.positive: checked against the data's classes).
func intLimit(key string) (limit, bool) {
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if isIndex(p) {
			parts[i] = "*"
		}
	}
	switch strings.Join(parts, ".") {
	case "batch_size", "pretrain.batch_size":
		return limit{MaxWidth, "examples per update"}, true
	case "model.layers.*.units", "model.encoder.*.units", "model.decoder.*.units":
		return limit{MaxWidth, "units"}, true
	case "model.conv.*.filters":
		return limit{MaxWidth, "filters"}, true
	case "model.conv.*.kernel", "model.conv.*.pool":
		return limit{MaxWidth, "pixels"}, true
	case "model.latent":
		return limit{MaxWidth, "dimensions"}, true
	case "data.train", "data.validation", "data.test", "schedule.subset":
		return limit{MaxExamples, "examples"}, true
	case "epochs", "pretrain.epochs", "pretrain.layers.*.epochs":
		return limit{MaxEpochs, "epochs"}, true
	case "early_stopping.every", "early_stopping.patience", "schedule.every", "schedule.steps", "schedule.warmup":
		return limit{MaxUpdates, "updates"}, true
	case "early_stopping.evaluations":
		return limit{MaxUpdates, "evaluations"}, true
	case "regularizers.noise.k":
		return limit{MaxDraws, "candidates"}, true
	case "regularizers.noise.steps":
		return limit{MaxDraws, "steps"}, true
	}
	return limit{}, false
}

// checkLimits refuses an integer key above its limit, wherever the value
// came from (the file, --set, the quick profile, or Go).
func (d *doc) checkLimits(r *Recipe) error {
	var walk func(v reflect.Value, key string) error
	walk = func(v reflect.Value, key string) error {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return nil
			}
			return walk(v.Elem(), key)
		case reflect.Struct:
			for i := range v.NumField() { // in the file's order
				name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
				if name == "" || name == "-" {
					continue
				}
				if err := walk(v.Field(i), joinKey(key, name)); err != nil {
					return err
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				if err := walk(v.Index(i), fmt.Sprintf("%s.%d", key, i)); err != nil {
					return err
				}
			}
		case reflect.Int:
			if l, ok := intLimit(key); ok && v.Int() > int64(l.max) {
				return d.errorf(key, "%d is too large: a recipe allows at most %d %s", v.Int(), l.max, l.unit)
			}
		}
		return nil
	}
	return walk(reflect.ValueOf(r).Elem(), "")
}
