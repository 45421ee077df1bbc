package datasets

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// downloadProgress reports one download. On a terminal it is a bar of
// bytes that clears itself when done; on any other writer (a log, a CI
// job) it is a line when the download starts, one at each quarter and one
// at the end, so a log gets a handful of lines however slow the link.
// A nil writer reports nothing.
type downloadProgress struct {
	w       io.Writer
	label   string // data set and file, "fashion-mnist: train-images-idx3-ubyte.gz"
	total   int64
	got     int64
	quarter int64 // quarters reported so far (non-terminal)
	start   time.Time
	bar     *progressbar.ProgressBar // terminal only
}

func newDownloadProgress(w io.Writer, set, url string, total int64) *downloadProgress {
	p := &downloadProgress{w: w, label: set + ": " + urlBase(url), total: total, start: time.Now()}
	if w == nil {
		return p
	}
	fmt.Fprintf(w, "%s: downloading %s (%s)\n", set, url, byteSize(total))
	if isTerminal(w) {
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(p.label),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowTotalBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// add records n more bytes.
func (p *downloadProgress) add(n int64) {
	p.got += n
	if p.w == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Add64(n)
		return
	}
	// A line on passing 25, 50 and 75 %, one for several passed at once,
	// and none at the end, which has its own.
	if q := min(4*p.got/p.total, 3); q > p.quarter && p.got < p.total {
		p.quarter = q
		fmt.Fprintf(p.w, "%s: %s of %s (%d%%)\n", p.label, byteSize(p.got), byteSize(p.total), 100*p.got/p.total)
	}
}

// done ends a download that succeeded.
func (p *downloadProgress) done() {
	if p.w == nil {
		return
	}
	if p.bar != nil {
		_ = p.bar.Finish()
	}
	fmt.Fprintf(p.w, "%s: %s in %.1fs, checksum ok\n", p.label, byteSize(p.total), time.Since(p.start).Seconds())
}

// fail ends a download that failed; the error says why, so the bar only
// has to get out of the way.
func (p *downloadProgress) fail() {
	if p.bar != nil {
		_ = p.bar.Exit()
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether w is a terminal, which can redraw a bar.
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// byteSize formats n bytes for people: 5.1 kB, 26.4 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// urlBase returns the last element of a URL's path, the file's name.
func urlBase(u string) string {
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] == '/' {
			return u[i+1:]
		}
	}
	return u
}
