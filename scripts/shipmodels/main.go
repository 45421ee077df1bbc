// Command shipmodels trains the built-in recipes whose trained runs zoo
// ships (package shipped) and writes the package's files: for each, the
// run's recipe.yaml, summary.json, metrics.csv and model.safetensors, and a
// model card, MODEL_CARD.md, written from them. Run it from the module's
// root, in a clean checkout (the cards name its commit):
//
//	go run ./scripts/shipmodels                 # retrain every shipped model
//	go run ./scripts/shipmodels sdae-mnist      # one (or a new one, by its recipe name)
//	go run ./scripts/shipmodels --verify        # train again, compare with the shipped files
//
// It builds zoo from the checkout and trains each recipe with `zoo train
// NAME` (default profile and seed) under ZOO_BLAS=go, zoo's own float32
// kernel, so that the figures do not depend on which kernel a machine's
// measurement picks, and a CPU with AVX2 and FMA reproduces them bit for
// bit. Before a model is written, zoo eval must give its recorded test
// figures exactly; the shipped files together must stay within
// shipped.MaxBytes. --verify writes nothing: it trains each recipe again
// and says whether the weights, recipe, metrics and summary (timings
// aside) are the shipped ones.
//
// sdae-mnist trains for minutes; run it under nice on a shared machine.
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
)

// pkgDir is package shipped's directory, relative to the module's root.
const pkgDir = "shipped"

// blasEnv pins the BLAS the models are trained and evaluated with.
const blasEnv = "ZOO_BLAS=go"

func main() {
	verify := flag.Bool("verify", false, "train again and compare with the shipped files instead of writing them")
	dirty := flag.Bool("dirty", false, "allow uncommitted changes outside shipped/ (the cards then say the commit had them)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/shipmodels [--verify] [--dirty] [NAME...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(flag.Args(), *verify, *dirty); err != nil {
		fmt.Fprintln(os.Stderr, "shipmodels:", err)
		os.Exit(1)
	}
}

func run(names []string, verify, allowDirty bool) error {
	if data, err := os.ReadFile("go.mod"); err != nil || !bytes.Contains(data, []byte("module github.com/gorgonia-zoo/zoo\n")) {
		return fmt.Errorf("run me from zoo's module root (no go.mod of github.com/gorgonia-zoo/zoo here)")
	}
	if strings.Contains(os.Getenv("GOFLAGS"), "fastmath") {
		return fmt.Errorf("GOFLAGS %q: shipped models are built without -tags fastmath", os.Getenv("GOFLAGS"))
	}
	if len(names) == 0 {
		var err error
		if names, err = onDisk(); err != nil {
			return err
		}
	}
	for _, n := range names {
		if _, err := recipes.Source(n); err != nil {
			return err
		}
	}
	prov, err := readProvenance(allowDirty || verify)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "shipmodels-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	zoo := filepath.Join(tmp, "zoo")
	build := exec.Command("go", "build", "-o", zoo, "./cmd/zoo")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build ./cmd/zoo: %w", err)
	}
	var v struct {
		Go, OS, Arch string
		BLAS         struct{ Description, Kernel string }
	}
	if err := zooJSON(zoo, &v, blasEnv, "version", "--json"); err != nil {
		return err
	}
	if v.BLAS.Kernel == "" {
		return fmt.Errorf("zoo's own float32 kernel is not available on this CPU (%s): shipped models are trained with it, on amd64 with AVX2 and FMA", v.BLAS.Description)
	}
	prov.Go, prov.Platform, prov.BLAS, prov.CPU = v.Go, v.OS+"/"+v.Arch, v.BLAS.Description, cpuName()
	failed := 0
	for _, name := range names {
		out := filepath.Join(tmp, name)
		fmt.Fprintf(os.Stderr, "== %s %s train %s --out %s\n", blasEnv, zoo, name, out)
		var trained struct{ Summary runs.Summary }
		if err := zooJSON(zoo, &trained, blasEnv, "train", name, "--out", out, "--json"); err != nil {
			return err
		}
		if verify {
			diffs, err := compare(filepath.Join(pkgDir, name), out)
			if err != nil {
				return err
			}
			if len(diffs) > 0 {
				failed++
				fmt.Printf("%s: differs from the shipped copy:\n  %s\n", name, strings.Join(diffs, "\n  "))
				continue
			}
			fmt.Printf("%s: the same weights, recipe, metrics and summary as the shipped copy\n", name)
			continue
		}
		c, err := describe(zoo, name, out, &trained.Summary, prov)
		if err != nil {
			return err
		}
		if err := write(name, out, c); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d models differ from the shipped copies", failed, len(names))
	}
	if !verify {
		return report()
	}
	return nil
}

// zooJSON runs zoo with args and env added, its progress on stderr, and
// decodes its --json output into v.
func zooJSON(zoo string, v any, env string, args ...string) error {
	cmd := exec.Command(zoo, args...)
	cmd.Env = append(os.Environ(), env)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s zoo %s: %w", env, strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("%s zoo %s: %w", env, strings.Join(args, " "), err)
	}
	return nil
}

