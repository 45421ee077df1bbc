package datasets

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Source is a data set zoo knows by name: recipes name it in data.name, and
// the pipeline loads it from here.
type Source struct {
	// Name is the recipe's data.name.
	Name string
	// Classes is the number of classes its labels run over (0 … Classes−1)
	// when that is known without loading the data (mnist: 10), so a recipe's
	// labels can be checked before anything is read; 0 when the data decides.
	Classes int
	// Load returns the splits the request asks for.
	Load func(Request) (*Splits, error)

	// Roles are the keys of Request.Files the data set reads (train,
	// test, …), for data sets read from the user's own files; nil for
	// the others, which refuse Files and ValidationSplit. Required are
	// the roles that must be given.
	Roles, Required []string
	// Label says the data set reads Request.Label, the name of the
	// column holding the classes (csv).
	Label bool
}

// Request says where a Source finds its data and how to split it. The zero
// Request loads a built-in data set from its built-in or cached copy.
type Request struct {
	// Dir, when not empty, is a directory holding the data set's files
	// (--data or data.dir), used instead of the built-in or cached copy.
	// The data sets read from the user's files (csv, npy, idx) refuse it:
	// their files are named in Files.
	Dir string
	// Files names the files of data sets read from the user's own files, by
	// role (train, test, validation, train_labels, …; see Source.Roles and
	// LoadCSV, LoadNPY, LoadIDX). Relative paths are relative to the
	// working directory.
	Files map[string]string
	// Label is the column holding the classes (csv).
	Label string
	// ValidationSplit, when positive, is the fraction of the training file
	// kept for validation, taken from its end; 0 keeps the data set's own
	// rule.
	ValidationSplit float64
	// Cache is the directory downloads are kept in; "" means the user's cache
	// directory (os.UserCacheDir()/zoo).
	Cache string
	// Mirror, when not empty, is a base URL used instead of a downloaded data
	// set's canonical location (a local mirror, or a test server).
	Mirror string
	// Progress, when not nil, receives progress lines for long work such as
	// downloads.
	Progress io.Writer
	// Context, when not nil, cancels long work such as downloads (Ctrl-C
	// in the CLI); nil means context.Background().
	Context context.Context
}

// sources are the built-in data sets, by name. Fixed at build time: a
// program that wants its own data builds a Set and trains it directly.
var sources = map[string]Source{
	"mnist": {Name: "mnist", Classes: 10, Load: loadMNIST},
	// Downloaded on first use; see FashionMNIST and KMNIST.
	"fashion-mnist": {Name: "fashion-mnist", Classes: 10, Load: FashionMNIST},
	"kmnist":        {Name: "kmnist", Classes: 10, Load: KMNIST},
	// Read from the user's own files, named by role in Request.Files.
	"csv": withLoad(csvSource, LoadCSV),
	"npy": withLoad(npySource, LoadNPY),
	"idx": withLoad(idxSource, LoadIDX),
}

// The data sets read from the user's own files, without their Load (which
// refers to them).
var (
	csvSource = Source{Name: "csv", Roles: csvRoles, Required: csvNeeds, Label: true}
	npySource = Source{Name: "npy", Roles: arrayRoles, Required: arrayNeeds}
	idxSource = Source{Name: "idx", Roles: arrayRoles, Required: arrayNeeds}
)

// withLoad returns s loading with load, reporting the digests of the
// files load read (Splits.Files): all those the request names.
func withLoad(s Source, load func(Request) (*Splits, error)) Source {
	s.Load = func(r Request) (*Splits, error) {
		sp, err := load(r)
		if err != nil {
			return nil, err
		}
		if sp.Files, err = digestFiles(r.Files); err != nil {
			return nil, err
		}
		return sp, nil
	}
	return s
}

func loadMNIST(r Request) (*Splits, error) {
	if r.Dir != "" {
		return MNISTDir(r.Dir)
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
	// The caller's own copies: the registry stays as built.
	s.Roles, s.Required = slices.Clone(s.Roles), slices.Clone(s.Required)
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
