package sweeps

import "testing"

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
