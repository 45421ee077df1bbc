package main

import (
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Example trains the small MLP (a second or two), saves, loads and writes
// it.
func Example() {
	dir, err := os.MkdirTemp("", "zoo-save-load-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(dir, os.Stdout); err != nil {
		log.Fatal(err)
	}
	// Output:
	// saved and loaded an mlp 784→32→10
	// the loaded model predicts as the trained one: true
	// run directory run: test error below 30%: true, as measured before saving: true
}

// TestRunRefusesAnOccupiedDirectory: the example overwrites nothing.
func TestRunRefusesAnOccupiedDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, os.Stdout); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("run into an occupied directory: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "model.safetensors")); string(data) != "mine" {
		t.Error("the example overwrote a file")
	}
}
