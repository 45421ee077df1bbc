package sweeps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/internal/atomicfile"
	"github.com/gorgonia-zoo/zoo/internal/jsonerr"
)

// Slurm is the engine that runs a sweep beyond one machine: SubmitArray
// submits points as one job array, each array task running
// `zoo sweep point DIR INDEX` on some node of the cluster, and ArrayStates
// asks squeue how the tasks of an array stand. zoo keeps no scheduler of its
// own: Slurm queues, places and limits the tasks, and the run directories
// (locked while a process writes there, written atomically) are what makes
// tasks on different nodes safe in one shared sweep directory.

// SlurmDir is the directory of a sweep that holds what SubmitArray writes:
// the batch scripts, SlurmJobsFile and the tasks' logs in logs/.
const SlurmDir = "slurm"

// SlurmJobsFile, in SlurmDir, lists every array SubmitArray submitted for
// the sweep, oldest first (a JSON list of SlurmJob).
const SlurmJobsFile = "jobs.json"

// ErrSlurmMissing is wrapped by the errors of SubmitArray and ArrayStates
// when sbatch or squeue is not on PATH: a machine that is not a Slurm login
// node. A status command can then fall back on the run directories.
var ErrSlurmMissing = errors.New("not found: is this a Slurm login node?")

// SlurmOptions are the resources each array task asks Slurm for, and which
// rung of a sweep the array trains. Empty strings leave the choice to the
// cluster (its default partition, the partition's time limit, its default
// memory) or to sbatch's SBATCH_* environment variables.
type SlurmOptions struct {
	// Partition is --partition: a partition name, or several separated by
	// commas (the job starts in whichever can run it first).
	Partition string
	// Time is --time, the limit on each task's run time, in one of Slurm's
	// formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
	// days-hours:minutes or days-hours:minutes:seconds; or "infinite". A
	// task stopped at the limit gets SIGTERM first, on which zoo saves a
	// checkpoint, so submitting the point again resumes it.
	Time string
	// Mem is --mem, the memory of each task: a whole number with an
	// optional unit K, M, G or T (M when none), e.g. 4G.
	Mem string
	// CPUsPerTask is --cpus-per-task; 0 means 1. Each task's GOMAXPROCS and
	// OPENBLAS_NUM_THREADS are set to it, so a task uses the cores Slurm
	// gave it and no more.
	CPUsPerTask int
	// Rung is the successive-halving rung the array trains (0 for the
	// first, and for a sweep without halving): it names the batch script,
	// DIR/slurm/rung-K.sh, and is recorded in SlurmJobsFile.
	Rung int
	// PointArgs are passed to `zoo sweep point DIR INDEX` after INDEX.
	PointArgs []string
}

