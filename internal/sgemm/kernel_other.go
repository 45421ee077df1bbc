//go:build !amd64

package sgemm

const hasAVX2 = false

// native is the arch Sgemm uses.
var native = portable
