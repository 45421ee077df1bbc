package recipes

import (
	"embed"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

//go:embed builtin/*.yaml
var builtin embed.FS

// Info describes a built-in recipe for `zoo list`.
type Info struct {
	Name, Description string
}

// List returns the built-in recipes, sorted by name.
func List() ([]Info, error) {
	entries, err := builtin.ReadDir("builtin")
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".yaml")
		r, err := Builtin(name, Options{})
		if err != nil {
			return nil, err
		}
		out = append(out, Info{Name: name, Description: r.Description})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Names returns the built-in recipe names, sorted.
func Names() []string {
	entries, _ := builtin.ReadDir("builtin")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// Source returns a built-in recipe's YAML text.
func Source(name string) ([]byte, error) {
	data, err := builtin.ReadFile(path.Join("builtin", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("recipes: no built-in recipe %q (known: %s)%s", name, strings.Join(Names(), ", "), didYouMean(name, Names()))
	}
	return data, nil
}

// Builtin returns the built-in recipe called name, adjusted by o.
func Builtin(name string, o Options) (*Recipe, error) {
	data, err := Source(name)
	if err != nil {
		return nil, err
	}
	r, err := Parse("built-in "+name, data, o)
	if err != nil {
		return nil, err
	}
	if r.Name == "" {
		r.Name = name
	}
	return r, nil
}

// Resolve reads the recipe arg names: a built-in recipe, or else a file.
func Resolve(arg string, o Options) (*Recipe, error) {
	if _, err := Source(arg); err == nil {
		return Builtin(arg, o)
	}
	if _, err := os.Stat(arg); err != nil {
		return nil, fmt.Errorf("recipes: %q is neither a built-in recipe (see zoo list) nor a readable file: %w%s", arg, err, didYouMean(arg, Names()))
	}
	return Load(arg, o)
}
