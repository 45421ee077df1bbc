package recipes

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// parseErr parses src with the overrides set and returns the error's text,
// failing the test when there is none or it is not a *recipes.Error.
func parseErr(t *testing.T, src string, set ...string) string {
	t.Helper()
	_, err := Parse("t.yaml", []byte(src), Options{Set: set})
	if err == nil {
		t.Fatalf("no error for %q with --set %q", src, set)
	}
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error %T (%v) is not a *recipes.Error", err, err)
	}
	return err.Error()
}

// TestHostileValues has one row per bad value: each is refused with the
// file, the line (or the --set), the key and what was expected, in a
// recipe's words, never Go's.
func TestHostileValues(t *testing.T) {
	rep := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("good has no %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	add := func(s string) string { return good + s }
	tests := []struct {
		name string
		src  string
		set  []string
		want []string
	}{
		// Decimals in integer keys (they were truncated: 12.5 units
		// trained 12).
		{"decimal units", rep("units: 16", "units: 12.5"), nil, []string{"line 7", "model.layers.0.units", `cannot use "12.5": want an integer`}},
		{"decimal epochs", rep("epochs: 2", "epochs: 2.9"), nil, []string{"line 13", "epochs", `"2.9": want an integer`}},
		{"whole decimal epochs", rep("epochs: 2", "epochs: 2.0"), nil, []string{"line 13", "epochs", `want an integer (write 2, without the decimal point)`}},
		{"exponent epochs", rep("epochs: 2", "epochs: 1e3"), nil, []string{"line 13", "epochs", "want an integer"}},
		{"decimal batch_size --set", good, []string{"batch_size=32.9"}, []string{"--set batch_size=32.9", "batch_size", `"32.9": want an integer`}},
		{"decimal data.train", rep("data: {name: mnist}", "data: {name: mnist, train: 10.5}"), nil, []string{"line 3", "data.train", "want an integer"}},
		{"decimal class", rep("data: {name: mnist}", "data: {name: mnist, positive: [1.5]}"), nil, []string{"line 3", "data.positive.0", "want an integer"}},
		{"decimal noise k", add("regularizers: {noise: {method: stochastic, sigma: 0.1, k: 2.5}}\n"), nil, []string{"line 17", "regularizers.noise.k", "want an integer"}},
		{"decimal schedule every", add("schedule: {name: step, every: 2.5, gamma: 0.5}\n"), nil, []string{"line 17", "schedule.every", "invalid every 2.5 (want a whole number of updates ≥ 1)"}},
		{"whole decimal schedule steps", add("schedule: {name: adaptive, every: 10, steps: 5.0, subset: 100}\n"), nil, []string{"line 17", "schedule.steps", "got 5"}},
		{"quoted integer", rep("epochs: 2", `epochs: "2"`), nil, []string{"line 13", "epochs", `"2" (in quotes, a string): want an integer`}},

		// Values Go's decoder described in Go's words.
		{"negative seed", rep("seed: 3", "seed: -1"), nil, []string{"line 2", "seed", `cannot use "-1": want an integer ≥ 0`}},
		{"negative seed --set", good, []string{"seed=-1"}, []string{"--set seed=-1", "seed", "want an integer ≥ 0"}},
		{"seed beyond 2^64", rep("seed: 3", "seed: 99999999999999999999999"), nil, []string{"line 2", "seed", "want an integer from 0 to 18446744073709551615"}},
		{"epochs beyond int64", rep("epochs: 2", "epochs: 99999999999999999999999"), nil, []string{"line 13", "epochs", "want an integer ≤ 1000000"}},
		{"infinite epochs", rep("epochs: 2", "epochs: .inf"), nil, []string{"line 13", "epochs", `".inf": want an integer`}},
		{"list for an integer", rep("epochs: 2", "epochs: [2]"), nil, []string{"line 13", "epochs", "cannot use a list: want an integer"}},
		{"mapping for an integer", rep("seed: 3", "seed: {a: 1}"), nil, []string{"line 2", "seed", "cannot use a mapping"}},
		{"string for init", add("init: glorot\n"), nil, []string{"line 17", "init", `cannot use "glorot": want a mapping with the keys from, partial`}},
		{"list for init", add("init: [a]\n"), nil, []string{"line 17", "init", "cannot use a list: want a mapping"}},
		{"number for early_stopping", add("early_stopping: 5\n"), nil, []string{"line 17", "early_stopping", `cannot use "5": want a mapping with the keys`}},
		{"number for dropout", add("regularizers: {dropout: 0.5}\n"), nil, []string{"line 17", "regularizers.dropout", `"0.5": want a mapping with the keys hidden, input`}},
		{"string for dropout input", add("regularizers: {dropout: {input: x}}\n"), nil, []string{"line 17", "regularizers.dropout.input", `"x": want a number`}},
		{"string for params", add("regularizers: {params: x}\n"), nil, []string{"line 17", "regularizers.params", "want a list of strings"}},
		{"string for data", rep("data: {name: mnist}", "data: mnist"), nil, []string{"line 3", "data", `cannot use "mnist": want a mapping with the keys dir`}},
		{"string for data.files", rep("data: {name: mnist}", "data: {name: mnist, files: x}"), nil, []string{"line 3", "data.files", "want a mapping"}},
		{"list for a file", rep("data: {name: mnist}", "data: {name: mnist, files: {train: [a]}}"), nil, []string{"line 3", "data.files.train", "cannot use a list: want a string"}},
		{"number for positive", rep("data: {name: mnist}", "data: {name: mnist, positive: 1}"), nil, []string{"line 3", "data.positive", "want a list of integers"}},
		{"number for a layer", rep("    - {units: 16, activation: relu}", "    - 16"), nil, []string{"line 7", "model.layers.0", `"16": want a mapping with the keys activation, units`}},
		{"list for model.type", rep("  type: mlp", "  type: [mlp]"), nil, []string{"line 5", "model.type", "cannot use a list: want a string"}},
		{"string for schedule", add("schedule: cosine\n"), nil, []string{"line 17", "schedule", `cannot use "cosine": want a mapping`}},
		{"list for optimizer.name", rep("name: adam", "name: [adam]"), nil, []string{"line 10", "optimizer.name", "cannot use a list: want one of adadelta"}},
		{"mapping for optimizer.lr", good, []string{"optimizer.lr={a: 1}"}, []string{"--set optimizer.lr={a: 1}", "optimizer.lr", "want a number, got a mapping"}},
		{"key inside optimizer.lr --set", good, []string{"optimizer.lr.x=1"}, []string{"--set optimizer.lr.x=1", `cannot set a key inside "lr"`}},
		{"key inside a quick key --set", good, []string{"quick.data.train=5"}, []string{"--set quick.data.train=5", `cannot set a key inside "data"; the quick profile's keys are key paths (data.train): set it as a mapping`}},
		{"list for schedule.name", add("schedule: {name: [cosine]}\n"), nil, []string{"line 17", "schedule.name", "cannot use a list: want one of"}},
		{"number for tied", rep("  type: mlp", "  type: autoencoder\n  tied: 3"), nil, []string{"line 6", "model.tied", `"3": want true or false`}},
		{"duplicate key", add("epochs: 3\n"), nil, []string{"line 17", `mapping key "epochs" already defined on line 13`}},
		{"merge key", add("<<: {batch_size: 3}\n"), nil, []string{"line 17", "merge keys (<<) are not allowed"}},
		{"merge key in the optimizer", rep("  name: adam", "  <<: {name: adam}"), nil, []string{"line 10", "merge keys (<<) are not allowed"}},
		{"second document", add("---\nepochs: 3\n"), nil, []string{"line 18", "a second YAML document"}},
		{"a list, not a recipe", "- a\n- b\n", nil, []string{"line 1", "the recipe is a list; want a mapping of keys"}},

		// Integers that size allocations, beyond their limits.
		{"huge batch_size", rep("batch_size: 32", "batch_size: 9223372036854775807"), nil, []string{"line 12", "batch_size", "9223372036854775807 is too large: a recipe allows at most 16777216 examples per update"}},
		{"huge units", rep("units: 16", "units: 1000000000"), nil, []string{"line 7", "model.layers.0.units", "at most 16777216 units"}},
		{"huge units --set", good, []string{"model.layers.0.units=1000000000"}, []string{"--set model.layers.0.units=1000000000", "at most 16777216 units"}},
		{"huge epochs", rep("epochs: 2", "epochs: 1000000000"), nil, []string{"line 13", "epochs", "at most 1000000 epochs"}},
		{"huge data.test", rep("data: {name: mnist}", "data: {name: mnist, test: 2000000000}"), nil, []string{"line 3", "data.test", "at most 1073741824 examples"}},
		{"huge noise k", add("regularizers: {noise: {method: stochastic, sigma: 0.1, k: 100000000}}\n"), nil, []string{"line 17", "regularizers.noise.k", "at most 65536 candidates"}},
		{"huge adaptive subset", add("schedule: {name: adaptive, every: 10, steps: 5, subset: 2000000000}\n"), nil, []string{"line 17", "schedule.subset", "at most 1073741824, got 2000000000"}},
		{"huge early stopping patience", add("early_stopping: {patience: 4000000000}\n"), nil, []string{"line 17", "early_stopping.patience", "at most 2147483647 updates"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := parseErr(t, tt.src, tt.set...)
			for _, w := range append([]string{"recipe t.yaml"}, tt.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			for _, leak := range []string{"Go value", "unmarshal", "was used where", "map[", "uint64", "[]interface"} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q speaks Go (%q)", msg, leak)
				}
			}
		})
	}
	// The quick profile's values are checked as --set values are.
	_, err := Parse("t.yaml", []byte(rep("  epochs: 1", "  epochs: 5000000")), Options{Quick: true})
	if err == nil || !strings.Contains(err.Error(), "quick profile, line 15") || !strings.Contains(err.Error(), "at most 1000000 epochs") {
		t.Errorf("quick epochs beyond the limit: %v", err)
	}
}

