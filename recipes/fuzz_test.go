package recipes

import (
	"errors"
	"testing"
)

// FuzzParse checks that no recipe text makes Parse panic, and that every
// failure is a located *Error.
func FuzzParse(f *testing.F) {
	for _, name := range Names() {
		data, err := Source(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "epochs=2")
	}
	f.Add([]byte(good), "optimizer.lr=0.1")
	f.Add([]byte("name: [\n"), "")
	f.Add([]byte("model: {layers: [{units: -1}]}\n"), "model.layers.0.units=3")
	f.Add([]byte("optimizer: {name: aggmo, betas: [0, 0.9, x]}\n"), "optimizer.betas=[0.5]")
	f.Add([]byte("&a [*a]\n"), "x.y.z=1")
	f.Add([]byte("quick: {epochs: 1, nothing.here: 3}\n"), "")
	f.Add([]byte(csvRecipe), "data.files.validation=v.csv")
	f.Add([]byte(csvRecipe), "data.files=5")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var o Options
		if set != "" {
			o.Set = []string{set}
		}
		o.Quick = len(data)%2 == 0
		r, err := Parse("fuzz.yaml", data, o)
		if err == nil {
			if r == nil {
				t.Fatal("nil recipe without error")
			}
			return
		}
		var re *Error
		if !errors.As(err, &re) {
			t.Fatalf("error %T (%v) is not a *recipes.Error", err, err)
		}
	})
}
