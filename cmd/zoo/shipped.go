package main

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
)

// Every command that reads a finished run takes zoo:NAME for the trained
// model zoo ships of the recipe NAME (package shipped): the run directory
// is then shipped's read-only copy in the user's cache. Messages and --json
// name the run as the user gave it.

// loadRun opens the finished run arg names: a run directory or zoo:NAME.
func loadRun(arg string) (*runs.Model, error) {
	dir, err := shipped.Resolve(arg)
	if err != nil {
		return nil, err
	}
	return runs.Load(dir)
}

// notShipped refuses zoo:NAME given to flag, which names a run directory
// zoo writes: a shipped model is read-only.
func notShipped(flag, arg string) error {
	name, ok := shipped.Ref(arg)
	if !ok {
		return nil
	}
	if flag == "resume" {
		return fmt.Errorf("--resume %s: a shipped model is finished and read-only, so nothing resumes it; start a new run from its weights with zoo train %s --init %s", arg, name, arg)
	}
	return fmt.Errorf("--%s %s: %sNAME names a shipped model, which is read-only; write the run to another directory (./%s for a directory of that name)", flag, arg, shipped.Prefix, arg)
}
