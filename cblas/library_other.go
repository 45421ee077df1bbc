//go:build !((darwin || freebsd || linux || netbsd) && !android && (amd64 || arm64))

package cblas

import (
	"fmt"
	"runtime"
)

// Open reports that run-time loading is not supported on this platform.
func Open(name string) (*Library, error) {
	return nil, fmt.Errorf("cblas: loading %s at run time is not supported on %s/%s", name, runtime.GOOS, runtime.GOARCH)
}

func candidates() []string { return nil }
