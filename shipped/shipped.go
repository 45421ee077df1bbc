package shipped

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
)

// Prefix marks a shipped model where a run directory is expected:
// zoo:sdae-mnist. A directory whose name starts with it is reached with a
// path, ./zoo:sdae-mnist.
const Prefix = "zoo:"

// CardFile is a shipped run's model card.
const CardFile = "MODEL_CARD.md"

// Files are the files of a shipped run, in the order they are unpacked.
var Files = []string{runs.RecipeFile, runs.SummaryFile, runs.MetricsFile, runs.WeightsFile, CardFile}

// MaxBytes bounds the size of all shipped files together: every zoo
// binary carries them.
const MaxBytes = 20_000_000

//go:embed */recipe.yaml */summary.json */metrics.csv */model.safetensors */MODEL_CARD.md
var embedded embed.FS

// Names returns the names of the shipped models, sorted: each is the
// built-in recipe it was trained from.
func Names() []string {
	entries, _ := embedded.ReadDir(".")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// Has reports whether the recipe name ships trained.
func Has(name string) bool {
	return slices.Contains(Names(), name)
}

// Ref returns the shipped model's name that arg gives as zoo:NAME, and
// whether it is such a reference.
func Ref(arg string) (string, bool) {
	return strings.CutPrefix(arg, Prefix)
}

// Resolve returns the run directory arg names: the unpacked copy of a
// shipped model for zoo:NAME (see Dir), arg itself otherwise.
func Resolve(arg string) (string, error) {
	name, ok := Ref(arg)
	if !ok {
		return arg, nil
	}
	return Dir(name)
}

// Load opens the shipped model name (e.g. "sdae-mnist") as runs.Load opens
// a run directory, from its unpacked copy (see Dir).
func Load(name string) (*runs.Model, error) {
	dir, err := Dir(name)
	if err != nil {
		return nil, err
	}
	return runs.Load(dir)
}

// check refuses a name that is not a shipped model, listing those that are.
func check(name string) error {
	names := Names()
	if slices.Contains(names, name) {
		return nil
	}
	refs := make([]string, len(names))
	for i, n := range names {
		refs[i] = Prefix + n
	}
	shipped := "zoo ships " + strings.Join(refs, ", ")
	if _, err := recipes.Source(name); err == nil {
		return fmt.Errorf("shipped: no trained model %s%s: the built-in recipe %s does not ship trained (train it with zoo train %s); %s", Prefix, name, name, name, shipped)
	}
	return fmt.Errorf("shipped: no trained model %s%s; %s (see zoo list)", Prefix, name, shipped)
}

// contents returns the Files of the shipped model name and their digest:
// SHA-256 over each file's name, length and bytes, in the order of Files.
func contents(name string) ([][]byte, string, error) {
	if err := check(name); err != nil {
		return nil, "", err
	}
	h := sha256.New()
	data := make([][]byte, len(Files))
	for i, f := range Files {
		b, err := embedded.ReadFile(path.Join(name, f))
		if err != nil {
			return nil, "", fmt.Errorf("shipped: %s%s: %w", Prefix, name, err)
		}
		h.Write([]byte(f))
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
		data[i] = b
	}
	return data, hex.EncodeToString(h.Sum(nil)), nil
}
