package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/infer"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
)

// jsonDoc is what docs/json.md says of one command's --json: every field
// name its tables give (a nested one also as parent.name), and the
// required fields of its first table, the top-level ones.
type jsonDoc struct {
	names    map[string]bool
	required []string
}

var (
	docHeading = regexp.MustCompile("^## `zoo ([a-z]+)")
	docName    = regexp.MustCompile("`([a-z_][a-z0-9_.]*)`")
)

// readJSONDocs parses docs/json.md into each command's jsonDoc.
func readJSONDocs(t *testing.T) map[string]*jsonDoc {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	docs := map[string]*jsonDoc{}
	var cur *jsonDoc
	tables := 0 // tables seen in the current section
	inTable := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := docHeading.FindStringSubmatch(line); m != nil {
			cur = &jsonDoc{names: map[string]bool{}}
			docs[m[1]] = cur
			tables, inTable = 0, false
			continue
		}
		if cur == nil {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		if !inTable {
			inTable = true
			tables++
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[0]), "---") {
			continue
		}
		for _, c := range cells {
			for _, m := range docName.FindAllStringSubmatch(c, -1) {
				cur.names[m[1]] = true
			}
		}
		if tables == 1 && !strings.Contains(cells[2], "*optional*") {
			for _, m := range docName.FindAllStringSubmatch(cells[0], -1) {
				cur.required = append(cur.required, m[1])
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return docs
}

// checkJSON checks that out is one JSON value with the documented fields:
// each top-level object (the value, or each element of an array) has the
// required ones, and no object down to depth 2 has a field the section
// does not name (summary.json, the same everywhere, is checked in zoo
// train's section). It returns the value.
func checkJSON(t *testing.T, cmd string, doc *jsonDoc, out string) any {
	t.Helper()
	if doc == nil {
		t.Fatalf("docs/json.md has no section for zoo %s", cmd)
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("zoo %s --json: not JSON: %v\n%s", cmd, err, out)
	}
	if dec.More() {
		t.Fatalf("zoo %s --json: more than one JSON value on stdout:\n%s", cmd, out)
	}
	tops := []any{v}
	if a, ok := v.([]any); ok {
		tops = a
	}
	if len(tops) == 0 {
		t.Errorf("zoo %s --json: empty", cmd)
	}
	for _, top := range tops {
		obj, ok := top.(map[string]any)
		if !ok {
			t.Fatalf("zoo %s --json: %T, want objects", cmd, top)
		}
		for _, f := range doc.required {
			if !hasPath(obj, f) {
				t.Errorf("zoo %s --json lacks the documented field %q:\n%s", cmd, f, out)
			}
		}
	}
	var walk func(v any, prefix string, depth int)
	walk = func(v any, prefix string, depth int) {
		switch v := v.(type) {
		case []any:
			for _, el := range v {
				walk(el, prefix, depth)
			}
		case map[string]any:
			for k, sub := range v {
				if !doc.names[prefix+k] && !doc.names[k] {
					t.Errorf("zoo %s --json has the field %q, which docs/json.md does not document", cmd, prefix+k)
				}
				if depth < 2 && k != "summary" {
					walk(sub, prefix+k+".", depth+1)
				}
			}
		}
	}
	walk(v, "", 0)
	return v
}

// TestJSONOutputs runs every command that takes --json and checks its
// output against docs/json.md: one JSON value on stdout, with the fields
// documented and no others. zoo train --json prints its progress on stderr,
// and its summary is the run's summary.json.
func TestJSONOutputs(t *testing.T) {
	docs := readJSONDocs(t)
	dir := t.TempDir()

	code, out, stderr := zoo(t, "list", "--json")
	if code != 0 {
		t.Fatalf("zoo list --json: exit %d: %s", code, stderr)
	}
	v := checkJSON(t, "list", docs["list"], out)
	if names := recipeNames(v); !sort.StringsAreSorted(names) || !slices.Contains(names, "mlp-mnist") {
		t.Errorf("zoo list --json names %v", names)
	}
	for _, r := range v.([]any) {
		name, trained := r.(map[string]any)["name"].(string), r.(map[string]any)["trained"]
		if want := shipped.Prefix + name; shipped.Has(name) && trained != want || !shipped.Has(name) && trained != nil {
			t.Errorf("zoo list --json: %s has trained %v; zoo ships %v", name, trained, shipped.Names())
		}
	}

	mlp := filepath.Join(dir, "mlp")
	code, out, stderr = zoo(t, "train", "mlp-mnist", "--quick", "--out", mlp, "--json")
	if code != 0 {
		t.Fatalf("zoo train --json: exit %d\n%s\n%s", code, out, stderr)
	}
	v = checkJSON(t, "train", docs["train"], out)
	if !strings.Contains(stderr, "epoch 1/1") {
		t.Errorf("zoo train --json: no progress on stderr: %q", stderr)
	}
	got := v.(map[string]any)
	var file map[string]any
	if err := json.Unmarshal(readFile(t, mlp, runs.SummaryFile), &file); err != nil {
		t.Fatal(err)
	}
	if got["dir"] != mlp || !reflect.DeepEqual(got["summary"], file) {
		t.Errorf("zoo train --json: dir %v, summary\n%v\nwant %s and summary.json's\n%v", got["dir"], got["summary"], mlp, file)
	}
	for k := range file {
		if !docs["train"].names[k] {
			t.Errorf("summary.json's field %q is not in docs/json.md", k)
		}
	}

	code, out, stderr = zoo(t, "eval", mlp, "--json")
	if code != 0 {
		t.Fatalf("zoo eval --json: exit %d: %s", code, stderr)
	}
	test := checkJSON(t, "eval", docs["eval"], out).(map[string]any)["metrics"].(map[string]any)
	if test["error"] != file["test_error"] || test["loss"] != file["test_loss"] {
		t.Errorf("zoo eval --json: test %v; summary.json %v, %v", test, file["test_error"], file["test_loss"])
	}

	// A variational autoencoder's summary has its negative ELBO, which
	// zoo eval measures again.
	vae := filepath.Join(dir, "vae")
	code, out, stderr = zoo(t, "train", "vae-mnist", "--quick", "--set", "data.train=500", "--set", "data.test=200", "--set", "epochs=1", "--out", vae, "--json")
	if code != 0 {
		t.Fatalf("zoo train vae-mnist --json: exit %d\n%s\n%s", code, out, stderr)
	}
	summary := checkJSON(t, "train", docs["train"], out).(map[string]any)["summary"].(map[string]any)
	for k := range summary {
		if !docs["train"].names[k] {
			t.Errorf("a vae's summary.json field %q is not in docs/json.md", k)
		}
	}
	elbo, ok := summary["test_elbo_nats"].(float64)
	if kl, _ := summary["test_kl_nats"].(float64); !ok || !(elbo > kl && kl > 0) || summary["test_loss"] != elbo {
		t.Errorf("a vae's summary: test_elbo_nats %v, test_kl_nats %v, test_loss %v", summary["test_elbo_nats"], summary["test_kl_nats"], summary["test_loss"])
	}
	code, out, stderr = zoo(t, "eval", vae, "--json")
	if code != 0 {
		t.Fatalf("zoo eval vae --json: exit %d: %s", code, stderr)
	}
	if m := checkJSON(t, "eval", docs["eval"], out).(map[string]any)["metrics"].(map[string]any); m["loss"] != elbo || m["error"] != nil {
		t.Errorf("zoo eval of a vae --json: metrics %v; summary.json's test_elbo_nats %v", m, elbo)
	}

	// A run interrupted before its first epoch ended: no summary, no curve.
	unfinished := filepath.Join(dir, "unfinished")
	os.MkdirAll(unfinished, 0o755)
	os.WriteFile(filepath.Join(unfinished, runs.MetricsFile), []byte("epoch,train_loss,val_loss,val_error,lr,seconds\n"), 0o644)
	plot := filepath.Join(dir, "curves.svg")
	code, out, stderr = zoo(t, "compare", mlp, unfinished, "--json", "--out", plot)
	if code != 0 {
		t.Fatalf("zoo compare --json: exit %d: %s", code, stderr)
	}
	var cmp compareJSON
	checkJSON(t, "compare", docs["compare"], out)
	json.Unmarshal([]byte(out), &cmp)
	if len(cmp.Runs) != 2 || !cmp.Runs[0].Finished || cmp.Runs[0].Summary == nil || cmp.Runs[0].Seed == nil || *cmp.Runs[0].Seed != 1 ||
		len(cmp.Runs[0].Curve) != 1 || cmp.Runs[0].Curve[0].ValError == nil || cmp.Runs[1].Finished || cmp.Runs[1].Recipe != "" || cmp.Runs[1].Curve == nil ||
		cmp.Plot == nil || cmp.Plot.File != plot || cmp.Plot.Metric != "error" {
		t.Errorf("zoo compare --json:\n%s", out)
	}
	if _, err := os.Stat(plot); err != nil {
		t.Errorf("zoo compare --json --out: %v", err)
	}

	code, out, stderr = zoo(t, "inspect", mlp, "--json")
	if code != 0 {
		t.Fatalf("zoo inspect --json: exit %d: %s", code, stderr)
	}
	checkJSON(t, "inspect", docs["inspect"], out)

	pic := filepath.Join(dir, "blank.png")
	writePicture(t, pic, image.NewGray(image.Rect(0, 0, 28, 28)))
	code, out, stderr = zoo(t, "predict", mlp, pic, "--json")
	if code != 0 {
		t.Fatalf("zoo predict --json: exit %d: %s", code, stderr)
	}
	checkJSON(t, "predict", docs["predict"], out)

	code, out, stderr = zoo(t, "version", "--json")
	if code != 0 {
		t.Fatalf("zoo version --json: exit %d: %s", code, stderr)
	}
	checkJSON(t, "version", docs["version"], out)

	if testing.Short() {
		return // bench times real training steps
	}
	code, out, stderr = zoo(t, "bench", "--quick", "--json", "--only", "mlp/1")
	if code != 0 {
		t.Fatalf("zoo bench --json: exit %d: %s", code, stderr)
	}
	checkJSON(t, "bench", docs["bench"], out)
}

// TestMetricsJSONNonFinite: infer.Metrics writes its own JSON, and a loss
// that overflowed is still refused in the user's terms.
func TestMetricsJSONNonFinite(t *testing.T) {
	var out bytes.Buffer
	err := printJSON(&env{out: &out}, infer.Metrics{Loss: math.Inf(1), HasError: true, N: 1})
	if err == nil || !strings.Contains(err.Error(), "the result holds +Inf, which JSON cannot represent") || out.Len() != 0 {
		t.Errorf("an infinite loss: %v, output %q", err, out.String())
	}
}

// hasPath reports whether obj has the field at the dotted path.
func hasPath(obj map[string]any, path string) bool {
	first, rest, nested := strings.Cut(path, ".")
	v, ok := obj[first]
	if !ok || !nested {
		return ok
	}
	sub, ok := v.(map[string]any)
	return ok && hasPath(sub, rest)
}

func recipeNames(v any) []string {
	var names []string
	for _, r := range v.([]any) {
		names = append(names, r.(map[string]any)["name"].(string))
	}
	return names
}
