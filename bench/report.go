package bench

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gorgonia-zoo/zoo/cblas"
)

// Report is a whole benchmark run, as `zoo bench --json` prints it.
type Report struct {
	// BLAS describes the BLAS in use, e.g. "openblas 0.3.21
	// (libopenblas.so.0, 2 threads)"; BLASInfo is the same in parts.
	BLAS     string     `json:"blas"`
	BLASInfo cblas.Info `json:"blas_info"`
	// SgemmGFLOPS is the square 1024³ product of GEMMs, measured in the
	// same run: the ceiling the workloads' GFLOPS compare with.
	SgemmGFLOPS float64    `json:"sgemm_gflops"`
	GEMMs       []GEMM     `json:"sgemm"`
	Workloads   []Result   `json:"workloads"`
	Machine     Machine    `json:"machine"`
	Started     time.Time  `json:"started"`
	Seconds     float64    `json:"seconds"`
	LoadAfter   [3]float64 `json:"load_after"`
	// PeakReset says whether each workload's PeakRSSMiB is its own (the
	// kernel let the peak be reset) or the process's so far.
	PeakReset bool `json:"peak_reset"`
}

// Machine describes where the run happened.
type Machine struct {
	CPU        string     `json:"cpu"`
	CPUs       int        `json:"cpus"`
	GOMAXPROCS int        `json:"gomaxprocs"`
	GoVersion  string     `json:"go"`
	OS         string     `json:"os"`
	Load       [3]float64 `json:"load"` // 1, 5 and 15 minute load averages before the run
}

// Hooks let a caller follow a run.
type Hooks struct {
	GEMM     func(GEMM)
	Workload func(Result)
}

// RunAll measures the GEMMs and then the workloads with the installed BLAS
// (cblas.Install is the caller's business). It stops with ctx.Err() when
// ctx is cancelled.
func RunAll(ctx context.Context, ws []Workload, gemms []GEMM, o Options, h Hooks) (*Report, error) {
	info := cblas.Current()
	rep := &Report{BLAS: info.String(), BLASInfo: info, Machine: ThisMachine(), Started: time.Now()}
	rep.PeakReset = resetPeakRSS()
	gemmTime := 2 * time.Second
	if o.MinTime < time.Second {
		gemmTime = o.MinTime
	}
	for _, g := range gemms {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		g = MeasureGEMM(g, gemmTime)
		if g.M == 1024 && g.N == 1024 && g.K == 1024 && !g.TransA && !g.TransB {
			rep.SgemmGFLOPS = g.GFLOPS
		}
		rep.GEMMs = append(rep.GEMMs, g)
		if h.GEMM != nil {
			h.GEMM(g)
		}
	}
	for _, w := range ws {
		r, err := Run(ctx, w, o)
		if err != nil {
			return rep, err
		}
		if rep.SgemmGFLOPS > 0 {
			r.SgemmFraction = r.GFLOPS / rep.SgemmGFLOPS
		}
		rep.Workloads = append(rep.Workloads, r)
		if h.Workload != nil {
			h.Workload(r)
		}
	}
	rep.Seconds = time.Since(rep.Started).Seconds()
	rep.LoadAfter = LoadAverage()
	return rep, nil
}

// ThisMachine describes the machine and its current load.
func ThisMachine() Machine {
	return Machine{
		CPU:        cpuModel(),
		CPUs:       runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS + "/" + runtime.GOARCH,
		Load:       LoadAverage(),
	}
}

// LoadAverage returns the 1, 5 and 15 minute load averages (zeros where
// /proc/loadavg does not exist).
func LoadAverage() [3]float64 {
	var l [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		l[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return l
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
