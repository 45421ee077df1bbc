package sweeps

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestSlurmOptionsValidate(t *testing.T) {
	tests := []struct {
		o    SlurmOptions
		want string // in the error; "" for none
	}{
		{SlurmOptions{}, ""},
		{SlurmOptions{Partition: "debug", Time: "30", Mem: "4G", CPUsPerTask: 2}, ""},
		{SlurmOptions{Partition: "gpu,cpu_long", Time: "1-12:30:00", Mem: "500m"}, ""},
		{SlurmOptions{Time: "2:00:00"}, ""},
		{SlurmOptions{Time: "5:30"}, ""},
		{SlurmOptions{Time: "1-12"}, ""},
		{SlurmOptions{Time: "1-12:30"}, ""},
		{SlurmOptions{Time: "INFINITE"}, ""},
		{SlurmOptions{Mem: "2048"}, ""},
		{SlurmOptions{Partition: "de bug"}, `--partition "de bug"`},
		{SlurmOptions{Partition: "a,"}, "--partition"},
		{SlurmOptions{Time: "2h"}, `--time "2h": want one of Slurm's formats`},
		{SlurmOptions{Time: "1:2:3:4"}, "--time"},
		{SlurmOptions{Time: "-5"}, "--time"},
		{SlurmOptions{Mem: "4GB"}, `--mem "4GB": want a whole number`},
		{SlurmOptions{Mem: "1.5G"}, "--mem"},
		{SlurmOptions{Mem: "G"}, "--mem"},
		{SlurmOptions{CPUsPerTask: -1}, "--cpus-per-task -1"},
		{SlurmOptions{Rung: -1}, "Slurm rung -1"},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.o, err)
		case tt.want != "" && err == nil:
			t.Errorf("%+v: no error, want one with %q", tt.o, tt.want)
		case tt.want != "" && !strings.Contains(err.Error(), tt.want):
			t.Errorf("%+v: error %q, want it to hold %q", tt.o, err, tt.want)
		}
	}
}

func ExampleSlurmOptions_Validate() {
	o := SlurmOptions{Partition: "debug", Time: "2h", CPUsPerTask: 2}
	fmt.Println(o.Validate())
	// Output:
	// --time "2h": want one of Slurm's formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds, or infinite (e.g. 30, 2:00:00, 1-12)
}

func TestSlurmArraySpec(t *testing.T) {
	tests := []struct {
		idx  []int
		want string
	}{
		{[]int{0}, "0"},
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{0, 2, 5}, "0,2,5"},
		{[]int{0, 1, 2, 5, 7, 8, 9}, "0-2,5,7-9"},
		{[]int{3, 4}, "3-4"},
		{[]int{1, 3, 4, 5, 10}, "1,3-5,10"},
	}
	for _, tt := range tests {
		if got := slurmArraySpec(tt.idx); got != tt.want {
			t.Errorf("slurmArraySpec(%v) = %q, want %q", tt.idx, got, tt.want)
		}
	}
}

func TestSlurmParseJobID(t *testing.T) {
	tests := []struct {
		out, want string
		err       bool
	}{
		{"42\n", "42", false},
		{"1234;zoo\n", "1234", false},
		{"sbatch: warning: something\n77\n", "77", false},
		{"", "", true},
		{"Submitted batch job 42\n", "", true},
		{";zoo\n", "", true},
	}
	for _, tt := range tests {
		got, err := slurmParseJobID([]byte(tt.out))
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("slurmParseJobID(%q) = %q, %v; want %q, error %v", tt.out, got, err, tt.want, tt.err)
		}
	}
}

