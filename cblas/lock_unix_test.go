//go:build unix

package cblas

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestChooseTogether: processes starting together on a new machine measure
// once, and all make the same choice.
func TestChooseTogether(t *testing.T) {
	file := filepath.Join(t.TempDir(), "zoo", cacheName)
	var measured atomic.Int32
	var wg sync.WaitGroup
	choices := make([]Choice, 4)
	for i := range choices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := chooser{file: file, now: time.Now, measure: func() (float64, float64, error) {
				// Each would choose differently, were it to measure.
				n := measured.Add(1)
				time.Sleep(20 * time.Millisecond)
				return 100 + 100*float64(n%2), 200 - 100*float64(n%2), nil
			}}
			choices[i] = c.choose(testKey, false)
		}()
	}
	wg.Wait()
	if n := measured.Load(); n != 1 {
		t.Errorf("measured %d times, want once", n)
	}
	for i, ch := range choices {
		if ch.Own != choices[0].Own || ch.OwnGFLOPS != choices[0].OwnGFLOPS {
			t.Errorf("chooser %d: %+v, chooser 0: %+v", i, ch, choices[0])
		}
	}
}
