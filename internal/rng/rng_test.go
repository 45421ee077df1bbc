package rng

import (
	"math"
	"testing"
)

func TestStreams(t *testing.T) {
	draw := func(seed uint64, name string) [4]uint64 {
		r := New(seed, name)
		var v [4]uint64
		for i := range v {
			v[i] = r.Uint64()
		}
		return v
	}
	tests := []struct {
		name      string
		a, b      [4]uint64
		wantEqual bool
	}{
		{"same seed and name repeat", draw(7, "init"), draw(7, "init"), true},
		{"other seed differs", draw(7, "init"), draw(8, "init"), false},
		{"other stream differs", draw(7, "init"), draw(7, "shuffle"), false},
	}
	for _, tt := range tests {
		if got := tt.a == tt.b; got != tt.wantEqual {
			t.Errorf("%s: equal = %v, want %v (%v vs %v)", tt.name, got, tt.wantEqual, tt.a, tt.b)
		}
	}
}

// TestBelow checks the thresholds at the edges of a draw, and that Under
// decides as r.Float64() < p does.
func TestBelow(t *testing.T) {
	for _, c := range []struct {
		p    float64
		want uint64
	}{{0, 0}, {0.5, 1 << 52}, {math.Nextafter(1, 0), 1<<53 - 1}, {0x1p-53, 1}, {0x1p-54, 1}} {
		if got := Below(c.p); got != c.want {
			t.Errorf("Below(%v) = %d, want %d", c.p, got, c.want)
		}
	}
	r := New(2, "under")
	for _, p := range []float64{0, 0x1p-53, 0.1, 0.5, 1.0 / 3, math.Nextafter(1, 0)} {
		thr := Below(p)
		for range 10000 {
			u := r.Uint64()
			if got, want := Under(u, thr) == 1, float64(u<<11>>11)/(1<<53) < p; got != want {
				t.Fatalf("p=%v, draw %#x: Under says %v, Float64() < p says %v", p, u, got, want)
			}
		}
	}
}
