package main

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/gorgonia-zoo/zoo/bench"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Shell completion (zoo completion bash|zsh|fish|powershell) offers what
// each argument and flag takes: recipe names, run directories, the values
// of flags with fixed choices, recipe keys for --set. Experiment names are
// zoo experiment's subcommands, which cobra completes by itself.
//
// A completion function lists what exists on disk; it never fails: what
// it cannot read it leaves out.

// completion is a cobra completion function.
type completion = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// runKind says which run directories a command opens.
type runKind int

const (
	anyRun       runKind = iota // compare: finished, training or interrupted
	finishedRun                 // eval, predict, …, train --init: has its weights
	resumableRun                // train --resume: has a checkpoint
)

// isRun reports whether dir holds a run of that kind.
func isRun(dir string, kind runKind) bool {
	has := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	switch kind {
	case finishedRun:
		return has(runs.RecipeFile) && has(runs.WeightsFile)
	case resumableRun:
		return has(runs.CheckpointFile)
	}
	return has(runs.RecipeFile) || has(runs.SummaryFile) || has(runs.MetricsFile)
}

// addCompletions registers the completions of root's commands.
func addCompletions(root *cobra.Command) {
	runArg := map[string]runKind{"eval": finishedRun, "inspect": finishedRun, "encode": finishedRun,
		"reconstruct": finishedRun, "filters": finishedRun, "predict": finishedRun}
	for _, c := range root.Commands() {
		name := c.Name()
		switch name {
		case "show":
			c.ValidArgsFunction = firstArg(completeRecipes(false))
		case "train":
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 || cmd.Flags().Changed("resume") {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return completeRecipes(true)(cmd, args, toComplete)
			}
			register(c, "resume", completePaths(resumableRun, nil))
			register(c, "init", completePaths(finishedRun, []string{".safetensors"}))
			register(c, "set", completeRecipeKeys)
			register(c, "out", dirsOnly)
		case "compare":
			c.ValidArgsFunction = completePaths(anyRun, nil)
			register(c, "metric", fixed(metricAuto, metricError, metricLoss))
			register(c, "out", fileExt("png", "svg", "pdf"))
		case "bench":
			register(c, "only", completeWorkloads)
		case "experiment":
			for _, x := range c.Commands() {
				register(x, "out", dirsOnly)
			}
		}
		if kind, ok := runArg[name]; ok {
			dirs := completePaths(kind, nil)
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				switch {
				case len(args) == 0:
					return dirs(cmd, args, toComplete)
				case name == "predict": // pictures
					return nil, cobra.ShellCompDirectiveDefault
				}
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
		}
		switch name {
		case "encode":
			register(c, "out", fileExt("csv", "npy"))
		case "reconstruct", "filters":
			register(c, "out", fileExt("png"))
		case "predict":
			register(c, "invert", fixed("auto", "yes", "no"))
		}
		switch name {
		case "list", "bench", "version":
			c.ValidArgsFunction = noFiles
		case "experiment":
			for _, x := range c.Commands() {
				x.ValidArgsFunction = noFiles
			}
		}
	}
	addFlagCompletions(root)
}

// addFlagCompletions registers, on cmd and the commands under it, the
// completions every command's flags of that name or type have: --data is a
// directory, --split a data split, a number is not a file name.
func addFlagCompletions(cmd *cobra.Command) {
	register(cmd, "split", fixed("train", "validation", "test"))
	register(cmd, "data", dirsOnly)
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		switch f.Value.Type() {
		case "int", "uint64", "float64":
			register(cmd, f.Name, noFiles)
		}
	})
	for _, c := range cmd.Commands() {
		addFlagCompletions(c)
	}
}

// register sets the completion of cmd's flag name, if it has one that has
// none yet.
func register(cmd *cobra.Command, name string, f completion) {
	if cmd.Flags().Lookup(name) == nil {
		return
	}
	if _, ok := cmd.GetFlagCompletionFunc(name); ok {
		return
	}
	cmd.RegisterFlagCompletionFunc(name, f)
}

func noFiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

func dirsOnly(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// fileExt completes the names of files with these extensions, and
// directories.
func fileExt(exts ...string) completion {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return exts, cobra.ShellCompDirectiveFilterFileExt
	}
}

