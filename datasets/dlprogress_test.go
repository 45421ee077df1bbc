package datasets

import (
	"bytes"
	"strings"
	"testing"
)

// TestDownloadProgress: a writer that is not a terminal gets a start line,
// one per quarter and an end line, however many pieces the bytes come in.
func TestDownloadProgress(t *testing.T) {
	for _, tc := range []struct {
		name   string
		total  int64
		pieces int
		want   []string
	}{
		{"in 1000 pieces", 26421880, 1000, []string{
			"fashion-mnist: downloading http://h/x/train-images-idx3-ubyte.gz (26.4 MB)",
			"fashion-mnist: train-images-idx3-ubyte.gz: 6.6 MB of 26.4 MB (25%)",
			"fashion-mnist: train-images-idx3-ubyte.gz: 13.2 MB of 26.4 MB (50%)",
			"fashion-mnist: train-images-idx3-ubyte.gz: 19.8 MB of 26.4 MB (75%)",
			"fashion-mnist: train-images-idx3-ubyte.gz: 26.4 MB in ",
		}},
		{"in one piece", 5148, 1, []string{
			"fashion-mnist: downloading http://h/x/train-images-idx3-ubyte.gz (5.1 kB)",
			"fashion-mnist: train-images-idx3-ubyte.gz: 5.1 kB in ",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			p := newDownloadProgress(&log, "fashion-mnist", "http://h/x/train-images-idx3-ubyte.gz", tc.total)
			step := tc.total / int64(tc.pieces)
			for got := int64(0); got < tc.total; got += step {
				p.add(min(step, tc.total-got))
			}
			p.done()
			lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tc.want), log.String())
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d is %q, want it to start %q", i, lines[i], w)
				}
			}
			if !strings.HasSuffix(lines[len(lines)-1], "s, checksum ok") {
				t.Errorf("last line %q", lines[len(lines)-1])
			}
		})
	}
	// Without a writer, nothing happens (and nothing panics).
	p := newDownloadProgress(nil, "kmnist", "http://h/x/y.gz", 10)
	p.add(10)
	p.done()
	p.fail()
}
