package sgemm

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gorgonia-zoo/zoo/internal/par"
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
// goroutine alone: smaller ones take a few microseconds, about what handing
// work to par's spinning workers costs. Above it, each goroutine gets at
// least minParallel/2. (It was 1<<20 with a new goroutine per product, which
// starts tens of microseconds late; 1<<16 gave the bench's MLP at batch 1
// about 35 % more samples/s and the DAE at batch 32 about 20 %.)
const minParallel = 1 << 16

// minPrefetchTiles is the number of micro-tiles per B panel from which
// macro prefetches the next panel read in place.
const minPrefetchTiles = 8

// minStatic is the size m·n·k from which a product is split into one
// range of C per goroutine; smaller ones are cut into chunksPerWorker
// chunks per goroutine, claimed by whichever goroutine is free.
const (
	minStatic       = 1 << 25
	chunksPerWorker = 4
)

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

// packFunc packs one full mr-high A panel of kb steps into dst, k-major:
// as a gatherA, dst[l*mr+i] = src[i*lds+l] (an A that is not transposed,
// whose rows are lds apart); as a copyA, dst[l*mr+i] = src[l*lds+i] (a
// transposed A).
type packFunc func(kb int, src *float32, lds int, dst *float32)

// prefetchFunc asks for the first 16 floats of each of rows rows, ld
// elements apart from p, to be brought towards the core ahead of use.
type prefetchFunc func(rows int, p *float32, ld int)

// arch is the machine-specific part: the micro-kernel, the packers and
// the prefetcher (nil where Go has none).
type arch struct {
	name       string
	kernel     kernelFunc
	transpose8 transposeFunc
	gatherA    packFunc
	copyA      packFunc
	prefetch   prefetchFunc
}

// portable is the pure-Go arch, for any CPU.
var portable = arch{name: "go", kernel: kernelGo, transpose8: transpose8Go, gatherA: gatherAGo, copyA: copyAGo}

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

	// Split C into chunks of whole micro-tiles, which goroutines claim in
	// turn. Large products split along the dimension with more tiles, one
	// chunk per goroutine. Smaller ones are cut into a few chunks per
	// goroutine: a goroutine started here may take tens of microseconds to
	// run, and the calling one goes on claiming chunks meanwhile. When B is
	// read in place they split along M, so that each chunk packs only its
	// own rows of A, unless B is much wider than A is tall: then every
	// chunk along M would read all of B, which costs more than packing A
	// again (32×1000×1000: 5–20 % faster split along N with B in cache,
	// 17–32 % from memory).
	mTiles, nTiles := (m+mr-1)/mr, (n+nr-1)/nr
	work := m * n * k
	splitN := n >= m && nTiles > 1 || mTiles == 1
	if work < minStatic && p.direct() && mTiles > 1 && n < 4*m {
		splitN = false
	}
	tiles, size := mTiles, mr
	if splitN {
		tiles, size = nTiles, nr
	}
	w := min(cfg.workers, tiles)
	if work < minParallel {
		w = 1
	} else {
		w = min(w, 2*work/minParallel)
	}
	if w <= 1 {
		p.run(0, m, 0, n)
		return
	}
	chunks := w
	if work < minStatic {
		chunks = min(tiles, chunksPerWorker*w)
	}
	var next atomic.Int64
	par.Run(w, func(int) {
		for {
			i := int(next.Add(1) - 1)
			if i >= chunks {
				return // a late goroutine touches nothing
			}
			lo, hi := i*tiles/chunks*size, (i+1)*tiles/chunks*size
			if splitN {
				p.run(0, m, lo, min(hi, n))
			} else {
				p.run(lo, min(hi, m), 0, n)
			}
		}
	})
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
	rows [mr * kc]float32 // the rows of a partial A panel, zero-padded
}

var pool = sync.Pool{New: func() any { return new(buffers) }}

// grow returns s with length n, reallocating only if it is too short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// direct reports whether full panels of B are read in place rather than
// packed: when B is not transposed, unless its rows would crowd a few sets
// of the 8-way, 64-set L1 cache (a leading dimension divisible by 32 puts
// 256 rows in 16 sets or fewer).
func (p *product) direct() bool { return !p.bTrans && p.ldb%32 != 0 }

