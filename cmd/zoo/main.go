// Command zoo trains the models of the zoo from recipes and evaluates them.
//
//	zoo list                       built-in recipes
//	zoo show mlp-mnist             a recipe's YAML
//	zoo train mlp-mnist [--quick]  train, writing zoo-runs/mlp-mnist-<time>/
//	zoo train --resume DIR         continue an interrupted run exactly
//	zoo eval DIR [--split, --limit] test metrics of a trained run
//	zoo predict DIR digit.png      classify pictures with a trained run
//	zoo encode DIR --out codes.npy an autoencoder's codes of a data split
//	zoo reconstruct, zoo filters   an autoencoder's reconstructions; first-layer weights
//	zoo inspect DIR, zoo compare   a run's architecture and summary; runs side by side
//	zoo experiment list            the lecture's experiments, with plots and reports
//	zoo sweep RECIPE --grid K=A,B  a recipe at many settings; zoo sweep status|report DIR
//	zoo bench, zoo version         speed of the standard workloads; the BLAS in use
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	in := &interrupts{}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go in.watch(sigs, cancel, os.Stderr, os.Exit)
	code := run(withInterrupts(ctx, in), os.Args[1:], os.Stdout, os.Stderr)
	signal.Stop(sigs)
	cancel()
	os.Exit(code)
}
