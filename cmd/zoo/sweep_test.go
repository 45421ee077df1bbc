//go:build unix

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/sweeps"
	"github.com/spf13/cobra"
)

// tinySweep is what every sweep test trains: mlp-mnist's quick profile on
// 500 training digits (10 updates an epoch).
var tinySweep = []string{"mlp-mnist", "--quick", "--set", "data.train=500", "--set", "data.validation=200", "--set", "data.test=200", "--set", "batch_size=50"}

// zooSweep runs the CLI in-process with the sweep's workers run as
// children of this test binary (TestSweepWorkerProcess).
func zooSweep(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("ZOO_SWEEP_WORKER", "1")
	var out, errOut bytes.Buffer
	code := runRoot(context.Background(), args, &out, &errOut, sweepRoot)
	return code, out.String(), errOut.String()
}

// sweepRoot is zoo's command tree with the sweep's workers run as children
// of this test binary (the caller sets ZOO_SWEEP_WORKER=1 for them), and
// the Slurm queue read as zoo reads it.
func sweepRoot(e *env) *cobra.Command {
	return rootWithSweep(&sweepDeps{worker: []string{os.Args[0], "-test.run=^TestSweepWorkerProcess$", "--"}, schedulerStates: sweeps.SlurmQueue})(e)
}

// rootWithSweep returns the maker of zoo's command tree whose sweep
// command has deps.
func rootWithSweep(deps *sweepDeps) func(e *env) *cobra.Command {
	return func(e *env) *cobra.Command {
		root := newRootCmd(e)
		for _, c := range root.Commands() {
			if c.Name() == "sweep" {
				root.RemoveCommand(c)
			}
		}
		root.AddCommand(newSweepCmd(e, deps))
		return root
	}
}