// run computes rows [i0, i1) and columns [j0, j1) of C; i0 and j0 are
// multiples of mr and nr, so that every element of C falls at the same
// place of a micro-tile whichever goroutine computes it.
func (p *product) run(i0, i1, j0, j1 int) {
	buf := pool.Get().(*buffers)
	defer pool.Put(buf)
	direct := p.direct()
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
				p.packA(buf, ic, mb, pc, kb)
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
	tiles := (mb + mr - 1) / mr
	// A B panel read in place comes from memory the first time: each
	// tile asks for its share of the next panel's rows, which the
	// hardware prefetcher does not follow (they are ldb apart). Below
	// minPrefetchTiles tiles per panel the shares would crowd the
	// kernel's own loads (and the panel is reread soon anyway).
	share := 0
	if b != nil && p.prefetch != nil && tiles >= minPrefetchTiles {
		share = (kb + tiles - 1) / tiles
	}
	for jr := 0; jr < nb; jr += nr {
		n := min(nr, nb-jr)
		bp, bs := &buf.b[jr*kb], nr
		if n == nr && b != nil {
			bp, bs = &b[jr], p.ldb
		}
		next := share > 0 && jr+2*nr <= nb // the next panel is full, read in place
		for ir := 0; ir < mb; ir += mr {
			m := min(mr, mb-ir)
			if next {
				if l := ir / mr * share; l < kb {
					p.prefetch(min(share, kb-l), &b[l*p.ldb+jr+nr], p.ldb)
				}
			}
			ap := &buf.a[ir*kb]
			off := (ic+ir)*p.ldc + jc + jr
			if m == mr && n == nr {
				p.kernel(kb, ap, bp, bs, &p.c[off], p.ldc, p.alpha, beta)
				continue
			}
			e := &buf.edge
			if beta != 0 {
				copyRows(m, n, p.c[off:], p.ldc, e[:], nr)
			}
			p.kernel(kb, ap, bp, bs, &e[0], nr, p.alpha, beta)
			copyRows(m, n, e[:], nr, p.c[off:], p.ldc)
		}
	}
}

// packA copies op(A)[ic:ic+mb, pc:pc+kb] into dst as mr-high panels, each
// stored k-major (the mr values of one k together), the last panel padded
// with zeros.
func (p *product) packA(buf *buffers, ic, mb, pc, kb int) {
	dst := buf.a
	for ir := 0; ir < mb; ir += mr {
		m := min(mr, mb-ir)
		d := dst[ir*kb : ir*kb+mr*kb]
		i0 := ic + ir
		if p.aTrans { // op(A)[i, l] = a[l*lda+i]: rows of a are contiguous in i
			if m == mr {
				_ = p.a[(pc+kb-1)*p.lda+i0+mr-1] // the panel's last element
				p.copyA(kb, &p.a[pc*p.lda+i0], p.lda, &d[0])
				continue
			}
			clear(d)
			for l := range kb {
				dl, src := d[l*mr:][:m], p.a[(pc+l)*p.lda+i0:][:m]
				for i, v := range src {
					dl[i] = v
				}
			}
			continue
		}
		if m == mr {
			_ = p.a[(i0+mr-1)*p.lda+pc+kb-1] // the panel's last element
			p.gatherA(kb, &p.a[i0*p.lda+pc], p.lda, &d[0])
			continue
		}
		// Gather a partial panel from its rows copied next to zero rows.
		rows := buf.rows[:mr*kb]
		for i := range m {
			copy(rows[i*kb:(i+1)*kb], p.a[(i0+i)*p.lda+pc:])
		}
		clear(rows[m*kb:])
		p.gatherA(kb, &rows[0], kb, &d[0])
	}
}

// copyRows copies rows of n ≤ nr elements, lds apart in src, to rows ldd
// apart in dst: the short rows of an edge tile, for which a call to copy
// per row costs more than the copy.
func copyRows(rows, n int, src []float32, lds int, dst []float32, ldd int) {
	_ = src[(rows-1)*lds+n-1]
	_ = dst[(rows-1)*ldd+n-1]
	for l := range rows {
		s, d := src[l*lds:][:n], dst[l*ldd:][:n]
		j := 0
		for ; j+4 <= n; j += 4 {
			*(*[4]float32)(d[j:]) = *(*[4]float32)(s[j : j+4])
		}
		for ; j < n; j++ {
			d[j] = s[j]
		}
	}
}

// copyPartial copies rows of n < nr elements, lds apart in src, into the
// nr-wide rows of dst, padding them with zeros.
func copyPartial(rows, n int, src []float32, lds int, dst []float32) {
	_ = src[(rows-1)*lds+n-1]
	_ = dst[rows*nr-1]
	for l := range rows {
		d := (*[nr]float32)(dst[l*nr:])
		*d = [nr]float32{}
		s := src[l*lds:][:n]
		j := 0
		for ; j+4 <= n; j += 4 {
			*(*[4]float32)(d[j:]) = *(*[4]float32)(s[j : j+4])
		}
		for ; j < n; j++ {
			d[j] = s[j]
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
			if n == nr {
				for l := range kb {
					copy(d[l*nr:l*nr+nr], p.b[(pc+l)*p.ldb+j0:])
				}
				continue
			}
			copyPartial(kb, n, p.b[pc*p.ldb+j0:], p.ldb, d)
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
