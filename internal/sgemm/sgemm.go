package sgemm

import (
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Blocking parameters. mr×nr is the register tile of the micro-kernel. kc
// sets the depth of a packed panel: an nr-wide B panel (kc·nr·4 = 16 KiB)
// stays in L1 while the micro-kernel sweeps the A block. mc·kc·4 = 144 KiB
// of packed A sits in L2 (512 KiB per core on Zen 2/3), and kc·nc·4 = 2 MiB
// of packed B in L3. These follow from the cache sizes of the AVX2 CPUs
// zoo runs on rather than fine tuning (BenchmarkSgemm measures them). kc
// also fixes the summation order, so it must not depend on the number of
// goroutines.
const (
	mr = 6
	nr = 16
	kc = 256
	mc = 144 // a multiple of mr
	nc = 2048
)

// minParallel is the size m·n·k below which a product runs on the calling
// goroutine alone: smaller ones take a few tens of microseconds, where
// handing work to other goroutines (and waiting for busy cores) costs more
// than it saves. Above it, each goroutine gets at least minParallel/2.
const minParallel = 1 << 20

// kernelFunc computes the mr×nr tile c = alpha·a·b + beta·c from kc steps
// of an mr-high packed A panel a and an nr-wide B panel b, whose rows are
// ldb elements apart: nr when packed, or B's own leading dimension when
// the panel is read in place. c's rows are ldc elements apart. beta == 0
// (either sign) means c is not read.
type kernelFunc func(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)

// transposeFunc packs 8 columns of a B panel from a transposed B: for
// each of blocks 8×8 blocks, the 8 rows src[r*lds : r*lds+8] become the 8
// columns dst[c*nr : c*nr+8], then src moves 8 elements right and dst 8
// panel rows down.
type transposeFunc func(blocks int, src *float32, lds int, dst *float32)

// arch is the machine-specific part: the micro-kernel and the transposing
// packer.
type arch struct {
	name       string
	kernel     kernelFunc
	transpose8 transposeFunc
}

// portable is the pure-Go arch, for any CPU.
var portable = arch{name: "go", kernel: kernelGo, transpose8: transpose8Go}

// config is what a call may vary for tests: the arch and the number of
// goroutines.
type config struct {
	arch
	workers int
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// with exactly the arguments and semantics of gonum's
// blas.Float32Level3.Sgemm, invalid arguments included (it panics with
// gonum's messages). When beta is zero, C is overwritten without being
// read, so NaNs in it do not propagate.
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(config{arch: native, workers: runtime.GOMAXPROCS(0)}, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// UsesAVX2 reports whether Sgemm runs the AVX2+FMA micro-kernel (rather
// than the portable one) on this CPU.
func UsesAVX2() bool { return hasAVX2 }

func sgemm(cfg config, tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !valid(tA, tB, m, n, k, lda, ldb, ldc, len(a), len(b), len(c)) {
		// gonum panics with the message for the first bad argument.
		gonum.Implementation{}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if m == 0 || n == 0 || (alpha == 0 || k == 0) && beta == 1 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	p := &product{
		aTrans: tA != blas.NoTrans, bTrans: tB != blas.NoTrans,
		k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
		arch: cfg.arch,
	}

	// Split C into ranges of whole micro-tiles along the dimension with more
	// of them, one range per goroutine.
	mTiles, nTiles := (m+mr-1)/mr, (n+nr-1)/nr
	splitN := n >= m && nTiles > 1 || mTiles == 1
	tiles, size := mTiles, mr
	if splitN {
		tiles, size = nTiles, nr
	}
	w := min(cfg.workers, tiles)
	if work := m * n * k; work < minParallel {
		w = 1
	} else {
		w = min(w, 2*work/minParallel)
	}
	if w <= 1 {
		p.run(0, m, 0, n)
		return
	}
	var wg sync.WaitGroup
	for i := w - 1; i >= 0; i-- {
		lo, hi := i*tiles/w*size, (i+1)*tiles/w*size
		run := func() {
			if splitN {
				p.run(0, m, lo, min(hi, n))
			} else {
				p.run(lo, min(hi, m), 0, n)
			}
		}
		if i == 0 {
			run() // the calling goroutine takes the first range
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			run()
		}()
	}
	wg.Wait()
}

// valid reports whether gonum would accept the arguments (it checks the
// lengths only for non-empty products).
func valid(tA, tB blas.Transpose, m, n, k, lda, ldb, ldc, la, lb, lc int) bool {
	okT := func(t blas.Transpose) bool { return t == blas.NoTrans || t == blas.Trans || t == blas.ConjTrans }
	if !okT(tA) || !okT(tB) || m < 0 || n < 0 || k < 0 {
		return false
	}
	aRows, aCols := m, k
	if tA != blas.NoTrans {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if tB != blas.NoTrans {
		bRows, bCols = n, k
	}
	if lda < max(1, aCols) || ldb < max(1, bCols) || ldc < max(1, n) {
		return false
	}
	if m == 0 || n == 0 {
		return true
	}
	return la >= (aRows-1)*lda+aCols && lb >= (bRows-1)*ldb+bCols && lc >= (m-1)*ldc+n
}

// scale sets C = beta·C, writing zeros when beta is zero as gonum does.
func scale(m, n int, beta float32, c []float32, ldc int) {
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// product is one call's operands.
type product struct {
	aTrans, bTrans bool
	k              int
	alpha, beta    float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
	arch
}

// buffers are one goroutine's packed blocks, kept between calls.
type buffers struct {
	a, b []float32
	edge [mr * nr]float32 // a partial tile of C
}

var pool = sync.Pool{New: func() any { return new(buffers) }}

// grow returns s with length n, reallocating only if it is too short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// run computes rows [i0, i1) and columns [j0, j1) of C; i0 and j0 are
// multiples of mr and nr, so that every element of C falls at the same
// place of a micro-tile whichever goroutine computes it.
func (p *product) run(i0, i1, j0, j1 int) {
	buf := pool.Get().(*buffers)
	defer pool.Put(buf)
	// Full panels of a B that is not transposed are read in place, unless
	// their rows would crowd a few sets of the 8-way, 64-set L1 cache: a
	// leading dimension divisible by 32 puts 256 rows in 16 sets or fewer.
	direct := !p.bTrans && p.ldb%32 != 0
	// k is cut into equal blocks of at most kc: 784 into 4×196 rather than
	// 3×256+16, whose last block would pass over C for little work. The
	// blocks depend on k alone, which fixes the summation order.
	blocks := (p.k + kc - 1) / kc
	kstep := (p.k + blocks - 1) / blocks
	buf.b = grow(buf.b, kstep*roundUp(min(nc, j1-j0), nr))
	buf.a = grow(buf.a, kstep*roundUp(min(mc, i1-i0), mr))
	for jc := j0; jc < j1; jc += nc {
		nb := min(nc, j1-jc)
		for pc := 0; pc < p.k; pc += kstep {
			kb := min(kstep, p.k-pc)
			beta := p.beta
			if pc > 0 {
				beta = 1 // later kc-blocks accumulate onto the first
			}
			p.packB(buf.b, pc, kb, jc, nb, direct)
			var b []float32 // B's block in place, if direct
			if direct {
				b = p.b[pc*p.ldb+jc:]
			}
			for ic := i0; ic < i1; ic += mc {
				mb := min(mc, i1-ic)
				p.packA(buf.a, ic, mb, pc, kb)
				p.macro(buf, b, ic, mb, jc, nb, kb, beta)
			}
		}
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }

// macro runs the micro-kernel over the packed mb×kb A block and the kb×nb
// B block, updating C[ic:ic+mb, jc:jc+nb]. Full B panels are read from b,
// B itself at the block's top left, when it is not nil (packing a B that is
// not transposed would only copy its rows), else from buf.b. Partial tiles
// at the right and bottom edges go through buf.edge, so the kernel always
// writes a full tile and computes it with the same arithmetic.
func (p *product) macro(buf *buffers, b []float32, ic, mb, jc, nb, kb int, beta float32) {
	for jr := 0; jr < nb; jr += nr {
		n := min(nr, nb-jr)
		bp, bs := &buf.b[jr*kb], nr
		if n == nr && b != nil {
			bp, bs = &b[jr], p.ldb
		}
		for ir := 0; ir < mb; ir += mr {
			m := min(mr, mb-ir)
			ap := &buf.a[ir*kb]
			off := (ic+ir)*p.ldc + jc + jr
			if m == mr && n == nr {
				p.kernel(kb, ap, bp, bs, &p.c[off], p.ldc, p.alpha, beta)
				continue
			}
			e := &buf.edge
			if beta != 0 {
				for i := range m {
					copy(e[i*nr:i*nr+n], p.c[off+i*p.ldc:])
				}
			}
			p.kernel(kb, ap, bp, bs, &e[0], nr, p.alpha, beta)
			for i := range m {
				copy(p.c[off+i*p.ldc:off+i*p.ldc+n], e[i*nr:i*nr+n])
			}
		}
	}
}

// packA copies op(A)[ic:ic+mb, pc:pc+kb] into dst as mr-high panels, each
// stored k-major (the mr values of one k together), the last panel padded
// with zeros.
func (p *product) packA(dst []float32, ic, mb, pc, kb int) {
	for ir := 0; ir < mb; ir += mr {
		m := min(mr, mb-ir)
		d := dst[ir*kb : ir*kb+mr*kb]
		i0 := ic + ir
		if p.aTrans { // op(A)[i, l] = a[l*lda+i]: rows of a are contiguous in i
			if m == mr {
				for l := range kb {
					src := (*[mr]float32)(p.a[(pc+l)*p.lda+i0:])
					*(*[mr]float32)(d[l*mr:]) = *src
				}
				continue
			}
			for l := range kb {
				dl := d[l*mr : l*mr+mr]
				copy(dl, p.a[(pc+l)*p.lda+i0:][:m])
				clear(dl[m:])
			}
			continue
		}
		if m == mr {
			var rows [mr][]float32
			for i := range mr {
				rows[i] = p.a[(i0+i)*p.lda+pc:][:kb]
			}
			r0, r1, r2, r3, r4, r5 := rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]
			for l := range kb {
				dl := d[l*mr : l*mr+mr : l*mr+mr]
				dl[0], dl[1], dl[2], dl[3], dl[4], dl[5] = r0[l], r1[l], r2[l], r3[l], r4[l], r5[l]
			}
			continue
		}
		clear(d)
		for i := range m {
			row := p.a[(i0+i)*p.lda+pc:][:kb]
			for l, v := range row {
				d[l*mr+i] = v
			}
		}
	}
}

// packB copies op(B)[pc:pc+kb, jc:jc+nb] into dst as nr-wide panels, each
// stored k-major, the last panel padded with zeros. With direct, only a
// partial last panel is packed: macro reads full ones in place.
func (p *product) packB(dst []float32, pc, kb, jc, nb int, direct bool) {
	for jr := 0; jr < nb; jr += nr {
		n := min(nr, nb-jr)
		if direct && n == nr {
			continue
		}
		d := dst[jr*kb : jr*kb+nr*kb]
		j0 := jc + jr
		if !p.bTrans { // op(B)[l, j] = b[l*ldb+j]: rows of b are contiguous in j
			for l := range kb {
				dl := d[l*nr : l*nr+nr]
				copy(dl, p.b[(pc+l)*p.ldb+j0:][:n])
				clear(dl[n:])
			}
			continue
		}
		l0 := 0
		if n == nr { // transpose 8×8 blocks, then the last kb%8 steps
			l0 = kb &^ 7
			p.transpose8(l0/8, &p.b[j0*p.ldb+pc], p.ldb, &d[0])
			p.transpose8(l0/8, &p.b[(j0+8)*p.ldb+pc], p.ldb, &d[8])
		} else {
			clear(d)
		}
		for j := range n {
			col := p.b[(j0+j)*p.ldb+pc:][:kb]
			for l := l0; l < kb; l++ {
				d[l*nr+j] = col[l]
			}
		}
	}
}