var (
	slurmPartitionRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$`)
	slurmMemRE       = regexp.MustCompile(`^[0-9]+[KMGTkmgt]?$`)
	// Slurm's time formats, in the order SlurmOptions.Time lists them.
	slurmTimeREs = []*regexp.Regexp{
		regexp.MustCompile(`^[0-9]+$`),
		regexp.MustCompile(`^[0-9]+:[0-9]+$`),
		regexp.MustCompile(`^[0-9]+:[0-9]+:[0-9]+$`),
		regexp.MustCompile(`^[0-9]+-[0-9]+$`),
		regexp.MustCompile(`^[0-9]+-[0-9]+:[0-9]+$`),
		regexp.MustCompile(`^[0-9]+-[0-9]+:[0-9]+:[0-9]+$`),
	}
)

// Validate checks each option against what sbatch accepts, so that a typo
// is named, with its flag, before anything is written or submitted.
func (o SlurmOptions) Validate() error {
	if o.Partition != "" && !slurmPartitionRE.MatchString(o.Partition) {
		return fmt.Errorf("--partition %q: want a partition name (letters, digits, '_', '-', '.'), or several separated by commas", o.Partition)
	}
	if o.Time != "" && !slurmValidTime(o.Time) {
		return fmt.Errorf("--time %q: want one of Slurm's formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds, or infinite (e.g. 30, 2:00:00, 1-12)", o.Time)
	}
	if o.Mem != "" && !slurmMemRE.MatchString(o.Mem) {
		return fmt.Errorf("--mem %q: want a whole number with an optional unit K, M, G or T, e.g. 4G or 500M", o.Mem)
	}
	if o.CPUsPerTask < 0 {
		return fmt.Errorf("--cpus-per-task %d: want a positive number of CPUs", o.CPUsPerTask)
	}
	if o.Rung < 0 {
		return fmt.Errorf("sweeps: Slurm rung %d: want 0 or more", o.Rung)
	}
	return nil
}

func slurmValidTime(s string) bool {
	switch strings.ToLower(s) {
	case "infinite", "unlimited":
		return true
	}
	for _, re := range slurmTimeREs {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func (o SlurmOptions) cpus() int {
	if o.CPUsPerTask == 0 {
		return 1
	}
	return o.CPUsPerTask
}

// SlurmJob is one array SubmitArray submitted, as SlurmJobsFile records it.
type SlurmJob struct {
	Rung      int       `json:"rung"`
	JobID     string    `json:"job_id"`
	Indices   []int     `json:"indices"`
	Submitted time.Time `json:"submitted"`
	// Script is the batch script, relative to the sweep directory.
	Script string `json:"script"`
}

// SlurmJobs reads the arrays submitted for the sweep in dir, oldest first;
// none (and no error) when nothing was submitted.
func SlurmJobs(dir string) ([]SlurmJob, error) {
	path := filepath.Join(dir, SlurmDir, SlurmJobsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sweeps: read %s: %w", path, err)
	}
	var jobs []SlurmJob
	if err := json.Unmarshal(data, &jobs); err != nil {
		return nil, fmt.Errorf("sweeps: %s is damaged: %s", path, jsonerr.Describe(err))
	}
	return jobs, nil
}

// SlurmLog is the file where array task index of job jobID writes its
// output (zoo's and the batch script's): DIR/slurm/logs/NNN-JOBID.log.
func SlurmLog(dir string, index int, jobID string) string {
	return filepath.Join(dir, SlurmDir, "logs", PointName(index)+"-"+jobID+".log")
}

// SubmitArray submits the points indices of the sweep in dir to Slurm as
// one job array and returns its job id. zoo is the zoo executable the tasks
// run; dir and zoo must be at the same paths on every node (shared storage).
//
// It writes the batch script DIR/slurm/rung-K.sh (bash; its #SBATCH lines
// name the job zoo-sweep-BASE, where BASE is dir's base name, and ask for
// the array, o's resources and the output file SlurmLog names), each task
// of which runs `ZOO sweep point DIR $SLURM_ARRAY_TASK_ID` with GOMAXPROCS
// and OPENBLAS_NUM_THREADS set to its CPUs; submits it with
// `sbatch --parsable`, repeating the #SBATCH options on the command line so
// that they win over SBATCH_* variables in the environment; and appends the
// job to DIR/slurm/jobs.json. Submitting again rewrites the script (sbatch
// keeps its own copy for jobs already queued).
func SubmitArray(ctx context.Context, dir string, indices []int, zoo string, o SlurmOptions) (jobID string, err error) {
	return slurmCmds{}.submit(ctx, dir, indices, zoo, o, time.Now)
}

// ArrayStates reports the state of each task of job array jobID that Slurm
// still lists, by array index, in squeue's words lower-cased: "pending",
// "running", "completing", "suspended", …. A task absent from the map has
// left the queue, finished or failed: its run directory tells which. A job
// Slurm no longer knows gives an empty map. The error wraps ErrSlurmMissing
// when squeue is not on PATH.
func ArrayStates(ctx context.Context, jobID string) (map[int]string, error) {
	return slurmCmds{}.states(ctx, jobID)
}

// SlurmAvailable reports, as an error wrapping ErrSlurmMissing, that sbatch
// or squeue is not on PATH, so that a command can refuse --on slurm before
// it creates the sweep directory.
func SlurmAvailable() error {
	return slurmCmds{}.available()
}

func (c slurmCmds) available() error {
	for _, name := range []string{"sbatch", "squeue"} {
		if _, err := c.lookPath(name); err != nil {
			return fmt.Errorf("sweeps: %w", err)
		}
	}
	return nil
}

// SlurmQueue reports the points of the sweep in dir that are still in
// Slurm's queue, over every array SlurmJobsFile records, by point index: a
// later array's state wins over an earlier one's. A point absent from the
// map is in no queue: its run directory tells whether it finished, failed
// or never ran. It returns nil and no error when nothing was submitted, and
// an error wrapping ErrSlurmMissing when squeue is not on PATH.
func SlurmQueue(ctx context.Context, dir string) (map[int]string, error) {
	return slurmCmds{}.queue(ctx, dir)
}

func (c slurmCmds) queue(ctx context.Context, dir string) (map[int]string, error) {
	jobs, err := SlurmJobs(dir)
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	queue := map[int]string{}
	for _, j := range jobs {
		states, err := c.states(ctx, j.JobID)
		if err != nil {
			return nil, err
		}
		for i, s := range states {
			queue[i] = s
		}
	}
	return queue, nil
}

// slurmCmds runs Slurm's commands. path, when not empty, is the list of
// directories searched for them instead of $PATH, so that tests run fake
// sbatch and squeue scripts.
type slurmCmds struct {
	path string
}

// lookPath finds name in c.path, or in $PATH.
func (c slurmCmds) lookPath(name string) (string, error) {
	if c.path == "" {
		p, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("%s %w", name, ErrSlurmMissing)
		}
		return p, nil
	}
	for _, d := range filepath.SplitList(c.path) {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s %w", name, ErrSlurmMissing)
}

// run runs name with args and returns its standard output; a failure is an
// error holding the command's standard error.
func (c slurmCmds) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	p, err := c.lookPath(name)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, p, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", name, ctx.Err())
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return stdout.Bytes(), &slurmCmdError{name: name, msg: msg}
	}
	return stdout.Bytes(), nil
}

// slurmCmdError is a Slurm command that failed, with what it said.
type slurmCmdError struct {
	name, msg string
}

func (e *slurmCmdError) Error() string { return e.name + " failed: " + e.msg }

func (c slurmCmds) submit(ctx context.Context, dir string, indices []int, zoo string, o SlurmOptions, now func() time.Time) (string, error) {
	if err := o.Validate(); err != nil {
		return "", err
	}
	if len(indices) == 0 {
		return "", errors.New("sweeps: no points to submit")
	}
	if _, err := c.lookPath("sbatch"); err != nil {
		return "", fmt.Errorf("sweeps: %w", err)
	}
	idx := slices.Clone(indices)
	slices.Sort(idx)
	idx = slices.Compact(idx)
	if idx[0] < 0 {
		return "", fmt.Errorf("sweeps: point index %d: want 0 or more", idx[0])
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("sweeps: sweep directory: %w", err)
	}
	if fi, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("sweeps: sweep directory: %w", err)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("sweeps: sweep directory %s is not a directory", dir)
	}
	// Slurm reads % in --output as a pattern, and a backslash there turns
	// all patterns off; a double quote or a line break would end the
	// #SBATCH line's quoted value.
	if i := strings.IndexAny(dir, "%\\\"\n\r"); i >= 0 {
		return "", fmt.Errorf("sweeps: sweep directory %s holds %q, which Slurm's --output cannot hold: choose a directory without it", dir, dir[i])
	}
	if zoo, err = filepath.Abs(zoo); err != nil {
		return "", fmt.Errorf("sweeps: zoo executable: %w", err)
	}
	if fi, err := os.Stat(zoo); err != nil {
		return "", fmt.Errorf("sweeps: zoo executable: %w", err)
	} else if !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("sweeps: zoo executable %s is not an executable file", zoo)
	}

	logs := filepath.Join(dir, SlurmDir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return "", fmt.Errorf("sweeps: %w", err)
	}
	opts := slurmDirectives(dir, idx, o)
	rel := filepath.Join(SlurmDir, fmt.Sprintf("rung-%d.sh", o.Rung))
	script := filepath.Join(dir, rel)
	if err := atomicfile.Write(script, []byte(slurmScript(script, dir, zoo, opts, o.PointArgs))); err != nil {
		return "", fmt.Errorf("sweeps: %w", err)
	}
	out, err := c.run(ctx, "sbatch", append(append([]string{"--parsable"}, opts...), script)...)
	if err != nil {
		return "", fmt.Errorf("sweeps: submit %s: %w", script, err)
	}
	jobID, err := slurmParseJobID(out)
	if err != nil {
		return "", fmt.Errorf("sweeps: submit %s: %w", script, err)
	}
	job := SlurmJob{Rung: o.Rung, JobID: jobID, Indices: idx, Submitted: now().UTC().Truncate(time.Second), Script: rel}
	if err := slurmRecord(dir, job); err != nil {
		return jobID, fmt.Errorf("sweeps: job %s is submitted but not recorded (cancel it with `scancel %s` before submitting again): %w", jobID, jobID, err)
	}
	return jobID, nil
}

// slurmDirectives are the sbatch options of an array of the points idx
// (sorted, distinct) of the sweep in dir.
func slurmDirectives(dir string, idx []int, o SlurmOptions) []string {
	opts := []string{
		"--job-name=zoo-sweep-" + slurmJobName(filepath.Base(dir)),
		"--array=" + slurmArraySpec(idx),
		"--cpus-per-task=" + strconv.Itoa(o.cpus()),
	}
	if o.Partition != "" {
		opts = append(opts, "--partition="+o.Partition)
	}
	if o.Time != "" {
		opts = append(opts, "--time="+o.Time)
	}
	if o.Mem != "" {
		opts = append(opts, "--mem="+o.Mem)
	}
	return append(opts,
		"--chdir="+dir,
		"--output="+filepath.Join(dir, SlurmDir, "logs", "%3a-%A.log"),
	)
}

// slurmScript is the batch script at path: opts as #SBATCH lines, then
// the task.
func slurmScript(path, dir, zoo string, opts, pointArgs []string) string {
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	b.WriteString("# A zoo sweep's points as a Slurm job array, written by zoo sweep.\n")
	b.WriteString("# Each task trains one point, resumes it from its checkpoint, or skips it\n")
	fmt.Fprintf(&b, "# when it is done. To run points again: sbatch --array=INDICES %s\n", slurmShellQuote(path))
	for _, o := range opts {
		name, value, _ := strings.Cut(o, "=")
		fmt.Fprintf(&b, "#SBATCH %s=%s\n", name, slurmDirectiveValue(value))
	}
	b.WriteString("set -eu\n")
	fmt.Fprintf(&b, "ZOO=%s\n", slurmShellQuote(zoo))
	fmt.Fprintf(&b, "DIR=%s\n", slurmShellQuote(dir))
	b.WriteString("export GOMAXPROCS=\"${SLURM_CPUS_PER_TASK:-1}\"\n")
	b.WriteString("export OPENBLAS_NUM_THREADS=\"$GOMAXPROCS\" OMP_NUM_THREADS=\"$GOMAXPROCS\"\n")
	b.WriteString("echo \"zoo sweep: point $SLURM_ARRAY_TASK_ID of $DIR, job ${SLURM_ARRAY_JOB_ID}_$SLURM_ARRAY_TASK_ID on $(hostname) with $GOMAXPROCS CPUs, from $(date -u +%Y-%m-%dT%H:%M:%SZ)\"\n")
	b.WriteString("exec \"$ZOO\" sweep point \"$DIR\" \"$SLURM_ARRAY_TASK_ID\"")
	for _, a := range pointArgs {
		b.WriteString(" " + slurmShellQuote(a))
	}
	b.WriteString("\n")
	return b.String()
}

// slurmDirectiveValue quotes an #SBATCH value that holds anything but
// letters, digits and -_.,:/% (sbatch reads double-quoted values whole).
func slurmDirectiveValue(v string) string {
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/%", r)) {
			return `"` + v + `"`
		}
	}
	return v
}

// slurmShellQuote quotes s for bash.
func slurmShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// slurmJobName keeps letters, digits and -_. of a sweep directory's name.
func slurmJobName(base string) string {
	name := []rune(base)
	for i, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			name[i] = '_'
		}
	}
	return string(name)
}

// slurmArraySpec writes sorted, distinct indices as --array wants them,
// runs of consecutive ones as ranges: 0-3, 0,2,5, 0-2,5,7-9.
func slurmArraySpec(idx []int) string {
	var parts []string
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && idx[j+1] == idx[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(idx[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", idx[i], idx[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// slurmParseJobID reads `sbatch --parsable`'s output: the job id, followed
// by ";CLUSTER" on a multi-cluster set-up.
func slurmParseJobID(out []byte) (string, error) {
	s := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:] // the id is the last line; warnings may come first
	}
	id, _, _ := strings.Cut(s, ";")
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return "", fmt.Errorf("sbatch --parsable printed %q, not a job id", strings.TrimSpace(string(out)))
	}
	return id, nil
}

// slurmRecord appends job to the sweep's SlurmJobsFile.
func slurmRecord(dir string, job SlurmJob) error {
	jobs, err := SlurmJobs(dir)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(append(jobs, job), "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SlurmDir, SlurmJobsFile), append(data, '\n'))
}

func (c slurmCmds) states(ctx context.Context, jobID string) (map[int]string, error) {
	if jobID == "" || strings.Trim(jobID, "0123456789") != "" {
		return nil, fmt.Errorf("sweeps: job id %q: want the number sbatch printed", jobID)
	}
	out, err := c.run(ctx, "squeue", "-h", "-r", "-j", jobID, "-o", "%K %T")
	if err != nil {
		var ce *slurmCmdError
		if errors.As(err, &ce) && strings.Contains(ce.msg, "Invalid job id") {
			return map[int]string{}, nil // gone from slurmctld's memory: finished long ago
		}
		return nil, fmt.Errorf("sweeps: states of job %s: %w", jobID, err)
	}
	return slurmParseStates(jobID, out)
}

// slurmParseStates reads `squeue -h -r -o '%K %T'`: one line per task,
// its array index and its state.
func slurmParseStates(jobID string, out []byte) (map[int]string, error) {
	states := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, state, ok := strings.Cut(line, " ")
		state = strings.TrimSpace(state)
		if !ok || state == "" {
			return nil, fmt.Errorf("sweeps: squeue -j %s printed %q; want an array index and a state", jobID, line)
		}
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 {
			if k == "N/A" {
				return nil, fmt.Errorf("sweeps: job %s is not a job array", jobID)
			}
			return nil, fmt.Errorf("sweeps: squeue -j %s printed %q; want an array index and a state", jobID, line)
		}
		states[i] = strings.ToLower(state)
	}
	return states, nil
}
