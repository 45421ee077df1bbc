//go:build !unix

package sweeps

import (
	"os"
	"os/exec"
)

// ownGroup leaves cmd in the sweep's process group (see proc_unix.go).
func ownGroup(*exec.Cmd) {}

// terminate stops a worker; without signals it cannot checkpoint first.
func terminate(p *os.Process) error { return p.Kill() }
