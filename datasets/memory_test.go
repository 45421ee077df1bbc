package datasets

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/gorgonia-zoo/zoo/internal/memory"
)

// TestDataMemoryRefused: a data file whose header claims more than the
// memory available (with the float32 copy every loader makes) is refused
// from the header, naming the sizes and the limit, before its payload is
// read. A 2 MB gzip IDX file claiming millions of pictures drove memory
// past 7 GB before.
func TestDataMemoryRefused(t *testing.T) {
	gz := gzipBytes(t, idxBytes(0x08, []uint32{2_700_000, 28, 28}, make([]byte, 1<<20)))
	limit := memory.Of(1 << 30)
	_, err := readIDX(bytes.NewReader(gz), limit)
	if want := "datasets: idx: the data needs about 9.9 GiB (dimensions [2700000 28 28] of 1-byte elements, read and converted to float32), the limit is 1.0 GiB"; err == nil || err.Error() != want {
		t.Errorf("gzip IDX claiming 2.7 M pictures: %v, want %q", err, want)
	}
	npy := npyBytes(npyDict("<f8", true, "(20000, 28, 28)"), make([]byte, 20000*784*8))
	_, err = readNPY(bytes.NewReader(npy), int64(len(npy)), memory.Of(64<<20))
	if want := "the data needs about 299.1 MiB (shape [20000 28 28] of 8-byte elements, read and converted to float32), the limit is 64.0 MiB"; err == nil || err.Error() != want {
		t.Errorf("npy of 125 MB: %v, want %q", err, want)
	}
}

// TestDataMemoryFollowsData: a header's count costs nothing until the data
// backs it. A gzip IDX stream claiming 1 GB that holds 1 MB, and an NPY
// reader whose size (as a stat gives it) claims more than it delivers, fail
// at the shortfall having allocated in proportion to what arrived.
func TestDataMemoryFollowsData(t *testing.T) {
	gz := gzipBytes(t, idxBytes(0x08, []uint32{1_000_000, 1000}, make([]byte, 1<<20)))
	var err error
	n := memory.Allocated(func() { _, err = readIDX(bytes.NewReader(gz), memory.Of(memory.Cap)) })
	if err == nil || !strings.Contains(err.Error(), "truncated: want 1000000000 data bytes, got 1048576") {
		t.Errorf("gzip IDX claiming 1 GB, holding 1 MB: %v", err)
	}
	if n > 8<<20 {
		t.Errorf("reading 1 MB of a claimed 1 GB allocated %d bytes", n)
	}

	header := npyBytes(npyDict("|u1", false, "(1000000, 1000)"), nil)
	r := io.MultiReader(bytes.NewReader(header), bytes.NewReader(make([]byte, 1<<20)))
	n = memory.Allocated(func() { _, err = readNPY(r, int64(len(header))+1e9, memory.Of(memory.Cap)) })
	if err == nil || !strings.Contains(err.Error(), "reading 1000000000 data bytes: unexpected EOF") {
		t.Errorf("npy claiming 1 GB, holding 1 MB: %v", err)
	}
	if n > 8<<20 {
		t.Errorf("reading 1 MB of a claimed 1 GB allocated %d bytes", n)
	}
}
