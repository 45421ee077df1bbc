package rng

import "testing"

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
