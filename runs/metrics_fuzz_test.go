package runs

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

// FuzzDecodeMetrics reads arbitrary bytes as a metrics.csv (zoo compare
// reads other people's run directories): an error or rows, never a panic,
// and never more allocation than 64 bytes per input byte (a row of eight
// one-byte fields costs the CSV reader its strings and the row 72 bytes,
// in a slice that grows by doubling) and 1 MiB.
func FuzzDecodeMetrics(f *testing.F) {
	f.Add([]byte("epoch,train_loss,val_loss,val_error,lr,seconds\n1,2.3,2.2,0.9,0.1,0.5\n2,1e-3,NaN,,0.1,1\n"))
	f.Add([]byte("phase,layer,epoch,train_loss,val_loss,val_error,lr,seconds\npretrain,0,1,0.5,0.4,,0.01,2\nfinetune,,1,0.3,0.2,0.05,0.1,3\n"))
	f.Add([]byte("phase,layer,epoch,train_loss,val_loss,val_error,lr,seconds\npretrain,-1,1,0.5,0.4,,0.01,2\n"))
	f.Add([]byte("epoch,train_loss,val_loss,val_error,lr,seconds\n1,2\n"))
	f.Add([]byte("epoch,train_loss,val_loss,val_error,lr,seconds\n\"1,2,3,4,5,6\n"))
	f.Add([]byte(""))
	f.Add([]byte("epoch,train_loss,val_loss,val_error,lr,seconds\n" + strings.Repeat("9", 100000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rows []MetricsRow
		var err error
		budget := 64*uint64(len(data)) + 1<<20
		if n := memory.Allocated(func() { rows, err = DecodeMetrics(bytes.NewReader(data)) }); n > budget {
			t.Fatalf("reading %d bytes allocated %d, more than the budget of %d (error %v)", len(data), n, budget, err)
		}
		if err != nil {
			if rows != nil {
				t.Fatalf("%d rows with error %v", len(rows), err)
			}
			return
		}
		for _, r := range rows {
			if strings.Contains(r.Phase, ",") {
				t.Fatalf("phase %q", r.Phase)
			}
		}
	})
}