func TestSlurmParseStates(t *testing.T) {
	tests := []struct {
		out  string
		want map[int]string
		err  string
	}{
		{"", map[int]string{}, ""},
		{"0 RUNNING\n1 RUNNING\n2 PENDING\n5 PENDING\n", map[int]string{0: "running", 1: "running", 2: "pending", 5: "pending"}, ""},
		{"3 COMPLETING\n", map[int]string{3: "completing"}, ""},
		{"N/A RUNNING\n", nil, "not a job array"},
		{"0-3 PENDING\n", nil, "want an array index and a state"},
		{"7\n", nil, "want an array index and a state"},
	}
	for _, tt := range tests {
		got, err := slurmParseStates("12", []byte(tt.out))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one with %q", tt.out, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %v, %v; want %v", tt.out, got, err, tt.want)
		}
	}
}

// slurmFake writes an executable bash script name with body into dir.
func slurmFake(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/bash\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func slurmNeedBash(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("fake Slurm commands are bash scripts")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
}

// slurmSweepDir makes a sweep directory whose path holds a space and a
// quote, and a fake zoo that prints its arguments and environment.
func slurmSweepDir(t *testing.T) (dir, zoo string) {
	t.Helper()
	root := t.TempDir()
	dir = filepath.Join(root, "my sweep's dir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "bin dir")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	slurmFake(t, bin, "zoo", `printf '%s\n' "$@"; echo "GOMAXPROCS=$GOMAXPROCS OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"`+"\n")
	return dir, filepath.Join(bin, "zoo")
}

func TestSlurmScript(t *testing.T) {
	slurmNeedBash(t)
	dir, zoo := slurmSweepDir(t)
	tests := []struct {
		o        SlurmOptions
		idx      []int
		sbatch   []string // #SBATCH lines expected, in order
		taskArgs []string // after "sweep point DIR INDEX"
	}{
		{
			SlurmOptions{}, []int{0, 1, 2, 3},
			[]string{
				"--job-name=zoo-sweep-my_sweep_s_dir",
				"--array=0-3",
				"--cpus-per-task=1",
				`--chdir="` + dir + `"`,
				`--output="` + filepath.Join(dir, "slurm", "logs", "%3a-%A.log") + `"`,
			},
			nil,
		},
		{
			SlurmOptions{Partition: "debug", Time: "1:00:00", Mem: "4G", CPUsPerTask: 2, Rung: 1, PointArgs: []string{"--rung", "1"}},
			[]int{0, 2, 5},
			[]string{
				"--job-name=zoo-sweep-my_sweep_s_dir",
				"--array=0,2,5",
				"--cpus-per-task=2",
				"--partition=debug",
				"--time=1:00:00",
				"--mem=4G",
				`--chdir="` + dir + `"`,
				`--output="` + filepath.Join(dir, "slurm", "logs", "%3a-%A.log") + `"`,
			},
			[]string{"--rung", "1"},
		},
	}
	for _, tt := range tests {
		opts := slurmDirectives(dir, tt.idx, tt.o)
		path := filepath.Join(dir, "slurm", "rung-0.sh")
		script := slurmScript(path, dir, zoo, opts, tt.o.PointArgs)
		var got []string
		for _, line := range strings.Split(script, "\n") {
			if v, ok := strings.CutPrefix(line, "#SBATCH "); ok {
				got = append(got, v)
			}
		}
		if !reflect.DeepEqual(got, tt.sbatch) {
			t.Errorf("%+v: #SBATCH lines\n%s\nwant\n%s", tt.o, strings.Join(got, "\n"), strings.Join(tt.sbatch, "\n"))
		}
		if !strings.HasPrefix(script, "#!/bin/bash\n") {
			t.Errorf("script does not start with #!/bin/bash:\n%s", script)
		}

		// Run the script's body as a task would.
		cmd := exec.Command("bash", "-c", script)
		cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_JOB_ID=99", fmt.Sprintf("SLURM_CPUS_PER_TASK=%d", tt.o.cpus()))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("script: %v\n%s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		want := append([]string{"sweep", "point", dir, "5"}, tt.taskArgs...)
		want = append(want, fmt.Sprintf("GOMAXPROCS=%d OPENBLAS_NUM_THREADS=%d", tt.o.cpus(), tt.o.cpus()))
		if len(lines) < 1 || !strings.Contains(lines[0], "job 99_5") {
			t.Errorf("script's first line %q, want it to name job 99_5", lines[0])
		}
		if !reflect.DeepEqual(lines[1:], want) {
			t.Errorf("zoo ran with\n%s\nwant\n%s", strings.Join(lines[1:], "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestSubmitArray(t *testing.T) {
	slurmNeedBash(t)
	dir, zoo := slurmSweepDir(t)
	bin := t.TempDir()
	args := filepath.Join(bin, "args")
	slurmFake(t, bin, "sbatch", fmt.Sprintf(`printf '%%s\n' "$@" > %s
n=$(cat %[2]s.n 2>/dev/null || echo 41); n=$((n + 1)); echo $n > %[2]s.n
echo "$n;zoo"
`, slurmShellQuote(args), slurmShellQuote(filepath.Join(bin, "count"))))
	c := slurmCmds{path: bin}
	when := time.Date(2026, 12, 3, 15, 4, 5, 0, time.UTC)
	now := func() time.Time { return when }

	id, err := c.submit(context.Background(), dir, []int{3, 1, 2, 0, 2}, zoo, SlurmOptions{CPUsPerTask: 1}, now)
	if err != nil || id != "42" {
		t.Fatalf("submit = %q, %v; want 42", id, err)
	}
	b, _ := os.ReadFile(args)
	gotArgs := strings.Split(strings.TrimSpace(string(b)), "\n")
	script := filepath.Join(dir, "slurm", "rung-0.sh")
	wantArgs := append(append([]string{"--parsable"}, slurmDirectives(dir, []int{0, 1, 2, 3}, SlurmOptions{})...), script)
	if !reflect.DeepEqual(gotArgs, wantArgs) {
		t.Errorf("sbatch ran with\n%s\nwant\n%s", strings.Join(gotArgs, "\n"), strings.Join(wantArgs, "\n"))
	}
	if _, err := os.Stat(script); err != nil {
		t.Error(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "slurm", "logs")); err != nil || !fi.IsDir() {
		t.Errorf("no logs directory: %v", err)
	}

	// A second array, for the next rung, is appended to jobs.json.
	id, err = c.submit(context.Background(), dir, []int{2, 0}, zoo, SlurmOptions{Rung: 1}, now)
	if err != nil || id != "43" {
		t.Fatalf("second submit = %q, %v; want 43", id, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "slurm", "rung-1.sh")); err != nil {
		t.Error(err)
	}
	jobs, err := SlurmJobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []SlurmJob{
		{Rung: 0, JobID: "42", Indices: []int{0, 1, 2, 3}, Submitted: when, Script: filepath.Join("slurm", "rung-0.sh")},
		{Rung: 1, JobID: "43", Indices: []int{0, 2}, Submitted: when, Script: filepath.Join("slurm", "rung-1.sh")},
	}
	if !reflect.DeepEqual(jobs, want) {
		t.Errorf("jobs.json holds %+v, want %+v", jobs, want)
	}
}

func TestSubmitArrayErrors(t *testing.T) {
	slurmNeedBash(t)
	dir, zoo := slurmSweepDir(t)
	failing := t.TempDir()
	slurmFake(t, failing, "sbatch", "echo 'sbatch: error: invalid partition specified: nope' >&2; exit 1\n")
	garbage := t.TempDir()
	slurmFake(t, garbage, "sbatch", "echo 'Submitted batch job 7'\n")
	empty := t.TempDir()
	notExec := filepath.Join(t.TempDir(), "zoo")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	percent := filepath.Join(t.TempDir(), "100%")
	if err := os.Mkdir(percent, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, path, dir, zoo string
		idx                  []int
		o                    SlurmOptions
		want                 string
		missing              bool
	}{
		{"no sbatch", empty, dir, zoo, []int{0}, SlurmOptions{}, "sbatch not found: is this a Slurm login node?", true},
		{"sbatch fails", failing, dir, zoo, []int{0}, SlurmOptions{Partition: "nope"}, "sbatch failed: sbatch: error: invalid partition specified: nope", false},
		{"sbatch prints no id", garbage, dir, zoo, []int{0}, SlurmOptions{}, `printed "Submitted batch job 7", not a job id`, false},
		{"bad option", failing, dir, zoo, []int{0}, SlurmOptions{Mem: "lots"}, `--mem "lots"`, false},
		{"no points", failing, dir, zoo, nil, SlurmOptions{}, "no points to submit", false},
		{"negative index", failing, dir, zoo, []int{2, -1}, SlurmOptions{}, "point index -1", false},
		{"no sweep directory", failing, filepath.Join(dir, "nope"), zoo, []int{0}, SlurmOptions{}, "sweep directory", false},
		{"sweep directory is a file", failing, file, zoo, []int{0}, SlurmOptions{}, "is not a directory", false},
		{"percent in directory", failing, percent, zoo, []int{0}, SlurmOptions{}, `holds '%', which Slurm's --output cannot hold`, false},
		{"zoo not executable", failing, dir, notExec, []int{0}, SlurmOptions{}, "is not an executable file", false},
		{"no zoo", failing, dir, filepath.Join(dir, "nozoo"), []int{0}, SlurmOptions{}, "zoo executable", false},
	}
	for _, tt := range tests {
		_, err := slurmCmds{path: tt.path}.submit(context.Background(), tt.dir, tt.idx, tt.zoo, tt.o, time.Now)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one with %q", tt.name, err, tt.want)
			continue
		}
		if errors.Is(err, ErrSlurmMissing) != tt.missing {
			t.Errorf("%s: errors.Is(%v, ErrSlurmMissing) = %v", tt.name, err, !tt.missing)
		}
	}
	if jobs, err := SlurmJobs(dir); err != nil || len(jobs) != 0 {
		t.Errorf("failed submissions recorded: %v, %v", jobs, err)
	}

	// Without sbatch, nothing is written.
	fresh, zoo := slurmSweepDir(t)
	if _, err := (slurmCmds{path: empty}).submit(context.Background(), fresh, []int{0}, zoo, SlurmOptions{}, time.Now); !errors.Is(err, ErrSlurmMissing) {
		t.Errorf("submit without sbatch: %v", err)
	}
	if _, err := os.Stat(filepath.Join(fresh, "slurm")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("submit without sbatch wrote %s/slurm (%v)", fresh, err)
	}
}

func TestSlurmJobsDamaged(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "slurm"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "slurm", "jobs.json"), []byte(`[{"rung": "one"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := SlurmJobs(dir)
	if err == nil || !strings.Contains(err.Error(), "jobs.json is damaged") {
		t.Errorf("error %v, want one saying jobs.json is damaged", err)
	}
}

func TestArrayStates(t *testing.T) {
	slurmNeedBash(t)
	running := t.TempDir()
	args := filepath.Join(running, "args")
	slurmFake(t, running, "squeue", fmt.Sprintf(`printf '%%s\n' "$@" > %s
printf '0 RUNNING\n1 RUNNING\n2 PENDING\n3 PENDING\n'
`, slurmShellQuote(args)))
	gone := t.TempDir()
	slurmFake(t, gone, "squeue", "echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1\n")
	down := t.TempDir()
	slurmFake(t, down, "squeue", "echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2; exit 1\n")
	empty := t.TempDir()

	tests := []struct {
		name, path, job string
		want            map[int]string
		err             string
		missing         bool
	}{
		{"running", running, "42", map[int]string{0: "running", 1: "running", 2: "pending", 3: "pending"}, "", false},
		{"forgotten", gone, "42", map[int]string{}, "", false},
		{"controller down", down, "42", nil, "squeue failed: slurm_load_jobs error: Unable to contact slurm controller", false},
		{"no squeue", empty, "42", nil, "squeue not found: is this a Slurm login node?", true},
		{"bad id", running, "42; rm", nil, `job id "42; rm"`, false},
		{"empty id", running, "", nil, `job id ""`, false},
	}
	for _, tt := range tests {
		got, err := slurmCmds{path: tt.path}.states(context.Background(), tt.job)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one with %q", tt.name, err, tt.err)
			} else if errors.Is(err, ErrSlurmMissing) != tt.missing {
				t.Errorf("%s: errors.Is(%v, ErrSlurmMissing) = %v", tt.name, err, !tt.missing)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	b, _ := os.ReadFile(args)
	if got, want := strings.Fields(string(b)), []string{"-h", "-r", "-j", "42", "-o", "%K", "%T"}; !reflect.DeepEqual(got, want) {
		t.Errorf("squeue ran with %q, want %q", got, want)
	}
}

func TestSlurmQueue(t *testing.T) {
	slurmNeedBash(t)
	dir, zoo := slurmSweepDir(t)
	bin := t.TempDir()
	// Job 42 (rung 0: points 0-3) has left the queue; job 43 (rung 1:
	// points 0 and 2) has 2 running and 0 pending; job 44 (point 3 again)
	// is pending.
	slurmFake(t, bin, "sbatch", fmt.Sprintf(`n=$(cat %[1]s 2>/dev/null || echo 41); n=$((n + 1)); echo $n > %[1]s; echo $n`+"\n", slurmShellQuote(filepath.Join(bin, "count"))))
	slurmFake(t, bin, "squeue", `case "$4" in
42) echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1;;
43) printf '2 RUNNING\n0 PENDING\n';;
44) printf '3 PENDING\n';;
*) echo "unexpected $*" >&2; exit 2;;
esac
`)
	c := slurmCmds{path: bin}
	if q, err := c.queue(context.Background(), dir); q != nil || err != nil {
		t.Errorf("queue of a sweep never submitted = %v, %v; want nil, nil", q, err)
	}
	for _, sub := range []struct {
		idx  []int
		rung int
	}{{[]int{0, 1, 2, 3}, 0}, {[]int{0, 2}, 1}, {[]int{3}, 0}} {
		if _, err := c.submit(context.Background(), dir, sub.idx, zoo, SlurmOptions{Rung: sub.rung}, time.Now); err != nil {
			t.Fatal(err)
		}
	}
	q, err := c.queue(context.Background(), dir)
	if want := map[int]string{0: "pending", 2: "running", 3: "pending"}; err != nil || !reflect.DeepEqual(q, want) {
		t.Errorf("queue = %v, %v; want %v", q, err, want)
	}
	if _, err := (slurmCmds{path: t.TempDir()}).queue(context.Background(), dir); !errors.Is(err, ErrSlurmMissing) {
		t.Errorf("queue without squeue: %v, want ErrSlurmMissing", err)
	}
}

func TestSlurmAvailable(t *testing.T) {
	slurmNeedBash(t)
	both, onlySbatch, none := t.TempDir(), t.TempDir(), t.TempDir()
	for _, d := range []string{both, onlySbatch} {
		slurmFake(t, d, "sbatch", "exit 0\n")
	}
	slurmFake(t, both, "squeue", "exit 0\n")
	tests := []struct {
		path, want string
	}{
		{both, ""},
		{onlySbatch, "sweeps: squeue not found: is this a Slurm login node?"},
		{none, "sweeps: sbatch not found: is this a Slurm login node?"},
	}
	for _, tt := range tests {
		err := slurmCmds{path: tt.path}.available()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.path, err)
			}
		} else if err == nil || err.Error() != tt.want || !errors.Is(err, ErrSlurmMissing) {
			t.Errorf("%s: error %v, want %q wrapping ErrSlurmMissing", tt.path, err, tt.want)
		}
	}
}