// git runs git with args and returns its output, trimmed.
func git(args ...string) (string, error) {
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// cpuName is the CPU's model name (Linux), else the architecture.
func cpuName() string {
	f, err := os.Open("/proc/cpuinfo")
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				return fmt.Sprintf("%s, %d CPUs", strings.TrimSpace(v), runtime.NumCPU())
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs", runtime.GOARCH, runtime.NumCPU())
}

// provenance is where and with what a model was trained.
type provenance struct {
	Commit, CommitDate string
	// Dirty says the checkout had uncommitted changes outside shipped/.
	Dirty                   bool
	Go, Platform, BLAS, CPU string
}

func readProvenance(allowDirty bool) (*provenance, error) {
	p := &provenance{}
	var err error
	if p.Commit, err = git("rev-parse", "HEAD"); err != nil {
		return nil, err
	}
	if p.CommitDate, err = git("log", "-1", "--format=%cs"); err != nil {
		return nil, err
	}
	status, err := git("status", "--porcelain", "--", ".", ":(exclude)"+pkgDir)
	if err != nil {
		return nil, err
	}
	if status != "" {
		if !allowDirty {
			return nil, fmt.Errorf("the checkout has uncommitted changes (git status):\n%s\ncommit them first, so that the model cards name the commit that trained the models (or pass --dirty)", status)
		}
		p.Dirty = true
	}
	return p, nil
}

// onDisk lists the shipped models in the checkout: the directories of
// shipped/ holding a recipe.yaml (shipped.Names lists those this program
// was built with, before it wrote any).
func onDisk() ([]string, error) {
	entries, err := os.ReadDir(pkgDir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(pkgDir, e.Name(), runs.RecipeFile)); e.IsDir() && err == nil {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// report prints the size of every shipped model and their total.
func report() error {
	names, err := onDisk()
	if err != nil {
		return err
	}
	var total int64
	for _, name := range names {
		n, err := dirBytes(filepath.Join(pkgDir, name))
		if err != nil {
			return err
		}
		total += n
		fmt.Printf("%-12s %10d bytes\n", name, n)
	}
	fmt.Printf("%-12s %10d bytes (at most %d)\n", "total", total, shipped.MaxBytes)
	return nil
}

// dirBytes is the size of the regular files directly in dir.
func dirBytes(dir string) (int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			return 0, err
		}
		if fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n, nil
}

// write replaces shipped/NAME with the run in out and the card c, after
// checking that the shipped files stay within shipped.MaxBytes.
func write(name, out string, c *card) error {
	stage := filepath.Join(pkgDir, "."+name+".new")
	if err := os.RemoveAll(stage); err != nil {
		return err
	}
	if err := os.Mkdir(stage, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	for _, f := range shipped.Files {
		var data []byte
		var err error
		if f == shipped.CardFile {
			data, err = c.render()
		} else {
			data, err = os.ReadFile(filepath.Join(out, f))
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(stage, f), data, 0o644); err != nil {
			return err
		}
	}
	total, err := dirBytes(stage)
	if err != nil {
		return err
	}
	others, err := onDisk()
	if err != nil {
		return err
	}
	for _, other := range others {
		if other != name {
			n, err := dirBytes(filepath.Join(pkgDir, other))
			if err != nil {
				return err
			}
			total += n
		}
	}
	if total > shipped.MaxBytes {
		return fmt.Errorf("%s: the shipped models would take %d bytes, more than shipped.MaxBytes (%d): not written", name, total, shipped.MaxBytes)
	}
	dst := filepath.Join(pkgDir, name)
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.Rename(stage, dst); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "== wrote %s\n", dst)
	return nil
}

// timing are the summary fields and metrics columns that measure time.
var timing = []string{"seconds", "matmul_gflops_per_s"}

// compare lists how the run in got differs from the shipped copy in want:
// the weights' bytes, the recipe's, the metrics' cells and the summary's
// fields, timings aside.
func compare(want, got string) ([]string, error) {
	var diffs []string
	for _, f := range []string{runs.WeightsFile, runs.RecipeFile} {
		a, err := os.ReadFile(filepath.Join(want, f))
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(filepath.Join(got, f))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(a, b) {
			diffs = append(diffs, f+" differs")
		}
	}
	var sw, sg map[string]any
	for _, x := range []struct {
		dir string
		v   *map[string]any
	}{{want, &sw}, {got, &sg}} {
		data, err := os.ReadFile(filepath.Join(x.dir, runs.SummaryFile))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, x.v); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(x.dir, runs.SummaryFile), err)
		}
	}
	stripTiming(sw)
	stripTiming(sg)
	for k := range sw {
		if !reflect.DeepEqual(sw[k], sg[k]) {
			diffs = append(diffs, fmt.Sprintf("summary.json %s: shipped %v, now %v", k, sw[k], sg[k]))
		}
	}
	mw, err := metricCells(filepath.Join(want, runs.MetricsFile))
	if err != nil {
		return nil, err
	}
	mg, err := metricCells(filepath.Join(got, runs.MetricsFile))
	if err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(mw, mg) {
		diffs = append(diffs, runs.MetricsFile+" differs (timings aside)")
	}
	return diffs, nil
}

// stripTiming removes the timing fields of a summary, and of its pretraining
// layers.
func stripTiming(s map[string]any) {
	for _, k := range timing {
		delete(s, k)
	}
	if layers, ok := s["pretrain"].([]any); ok {
		for _, l := range layers {
			if m, ok := l.(map[string]any); ok {
				stripTiming(m)
			}
		}
	}
}

// metricCells reads a metrics.csv without its timing columns.
func metricCells(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var keep []int
	for i, col := range rows[0] {
		if !slices.Contains(timing, col) {
			keep = append(keep, i)
		}
	}
	out := make([][]string, len(rows))
	for r, row := range rows {
		for _, i := range keep {
			if i < len(row) {
				out[r] = append(out[r], row[i])
			}
		}
	}
	return out, nil
}
