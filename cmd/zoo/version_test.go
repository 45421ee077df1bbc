package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
)

func TestVersion(t *testing.T) {
	code, out, errOut := zoo(t, "version")
	if code != 0 {
		t.Fatalf("zoo version: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("zoo version printed %d lines, want 3:\n%s", len(lines), out)
	}
	if !strings.HasPrefix(lines[0], "zoo ") {
		t.Errorf("line 1 %q, want zoo VERSION", lines[0])
	}
	if !regexp.MustCompile(`^go: go\d+\.\d+`).MatchString(lines[1]) {
		t.Errorf("line 2 %q, want go: goX.Y OS/ARCH", lines[1])
	}
	// The BLAS line is what the process installed at start-up.
	if want := "blas: " + cblas.Current().String(); lines[2] != want {
		t.Errorf("line 3 %q, want %q", lines[2], want)
	}
	if info := cblas.Current(); !info.Fast() && !strings.Contains(lines[2], "pure Go") {
		t.Errorf("pure-Go fallback not said: %q", lines[2])
	}
}