// intKeys lists the key path of every integer field of a Recipe, list
// indexes as "*".
func intKeys() []string {
	var keys []string
	var walk func(t reflect.Type, key string)
	walk = func(t reflect.Type, key string) {
		switch t.Kind() {
		case reflect.Pointer:
			walk(t.Elem(), key)
		case reflect.Slice:
			walk(t.Elem(), key+".*")
		case reflect.Struct:
			for i := range t.NumField() {
				name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
				if name != "" && name != "-" {
					walk(t.Field(i).Type, joinKey(key, name))
				}
			}
		case reflect.Int, reflect.Int64, reflect.Uint64:
			keys = append(keys, key)
		}
	}
	walk(reflect.TypeOf(Recipe{}), "")
	return keys
}

// nested writes value at the dotted key as YAML flow mappings and lists:
// a.*.b, 2.5 → a: [{b: 2.5}].
func nested(key, value string) string {
	parts := strings.Split(key, ".")
	s := value
	for i := len(parts) - 1; i > 0; i-- {
		if parts[i] == "*" {
			s = "[" + s + "]"
		} else {
			s = "{" + parts[i] + ": " + s + "}"
		}
	}
	return parts[0] + ": " + s + "\n"
}

// TestEveryIntegerKey refuses a decimal in every integer key of a recipe,
// naming the key and the line, and checks that every integer key but the
// seed and the classes has a limit: a key added later is covered.
func TestEveryIntegerKey(t *testing.T) {
	keys := intKeys()
	if len(keys) < 14 {
		t.Fatalf("found only the integer keys %v", keys)
	}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			src := nested(key, "12.5")
			msg := parseErr(t, src)
			want := strings.ReplaceAll(key, "*", "0") + `: cannot use "12.5": want an integer`
			if !strings.Contains(msg, want) || !strings.Contains(msg, "line 1") {
				t.Errorf("%s: error %q, want line 1 and %q", src, msg, want)
			}
			if key == "seed" || key == "data.positive.*" {
				return
			}
			l, ok := intLimit(strings.ReplaceAll(key, "*", "3"))
			if !ok {
				t.Fatalf("%s has no limit (intLimit)", key)
			}
			msg = parseErr(t, nested(key, fmt.Sprint(l.max+1)))
			if !strings.Contains(msg, fmt.Sprintf("at most %d", l.max)) {
				t.Errorf("%s = %d: error %q does not name the limit", key, l.max+1, msg)
			}
		})
	}
}

