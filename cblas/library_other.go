//go:build nocblas || !((darwin || freebsd || linux || netbsd) && !android && (amd64 || arm64))

package cblas

import (
	"fmt"
	"runtime"
)

// Open reports that run-time loading is not available: on this platform,
// or in a build with the nocblas tag (a static binary without dlopen).
func Open(name string) (*Library, error) {
	return nil, fmt.Errorf("cblas: loading %s at run time is not available in this build (%s/%s, or built with -tags nocblas)", name, runtime.GOOS, runtime.GOARCH)
}

func candidates() []string { return nil }
