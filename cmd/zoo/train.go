package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/gorgonia-zoo/zoo/internal/plural"
	"github.com/gorgonia-zoo/zoo/pipeline"
	"github.com/gorgonia-zoo/zoo/recipes"
	"github.com/gorgonia-zoo/zoo/runs"
	"github.com/gorgonia-zoo/zoo/shipped"
	"github.com/spf13/cobra"
)

type trainOptions struct {
	recipe string
	out    string
	data   string
	seed   string
	epochs int
	quick  bool
	set    []string
	resume string
	// init and initPartial start from given weights (the recipe's init).
	init        string
	initPartial bool
	// json prints the finished run as JSON, the progress on stderr.
	json bool
	// cpuprofile is where to write a CPU profile of the run.
	cpuprofile string
}

func newTrainCmd(e *env) *cobra.Command {
	o := &trainOptions{}
	cmd := &cobra.Command{
		Use:   "train NAME|FILE | --resume DIR",
		Short: "Train a model from a built-in recipe or a recipe file",
		Long: `Train a model from a built-in recipe (see zoo list) or your own YAML file, and
write the run directory: recipe.yaml, metrics.csv, summary.json, model.safetensors.

With --json, the progress goes to standard error and standard output gets one
object when the run ends (docs/json.md): dir, the run directory, and summary,
what its summary.json holds.`,
		Example: `  zoo train mlp-mnist
  zoo train mlp-mnist --quick --seed 7 --out /tmp/run
  zoo train my-recipe.yaml --set optimizer.lr=0.01 --set epochs=5
  zoo train mlp-mnist --data ~/mnist   # your own copy of the four MNIST files
  zoo train --resume zoo-runs/mlp-mnist-20261127-141500   # continue after Ctrl-C or a crash
  zoo train mlp-mnist --init zoo-runs/mlp-mnist-20261127-141500   # start from a run's weights
  zoo train mlp-mnist-dropout --init zoo:mlp-mnist   # from the weights of a model zoo ships trained
  zoo train my-mlp.yaml --init zoo-runs/dae-mnist-20261127-150000 --init-partial   # a dae's encoder as hidden layer
  zoo train mlp-mnist --quick --json | jq .summary.test_error`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.resume != "" {
				if len(args) > 0 {
					return fmt.Errorf("--resume continues the run with its own recipe; drop %q", args[0])
				}
				for _, f := range []string{"quick", "seed", "epochs", "set", "out", "init", "init-partial"} {
					if cmd.Flags().Changed(f) {
						return fmt.Errorf("--resume continues the run exactly as it was started; --%s cannot change it", f)
					}
				}
				return nil
			}
			if len(args) != 1 {
				return fmt.Errorf("want one recipe (a built-in name, see zoo list, or a YAML file), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			// The loop saves a checkpoint and stops on Ctrl-C.
			honourInterrupts(e.ctx)
			if o.cpuprofile != "" {
				stop, err := startCPUProfile(o.cpuprofile)
				if err != nil {
					return err
				}
				defer stop()
			}
			if o.resume != "" {
				if err := notShipped("resume", o.resume); err != nil {
					return err
				}
				log, interactive := trainLog(e, o.json)
				s, err := pipeline.Resume(e.ctx, pipeline.Options{Out: o.resume, DataDir: o.data, Log: log, Interactive: interactive, BLAS: cblas.Current().String()})
				if err != nil {
					return err
				}
				return finishTrain(e, o.json, s, o.resume)
			}
			o.recipe = args[0]
			return runTrain(e, o, cmd.Flags().Changed("epochs"))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "run directory (default zoo-runs/NAME-<time>)")
	f.StringVar(&o.data, "data", "", "read the data set from this directory instead of the built-in copy (with --resume: the directory holding the files the run was trained on, if not where it recorded them)")
	f.StringVar(&o.seed, "seed", "", "random seed (default: the recipe's)")
	f.IntVar(&o.epochs, "epochs", 0, "number of epochs (default: the recipe's)")
	f.BoolVar(&o.quick, "quick", false, "run the recipe's reduced quick profile (seconds, for checks)")
	f.StringArrayVar(&o.set, "set", nil, "override a recipe key, e.g. --set optimizer.lr=0.01 (repeatable)")
	f.StringVar(&o.resume, "resume", "", "continue the interrupted run in this directory from its checkpoint")
	f.StringVar(&o.init, "init", "", "start from the weights of this finished run directory, zoo:NAME (a model zoo ships trained) or .safetensors file (the recipe's init.from)")
	f.BoolVar(&o.initPartial, "init-partial", false, "with --init (or the recipe's init): take the tensors that match, draw the others from the seed")
	f.BoolVar(&o.json, "json", false, "print the finished run's directory and summary as JSON (progress goes to stderr)")
	f.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run to this new file, for go tool pprof")
	return cmd
}

func runTrain(e *env, o *trainOptions, epochsSet bool) error {
	set := append([]string(nil), o.set...)
	if o.seed != "" {
		if _, err := strconv.ParseUint(o.seed, 10, 64); err != nil {
			return fmt.Errorf("--seed %q: want a non-negative integer", o.seed)
		}
		set = append(set, "seed="+o.seed)
	}
	if epochsSet {
		set = append(set, "epochs="+strconv.Itoa(o.epochs))
	}
	r, err := recipes.Resolve(o.recipe, recipes.Options{Quick: o.quick, Set: set})
	if err != nil {
		return err
	}
	if err := setInit(r, o); err != nil {
		return err
	}
	if err := notShipped("out", o.out); err != nil {
		return err
	}
	if o.out == "" {
		if o.out, err = defaultOut(r.Name, time.Now()); err != nil {
			return err
		}
	}
	log, interactive := trainLog(e, o.json)
	s, err := pipeline.Train(e.ctx, r, pipeline.Options{Out: o.out, DataDir: o.data, Log: log, Interactive: interactive, BLAS: cblas.Current().String()})
	if err != nil {
		return err
	}
	return finishTrain(e, o.json, s, o.out)
}

// report prints a finished run's result.
func report(e *env, s *runs.Summary, dir string) error {
	if s.TestELBONats != 0 { // a variational autoencoder
		fmt.Fprintf(e.out, "test negative ELBO %.2f nats per example (KL %.2f)  (%s, %.0fs)\nrun saved in %s\n", s.TestELBONats, s.TestKLNats, plural.Count(s.Epochs, "epoch"), s.Seconds, dir)
		return nil
	}
	if s.TestReconstructionLoss != 0 { // an autoencoder
		fmt.Fprintf(e.out, "test reconstruction loss %.4f  (%s, %.0fs)\nrun saved in %s\n", s.TestReconstructionLoss, plural.Count(s.Epochs, "epoch"), s.Seconds, dir)
		return nil
	}
	fmt.Fprintf(e.out, "test error %.2f%%  test loss %.4f  (%s, %.0fs)\nrun saved in %s\n",
		100*s.TestError, s.TestLoss, plural.Count(s.Epochs, "epoch"), s.Seconds, dir)
	return nil
}

// setInit applies --init and --init-partial to the recipe: --init replaces
// its init (a path relative to the working directory, or zoo:NAME, whose
// copy in the cache the run then records), --init-partial alone makes the
// recipe's own init partial.
func setInit(r *recipes.Recipe, o *trainOptions) error {
	switch {
	case o.init != "":
		from, err := shipped.Resolve(o.init)
		if err != nil {
			return err
		}
		abs, err := filepath.Abs(from)
		if err != nil {
			return fmt.Errorf("--init %s: %w", o.init, err)
		}
		r.Init = &recipes.Init{From: abs, Partial: o.initPartial}
	case o.initPartial && r.Init == nil:
		return fmt.Errorf("--init-partial needs --init (or a recipe with init.from)")
	case o.initPartial:
		init := *r.Init
		init.Partial = true
		r.Init = &init
	}
	return nil
}
