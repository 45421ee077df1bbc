package bench

import (
	"fmt"
	"os"
	"testing"

	"github.com/gorgonia-zoo/zoo/cblas"
)

// TestMain installs the BLAS as the CLI does (ZOO_BLAS=go for pure Go).
func TestMain(m *testing.M) {
	info := cblas.Install()
	fmt.Fprintf(os.Stderr, "blas: %s\n", info)
	os.Exit(m.Run())
}

// benchWorkload times training steps of w; samples/s and GFLOP/s are
// reported per step (ns/op is one step).
func benchWorkload(b *testing.B, w Workload) {
	s, err := w.Build(1)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for range 2 { // warm-up: buffers, optimizer state
		if _, err := s.Step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Step(); err != nil {
			b.Fatal(err)
		}
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(w.Batch)/sec, "samples/s")
	b.ReportMetric(w.FLOPs()/sec/1e9, "GFLOP/s")
}

func BenchmarkMLP128(b *testing.B)  { benchWorkload(b, Workload{MLP, 128}) }
func BenchmarkDAE128(b *testing.B)  { benchWorkload(b, Workload{DAE, 128}) }
func BenchmarkMLP32(b *testing.B)   { benchWorkload(b, Workload{MLP, 32}) }
func BenchmarkDAE32(b *testing.B)   { benchWorkload(b, Workload{DAE, 32}) }
func BenchmarkMLP1(b *testing.B)    { benchWorkload(b, Workload{MLP, 1}) }
func BenchmarkConv128(b *testing.B) { benchWorkload(b, Workload{Conv, 128}) }

// BenchmarkSGEMM times the standard products with the installed BLAS.
func BenchmarkSGEMM(b *testing.B) {
	for _, g := range StandardGEMMs() {
		b.Run(fmt.Sprintf("%dx%dx%d_%t_%t", g.M, g.N, g.K, g.TransA, g.TransB), func(b *testing.B) {
			for range b.N {
				g = MeasureGEMM(g, 0)
			}
			b.ReportMetric(g.GFLOPS, "GFLOP/s")
		})
	}
}
