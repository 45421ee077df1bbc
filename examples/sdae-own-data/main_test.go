package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestRun runs the example: it must pretrain both layers, fine-tune, and
// classify the test pictures well, in a few seconds.
func TestRun(t *testing.T) {
	start := time.Now()
	var out bytes.Buffer
	testErr, err := run(&out, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s(%v)", out.String(), time.Since(start))
	for _, want := range []string{"layer 1 of 2 pretrained", "layer 2 of 2 pretrained", "fine-tuned 10 epochs", "test error"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output has no %q:\n%s", want, out.String())
		}
	}
	if testErr > 0.1 {
		t.Errorf("test error %.1f%%, want at most 10%%", 100*testErr)
	}
}
