package sgemm

import "unsafe"

// kernelGo is the portable micro-kernel: the same tile and the same
// summation order (each element summed over k in turn) as the assembly
// one, for CPUs without AVX2 and FMA. It sweeps the panels once per 2×4
// sub-tile, whose eight sums and six operands fit the sixteen
// floating-point registers of amd64 (arm64 has 32).
func kernelGo(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32) {
	ap := unsafe.Slice(a, kc*mr)
	bp := unsafe.Slice(b, (kc-1)*ldb+nr)
	var acc [mr][nr]float32
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			pa, pb := unsafe.Pointer(&ap[i]), unsafe.Pointer(&bp[j])
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for l := range kc {
				al := (*[2]float32)(unsafe.Add(pa, l*mr*4))
				bl := (*[4]float32)(unsafe.Add(pb, l*ldb*4))
				a0 := al[0]
				c00 += a0 * bl[0]
				c01 += a0 * bl[1]
				c02 += a0 * bl[2]
				c03 += a0 * bl[3]
				a1 := al[1]
				c10 += a1 * bl[0]
				c11 += a1 * bl[1]
				c12 += a1 * bl[2]
				c13 += a1 * bl[3]
			}
			acc[i][j], acc[i][j+1], acc[i][j+2], acc[i][j+3] = c00, c01, c02, c03
			acc[i+1][j], acc[i+1][j+1], acc[i+1][j+2], acc[i+1][j+3] = c10, c11, c12, c13
		}
	}
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	for i := range mr {
		row := (*[nr]float32)(cs[i*ldc:])
		if beta == 0 {
			for j := range row {
				row[j] = alpha * acc[i][j]
			}
			continue
		}
		for j := range row {
			row[j] = beta*row[j] + alpha*acc[i][j]
		}
	}
}

// transpose8Go is the portable transposeFunc.
func transpose8Go(blocks int, src *float32, lds int, dst *float32) {
	if blocks == 0 {
		return
	}
	s := unsafe.Slice(src, 7*lds+8*blocks)
	d := unsafe.Slice(dst, (8*blocks-1)*nr+8)
	for blk := range blocks {
		for r := range 8 {
			for c, v := range s[r*lds+8*blk:][:8] {
				d[(8*blk+c)*nr+r] = v
			}
		}
	}
}

// gatherAGo is the portable gathering packFunc: dst[l*mr+i] = src[i*lds+l].
func gatherAGo(kb int, src *float32, lds int, dst *float32) {
	if kb == 0 {
		return
	}
	s := unsafe.Slice(src, (mr-1)*lds+kb)
	d := unsafe.Slice(dst, kb*mr)
	r0, r1, r2 := s[:kb], s[lds:][:kb], s[2*lds:][:kb]
	r3, r4, r5 := s[3*lds:][:kb], s[4*lds:][:kb], s[5*lds:][:kb]
	for l := range kb {
		dl := (*[mr]float32)(d[l*mr:])
		dl[0], dl[1], dl[2], dl[3], dl[4], dl[5] = r0[l], r1[l], r2[l], r3[l], r4[l], r5[l]
	}
}

// copyAGo is the portable copying packFunc: dst[l*mr+i] = src[l*lds+i].
func copyAGo(kb int, src *float32, lds int, dst *float32) {
	if kb == 0 {
		return
	}
	s := unsafe.Slice(src, (kb-1)*lds+mr)
	d := unsafe.Slice(dst, kb*mr)
	for l := range kb {
		sl, dl := (*[mr]float32)(s[l*lds:]), (*[mr]float32)(d[l*mr:])
		dl[0], dl[1], dl[2], dl[3], dl[4], dl[5] = sl[0], sl[1], sl[2], sl[3], sl[4], sl[5]
	}
}
