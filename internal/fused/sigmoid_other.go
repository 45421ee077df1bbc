//go:build !amd64

package fused

const hasAVX2 = false

func sigmoidAsm32(dst, src []float32) int { return 0 }

func sigmoidAsm64(dst []float64, src []float32) int { return 0 }

func sigmoidGradAsm32(dx, y, dy []float32) int { return 0 }
