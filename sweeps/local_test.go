package sweeps

import (
	"strings"
	"testing"
	"time"
)

func TestBar(t *testing.T) {
	for _, tt := range []struct {
		done, total int
		want        string
	}{
		{0, 4, "[....]"},
		{2, 4, "[##..]"},
		{4, 4, "[####]"},
		{0, 0, "[####]"},
	} {
		if got := bar(tt.done, tt.total, 4); got != tt.want {
			t.Errorf("bar(%d, %d) = %q, want %q", tt.done, tt.total, got, tt.want)
		}
	}
}

// TestThreads: N jobs share the cores equally, each at least one.
func TestThreads(t *testing.T) {
	for _, tt := range []struct{ cpus, jobs, want int }{
		{8, 1, 8}, {8, 2, 4}, {8, 3, 2}, {2, 4, 1}, {1, 1, 1},
	} {
		if got := Threads(tt.cpus, tt.jobs); got != tt.want {
			t.Errorf("Threads(%d, %d) = %d, want %d", tt.cpus, tt.jobs, got, tt.want)
		}
	}
}

// TestProgressRedraw: on a terminal the line is redrawn on every tick, in
// place, until the sweep stops the ticks.
func TestProgressRedraw(t *testing.T) {
	var out strings.Builder
	p := &progress{w: &out, tty: true, start: time.Now(), total: 3, running: 2}
	tick := make(chan time.Time)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { p.redrawOn(tick, stop); close(done) }()
	tick <- time.Now()
	tick <- time.Now()
	close(stop)
	<-done
	if n := strings.Count(out.String(), "\r[....................] sweep: 0/3 points done, 2 running"); n != 2 {
		t.Errorf("%d redraws, want 2:\n%q", n, out.String())
	}
}
