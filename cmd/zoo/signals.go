package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
)

// interrupts decides what SIGINT and SIGTERM do. The first cancels the
// command's context, which a training loop answers by finishing its update
// and saving a checkpoint (exit 130). A command that has no such loop (it
// reads files, draws a picture) would not notice, and a read that blocks
// (a slow network file system) would keep it deaf: for those the first
// signal exits at once, and for every command a second one does.
type interrupts struct {
	// honoured is set by a command whose work watches its context.
	honoured atomic.Bool
}

type interruptsKey struct{}

// withInterrupts returns ctx carrying in, for the commands to find.
func withInterrupts(ctx context.Context, in *interrupts) context.Context {
	return context.WithValue(ctx, interruptsKey{}, in)
}

// honourInterrupts tells the signal watcher, if any, that the running
// command stops by itself when ctx is cancelled: a first Ctrl-C is then
// left to it.
func honourInterrupts(ctx context.Context) {
	if in, ok := ctx.Value(interruptsKey{}).(*interrupts); ok {
		in.honoured.Store(true)
	}
}

// watch serves the signals arriving on sigs until it is closed: the first
// calls cancel if the command honours it, else exit; the second exits
// whatever the command. Each exit says why on errOut, in one line.
func (in *interrupts) watch(sigs <-chan os.Signal, cancel context.CancelFunc, errOut io.Writer, exit func(int)) {
	n := 0
	for range sigs {
		n++
		switch {
		case n > 1:
			fmt.Fprintln(errOut, "zoo: interrupted again: stopped at once (a run keeps its last checkpoint: zoo train --resume DIR)")
			exit(exitStopped)
		case !in.honoured.Load():
			fmt.Fprintln(errOut, "zoo: interrupted")
			exit(exitStopped)
		default:
			cancel()
		}
	}
}
