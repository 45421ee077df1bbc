package plural

import (
	"fmt"
	"testing"
)

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "epoch", "1 epoch"},
		{2, "epoch", "2 epochs"},
		{0, "epoch", "0 epochs"},
		{1, "test example", "1 test example"},
		{1000, "test example", "1000 test examples"},
		{2, "class", "2 classes"},
		{1, "class", "1 class"},
		{3, "probability", "3 probabilities"},
		{3, "day", "3 days"},
		{2, "box", "2 boxes"},
		{2, "batch", "2 batches"},
	} {
		if got := Count(tt.n, tt.noun); got != tt.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}

func ExampleCount() {
	fmt.Println(Count(1, "epoch"), "and", Count(8, "epoch"))
	// Output: 1 epoch and 8 epochs
}
