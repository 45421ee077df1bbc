package sweeps

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// exitDiverged is the exit code of `zoo sweep point` for a point that
// diverged (the CLI's: see cmd/zoo).
const exitDiverged = 3

// LocalOptions control RunLocal.
type LocalOptions struct {
	// Jobs is the number of points trained at once (≥ 1).
	Jobs int
	// Command is the program and leading arguments that run one point,
	// given "sweep", "point", the sweep directory and the index after
	// them: zoo itself, os.Executable().
	Command []string
	// Progress receives the progress line; TTY redraws it in place
	// rather than printing a line per change.
	Progress io.Writer
	TTY      bool
	// CPUs is the number of cores shared among the jobs (runtime.NumCPU()
	// when 0).
	CPUs int
}

// Threads is the number of threads each of jobs runs gets on cpus cores:
// an equal share, at least one.
func Threads(cpus, jobs int) int { return max(1, cpus/max(1, jobs)) }

// RunLocal trains the points idx of the sweep in dir on this machine, up
// to o.Jobs at once, each in its own process running `zoo sweep point`
// (see RunPoint) with GOMAXPROCS and OPENBLAS_NUM_THREADS set to its share
// of the cores, its output appended to DIR/logs/NNN.log. Points that
// are done are not started again.
//
// When ctx is cancelled no point is started any more, and each running
// one is sent SIGTERM (on Unix; they run in their own process group, so
// a Ctrl-C in the terminal reaches only this process, which forwards one
// signal): it saves a checkpoint and stops, and RunLocal waits for it.
// RunLocal returns an error naming the points that failed; a point that
// diverged is a result, not a failure.
func RunLocal(ctx context.Context, dir string, s *Spec, idx []int, o LocalOptions) error {
	if o.Jobs < 1 {
		return fmt.Errorf("sweeps: --jobs %d: want 1 or more", o.Jobs)
	}
	if len(o.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("sweeps: find zoo's own executable: %w", err)
		}
		o.Command = []string{exe}
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	cpus := o.CPUs
	if cpus <= 0 {
		cpus = runtime.NumCPU()
	}
	threads := strconv.Itoa(Threads(cpus, o.Jobs))
	env := append(os.Environ(), "GOMAXPROCS="+threads, "OPENBLAS_NUM_THREADS="+threads)

	rungs, err := ReadRungs(dir, s)
	if err != nil {
		return err
	}
	p := &progress{w: o.Progress, tty: o.TTY, start: time.Now(), total: len(idx)}
	var todo []int
	for _, i := range idx {
		st, err := PointStatus(dir, s.Points[i], rungs.Budget(s, i))
		if err != nil {
			return err
		}
		switch st.State {
		case Done, Paused:
			p.done++
		case Diverged:
			p.diverged++
		default:
			todo = append(todo, i)
		}
	}
	p.show()
	stopTicks := func() {}
	if o.TTY {
		// A point trains for minutes without an event to redraw the
		// line: the elapsed time is redrawn every second meanwhile.
		tick := time.NewTicker(time.Second)
		stop := make(chan struct{})
		ticked := make(chan struct{})
		go func() { p.redrawOn(tick.C, stop); close(ticked) }()
		stopTicks = func() { tick.Stop(); close(stop); <-ticked }
	}

	queue := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	for range min(o.Jobs, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				p.update(func() { p.running++ })
				code, err := runWorker(ctx, dir, i, o.Command, env)
				p.update(func() {
					p.running--
					switch {
					case err == nil && code == 0:
						p.done++
					case err == nil && code == exitDiverged:
						p.diverged++
					case err == nil && ctx.Err() != nil:
						// Stopped by the interruption (exitStopped, or a
						// signal that killed it).
						p.stopped++
					default:
						p.failed++
						mu.Lock()
						why := fmt.Sprintf("exit %d", code)
						if err != nil {
							why = err.Error()
						}
						failed = append(failed, fmt.Sprintf("%s (%s; see %s)", PointName(i), why, LogFile(dir, i)))
						mu.Unlock()
					}
				})
			}
		}()
	}
	for _, i := range todo {
		if ctx.Err() != nil {
			break
		}
		select {
		case queue <- i:
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
	stopTicks()
	p.end()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sweep interrupted (%w): the running points stopped (with a checkpoint, those that had begun training); repeat the command to resume the sweep", err)
	}
	if len(failed) > 0 {
		return fmt.Errorf("sweeps: %d of %d points failed: %s; repeat the command to try them again", len(failed), len(idx), strings.Join(failed, ", "))
	}
	return nil
}

// runWorker runs `zoo sweep point dir i` and returns its exit code; err
// is set only when it could not be run at all.
func runWorker(ctx context.Context, dir string, i int, command []string, env []string) (int, error) {
	if err := os.MkdirAll(filepath.Join(dir, LogsDir), 0o755); err != nil {
		return 0, fmt.Errorf("sweeps: %w", err)
	}
	log, err := os.OpenFile(LogFile(dir, i), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, fmt.Errorf("sweeps: %w", err)
	}
	defer log.Close()
	fmt.Fprintf(log, "== %s: zoo sweep point %s %d\n", time.Now().UTC().Format(time.RFC3339), dir, i)
	args := append(append([]string(nil), command[1:]...), "sweep", "point", dir, strconv.Itoa(i))
	cmd := exec.CommandContext(ctx, command[0], args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, log, log
	ownGroup(cmd)
	cmd.Cancel = func() error { return terminate(cmd.Process) }
	defer lockThread()()
	err = cmd.Run()
	if cmd.ProcessState != nil {
		// It ran: its exit code says how it ended, even when Run's error
		// is the cancellation that stopped it.
		return cmd.ProcessState.ExitCode(), nil
	}
	return 0, err
}

// progress is the sweep's progress line.
type progress struct {
	mu                                              sync.Mutex
	w                                               io.Writer
	tty                                             bool
	start                                           time.Time
	total, done, running, failed, diverged, stopped int
}

func (p *progress) update(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f()
	p.showLocked()
}

func (p *progress) show() { p.update(func() {}) }

// redrawOn redraws the line on every tick until stop is closed.
func (p *progress) redrawOn(tick <-chan time.Time, stop <-chan struct{}) {
	for {
		select {
		case <-tick:
			p.show()
		case <-stop:
			return
		}
	}
}

func (p *progress) showLocked() {
	line := fmt.Sprintf("sweep: %d/%d points done, %d running", p.done, p.total, p.running)
	if p.diverged > 0 {
		line += fmt.Sprintf(", %d diverged", p.diverged)
	}
	if p.failed > 0 {
		line += fmt.Sprintf(", %d failed", p.failed)
	}
	if p.stopped > 0 {
		line += fmt.Sprintf(", %d stopped", p.stopped)
	}
	line += fmt.Sprintf("  (%s)", time.Since(p.start).Round(time.Second))
	if p.tty {
		fmt.Fprintf(p.w, "\r%s %s\x1b[K", bar(p.done+p.diverged, p.total, 20), line)
		return
	}
	fmt.Fprintln(p.w, line)
}

// bar draws done of total as a bar of width characters.
func bar(done, total, width int) string {
	n := width
	if total > 0 {
		n = done * width / total
	}
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "]"
}

func (p *progress) end() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
