package runs

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gorgonia-zoo/zoo/internal/safetensors"
)

// CheckpointFile holds an unfinished run's state: written after every epoch
// and when training is interrupted, removed when the run finishes.
const CheckpointFile = "checkpoint.safetensors"

// checkpointKey is the safetensors metadata key of a checkpoint's JSON part.
const checkpointKey = "zoo.checkpoint"

// Checkpoint is what a checkpoint file stores: float64 vectors by name (the
// parameters, the optimizer's buffers, the best parameters under early
// stopping), the epoch's example order, and a JSON document of everything
// else. What goes in it, and when, is the training pipeline's business; this
// is its file.
type Checkpoint struct {
	// Meta is the JSON part, stored in the header's metadata.
	Meta []byte
	// Tensors are written in this order.
	Tensors []Vector
	// Order is the epoch's example order; nil for none.
	Order []int
}

// Vector is one named float64 vector of a checkpoint.
type Vector struct {
	Name   string
	Values []float64
}

// WriteCheckpoint writes dir's checkpoint atomically: a process killed
// while writing leaves the previous checkpoint in place.
func WriteCheckpoint(dir string, c *Checkpoint) error {
	ts := make([]safetensors.Tensor, 0, len(c.Tensors)+1)
	for _, v := range c.Tensors {
		ts = append(ts, safetensors.F64(v.Name, []int{len(v.Values)}, v.Values))
	}
	if c.Order != nil {
		order := make([]byte, 8*len(c.Order))
		for i, v := range c.Order {
			binary.LittleEndian.PutUint64(order[8*i:], uint64(v))
		}
		ts = append(ts, safetensors.Tensor{Name: "order", DType: "I64", Shape: []int{len(c.Order)}, Data: order})
	}
	return safetensors.WriteFile(filepath.Join(dir, CheckpointFile), ts, map[string]string{checkpointKey: string(c.Meta)})
}

// StoredCheckpoint is a checkpoint file read whole and checked as a file;
// its values are checked against the model as they are asked for.
type StoredCheckpoint struct {
	// Path is the file's path, for errors.
	Path string
	// Meta is the JSON part.
	Meta []byte
	f    *safetensors.File
}

// ReadCheckpoint reads dir's checkpoint.
func ReadCheckpoint(dir string) (*StoredCheckpoint, error) {
	c := &StoredCheckpoint{Path: filepath.Join(dir, CheckpointFile)}
	var err error
	if c.f, err = safetensors.ReadFile(c.Path, safetensors.Limits{}); err != nil {
		return nil, fmt.Errorf("runs: resume: %w", err)
	}
	meta, ok := c.f.Metadata[checkpointKey]
	if !ok {
		return nil, c.Errorf("no %s metadata: is it a zoo checkpoint?", checkpointKey)
	}
	c.Meta = []byte(meta)
	return c, nil
}

// Errorf returns an error about the checkpoint, naming its file.
func (c *StoredCheckpoint) Errorf(format string, args ...any) error {
	return fmt.Errorf("runs: resume: %s: %s", c.Path, fmt.Sprintf(format, args...))
}

// Has reports whether the checkpoint holds a tensor called name.
func (c *StoredCheckpoint) Has(name string) bool {
	_, ok := c.f.Get(name)
	return ok
}

// Values returns tensor name, which must hold n values.
func (c *StoredCheckpoint) Values(name string, n int) ([]float64, error) {
	t, ok := c.f.Get(name)
	if !ok {
		return nil, c.Errorf("no tensor %q: is it a checkpoint of another model?", name)
	}
	v, err := t.Float64s()
	if err != nil || len(v) != n {
		return nil, c.Errorf("tensor %q holds %d values, the model wants %d", name, len(v), n)
	}
	// Training stops at the first non-finite gradient or loss, before a
	// checkpoint could take one in: such a value says the file is
	// damaged, and resuming would only report a divergence.
	if err := nonFinite(name, v); err != nil {
		return nil, c.Errorf("%v: the checkpoint is damaged (training stops before a non-finite value reaches one), so the run cannot be resumed from it", err)
	}
	return v, nil
}

// Order returns the example order saved with the checkpoint, nil when there
// is none. It indexes the training set, so it must be a permutation.
func (c *StoredCheckpoint) Order() ([]int, error) {
	t, ok := c.f.Get("order")
	if !ok {
		return nil, nil
	}
	if t.DType != "I64" || len(t.Shape) != 1 || len(t.Data) != 8*t.Shape[0] {
		return nil, c.Errorf("tensor \"order\" is not an I64 vector")
	}
	order := make([]int, t.Shape[0])
	seen := make([]bool, len(order))
	for i := range order {
		v := binary.LittleEndian.Uint64(t.Data[8*i:])
		if v >= uint64(len(seen)) || seen[v] {
			return nil, c.Errorf("tensor \"order\" is not a permutation of 0…%d", len(seen)-1)
		}
		seen[v] = true
		order[i] = int(v)
	}
	return order, nil
}

// RemoveCheckpoint removes dir's checkpoint, if any: the run is finished.
func RemoveCheckpoint(dir string) error {
	err := os.Remove(filepath.Join(dir, CheckpointFile))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}
