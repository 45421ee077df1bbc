package main

import (
	"fmt"

	"github.com/gorgonia-zoo/zoo/bench"
	"github.com/gorgonia-zoo/zoo/cblas"
	"github.com/spf13/cobra"
)

type benchOptions struct {
	json  bool
	quick bool
	only  []string
}

func newBenchCmd(e *env) *cobra.Command {
	o := &benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time the standard training workloads and the BLAS",
		Long: `Time the standard training workloads (float32, random data, plain SGD) with
the BLAS in use, after measuring its single-precision matrix product:

  mlp   MLP 784-1000-1000-1000-10, sigmoid, softmax cross-entropy
  dae   denoising autoencoder layer 784-1000-784, sigmoid, 25% masking noise, MSE
  conv  conv-ae-mnist's convolutional autoencoder (1×28×28, 3×3 convolutions
        of 16 and 8 filters with 2×2 max pooling, 8 more, mirrored decoder
        with upsampling), BCE

at batch 128 and 32, the MLP at batch 1, and conv at batch 128. Each reports the median
samples/s of training steps after warm-up, the GFLOP/s of its matrix
products (6·batch·Σ in·out per step, a convolution's in·out counted
for each output pixel, less the first layer's input gradient, which is
not computed) and their share of the 1024³ SGEMM's
rate ("of SGEMM"), the Go heap allocated per step and the peak resident
memory. Set ZOO_BLAS=go to time
the pure-Go BLAS, ZOO_BLAS=library to have the library found compute the
float32 products too.`,
		Example: `  zoo bench
  zoo bench --quick
  zoo bench --json --only mlp,dae
  zoo bench --only conv
  ZOO_BLAS=go zoo bench --only mlp/128
  ZOO_BLAS=library zoo bench --only mlp/128`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBench(e, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "print one JSON object with every result")
	f.BoolVar(&o.quick, "quick", false, "time each workload briefly (a check, not a measurement)")
	f.StringSliceVar(&o.only, "only", nil, "run only these workloads: NAME or NAME/BATCH, e.g. mlp,dae/32")
	return cmd
}

func runBench(e *env, o *benchOptions) error {
	ws := bench.Standard()
	if len(o.only) > 0 {
		ws = nil
		for _, s := range o.only {
			w, err := bench.Parse(s)
			if err != nil {
				return fmt.Errorf("--only: %w", err)
			}
			ws = append(ws, w)
		}
	}
	opts := bench.DefaultOptions()
	if o.quick {
		opts = bench.QuickOptions()
	}
	info := cblas.Current()
	var hooks bench.Hooks
	if !o.json {
		m := bench.ThisMachine()
		fmt.Fprintf(e.out, "blas: %s\n", info)
		fmt.Fprintf(e.out, "cpu: %s, %d cores, GOMAXPROCS %d, %s; load %.2f %.2f %.2f\n",
			m.CPU, m.CPUs, m.GOMAXPROCS, m.GoVersion, m.Load[0], m.Load[1], m.Load[2])
		hooks.GEMM = func(g bench.GEMM) { fmt.Fprintf(e.out, "sgemm %s\n", g) }
		first := true
		hooks.Workload = func(r bench.Result) {
			if first {
				fmt.Fprintf(e.out, "%-8s %5s %10s %9s %8s %8s %15s %9s\n", "workload", "batch", "samples/s", "step ms", "GFLOP/s", "of SGEMM", "alloc MiB/step", "peak MiB")
				first = false
			}
			fmt.Fprintf(e.out, "%-8s %5d %10.0f %9.2f %8.1f %7.0f%% %15.1f %9.0f\n",
				r.Name, r.Batch, r.SamplesPerSecond, r.StepMs, r.GFLOPS, 100*r.SgemmFraction, r.AllocMiBPerStep, r.PeakRSSMiB)
		}
	}
	rep, err := bench.RunAll(e.ctx, ws, bench.StandardGEMMs(), opts, hooks)
	if err != nil {
		return err
	}
	if o.json {
		return printJSON(e, rep)
	}
	fmt.Fprintf(e.out, "load after: %.2f %.2f %.2f  (%.0fs)\n", rep.LoadAfter[0], rep.LoadAfter[1], rep.LoadAfter[2], rep.Seconds)
	if !info.Fast() && info.Kernel == "" { // gonum's Sgemm, without zoo's AVX2 kernel
		fmt.Fprintln(e.out, "note: pure-Go BLAS; install libopenblas0 (apt-get install libopenblas0) for about 5× faster training")
	}
	return nil
}
