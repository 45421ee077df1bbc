//go:build unix && !linux

package sweeps

import "syscall"

// stopWithParent does nothing: only Linux signals a child when its parent
// dies (see proc_linux.go).
func stopWithParent(*syscall.SysProcAttr) {}
