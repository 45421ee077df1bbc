//go:build !linux

package sweeps

// lockThread does nothing: only Linux ties a child to the thread that
// started it (see proc_linux.go).
func lockThread() (unlock func()) { return func() {} }
