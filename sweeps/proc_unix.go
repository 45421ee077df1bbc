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
// lose the checkpoint of its interruption. Where the system can, the
// worker is also sent SIGTERM when the sweep dies (see stopWithParent).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stopWithParent(cmd.SysProcAttr)
}

// terminate asks a worker to checkpoint and stop.
func terminate(p *os.Process) error { return p.Signal(syscall.SIGTERM) }
