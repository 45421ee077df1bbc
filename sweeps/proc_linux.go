package sweeps

import (
	"runtime"
	"syscall"
)

// stopWithParent has the kernel send the worker SIGTERM when the sweep
// that started it dies, even by SIGKILL: in its own process group no
// Ctrl-C reaches it, and an orphaned worker would train on while the
// re-run sweep starts the same point again. On SIGTERM it checkpoints and
// stops, as on the sweep's own interruption.
//
// The signal is sent when the thread that started the worker ends, so
// runWorker keeps that goroutine on its thread until the worker exits
// (lockThread).
func stopWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }

// lockThread keeps the calling goroutine on its thread until the returned
// function is called (see stopWithParent).
func lockThread() (unlock func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
