package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
	"github.com/spf13/cobra"
)

// complete asks zoo for the completions of args, the last being the word
// being typed, as the shells' scripts do (zoo __complete …), and returns
// the candidates without their descriptions, and the directive.
func complete(t *testing.T, args ...string) ([]string, cobra.ShellCompDirective) {
	t.Helper()
	code, out, stderr := zoo(t, append([]string{cobra.ShellCompRequestCmd}, args...)...)
	if code != 0 {
		t.Fatalf("zoo __complete %q: exit %d: %s", args, code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	last := lines[len(lines)-1]
	d, err := strconv.Atoi(strings.TrimPrefix(last, ":"))
	if !strings.HasPrefix(last, ":") || err != nil {
		t.Fatalf("zoo __complete %q: no directive in\n%s", args, out)
	}
	var got []string
	for _, l := range lines[:len(lines)-1] {
		name, _, _ := strings.Cut(l, "\t")
		got = append(got, name)
	}
	return got, cobra.ShellCompDirective(d)
}

// TestCompletion drives zoo's completions in a directory holding runs of
// each kind, a recipe file, weights and other files.
func TestCompletion(t *testing.T) {
	dir := t.TempDir()
	touch := func(path string) {
		t.Helper()
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	touch("runs/finished/" + runs.RecipeFile)
	touch("runs/finished/" + runs.WeightsFile)
	touch("runs/finished/" + runs.SummaryFile)
	touch("runs/interrupted/" + runs.RecipeFile)
	touch("runs/interrupted/" + runs.CheckpointFile)
	touch("runs/training/" + runs.MetricsFile)
	touch("runs/old/finished/" + runs.RecipeFile)
	touch("runs/old/finished/" + runs.WeightsFile)
	touch("my.yaml")
	touch("weights.safetensors")
	touch("notes.txt")
	touch(".hidden/x")
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	t.Chdir(dir)
	t.Setenv("HOME", dir)

	builtin := recipes.Names()
	var refs []string // the shipped models
	for _, n := range shipped.Names() {
		refs = append(refs, shipped.Prefix+n)
	}
	const (
		none    = cobra.ShellCompDirectiveNoFileComp
		descend = cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	)
	for _, tt := range []struct {
		args []string
		want []string // nil: no candidates
		dir  cobra.ShellCompDirective
	}{
		// Recipes: built-in names, and for train recipe files.
		{[]string{"show", ""}, builtin, none},
		{[]string{"show", "mlp-mnist-l"}, []string{"mlp-mnist-l1", "mlp-mnist-l2"}, none},
		{[]string{"show", "mlp-mnist", ""}, nil, none},
		{[]string{"train", ""}, append(slices.Clone(builtin), "empty/", "my.yaml", "runs/"), descend},
		{[]string{"train", "mlp-mnist-l"}, []string{"mlp-mnist-l1", "mlp-mnist-l2"}, none},
		{[]string{"train", "m"}, append(withPrefix(builtin, "m"), "my.yaml"), none},
		{[]string{"train", "mlp-mnist", ""}, nil, none},
		{[]string{"train", "runs/"}, []string{"runs/finished/", "runs/interrupted/", "runs/old/", "runs/training/"}, descend},
		{[]string{"train", "runs/finished/"}, []string{"runs/finished/" + runs.RecipeFile}, none},
		{[]string{"train", "--resume", "runs/finished", ""}, nil, none},
		{[]string{"list", ""}, nil, none},
		// Experiments are subcommands.
		{[]string{"experiment", "optimizer"}, []string{"optimizer-paths", "optimizers-mnist"}, none},
		{[]string{"experiment", "optimizer-paths", ""}, nil, none},
		{[]string{"experiment", "optimizer-paths", "--out", ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		// Run directories, by what the command opens; the other
		// directories to descend into, not another kind of run.
		{[]string{"eval", ""}, append(slices.Clone(refs), "empty/", "runs/"), descend},
		{[]string{"eval", "runs/"}, []string{"runs/finished", "runs/old/"}, descend},
		{[]string{"eval", "runs/f"}, []string{"runs/finished"}, none},
		{[]string{"eval", "runs/old/"}, []string{"runs/old/finished"}, none},
		{[]string{"eval", "runs/finished", ""}, nil, none},
		{[]string{"inspect", "runs/"}, []string{"runs/finished", "runs/old/"}, descend},
		{[]string{"encode", "runs/"}, []string{"runs/finished", "runs/old/"}, descend},
		{[]string{"reconstruct", "runs/"}, []string{"runs/finished", "runs/old/"}, descend},
		{[]string{"filters", "runs/"}, []string{"runs/finished", "runs/old/"}, descend},
		{[]string{"predict", "runs/"}, []string{"runs/finished", "runs/old/"}, descend},
		{[]string{"predict", "runs/finished", ""}, nil, cobra.ShellCompDirectiveDefault}, // pictures
		{[]string{"compare", "runs/"}, []string{"runs/finished", "runs/interrupted", "runs/old/", "runs/training"}, descend},
		{[]string{"compare", "runs/finished", "runs/i"}, []string{"runs/interrupted"}, none},
		{[]string{"train", "--resume", "runs/"}, []string{"runs/interrupted", "runs/old/"}, descend},
		{[]string{"train", "mlp-mnist", "--init", ""}, append(slices.Clone(refs), "empty/", "runs/", "weights.safetensors"), descend},
		{[]string{"train", "mlp-mnist", "--init", "runs/"}, []string{"runs/finished", "runs/old/"}, descend},
		{[]string{"train", "mlp-mnist", "--init=runs/f"}, []string{"runs/finished"}, none},
		{[]string{"eval", "runs/nowhere/"}, nil, none},
		// The shipped models, wherever a finished run is read.
		{[]string{"eval", "zoo:"}, refs, none},
		{[]string{"predict", "zoo:s"}, []string{"zoo:sdae-mnist"}, none},
		{[]string{"encode", "zoo:d"}, []string{"zoo:dae-mnist"}, none},
		{[]string{"compare", "zoo:mlp-mnist", "zoo:m"}, []string{"zoo:mlp-mnist"}, none},
		{[]string{"train", "mlp-mnist", "--init", "zoo:m"}, []string{"zoo:mlp-mnist"}, none},
		{[]string{"train", "--resume", "zoo:"}, nil, none},
		// Hidden entries when asked for; ~ is the home directory.
		{[]string{"eval", "."}, []string{".hidden/"}, descend},
		{[]string{"eval", "~/runs/f"}, []string{"~/runs/finished"}, none},
		// Flags with fixed choices, and files by extension.
		{[]string{"compare", "--metric", ""}, []string{"auto", "error", "loss"}, none},
		{[]string{"compare", "--metric", "e"}, []string{"error"}, none},
		{[]string{"compare", "--out", ""}, []string{"png", "svg", "pdf"}, cobra.ShellCompDirectiveFilterFileExt},
		{[]string{"encode", "--split", ""}, []string{"train", "validation", "test"}, none},
		{[]string{"encode", "--out", ""}, []string{"csv", "npy"}, cobra.ShellCompDirectiveFilterFileExt},
		{[]string{"reconstruct", "--out", ""}, []string{"png"}, cobra.ShellCompDirectiveFilterFileExt},
		{[]string{"predict", "--invert", ""}, []string{"auto", "yes", "no"}, none},
		{[]string{"bench", "--only", "mlp,d"}, []string{"mlp,dae", "mlp,dae/128", "mlp,dae/32"}, none},
		{[]string{"train", "--out", ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"eval", "--data", ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"train", "mlp-mnist", "--epochs", ""}, nil, none},
		{[]string{"reconstruct", "runs/finished", "--scale", ""}, nil, none},
		// --set: the recipe's keys, with the optimizer's of the recipe given.
		{[]string{"train", "mlp-mnist", "--set", "optimizer.m"}, []string{"optimizer.momentum="}, descend},
		{[]string{"train", "--set", "batch"}, []string{"batch_size="}, descend},
		{[]string{"train", "--set", "model.corruption."}, []string{"model.corruption.level=", "model.corruption.type="}, descend},
		{[]string{"train", "--set", "epochs="}, nil, none},
	} {
		got, d := complete(t, tt.args...)
		if !slices.Equal(got, tt.want) || d != tt.dir {
			t.Errorf("zoo __complete %q:\n got %q, directive %d\nwant %q, directive %d", tt.args, got, d, tt.want, tt.dir)
		}
	}
}

// TestCompletionScripts: zoo completion writes each shell's script.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, stderr := zoo(t, "completion", shell)
		if code != 0 || !strings.Contains(out, cobra.ShellCompRequestCmd) {
			t.Errorf("zoo completion %s: exit %d, %d bytes; %s", shell, code, len(out), stderr)
		}
	}
}
