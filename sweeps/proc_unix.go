//go:build unix

package sweeps

import (
	"os"
	"os/exec"
	"syscall"
)

// ownGroup starts cmd in a process group of its own, so that a Ctrl-C in
// the terminal reaches the sweep only, which forwards one signal: a
// worker that heard both would take the second for "stop at once" and
// lose the checkpoint of its interruption.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// terminate asks a worker to checkpoint and stop.
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }
