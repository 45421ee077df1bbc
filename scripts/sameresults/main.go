// Command sameresults compares two trees of zoo outputs (run directories
// and experiment directories, as scripts/quickruns.sh writes them) and says
// whether a change kept results: the same tensors in every .safetensors
// file (names, dtypes, shapes and bytes; the headers' metadata may
// differ), the same CSV cells but for timing columns, the same JSON but
// for timing fields and for keys only the second tree has (a later
// version may record more), and the same bytes for every other file.
// Logs, reports and the figures named with --skip are not compared. It
// exits 1 when something differs.
//
//	sameresults [--skip REL,REL…] OLD NEW
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/gorgonia-zoo/zoo/internal/safetensors"
)

// timing names the columns and fields that measure time, not results (a
// rate too).
var timing = []string{"seconds", "ms_per_update", "seconds_to_target", "matmul_gflops_per_s"}

func main() {
	skip := flag.String("skip", "", "comma-separated paths, relative to the trees, not to compare (figures drawn against time)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: sameresults [--skip REL,REL…] OLD NEW")
		os.Exit(2)
	}
	old, new := flag.Arg(0), flag.Arg(1)
	skipped := strings.Split(*skip, ",")
	compared, differ := 0, 0
	err := filepath.WalkDir(old, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(old, path)
		ext := filepath.Ext(path)
		if ext == ".log" || ext == ".md" || slices.Contains(skipped, rel) || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		compared++
		if why := same(path, filepath.Join(new, rel), ext); why != "" {
			differ++
			fmt.Printf("%s: %s\n", rel, why)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sameresults:", err)
		os.Exit(2)
	}
	fmt.Printf("%d files compared, %d differ\n", compared, differ)
	if differ > 0 {
		os.Exit(1)
	}
}

// same returns "" when the files at a and b hold the same results, or why
// not.
func same(a, b, ext string) string {
	da, err := os.ReadFile(a)
	if err != nil {
		return err.Error()
	}
	db, err := os.ReadFile(b)
	if err != nil {
		return "missing in the second tree"
	}
	switch ext {
	case ".safetensors":
		return sameTensors(da, db)
	case ".csv":
		return sameCSV(da, db)
	case ".json":
		return sameJSON(da, db)
	}
	if !bytes.Equal(da, db) {
		return "bytes differ"
	}
	return ""
}

func sameTensors(a, b []byte) string {
	fa, err := safetensors.Decode(a, safetensors.Limits{})
	if err != nil {
		return err.Error()
	}
	fb, err := safetensors.Decode(b, safetensors.Limits{})
	if err != nil {
		return err.Error()
	}
	if len(fa.Tensors) != len(fb.Tensors) {
		return fmt.Sprintf("%d tensors, then %d", len(fa.Tensors), len(fb.Tensors))
	}
	for _, ta := range fa.Tensors {
		tb, ok := fb.Get(ta.Name)
		switch {
		case !ok:
			return fmt.Sprintf("tensor %s missing", ta.Name)
		case ta.DType != tb.DType || !slices.Equal(ta.Shape, tb.Shape):
			return fmt.Sprintf("tensor %s: %s %v, then %s %v", ta.Name, ta.DType, ta.Shape, tb.DType, tb.Shape)
		case !bytes.Equal(ta.Data, tb.Data):
			return fmt.Sprintf("tensor %s: values differ", ta.Name)
		}
	}
	return ""
}

// sameCSV compares the cells of two CSV files, leaving out timing columns.
func sameCSV(a, b []byte) string {
	ra, err := csv.NewReader(bytes.NewReader(a)).ReadAll()
	if err != nil {
		return err.Error()
	}
	rb, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return err.Error()
	}
	if len(ra) != len(rb) || len(ra) > 0 && !slices.Equal(ra[0], rb[0]) {
		return "rows or columns differ"
	}
	for i := 1; i < len(ra); i++ {
		for j, cell := range ra[i] {
			if slices.Contains(timing, ra[0][j]) {
				continue
			}
			if j >= len(rb[i]) || rb[i][j] != cell {
				return fmt.Sprintf("line %d, column %s differs", i+1, ra[0][j])
			}
		}
	}
	return ""
}

// sameJSON compares two JSON documents, leaving out timing fields and the
// keys only b has.
func sameJSON(a, b []byte) string {
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		return err.Error()
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return err.Error()
	}
	if !reflect.DeepEqual(strip(va, nil), strip(vb, va)) {
		return "values differ"
	}
	return ""
}

// strip removes timing fields from v and, when like is given, the object
// keys like lacks.
func strip(v, like any) any {
	switch x := v.(type) {
	case map[string]any:
		l, _ := like.(map[string]any)
		out := map[string]any{}
		for k, e := range x {
			if slices.Contains(timing, k) {
				continue
			}
			if like != nil {
				le, ok := l[k]
				if !ok {
					continue
				}
				out[k] = strip(e, le)
				continue
			}
			out[k] = strip(e, nil)
		}
		return out
	case []any:
		l, _ := like.([]any)
		out := make([]any, len(x))
		for i, e := range x {
			var le any
			if i < len(l) {
				le = l[i]
			}
			out[i] = strip(e, le)
		}
		return out
	}
	return v
}
