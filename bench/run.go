package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options sets how long a workload is timed.
type Options struct {
	// Warmup is the number of untimed steps first (allocation of buffers,
	// optimizer state, the BLAS's threads).
	Warmup int
	// MinSteps and MinTime: timing goes on until both are reached…
	MinSteps int
	MinTime  time.Duration
	// …or MaxSteps is (0 means no limit).
	MaxSteps int
	// Seed draws the weights and the data.
	Seed uint64
}

// DefaultOptions is what `zoo bench` uses: a few seconds per workload.
func DefaultOptions() Options {
	return Options{Warmup: 3, MinSteps: 10, MinTime: 3 * time.Second, MaxSteps: 2000, Seed: 1}
}

// QuickOptions is `zoo bench --quick`: well under a second per workload,
// for checks, not for figures.
func QuickOptions() Options {
	return Options{Warmup: 1, MinSteps: 3, MinTime: 200 * time.Millisecond, MaxSteps: 200, Seed: 1}
}

// Result is one workload's measurement.
type Result struct {
	Name  string `json:"name"`
	Batch int    `json:"batch"`
	// SamplesPerSecond is Batch divided by the median step time.
	SamplesPerSecond float64 `json:"samples_per_second"`
	// GFLOPS is the matrix-product work of a step (Workload.FLOPs) over
	// the median step time.
	GFLOPS float64 `json:"gflops"`
	// SgemmFraction is GFLOPS over the SGEMM rate measured in the same
	// run (Report.SgemmGFLOPS): how near the step's products come to the
	// machine's matrix-product rate. 0 when RunAll measured no 1024³
	// product, and from Run, which measures none.
	SgemmFraction float64 `json:"sgemm_fraction,omitempty"`
	// StepMs is the median step time; StepMsMin the fastest.
	StepMs    float64 `json:"step_ms"`
	StepMsMin float64 `json:"step_ms_min"`
	// Steps is the number of timed steps.
	Steps int `json:"steps"`
	// AllocMiBPerStep is the Go heap allocated per step (all timed steps).
	AllocMiBPerStep float64 `json:"alloc_mib_per_step"`
	// GCPerStep is the number of garbage collections per step.
	GCPerStep float64 `json:"gc_per_step"`
	// PeakRSSMiB is the process's peak resident memory while the workload
	// was built and run (VmHWM, reset before the workload where the kernel
	// allows it, see PeakReset in Report).
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// Loss is the objective of the last step (a sanity check).
	Loss float64 `json:"loss"`
}

// Run builds w and times its training steps. It stops with ctx.Err() when
// ctx is cancelled.
func Run(ctx context.Context, w Workload, o Options) (Result, error) {
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	s, err := w.Build(o.Seed)
	if err != nil {
		return Result{}, fmt.Errorf("bench: %s: %w", w, err)
	}
	defer s.Close()
	var loss float64
	for i := range o.Warmup {
		if loss, err = s.Step(); err != nil {
			return Result{}, fmt.Errorf("bench: %s: warm-up step %d: %w", w, i+1, err)
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var times []time.Duration
	start := time.Now()
	for len(times) < o.MinSteps || time.Since(start) < o.MinTime {
		if o.MaxSteps > 0 && len(times) >= o.MaxSteps {
			break
		}
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		t0 := time.Now()
		if loss, err = s.Step(); err != nil {
			return Result{}, fmt.Errorf("bench: %s: step %d: %w", w, len(times)+1, err)
		}
		times = append(times, time.Since(t0))
	}
	runtime.ReadMemStats(&after)
	if !finite(loss) {
		return Result{}, fmt.Errorf("bench: %s: the objective became %v", w, loss)
	}
	med, fastest := median(times), slices.Min(times)
	n := float64(len(times))
	return Result{
		Name:             w.Name,
		Batch:            w.Batch,
		SamplesPerSecond: float64(w.Batch) / med.Seconds(),
		GFLOPS:           w.FLOPs() / med.Seconds() / 1e9,
		StepMs:           ms(med),
		StepMsMin:        ms(fastest),
		Steps:            len(times),
		AllocMiBPerStep:  float64(after.TotalAlloc-before.TotalAlloc) / n / (1 << 20),
		GCPerStep:        float64(after.NumGC-before.NumGC) / n,
		PeakRSSMiB:       float64(PeakRSS()) / (1 << 20),
		Loss:             loss,
	}, nil
}

func median(ts []time.Duration) time.Duration {
	s := slices.Clone(ts)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return d.Seconds() * 1e3 }

// PeakRSS returns the process's peak resident set size in bytes (VmHWM of
// /proc/self/status), or 0 where there is none.
func PeakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest) // "123456 kB"
			if len(f) >= 1 {
				kb, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// resetPeakRSS starts a new peak (Linux ≥ 4.0: writing 5 to clear_refs
// resets VmHWM to the current RSS). It reports whether it could.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}
