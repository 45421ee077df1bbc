package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/sweeps"
	"github.com/gorgonia-zoo/zoo/train"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// Exit codes.
const (
	exitOK       = 0
	exitError    = 1 // bad input, I/O, anything else
	exitDiverged = 3 // training stopped on a NaN or Inf loss
	exitStopped  = 130
)

// env is what every command reads and writes, so tests can drive the real
// commands with captured output.
type env struct {
	ctx    context.Context
	out    io.Writer
	errOut io.Writer
	// tty reports whether out is a terminal (progress bars) or not (lines).
	tty bool
}

// run executes the CLI and returns the process exit code. A panic becomes
// one line (and the stack with --debug), never a crash dump by default.
func run(ctx context.Context, args []string, out, errOut io.Writer) (code int) {
	return runRoot(ctx, args, out, errOut, newRootCmd)
}

// runRoot is run with the command tree that newRoot builds (tests add
// commands that fail in ways no real input makes them).
//
// The recover here is the last resort: it sees the panics of the main
// goroutine, and of the goroutines zoo starts, which raise theirs again on
// the goroutine that waits for them (internal/par's helpers, the adaptive
// schedule's probes).
func runRoot(ctx context.Context, args []string, out, errOut io.Writer, newRoot func(*env) *cobra.Command) (code int) {
	e := &env{ctx: ctx, out: out, errOut: errOut}
	if f, ok := out.(*os.File); ok {
		e.tty = term.IsTerminal(int(f.Fd()))
	}
	debugMode := false
	for _, a := range args {
		if a == "--debug" {
			debugMode = true
		}
	}
	root := newRoot(e)
	defer func() {
		if p := recover(); p != nil {
			name := "zoo"
			if cmd, _, err := root.Find(args); err == nil {
				name = cmd.CommandPath()
			}
			msg := strings.ReplaceAll(fmt.Sprint(p), "\n", "; ")
			fmt.Fprintf(errOut, "zoo: internal error in %s: %s (a bug of zoo: please report it with the command line and zoo version; --debug shows the stack trace)\n", name, msg)
			if debugMode {
				errOut.Write(debug.Stack())
			}
			code = exitError
		}
	}()
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(errOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	// One line, even for joined errors.
	fmt.Fprintf(errOut, "zoo: %s\n", strings.ReplaceAll(err.Error(), "\n", "; "))
	switch {
	case train.IsDiverged(err):
		return exitDiverged
	case errors.Is(err, context.Canceled):
		return exitStopped
	}
	return exitError
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "zoo",
		Short: "Train and reproduce the models of a lecture on training deep networks",
		Long: `zoo trains Gorgonia models from recipes: YAML files pairing data, model, loss,
optimizer and budget. Built-in recipes reproduce the lecture; your own files work
the same way.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// The fastest BLAS found (OpenBLAS, else pure Go): see zoo version.
		// Shell completion and the commands that compute nothing
		// (noProducts) must not wait for the first run's measurement of
		// zoo's kernel against the library.
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			if cmd.Annotations[blasAnnotation] == noProducts {
				return
			}
			for c := cmd; c != nil; c = c.Parent() {
				switch c.Name() {
				case cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd, "completion":
					return
				}
			}
			cblas.Install()
		},
	}
	setVersion(root) // --version
	root.PersistentFlags().Bool("debug", false, "show stack traces of internal errors")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError(err) })
	root.AddCommand(computesNothing(newListCmd(e)), computesNothing(newShowCmd(e)), newTrainCmd(e), newEvalCmd(e), newExperimentCmd(e))
	root.AddCommand(newPredictCmd(e, nil), newEncodeCmd(e, nil), newReconstructCmd(e, nil), newFiltersCmd(e, nil), newInspectCmd(e, nil), newCompareCmd(e, nil))
	root.AddCommand(newBenchCmd(e), newVersionCmd(e))
	root.AddCommand(newSweepCmd(e, &sweepDeps{schedulerStates: sweeps.SlurmQueue}))
	addCompletions(root)
	return root
}

// blasAnnotation, set to noProducts on a command, says that the command
// computes no matrix product, so zoo need not choose a BLAS for it.
const (
	blasAnnotation = "zoo/blas"
	noProducts     = "unused"
)

// computesNothing marks cmd as a command that needs no BLAS and returns it.
func computesNothing(cmd *cobra.Command) *cobra.Command {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[blasAnnotation] = noProducts
	return cmd
}

// flagError rewords pflag's refusal of a flag's value, which names Go's
// parser ("strconv.ParseInt: parsing \"2.5\": invalid syntax"), as zoo's
// other messages do: the flag, the value, and what is wanted.
func flagError(err error) error {
	var ive *pflag.InvalidValueError
	if !errors.As(err, &ive) || ive.GetFlag() == nil {
		return err
	}
	f := ive.GetFlag()
	want := ""
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64":
		want = "want an integer"
	case "uint", "uint8", "uint16", "uint32", "uint64":
		want = "want a non-negative integer"
	case "float32", "float64":
		want = "want a number"
	case "bool":
		want = "want true or false"
	}
	if want == "" {
		return err
	}
	var ne *strconv.NumError
	if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
		return fmt.Errorf("--%s %q: out of range (%s)", f.Name, ive.GetValue(), want)
	}
	return fmt.Errorf("--%s %q: %s", f.Name, ive.GetValue(), want)
}
