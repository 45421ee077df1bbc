package recipes

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// fuzzBudget is the most memory one FuzzParse case may allocate
// (runtime.MemStats.TotalAlloc, before to after Parse): a fixed 64 MiB, for
// the parser's and the checks' own needs, plus 256 bytes per byte of
// input. Measured: a recipe of 5000 values takes 3 to 20 MB, a 1 MB string
// about 100 MB; nested brackets, before the depth limit, took 600 MB for
// 20 KB.
func fuzzBudget(input int) uint64 { return 64<<20 + 256*uint64(input) }

// FuzzParse checks that no recipe text makes Parse panic, that every
// failure is a located *Error, and that no case allocates more than
// fuzzBudget.
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
	f.Add([]byte("x: "+strings.Repeat("[", 20000)), "")
	f.Add([]byte("x: ["+strings.Repeat("0,", 20000)+"]"), "")
	f.Add([]byte(good), "quick="+strings.Repeat("{a: ", 5000))
	f.Add([]byte(good), "regularizers.dropout={input: 1.5}")
	f.Add([]byte(good), "init={from: x}")
	f.Add([]byte(strings.Replace(good, "batch_size: 32", "batch_size: 9223372036854775807", 1)), "model.layers.0.units=12.5")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var o Options
		if set != "" {
			o.Set = []string{set}
		}
		o.Quick = len(data)%2 == 0
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := Parse("fuzz.yaml", data, o)
		runtime.ReadMemStats(&after)
		if used, budget := after.TotalAlloc-before.TotalAlloc, fuzzBudget(len(data)+len(set)); used > budget {
			t.Fatalf("Parse of %d bytes (and --set of %d) allocated %d bytes, more than the budget of %d", len(data), len(set), used, budget)
		}
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
