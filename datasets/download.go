package datasets

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// remoteFile is one published file of a data set that is downloaded on
// first use, with what is known about it. Its size and at least one digest
// are required: a download is kept only when it is exactly the published
// file.
type remoteFile struct {
	// Name is the file's name, the last element of its URL and its name in
	// the cache.
	Name string
	// Size is its exact length in bytes. It also bounds the download, so a
	// server sending endless bytes cannot fill memory or disk.
	Size int64
	// MD5 and SHA256 are its hex digests; "" when none is known. Every one
	// given is checked.
	MD5, SHA256 string
}

// fetcher downloads files. Its fields are per call, not global, so tests
// can shorten the timeouts.
type fetcher struct {
	// client makes the requests; its Transport's timeouts bound connecting
	// and waiting for the response headers.
	client *http.Client
	// stall is the longest wait for the next bytes of a response (or for
	// its headers). There is no bound on a whole download, which on a slow
	// link may rightly take minutes, but a link that stops is noticed.
	stall time.Duration
	// progress, when not nil, receives the progress of each download.
	progress io.Writer
}

// newFetcher returns the fetcher loaders use: the environment's proxy
// settings, 30 s to connect and to get a response's headers, and 60 s of
// silence in the middle of one before giving up.
func newFetcher(progress io.Writer) fetcher {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 30 * time.Second
	return fetcher{client: &http.Client{Transport: tr}, stall: 60 * time.Second, progress: progress}
}

// download fetches f from the URL u and returns its content once its size and
// digests are right. The content stays in memory until then (the files are
// tens of megabytes at most), so nothing of a failed download ever reaches
// the disk. label names the data set in progress lines.
func (fe fetcher) download(ctx context.Context, label, u string, f remoteFile) ([]byte, error) {
	if f.Size <= 0 || (f.MD5 == "" && f.SHA256 == "") {
		// A programming error in a file table, not a user's.
		return nil, fmt.Errorf("%s has no size or digest to check it against", f.Name)
	}
	stalled := fmt.Errorf("no data for %v", fe.stall)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(fe.stall, func() { cancel(stalled) })
	defer watchdog.Stop()
	// cause prefers the watchdog's or the caller's reason over the
	// transport's "context canceled".
	cause := func(err error) error {
		if c := context.Cause(ctx); c != nil {
			return c
		}
		return err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	// Ask for the bytes as stored: a server that labels .gz files
	// Content-Encoding: gzip would otherwise have them unpacked on the
	// way, and their digests would not match.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", "zoo (https://github.com/gorgonia-zoo/zoo)")
	// Said before connecting, which may itself take long.
	bar := newDownloadProgress(fe.progress, label, u, f.Size)
	resp, err := fe.client.Do(req)
	if err != nil {
		bar.fail()
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the URL the caller names anyway
		}
		return nil, cause(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		bar.fail()
		return nil, fmt.Errorf("server answered %s", resp.Status)
	}
	if resp.ContentLength >= 0 && resp.ContentLength != f.Size {
		bar.fail()
		return nil, fmt.Errorf("server announces %d bytes, want %d", resp.ContentLength, f.Size)
	}

	buf := make([]byte, f.Size+1) // one more, to notice a longer file
	n := 0
	for n < len(buf) {
		m, err := resp.Body.Read(buf[n:])
		n += m
		if m > 0 {
			watchdog.Reset(fe.stall)
			bar.add(int64(m))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bar.fail()
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("connection closed after %d of %d bytes", n, f.Size)
			}
			return nil, fmt.Errorf("after %d of %d bytes: %w", n, f.Size, cause(err))
		}
	}
	switch {
	case n > int(f.Size):
		bar.fail()
		return nil, fmt.Errorf("server sent more than the %d bytes of the file", f.Size)
	case n < int(f.Size):
		bar.fail()
		return nil, fmt.Errorf("connection closed after %d of %d bytes", n, f.Size)
	}
	data := buf[:n]
	if err := f.verify(data); err != nil {
		bar.fail()
		return nil, err
	}
	bar.done()
	return data, nil
}

// verify reports whether data is the file f: its size and every digest f
// gives. A mismatch is a [digestError].
func (f remoteFile) verify(data []byte) error {
	if int64(len(data)) != f.Size {
		return digestError{fmt.Errorf("%d bytes, want %d", len(data), f.Size)}
	}
	if f.SHA256 != "" {
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
			return digestError{fmt.Errorf("sha256 %s, want %s", got, f.SHA256)}
		}
	}
	if f.MD5 != "" {
		sum := md5.Sum(data)
		if got := hex.EncodeToString(sum[:]); got != f.MD5 {
			return digestError{fmt.Errorf("md5 %s, want %s", got, f.MD5)}
		}
	}
	return nil
}

// fileURL joins a base URL and a file name.
func fileURL(base, name string) string {
	return strings.TrimSuffix(base, "/") + "/" + name
}

// checkBase rejects a base URL that is not http or https, before any
// request is made with it.
func checkBase(base string) error {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("mirror %q is not an http:// or https:// URL", base)
	}
	return nil
}

// isDigestError reports whether err says a download was not the published
// file. Unlike network trouble, that is not cured by fetching the files by
// hand, so its message gives no offline hint.
func isDigestError(err error) bool {
	var de digestError
	return errors.As(err, &de)
}

// digestError marks a file whose size or digest is wrong.
type digestError struct{ error }

func (e digestError) Unwrap() error { return e.error }