// TestShapeLimits refuses texts that nest too deeply or hold too many
// values before the YAML parser builds them, within a small memory budget
// (20 KB of nested "[" took 600 MB, 200 KB more than 6 GB).
func TestShapeLimits(t *testing.T) {
	deepBlock := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%sk:\n", strings.Repeat(" ", i))
		}
		return b.String()
	}
	tests := []struct {
		name string
		src  string
		set  string
		want string
	}{
		{"nested [ ", "quick: " + strings.Repeat("[", 200000), "", "line 1: nested 33 levels deep, more than the 32 a recipe may nest"},
		{"nested {", "name: t\nquick: " + strings.Repeat("{a: ", 100000), "", "line 2: nested 33 levels deep"},
		{"nested block mappings", deepBlock(100), "", "line 33: nested 33 levels deep"},
		{"nested block lists", "quick: " + strings.Repeat("- ", 100) + "x\n", "", "line 1: nested 33 levels deep"},
		{"many values", "quick: [" + strings.Repeat("0, ", 200000) + "]", "", "more than the 10000 keys and list items a recipe may have"},
		{"many block values", strings.Repeat("- 0\n", 200000), "", "line 10001: more than the 10000 keys and list items"},
		{"nesting after a quote that is not one", "description: a\n  \"\nquick: " + strings.Repeat("[", 100000), "", "line 3: nested 33 levels deep"},
		{"nesting after a block scalar's end", "description: |\n    a\n  " + strings.Repeat("[", 100000), "", "line 3: nested 33 levels deep"},
		{"nested --set", good, "quick=" + strings.Repeat("[", 200000), "--set quick=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["},
		{"aliases in --set", good, "quick=[&a 1, *a]", "YAML aliases (*name) are not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var set []string
			if tt.set != "" {
				set = []string{tt.set}
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			msg := parseErr(t, tt.src, set...)
			runtime.ReadMemStats(&after)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %.300q does not contain %q", msg, tt.want)
			}
			if used := after.TotalAlloc - before.TotalAlloc; used > fuzzBudget(len(tt.src)+len(tt.set)) {
				t.Errorf("allocated %d MB to refuse %d bytes", used>>20, len(tt.src))
			}
		})
	}
	// Quoted brackets, comments and block text are not nesting.
	ok := good + "description: \"" + strings.Repeat("[", 100) + "\"\n# " + strings.Repeat("{", 100) + "\nname2: |\n  " + strings.Repeat("[", 100) + "\n"
	if se := scanShape([]byte(ok)); se != nil {
		t.Errorf("quoted, commented and block brackets counted: line %d: %s", se.line, se.msg)
	}
	for _, name := range Names() {
		src, _ := Source(name)
		if se := scanShape(src); se != nil {
			t.Errorf("built-in %s: line %d: %s", name, se.line, se.msg)
		}
	}
}

