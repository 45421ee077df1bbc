package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/npy"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/runs"
)

func testEncode(t *testing.T, mlp, dae string) {
	m, err := runs.Load(dae)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data, err := pipeline.LoadData(context.Background(), m.Spec.Data, pipeline.DataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := m.CodeUnits()
	wantTest, err := m.Encode(data.Test.X)
	if err != nil {
		t.Fatal(err)
	}

	// CSV on standard output: a header, then label and code per example.
	code, out, stderr := zoo(t, "encode", dae)
	if code != 0 {
		t.Fatalf("zoo encode: exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != data.Test.Len()+1 || len(rows[0]) != k+1 || rows[0][0] != "label" || rows[0][1] != "c0" || rows[0][k] != "c"+strconv.Itoa(k-1) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0][:min(3, len(rows[0]))])
	}
	for i, r := range rows[1:] {
		if r[0] != strconv.Itoa(data.Test.Labels[i]) {
			t.Fatalf("row %d: label %s, want %d", i, r[0], data.Test.Labels[i])
		}
		for j, s := range r[1:] {
			v, err := strconv.ParseFloat(s, 32)
			if err != nil || float32(v) != wantTest[i*k+j] {
				t.Fatalf("row %d, c%d: %q, want %v (exactly)", i, j, s, wantTest[i*k+j])
			}
		}
	}

	// NPY of the validation split: float32 [n, k], exactly the codes.
	dir := t.TempDir()
	path := filepath.Join(dir, "codes.npy")
	code, out, stderr = zoo(t, "encode", dae, "--split", "validation", "--out", path)
	if code != 0 || !strings.Contains(out, "to "+path) {
		t.Fatalf("zoo encode --out .npy: exit %d\n%s%s", code, out, stderr)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, shape, err := npy.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Encode(data.Validation.X)
	if !slices.Equal(shape, []int{data.Validation.Len(), k}) || !slices.Equal(got, want) {
		t.Errorf("codes.npy: shape %v, want [%d %d]; same codes: %v", shape, data.Validation.Len(), k, slices.Equal(got, want))
	}
	csvPath := filepath.Join(dir, "codes.csv")
	if code, _, stderr := zoo(t, "encode", dae, "--out", csvPath); code != 0 || readFile(t, dir, "codes.csv") == nil {
		t.Errorf("zoo encode --out .csv: exit %d: %s", code, stderr)
	}

	wantError(t, []string{"encode", mlp}, "holds a classifier", "zoo predict "+mlp)
	wantError(t, []string{"encode", dae, "--data", dir}, "train-images-idx3-ubyte")
	wantError(t, []string{"encode", t.TempDir()}, "not a finished run directory")
}

func TestEncodeArgs(t *testing.T) {
	wantError(t, []string{"encode", "run", "--split", "tset"}, `--split "tset": want train, validation or test`)
	wantError(t, []string{"encode", "run", "--out", "codes.txt"}, "--out codes.txt: name the file .csv", ".npy")
	wantError(t, []string{"encode"}, "accepts 1 arg(s), received 0")
}
