package main

import (
	"bytes"
	"context"
	"os"
	"syscall"
	"testing"
)

// TestInterrupts feeds signals to the watcher: a command that does not
// watch its context (predict, reading a slow file) exits at the first
// Ctrl-C; one that does (train) is left to stop by itself, unless a second
// signal comes.
func TestInterrupts(t *testing.T) {
	for _, tt := range []struct {
		name     string
		honoured bool
		signals  []os.Signal
		exits    []int
		stderr   string
	}{
		{"first Ctrl-C, command ignores its context", false, []os.Signal{os.Interrupt}, []int{exitStopped}, "zoo: interrupted\n"},
		{"SIGTERM, command ignores its context", false, []os.Signal{syscall.SIGTERM}, []int{exitStopped}, "zoo: interrupted\n"},
		{"first Ctrl-C, training", true, []os.Signal{os.Interrupt}, nil, ""},
		{"second Ctrl-C, training", true, []os.Signal{os.Interrupt, os.Interrupt}, []int{exitStopped},
			"zoo: interrupted again: stopped at once (a run keeps its last checkpoint: zoo train --resume DIR)\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			in := &interrupts{}
			if tt.honoured {
				honourInterrupts(withInterrupts(ctx, in))
			}
			sigs := make(chan os.Signal, len(tt.signals))
			for _, s := range tt.signals {
				sigs <- s
			}
			close(sigs)
			var exits []int
			var errOut bytes.Buffer
			in.watch(sigs, cancel, &errOut, func(code int) { exits = append(exits, code) })
			if tt.honoured && ctx.Err() == nil {
				t.Error("the context was not cancelled")
			}
			if len(exits) != len(tt.exits) || (len(exits) > 0 && exits[0] != tt.exits[0]) {
				t.Errorf("exits %v, want %v", exits, tt.exits)
			}
			if errOut.String() != tt.stderr {
				t.Errorf("stderr %q, want %q", errOut.String(), tt.stderr)
			}
		})
	}
}