// TestSetMapping sets every mapping-valued key with a flow mapping: the
// mapping replaces the key's value (as a scalar does), and is checked as
// the file's own text is: a bad value gets the error it gets in the file.
func TestSetMapping(t *testing.T) {
	const dropout = `name: d
data: {name: mnist}
model:
  type: mlp
  layers: [{units: 16, activation: relu}, {units: 8, activation: relu}]
loss: cross-entropy
optimizer: {name: sgd, lr: 0.1}
regularizers:
  l2: 0.001
  dropout: {input: 0.2, hidden: [0.5, 0.5]}
early_stopping: {patience: 100}
batch_size: 32
epochs: 2
`
	ok := []struct {
		set   string
		check func(r *Recipe) bool
	}{
		{"regularizers.dropout={input: 0.1}", func(r *Recipe) bool {
			d := r.Regularizers.Dropout
			return d != nil && d.Input == 0.1 && d.Hidden == nil && r.Regularizers.L2 == 0.001
		}},
		{"regularizers={l1: 0.01}", func(r *Recipe) bool {
			return r.Regularizers.L1 == 0.01 && r.Regularizers.L2 == 0 && r.Regularizers.Dropout == nil
		}},
		{"early_stopping={rule: no-improvement, evaluations: 3}", func(r *Recipe) bool {
			e := r.EarlyStopping
			return e != nil && e.Rule == "no-improvement" && e.Evaluations == 3 && e.Patience == 0
		}},
		{"early_stopping=null", func(r *Recipe) bool { return r.EarlyStopping == nil }},
		{"init={from: x.safetensors, partial: true}", func(r *Recipe) bool {
			return r.Init != nil && strings.HasSuffix(r.Init.From, "x.safetensors") && r.Init.Partial
		}},
		{"regularizers.noise={method: random, sigma: 0.1}", func(r *Recipe) bool {
			return r.Regularizers.Noise != nil && r.Regularizers.Noise.Sigma == 0.1 && r.Regularizers.Dropout != nil
		}},
		{"regularizers.kl_sparsity={layer: layers.0, beta: 0.1, rho: 0.05}", func(r *Recipe) bool {
			return r.Regularizers.KLSparsity != nil && r.Regularizers.KLSparsity.Rho == 0.05
		}},
		{"regularizers.activation_l1={layer: layers.1, lambda: 0.1}", func(r *Recipe) bool {
			return r.Regularizers.ActivationL1 != nil && r.Regularizers.ActivationL1.Layer == "layers.1"
		}},
		{"model.layers.0={units: 4, activation: tanh}", func(r *Recipe) bool {
			return r.Model.Layers[0].Units == 4 && r.Model.Layers[1].Units == 8
		}},
		{"data={name: mnist, train: 100}", func(r *Recipe) bool { return r.Data.Train == 100 }},
		{"optimizer={name: adam}", func(r *Recipe) bool { return r.Optimizer["name"] == "adam" && r.Optimizer["lr"] == nil }},
		{"schedule={name: cosine}", func(r *Recipe) bool { return r.Schedule["name"] == "cosine" }},
	}
	for _, tt := range ok {
		t.Run(tt.set, func(t *testing.T) {
			r, err := Parse("d.yaml", []byte(dropout), Options{Set: []string{tt.set}})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(r) {
				t.Errorf("--set %s: recipe %+v", tt.set, r)
			}
			// The recipe as run (recipe.yaml) holds it.
			text, _ := r.Marshal()
			if _, err := Parse("recipe.yaml", text, Options{}); err != nil {
				t.Errorf("recipe as run: %v", err)
			}
		})
	}
	bad := []struct {
		set, file, want string // file: the same value written in the recipe
	}{
		{"regularizers.dropout={input: 1.5}", "  dropout: {input: 1.5}", "regularizers.dropout.input: must be a probability in [0, 1), got 1.5"},
		{"regularizers.dropout={input: x}", "  dropout: {input: x}", `regularizers.dropout.input: cannot use "x": want a number`},
		{"regularizers.dropout={inptu: 0.5}", "  dropout: {inptu: 0.5}", `unknown field "inptu"; did you mean "input"?`},
		{"regularizers.dropout={hidden: [0.5, 0.5, 0.5]}", "  dropout: {hidden: [0.5, 0.5, 0.5]}", "regularizers.dropout.hidden: 3 probabilities for 2 hidden layers"},
		{"regularizers.dropout=0.5", "  dropout: 0.5", `regularizers.dropout: cannot use "0.5": want a mapping with the keys hidden, input`},
		{"early_stopping={rule: x}", "  dropout: {input: 0.2}\nearly_stopping: {rule: x}", `early_stopping: unknown rule "x"`},
		{"early_stopping={patience: 1.5}", "  dropout: {input: 0.2}\nearly_stopping: {patience: 1.5}", `early_stopping.patience: cannot use "1.5": want an integer`},
		{"init={from: ''}", "  dropout: {input: 0.2}\ninit: {from: ''}", "init.from: missing; want a finished run directory"},
		{"init=glorot", "  dropout: {input: 0.2}\ninit: glorot", `init: cannot use "glorot": want a mapping with the keys from, partial`},
		{"regularizers.noise={method: random, sigma: 0.1, k: 3}", "  noise: {method: random, sigma: 0.1, k: 3}", "regularizers.noise: random noise takes no k"},
		{"model.layers.0={units: 3.5, activation: relu}", "", `model.layers.0.units: cannot use "3.5": want an integer`},
	}
	for _, tt := range bad {
		t.Run(tt.set, func(t *testing.T) {
			msg := parseErr(t, dropout, tt.set)
			if !strings.Contains(msg, "--set "+tt.set+": ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want --set %s and %q", msg, tt.set, tt.want)
			}
			if tt.file == "" {
				return
			}
			src := strings.Replace(dropout, "  dropout: {input: 0.2, hidden: [0.5, 0.5]}\nearly_stopping: {patience: 100}", tt.file, 1)
			if src == dropout {
				t.Fatal("edit failed")
			}
			if msg := parseErr(t, src); !strings.Contains(msg, tt.want) {
				t.Errorf("in the file: error %q, want %q", msg, tt.want)
			}
		})
	}
}
