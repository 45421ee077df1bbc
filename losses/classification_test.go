package losses

import "testing"

func TestClassificationValidate(t *testing.T) {
	for _, tt := range []struct {
		c  Classification
		ok bool
	}{
		{ClassificationCrossEntropy, true},
		{ClassificationDice, true},
		{"", false},
		{"hinge", false},
	} {
		if err := tt.c.Validate(); (err == nil) != tt.ok {
			t.Errorf("%q: %v", tt.c, err)
		}
	}
	for _, name := range Classifications() {
		if err := Classification(name).Validate(); err != nil {
			t.Errorf("listed %q: %v", name, err)
		}
	}
}