// fixed completes one of choices.
func fixed(choices ...string) completion {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return withPrefix(choices, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// firstArg completes the first argument with f, and nothing after it.
func firstArg(f completion) completion {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return f(cmd, args, toComplete)
	}
}

func withPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// completeRecipes completes built-in recipe names, each with its
// description; with files, also recipe files (.yaml, .yml) and the
// directories on the way to them.
func completeRecipes(files bool) completion {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		var out []string
		list, _ := recipes.List()
		for _, r := range list {
			if strings.HasPrefix(r.Name, toComplete) {
				out = append(out, r.Name+"\t"+r.Description)
			}
		}
		if !files {
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		// A run's recipe.yaml is a recipe too: runs are descended into.
		paths, directive := listPaths(toComplete, func(string) bool { return false }, false, []string{".yaml", ".yml"})
		return append(out, paths...), directive
	}
}

// completePaths completes the run directories of that kind, the files with
// these extensions, and the other directories (with a trailing slash, to
// descend into); and, but for --resume, the shipped models as zoo:NAME.
func completePaths(kind runKind, exts []string) completion {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		paths, directive := listPaths(toComplete, func(dir string) bool { return isRun(dir, kind) }, true, exts)
		if kind == resumableRun {
			return paths, directive
		}
		return append(shippedRefs(toComplete), paths...), directive
	}
}

// shippedRefs completes zoo:NAME, the models zoo ships trained, each with
// its recipe's description.
func shippedRefs(toComplete string) []string {
	var out []string
	for _, name := range shipped.Names() {
		ref := shipped.Prefix + name
		if !strings.HasPrefix(ref, toComplete) {
			continue
		}
		desc := "trained " + name
		if r, err := recipes.Builtin(name, recipes.Options{}); err == nil {
			desc = "trained: " + r.Description
		}
		out = append(out, ref+"\t"+desc)
	}
	return out
}

// listPaths lists the entries of toComplete's directory whose names start
// with its last element: the directories for which isEnd holds as they are,
// other directories (but runs, with skipRuns) with a trailing slash (and the
// shell told not to add a space after them), and files with one of exts. Hidden entries are listed
// only when the name typed starts with a dot; ~/ is the home directory.
func listPaths(toComplete string, isEnd func(dir string) bool, skipRuns bool, exts []string) ([]string, cobra.ShellCompDirective) {
	cut := strings.LastIndex(toComplete, "/") + 1
	typedDir, prefix := toComplete[:cut], toComplete[cut:]
	dir := typedDir
	if dir == "" {
		dir = "."
	}
	if rest, ok := strings.CutPrefix(dir, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, rest)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	directive := cobra.ShellCompDirectiveNoFileComp
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(prefix, ".")) {
			continue
		}
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path) // follows symbolic links
		switch {
		case err != nil:
		case fi.IsDir() && isEnd(path):
			out = append(out, typedDir+name)
		case fi.IsDir() && skipRuns && isRun(path, anyRun):
			// Another kind of run (an unfinished one for eval), which
			// holds no runs to descend to.
		case fi.IsDir():
			out = append(out, typedDir+name+"/")
			directive |= cobra.ShellCompDirectiveNoSpace
		case hasExt(name, exts):
			out = append(out, typedDir+name)
		}
	}
	return out, directive
}

func hasExt(name string, exts []string) bool {
	for _, x := range exts {
		if strings.EqualFold(filepath.Ext(name), x) {
			return true
		}
	}
	return false
}

// completeRecipeKeys completes --set's KEY= with the keys a recipe has:
// every key of the recipe format, and the keys of its mappings (optimizer,
// schedule, data.files) in the recipe being trained, when it is given
// before --set.
func completeRecipeKeys(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if strings.Contains(toComplete, "=") {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	keys := map[string]bool{}
	recipeKeys(reflect.TypeOf(recipes.Recipe{}), "", keys)
	if len(args) == 1 {
		if r, err := recipes.Resolve(args[0], recipes.Options{}); err == nil {
			for _, m := range []struct {
				prefix string
				keys   []string
			}{
				{"optimizer.", mapKeys(r.Optimizer)},
				{"schedule.", mapKeys(r.Schedule)},
				{"data.files.", mapKeys(r.Data.Files)},
			} {
				for _, k := range m.keys {
					keys[m.prefix+k] = true
				}
			}
		}
	}
	var out []string
	for k := range keys {
		if strings.HasPrefix(k, toComplete) {
			out = append(out, k+"=")
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// recipeKeys adds the dotted keys of the struct t, by yaml tag, under
// prefix: a struct's fields, not the struct itself; a list or mapping as
// one key. quick is left out: its keys are keys themselves.
func recipeKeys(t reflect.Type, prefix string, keys map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || name == "quick" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			recipeKeys(ft, prefix+name+".", keys)
			continue
		}
		keys[prefix+name] = true
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// completeWorkloads completes zoo bench --only's comma-separated list.
func completeWorkloads(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	cut := strings.LastIndex(toComplete, ",") + 1
	done, prefix := toComplete[:cut], toComplete[cut:]
	var out []string
	seen := map[string]bool{}
	for _, w := range bench.Standard() {
		for _, s := range []string{w.Name, w.String()} {
			if !seen[s] && strings.HasPrefix(s, prefix) {
				seen[s] = true
				out = append(out, done+s)
			}
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
