package datasets

import (
	"fmt"
	"sort"
	"strings"
)

// Source is a data set zoo knows by name: recipes name it in data.name, and
// the pipeline loads it from here. Classes is known without loading the
// data, so a recipe's labels can be checked before anything is read.
type Source struct {
	// Name is the recipe's data.name.
	Name string
	// Classes is the number of classes its labels run over (0 … Classes−1).
	Classes int
	// Load returns the splits, from dir when it is not empty (the files a
	// user gives with --data or data.dir) or from the built-in copy.
	Load func(dir string) (*Splits, error)
}

// sources are the built-in data sets, by name. Fixed at build time: a
// program that wants its own data builds a Set and trains it directly.
var sources = map[string]Source{
	"mnist": {Name: "mnist", Classes: 10, Load: loadMNIST},
}

func loadMNIST(dir string) (*Splits, error) {
	if dir != "" {
		return MNISTDir(dir)
	}
	return MNIST()
}

// Lookup returns the data set called name, or an error listing the known
// ones.
func Lookup(name string) (Source, error) {
	s, ok := sources[name]
	if !ok {
		return Source{}, fmt.Errorf("datasets: unknown data set %q; known: %s", name, strings.Join(Names(), ", "))
	}
	return s, nil
}

// Names lists the built-in data sets, sorted.
func Names() []string {
	names := make([]string, 0, len(sources))
	for n := range sources {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
