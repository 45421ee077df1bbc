package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/par"
	"github.com/spf13/cobra"
)

// withBuggyCommands is the real command tree and a command that panics,
// where goes says: on the main goroutine, or on a helper goroutine of
// internal/par (as a training step's sections run).
func withBuggyCommands(e *env) *cobra.Command {
	root := newRootCmd(e)
	buggy := &cobra.Command{Use: "buggy", Hidden: true}
	buggy.AddCommand(&cobra.Command{Use: "main", RunE: func(*cobra.Command, []string) error {
		var m map[string]int
		m["x"]++ // a nil map: a runtime error, as a bug would make
		return nil
	}})
	buggy.AddCommand(&cobra.Command{Use: "helper", RunE: func(*cobra.Command, []string) error {
		par.Run(64, func(task int) {
			if task == 63 {
				panic("bad index 63\nsecond line")
			}
		})
		return nil
	}})
	root.AddCommand(buggy)
	return root
}

// TestLastResortRecover: a panic anywhere in a command, on the main
// goroutine or on one zoo started, is one line naming the command and
// asking for a report, exit 1, no stack unless --debug.
func TestLastResortRecover(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		want  string
		stack bool
	}{
		{[]string{"buggy", "main"}, "zoo: internal error in zoo buggy main: assignment to entry in nil map (a bug of zoo: please report it with the command line and zoo version; --debug shows the stack trace)\n", false},
		{[]string{"buggy", "helper"}, "zoo: internal error in zoo buggy helper: bad index 63; second line (a bug of zoo: please report it with the command line and zoo version; --debug shows the stack trace)\n", false},
		{[]string{"buggy", "helper", "--debug"}, "zoo: internal error in zoo buggy helper: bad index 63; second line", true},
	} {
		var out, errOut bytes.Buffer
		code := runRoot(context.Background(), tt.args, &out, &errOut, withBuggyCommands)
		got := errOut.String()
		if code != exitError {
			t.Errorf("zoo %v: exit %d, want %d", tt.args, code, exitError)
		}
		if !tt.stack && got != tt.want {
			t.Errorf("zoo %v: stderr\n%q\nwant\n%q", tt.args, got, tt.want)
		}
		if hasStack := strings.Contains(got, "goroutine") || strings.Contains(got, ".go:"); hasStack != tt.stack || !strings.HasPrefix(got, tt.want) {
			t.Errorf("zoo %v: stack shown %v, want %v:\n%s", tt.args, hasStack, tt.stack, got)
		}
	}
}
