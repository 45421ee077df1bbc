package train

import "fmt"

// Hook is a value that hears about the events of a run (Config.Hooks): it
// implements any of EpochStartHook, StepHook, EpochEndHook, CheckpointHook
// and StopHook, and is called only for those. Run calls the hooks of an
// event in the order of Config.Hooks, and refuses a hook that implements
// none of them (a method with a wrong signature would otherwise never be
// called).
//
// A hook's error stops the run at once, without a checkpoint, and Run
// returns it, wrapped with where it happened, with the records so far:
// errors.Is and errors.As see through the wrapping, so a hook can stop a
// run with a sentinel error and the caller can tell that stop apart.
//
// The Func types (StepFunc, EpochEndFunc, …) make a hook of a function.
type Hook any

// EpochStartHook hears that an epoch of batches updates begins (epoch counts
// from 1 to epochs). A resumed run starts with its interrupted epoch.
type EpochStartHook interface {
	OnEpochStart(epoch, epochs, batches int)
}

// StepHook hears about every update, after it is applied.
type StepHook interface {
	OnStep(s StepInfo) error
}

// StepInfo is one update as StepHook hears it.
type StepInfo struct {
	// Epoch is the epoch of the update, from 1; Update counts the updates
	// of the run, from 1; Done those of the epoch, this one included.
	Epoch, Update, Done int
	// Loss is the training objective on the update's batch (before the
	// update) and LR the learning rate the update used.
	Loss, LR float64
}

// EpochEndHook hears about every finished epoch, after its validation and
// before its checkpoint.
type EpochEndHook interface {
	OnEpochEnd(r Record) error
}

// CheckpointHook is given the run's state after every epoch but the last
// (the state at the start of the next), and when the run's context is
// cancelled, after the update in progress. Together with the task's
// parameters and optimizer state, the generators' states and EarlyStop's
// state, the State is what Config.Resume needs. State.Best is filled.
type CheckpointHook interface {
	OnCheckpoint(st *State) error
}

// StopHook hears once that Run returns, with what it returns: the records
// of the finished epochs and the error that stopped it (nil for a run that
// finished, early stopping included).
type StopHook interface {
	OnStop(records []Record, err error)
}

// EpochStartFunc is an EpochStartHook.
type EpochStartFunc func(epoch, epochs, batches int)

// OnEpochStart calls f.
func (f EpochStartFunc) OnEpochStart(epoch, epochs, batches int) { f(epoch, epochs, batches) }

// StepFunc is a StepHook.
type StepFunc func(s StepInfo) error

// OnStep calls f.
func (f StepFunc) OnStep(s StepInfo) error { return f(s) }

// EpochEndFunc is an EpochEndHook.
type EpochEndFunc func(r Record) error

// OnEpochEnd calls f.
func (f EpochEndFunc) OnEpochEnd(r Record) error { return f(r) }

// CheckpointFunc is a CheckpointHook.
type CheckpointFunc func(st *State) error

// OnCheckpoint calls f.
func (f CheckpointFunc) OnCheckpoint(st *State) error { return f(st) }

// StopFunc is a StopHook.
type StopFunc func(records []Record, err error)

// OnStop calls f.
func (f StopFunc) OnStop(records []Record, err error) { f(records, err) }

// isRunHook reports whether h implements one of Run's hook interfaces.
func isRunHook(h Hook) bool {
	switch h.(type) {
	case EpochStartHook, StepHook, EpochEndHook, CheckpointHook, StopHook:
		return true
	}
	return false
}

// checkHooks refuses hooks that would never be called.
func checkHooks(hs []Hook, what string, ok func(Hook) bool) error {
	for i, h := range hs {
		if !ok(h) {
			return fmt.Errorf("train: %s %d (%T) implements none of the hook interfaces", what, i, h)
		}
	}
	return nil
}

// each calls f on every hook of hs that is an H, in order, and stops at the
// first error.
func each[H any](hs []Hook, f func(H) error) error {
	for _, h := range hs {
		if x, ok := h.(H); ok {
			if err := f(x); err != nil {
				return err
			}
		}
	}
	return nil
}
