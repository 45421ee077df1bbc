package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Example trains on the CSV files in testdata (a second or less).
func Example() {
	if err := run("testdata/train.csv", "testdata/test.csv", "label"); err != nil {
		panic(err)
	}
	// Output:
	// 192 training, 48 validation, 60 test rows of 4 features; 3 classes
	// validation error after 10 epochs: 0.0%
	// test error: 0.0%
	// test row 1: class 0 (label 0)
	// test row 2: class 1 (label 1)
	// test row 3: class 2 (label 2)
}

// TestBadCSV: a file that is not as the example expects fails with the
// reader's error, which names the file, line and column.
func TestBadCSV(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("x1,x2,x3,x4,label\n1,2,3,four,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(bad, "testdata/test.csv", "label")
	if err == nil || !strings.Contains(err.Error(), bad+` line 2 column "x4": cannot read "four" as a number`) {
		t.Errorf("error %v", err)
	}
}