// TestSweepWorkerProcess is `zoo sweep point` as a worker of zooSweep
// runs it: zoo's main, signals included, on the arguments after --.
func TestSweepWorkerProcess(t *testing.T) {
	if os.Getenv("ZOO_SWEEP_WORKER") != "1" || len(flag.Args()) == 0 {
		t.Skip("the child process of the sweep tests")
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &interrupts{}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go in.watch(sigs, cancel, os.Stderr, os.Exit)
	code := run(withInterrupts(ctx, in), flag.Args(), os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// reportJSON reads zoo sweep report --json of dir.
func reportJSON(t *testing.T, dir string) *sweeps.Report {
	t.Helper()
	code, out, stderr := zoo(t, "sweep", "report", dir, "--json")
	if code != 0 {
		t.Fatalf("sweep report --json: exit %d: %s", code, stderr)
	}
	var rep sweeps.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	return &rep
}

// TestSweepLocal: a 4-point grid on 2 workers trains every point into an
// ordinary run directory; status, the report in its three forms and the
// figure say so; the same command again changes nothing.
func TestSweepLocal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	args := append(append([]string{"sweep"}, tinySweep...), "--grid", "optimizer.lr=0.01,0.1", "--grid", "data.seed_unused=1", "--out", dir)
	if code, _, stderr := zooSweep(t, args...); code != 1 || !strings.Contains(stderr, `no key "seed_unused" here`) {
		t.Fatalf("an unknown key: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Fatal("a refused sweep created its directory")
	}
	args = append(append([]string{"sweep"}, tinySweep...), "--grid", "optimizer.lr=0.01,0.1", "--grid", "seed=1,2", "--jobs", "2", "--out", dir)
	code, out, stderr := zooSweep(t, args...)
	if code != 0 {
		t.Fatalf("sweep: exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "sweep: 4/4 points done, 0 running") || !strings.Contains(out, "best point") {
		t.Errorf("sweep output:\n%s\n%s", out, stderr)
	}

	rep := reportJSON(t, dir)
	if len(rep.Points) != 4 || rep.Best == nil || rep.Metric != "val_error" || !slices.Equal(rep.Keys, []string{"optimizer.lr", "seed"}) {
		t.Fatalf("report %+v", rep)
	}
	best := rep.Points[*rep.Best]
	for i, p := range rep.Points {
		if p.State != sweeps.Done || p.Epochs != 1 || p.Val == nil || p.TestValue == nil || p.Seconds == nil {
			t.Errorf("point %d: %+v", i, p)
			continue
		}
		s, err := runs.ReadSummary(p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if *p.Val != s.ValError || *p.TestValue != s.TestError {
			t.Errorf("point %d: report says val %v test %v, summary.json %v %v", i, *p.Val, *p.TestValue, s.ValError, s.TestError)
		}
		if *p.Val < *best.Val {
			t.Errorf("point %d's val error %v is below the best's %v", i, *p.Val, *best.Val)
		}
	}
	if !strings.Contains(rep.BestRecipe, "lr: "+best.Values["optimizer.lr"]) {
		t.Errorf("the best recipe does not have the best point's lr %s:\n%s", best.Values["optimizer.lr"], rep.BestRecipe)
	}

	code, out, _ = zoo(t, "sweep", "report", dir, "--csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 5 || !slices.Equal(rows[0], sweeps.CSVHeader(rep.Keys)) {
		t.Fatalf("report --csv: exit %d, %v\n%s", code, err, out)
	}
	for _, r := range rows[1:] {
		if r[3] != "done" {
			t.Errorf("csv row %q: not done", r)
		}
	}
	fig := filepath.Join(t.TempDir(), "lr.png")
	code, out, stderr = zoo(t, "sweep", "report", dir, "--out", fig)
	if code != 0 || !strings.Contains(out, "| 000 | 0.01 | 1 | done | 1 |") || !strings.Contains(out, "Best point (lowest val error)") {
		t.Errorf("report: exit %d\n%s\n%s", code, out, stderr)
	}
	if b, err := os.ReadFile(fig); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("figure: %v", err)
	}
	code, out, _ = zoo(t, "sweep", "status", dir)
	if code != 0 || !strings.Contains(out, "4 points: 4 done") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	// A point's run is an ordinary run, and points/ holds nothing else:
	// zoo compare DIR/points/* compares them all.
	if code, _, stderr := zoo(t, "inspect", sweeps.PointDir(dir, 2)); code != 0 {
		t.Errorf("inspect a point: exit %d: %s", code, stderr)
	}
	all, err := filepath.Glob(filepath.Join(dir, "points", "*"))
	if err != nil || len(all) != 4 {
		t.Errorf("points/* is %q (%v), want the 4 run directories", all, err)
	}
	if code, out, stderr := zoo(t, append([]string{"compare"}, all...)...); code != 0 || strings.Count(out, "mlp-mnist") != 4 {
		t.Errorf("compare DIR/points/*: exit %d\n%s%s", code, out, stderr)
	}
	if log := readFile(t, filepath.Join(dir, "logs"), "000.log"); !bytes.Contains(log, []byte("point 0 finished")) {
		t.Errorf("logs/000.log:\n%s", log)
	}

	// Again: nothing is trained.
	before := readFile(t, sweeps.PointDir(dir, 0), runs.WeightsFile)
	code, _, stderr = zooSweep(t, args...)
	if code != 0 || !strings.Contains(stderr, "resuming the sweep of 4 points") || !strings.Contains(stderr, "sweep: 4/4 points done, 0 running  (0s)") {
		t.Errorf("re-run: exit %d\n%s", code, stderr)
	}
	if !bytes.Equal(before, readFile(t, sweeps.PointDir(dir, 0), runs.WeightsFile)) {
		t.Error("the re-run changed a finished point's weights")
	}
	// Another sweep in the same directory is refused.
	other := append(append([]string{"sweep"}, tinySweep...), "--grid", "optimizer.lr=0.01,0.3", "--out", dir)
	if code, _, stderr := zooSweep(t, other...); code != 1 || !strings.Contains(stderr, "holds another sweep (grid: optimizer.lr=0.01,0.1 seed=1,2 there, optimizer.lr=0.01,0.3 here)") {
		t.Errorf("another sweep in the directory: exit %d: %s", code, stderr)
	}
}

// TestSweepResume: a sweep whose points were interrupted — one after its
// first epoch, one in the middle of it — finishes, when its command is
// repeated, with the weights and metrics of a sweep that never stopped.
func TestSweepResume(t *testing.T) {
	flags := append(slices.Clone(tinySweep), "--set", "epochs=2", "--grid", "optimizer.lr=0.03,0.1")
	whole := filepath.Join(t.TempDir(), "whole")
	if code, _, stderr := zooSweep(t, append(append([]string{"sweep"}, flags...), "--out", whole)...); code != 0 {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}

	// The same sweep, its points stopped as a kill would leave them.
	cut := filepath.Join(t.TempDir(), "cut")
	spec, err := sweeps.New(sweeps.Plan{Recipe: "mlp-mnist", Quick: true, Set: []string{"data.train=500", "data.validation=200", "data.test=200", "batch_size=50", "epochs=2"}, Grid: []string{"optimizer.lr=0.03,0.1"}, Seed: 1}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sweeps.Open(cut, spec); err != nil {
		t.Fatal(err)
	}
	r0, err := spec.PointRecipe(spec.Points[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Train(context.Background(), r0, pipeline.Options{Out: sweeps.PointDir(cut, 0), StopAfter: 1}); err == nil {
		t.Fatal("point 0 was not stopped after its first epoch")
	}
	r1, err := spec.PointRecipe(spec.Points[1])
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel() // stops after the first update, with a checkpoint
	if _, err := pipeline.Train(cancelled, r1, pipeline.Options{Out: sweeps.PointDir(cut, 1)}); err == nil {
		t.Fatal("point 1 was not interrupted")
	}
	code, out, _ := zoo(t, "sweep", "status", cut)
	if code != 0 || !strings.Contains(out, "2 points: 2 interrupted") {
		t.Errorf("status of the interrupted sweep: exit %d\n%s", code, out)
	}
	code, _, stderr := zooSweep(t, append(append([]string{"sweep"}, flags...), "--out", cut)...)
	if code != 0 || !strings.Contains(stderr, "resuming the sweep") {
		t.Fatalf("resumed sweep: exit %d: %s", code, stderr)
	}
	for i := range 2 {
		a, b := sweeps.PointDir(whole, i), sweeps.PointDir(cut, i)
		if !bytes.Equal(readFile(t, a, runs.WeightsFile), readFile(t, b, runs.WeightsFile)) {
			t.Errorf("point %d: the resumed sweep's weights differ from the uninterrupted one's", i)
		}
		if ma, mb := metricsWithoutTime(t, a), metricsWithoutTime(t, b); ma != mb {
			t.Errorf("point %d: metrics differ:\n%s\n%s", i, ma, mb)
		}
	}
}

// TestSweepHalving: successive halving trains every point one epoch, the
// better half two, the best one to the recipe's three, as rungs.json
// records; the winner's weights are those of the same recipe trained in
// one go, the others keep the checkpoint of their last rung.
func TestSweepHalving(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sh")
	flags := append(slices.Clone(tinySweep), "--set", "epochs=3", "--grid", "optimizer.lr=0.003,0.01,0.03,0.1", "--halving", "--eta", "2", "--jobs", "2", "--out", dir)
	code, out, stderr := zooSweep(t, append([]string{"sweep"}, flags...)...)
	if code != 0 {
		t.Fatalf("sweep: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"rung 1/3: 4 points to 1 epoch", "rung 2/3: 2 points to 2 epochs", "rung 3/3: 1 point to 3 epochs"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	spec, err := sweeps.ReadSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	rungs, err := sweeps.ReadRungs(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(rungs.Rungs) != 3 {
		t.Fatalf("%d rungs, want 3: %+v", len(rungs.Rungs), rungs)
	}
	// Each promotion is the better half by validation error at the budget.
	valErrorAt := func(i, epoch int) float64 {
		rows, err := runs.ReadMetrics(sweeps.PointDir(dir, i))
		if err != nil {
			t.Fatal(err)
		}
		return rows[epoch-1].ValError
	}
	for k, r := range rungs.Rungs[:2] {
		pts := slices.Clone(r.Points)
		slices.SortStableFunc(pts, func(a, b int) int {
			ea, eb := valErrorAt(a, r.Epochs), valErrorAt(b, r.Epochs)
			switch {
			case ea < eb:
				return -1
			case ea > eb:
				return 1
			}
			return a - b
		})
		if want := pts[:len(pts)/2]; !slices.Equal(r.Promoted, want) {
			t.Errorf("rung %d promoted %v, want %v", k, r.Promoted, want)
		}
	}
	winner := rungs.Rungs[2].Points[0]
	sts, err := sweeps.Statuses(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range sts {
		want, epochs := sweeps.Culled, 1
		switch {
		case i == winner:
			want, epochs = sweeps.Done, 3
		case slices.Contains(rungs.Rungs[1].Points, i):
			epochs = 2
		}
		if st.State != want || st.Epochs != epochs {
			t.Errorf("point %d: %s after %d epochs, want %s after %d", i, st.State, st.Epochs, want, epochs)
		}
	}

	// The winner, trained 1+1+1 epochs, is the recipe trained 3 in one go.
	lr, _ := spec.Points[winner].Value("optimizer.lr")
	one := filepath.Join(t.TempDir(), "one")
	trainArgs := append(append([]string{"train"}, tinySweep...), "--set", "epochs=3", "--set", "optimizer.lr="+lr, "--out", one)
	if code, _, stderr := zoo(t, trainArgs...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if !bytes.Equal(readFile(t, one, runs.WeightsFile), readFile(t, sweeps.PointDir(dir, winner), runs.WeightsFile)) {
		t.Error("the halving winner's weights differ from the same recipe trained in one go")
	}
	code, out, _ = zoo(t, "sweep", "report", dir)
	if code != 0 || !strings.Contains(out, "## Successive halving") || !strings.Contains(out, fmt.Sprintf("| 3 | 3 | %03d | – |", winner)) {
		t.Errorf("report: exit %d\n%s", code, out)
	}
}

// TestSweepInterrupted: cancelling a running sweep (what Ctrl-C does)
// sends its worker SIGTERM, which checkpoints and stops it; the sweep
// exits 130, and repeating its command finishes the point with the
// weights of the same recipe trained without a stop.
func TestSweepInterrupted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	flags := []string{"mlp-mnist", "--quick", "--set", "data.train=2000", "--set", "data.validation=200", "--set", "data.test=200", "--set", "epochs=3", "--grid", "optimizer.lr=0.05"}
	args := append(append([]string{"sweep"}, flags...), "--out", dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t.Setenv("ZOO_SWEEP_WORKER", "1")
	var out, errOut bytes.Buffer
	done := make(chan int)
	go func() { done <- runRoot(ctx, args, &out, &errOut, sweepRoot) }()
	// Interrupt once the first epoch's checkpoint is there: in the second.
	checkpoint := filepath.Join(sweeps.PointDir(dir, 0), runs.CheckpointFile)
	code := -1
	for code < 0 {
		select {
		case code = <-done:
		case <-time.After(20 * time.Millisecond):
			if _, err := os.Stat(checkpoint); err == nil {
				cancel()
				code = <-done
			}
		}
	}
	if code != exitStopped || !strings.Contains(errOut.String(), "repeat the command to resume the sweep") {
		t.Fatalf("interrupted sweep: exit %d (want %d)\n%s", code, exitStopped, errOut.String())
	}
	if _, err := os.Stat(checkpoint); err != nil {
		t.Fatalf("no checkpoint after the interruption: %v", err)
	}
	if log, _ := os.ReadFile(sweeps.LogFile(dir, 0)); !strings.Contains(string(log), "interrupted") {
		t.Errorf("the worker's log does not say it was interrupted:\n%s", log)
	}
	if code, _, stderr := zooSweep(t, args...); code != 0 {
		t.Fatalf("resumed sweep: exit %d: %s", code, stderr)
	}
	one := filepath.Join(t.TempDir(), "one")
	train := append(append([]string{"train"}, flags[:len(flags)-2]...), "--set", "optimizer.lr=0.05", "--out", one)
	if code, _, stderr := zoo(t, train...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	if !bytes.Equal(readFile(t, one, runs.WeightsFile), readFile(t, sweeps.PointDir(dir, 0), runs.WeightsFile)) {
		t.Error("the interrupted and resumed point's weights differ from the recipe trained without a stop")
	}
}

// TestSweepStatusQueue: a scheduler's states (Slurm's squeue) join the
// run directories' in zoo sweep status, in a QUEUE column.
func TestSweepStatusQueue(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	s, err := sweeps.New(sweeps.Plan{Recipe: "mlp-mnist", Grid: []string{"optimizer.lr=0.1,0.2"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sweeps.Open(dir, s); err != nil {
		t.Fatal(err)
	}
	var asked string
	queue := func(_ context.Context, d string) (map[int]string, error) {
		asked = d
		return map[int]string{1: "PENDING"}, nil
	}
	var out, errOut bytes.Buffer
	code := runRoot(context.Background(), []string{"sweep", "status", dir}, &out, &errOut, rootWithSweep(&sweepDeps{schedulerStates: queue}))
	lines := strings.Split(out.String(), "\n")
	if code != 0 || asked != dir || len(lines) < 3 || !strings.HasSuffix(lines[0], "QUEUE") ||
		!strings.HasSuffix(strings.TrimSpace(lines[1]), "–") || !strings.HasSuffix(strings.TrimSpace(lines[2]), "PENDING") {
		t.Errorf("status: exit %d, asked about %q\n%s%s", code, asked, out.String(), errOut.String())
	}
}

// TestSweepStatusFailures: status lists each failed point's error on one
// line, a joined error's parts joined with "; ".
func TestSweepStatusFailures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sweep")
	s, err := sweeps.New(sweeps.Plan{Recipe: "mlp-mnist", Grid: []string{"optimizer.lr=0.1,0.2"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sweeps.Open(dir, s); err != nil {
		t.Fatal(err)
	}
	writeText(t, filepath.Join(dir, sweeps.LogsDir, "001.failed"), `{"error": "train: checkpoint: disk full\natomicfile: write metrics.csv: disk full"}`)
	code, out, stderr := zoo(t, "sweep", "status", dir)
	if code != 0 || !strings.Contains(out, "2 points: 1 pending, 1 failed\n001: train: checkpoint: disk full; atomicfile: write metrics.csv: disk full\n") {
		t.Errorf("status: exit %d\n%s%s", code, out, stderr)
	}
}
