#include "textflag.h"

// The 6×16 micro-kernel (see kernelFunc and the package documentation).
//
// Register use:
//	CX	k steps left in the unrolled loop, then in the tail
//	BX	k steps left over after unrolling by 4
//	SI	packed A panel: 6 floats (24 bytes) per k step
//	DI	B panel: 16 floats per k step, R9 bytes apart (64 when packed)
//	R10	3·R9, R11 4·R9
//	DX	the C tile's current row
//	R8	ldc in bytes
//	R12	the C tile's rows, while prefetching them
//	Y0–Y11	the accumulators: row r of the tile, columns 0–7 in Y(2r)
//		and columns 8–15 in Y(2r+1)
//	Y12, Y13	the 16 B values of the current k step (then alpha, beta)
//	Y14, Y15	A values broadcast to all lanes, alternating by row
//
// Each k step is 2 loads of B, 6 broadcasts of A and 12 independent
// fused multiply-adds, enough to keep both FMA pipes of a Zen or
// Haswell core busy (12 chains ≥ 2 pipes × 4–5 cycles latency).

// STEP does k step s (0–3) of an unrolled group, whose B row is at
// brow: Y(2r), Y(2r+1) += A[s][r] · B[s][0:16] for r = 0…5.
#define STEP(s, brow) \
	VMOVUPS      brow, Y12             \
	VMOVUPS      32 brow, Y13          \
	VBROADCASTSS (s*24)(SI), Y14       \
	VFMADD231PS  Y12, Y14, Y0          \
	VFMADD231PS  Y13, Y14, Y1          \
	VBROADCASTSS (s*24+4)(SI), Y15     \
	VFMADD231PS  Y12, Y15, Y2          \
	VFMADD231PS  Y13, Y15, Y3          \
	VBROADCASTSS (s*24+8)(SI), Y14     \
	VFMADD231PS  Y12, Y14, Y4          \
	VFMADD231PS  Y13, Y14, Y5          \
	VBROADCASTSS (s*24+12)(SI), Y15    \
	VFMADD231PS  Y12, Y15, Y6          \
	VFMADD231PS  Y13, Y15, Y7          \
	VBROADCASTSS (s*24+16)(SI), Y14    \
	VFMADD231PS  Y12, Y14, Y8          \
	VFMADD231PS  Y13, Y14, Y9          \
	VBROADCASTSS (s*24+20)(SI), Y15    \
	VFMADD231PS  Y12, Y15, Y10         \
	VFMADD231PS  Y13, Y15, Y11

// ROWBETA stores row accumulators lo, hi as C = beta·C + acc (beta in
// Y13) and moves DX to the next row.
#define ROWBETA(lo, hi) \
	VFMADD231PS (DX), Y13, lo   \
	VMOVUPS     lo, (DX)        \
	VFMADD231PS 32(DX), Y13, hi \
	VMOVUPS     hi, 32(DX)      \
	ADDQ        R8, DX

// PREFETCHROW asks for the C row at R12 (both lines, if it is not 64-byte
// aligned) and moves R12 to the next row.
#define PREFETCHROW \
	PREFETCHT0 (R12)   \
	PREFETCHT0 60(R12) \
	ADDQ       R8, R12

// ROW stores row accumulators lo, hi as C = acc, not reading C.
#define ROW(lo, hi) \
	VMOVUPS lo, (DX)   \
	VMOVUPS hi, 32(DX) \
	ADDQ    R8, DX

// func kernelAVX2(kc int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32)
TEXT ·kernelAVX2(SB), NOSPLIT, $0-56
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), R9
	MOVQ c+32(FP), DX
	MOVQ ldc+40(FP), R8
	SHLQ $2, R8
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R10
	LEAQ (R9*4), R11

	// Fetch the C tile's lines now: the loop below hides their latency,
	// where the stores at the end would wait for them (C is often not
	// in cache: a weight gradient is written once per step). 60 bytes on
	// reaches a row's second line when it is not 64-byte aligned.
	MOVQ DX, R12
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW
	PREFETCHROW

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	MOVQ CX, BX
	ANDQ $3, BX // tail steps
	SHRQ $2, CX // groups of 4 steps
	JZ   tail

loop4:
	PREFETCHT0 (24*16)(SI)
	STEP(0, (DI))
	STEP(1, (DI)(R9*1))
	PREFETCHT0 (DI)(R11*2)
	STEP(2, (DI)(R9*2))
	STEP(3, (DI)(R10*1))
	ADDQ $(4*24), SI
	ADDQ R11, DI
	DECQ CX
	JNZ  loop4

tail:
	TESTQ BX, BX
	JZ    store

loop1:
	STEP(0, (DI))
	ADDQ $24, SI
	ADDQ R9, DI
	DECQ BX
	JNZ  loop1

store:
	// Scale by alpha (exact when alpha is 1).
	VBROADCASTSS alpha+48(FP), Y12
	VMULPS       Y12, Y0, Y0
	VMULPS       Y12, Y1, Y1
	VMULPS       Y12, Y2, Y2
	VMULPS       Y12, Y3, Y3
	VMULPS       Y12, Y4, Y4
	VMULPS       Y12, Y5, Y5
	VMULPS       Y12, Y6, Y6
	VMULPS       Y12, Y7, Y7
	VMULPS       Y12, Y8, Y8
	VMULPS       Y12, Y9, Y9
	VMULPS       Y12, Y10, Y10
	VMULPS       Y12, Y11, Y11

	// beta == ±0 (all bits but the sign clear): overwrite C unread.
	MOVL beta+52(FP), AX
	SHLL $1, AX
	JZ   overwrite

	VBROADCASTSS beta+52(FP), Y13
	ROWBETA(Y0, Y1)
	ROWBETA(Y2, Y3)
	ROWBETA(Y4, Y5)
	ROWBETA(Y6, Y7)
	ROWBETA(Y8, Y9)
	ROWBETA(Y10, Y11)
	VZEROUPPER
	RET

overwrite:
	ROW(Y0, Y1)
	ROW(Y2, Y3)
	ROW(Y4, Y5)
	ROW(Y6, Y7)
	ROW(Y8, Y9)
	ROW(Y10, Y11)
	VZEROUPPER
	RET

// func transpose8AVX2(blocks int, src *float32, lds int, dst *float32)
//
// Packs 8 columns of an nr-wide B panel from a transposed B: for each of
// blocks 8×8 blocks, the 8 rows src[r*lds : r*lds+8] (r = 0…7) become the
// 8 columns of dst[c*16 : c*16+8] (c = 0…7); then src moves 8 elements
// right and dst 8 panel rows (8·16 elements) down.
//
// Register use:
//	CX	blocks left
//	SI	source block; R8 = lds in bytes, R9 = 3·lds, R10 = source row 4
//	DI	destination block
//	Y0–Y7	the 8 source rows, then the 8 destination rows
//	Y8–Y15	intermediate interleavings
TEXT ·transpose8AVX2(SB), NOSPLIT, $0-32
	MOVQ blocks+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	MOVQ dst+24(FP), DI
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	TESTQ CX, CX
	JZ   done

block:
	LEAQ    (SI)(R8*4), R10
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(R8*1), Y5
	VMOVUPS (R10)(R8*2), Y6
	VMOVUPS (R10)(R9*1), Y7

	// Interleave row pairs: Y8 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], …
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	// Quads: Y0 = r0[0] r1[0] r2[0] r3[0] | the same of column 4, …
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	// Join the halves: column c of the block, rows 0–7.
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	VMOVUPS Y8, (0*64)(DI)
	VMOVUPS Y9, (1*64)(DI)
	VMOVUPS Y10, (2*64)(DI)
	VMOVUPS Y11, (3*64)(DI)
	VMOVUPS Y12, (4*64)(DI)
	VMOVUPS Y13, (5*64)(DI)
	VMOVUPS Y14, (6*64)(DI)
	VMOVUPS Y15, (7*64)(DI)

	ADDQ $32, SI
	ADDQ $(8*64), DI
	DECQ CX
	JNZ  block

done:
	VZEROUPPER
	RET

// func packA6AVX2(kb int, src *float32, lds int, dst *float32)
//
// Packs a full mr-high panel of an A that is not transposed: dst[l*6+i] =
// src[i*lds+l] for i = 0…5 and l < kb. Eight steps at a time, the 6×8
// block of the six rows is transposed in registers and stored as eight
// 6-float columns; the last kb%8 steps are copied one float at a time.
//
// Register use:
//	CX	groups of 8 steps left, then steps left
//	SI	row 0 at the current step; R10 = row 4
//	R8	lds in bytes, R9 = 3·lds
//	DI	destination: 6 floats (24 bytes) per step
//	Y0–Y5	the six rows, then columns
//	Y8–Y13	interleaved row pairs
TEXT ·packA6AVX2(SB), NOSPLIT, $0-32
	MOVQ kb+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	MOVQ dst+24(FP), DI
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ CX, BX
	ANDQ $7, BX // steps after the groups of 8
	SHRQ $3, CX
	JZ   tail

group:
	LEAQ    (SI)(R8*4), R10
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (R10), Y4
	VMOVUPS (R10)(R8*1), Y5

	// Y8 = r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], Y9 the
	// same of steps 2, 3 | 6, 7, and likewise rows 2, 3 and rows 4, 5.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13

	// Y0 = rows 0–3 of step 0 | of step 4, Y1 steps 1 | 5, Y2 steps
	// 2 | 6, Y3 steps 3 | 7.
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3

	// Step s: rows 0–3 at 24s, rows 4, 5 (a pair in Y12 or Y13) at 24s+16.
	VMOVUPS X0, 0(DI)
	VMOVLPS X12, 16(DI)
	VMOVUPS X1, 24(DI)
	VMOVHPS X12, 40(DI)
	VMOVUPS X2, 48(DI)
	VMOVLPS X13, 64(DI)
	VMOVUPS X3, 72(DI)
	VMOVHPS X13, 88(DI)
	VEXTRACTF128 $1, Y0, X0
	VEXTRACTF128 $1, Y1, X1
	VEXTRACTF128 $1, Y2, X2
	VEXTRACTF128 $1, Y3, X3
	VEXTRACTF128 $1, Y12, X12
	VEXTRACTF128 $1, Y13, X13
	VMOVUPS X0, 96(DI)
	VMOVLPS X12, 112(DI)
	VMOVUPS X1, 120(DI)
	VMOVHPS X12, 136(DI)
	VMOVUPS X2, 144(DI)
	VMOVLPS X13, 160(DI)
	VMOVUPS X3, 168(DI)
	VMOVHPS X13, 184(DI)

	ADDQ $32, SI
	ADDQ $(8*24), DI
	DECQ CX
	JNZ  group

tail:
	TESTQ BX, BX
	JZ    done
	LEAQ  (SI)(R8*4), R10

step:
	MOVL (SI), AX
	MOVL AX, 0(DI)
	MOVL (SI)(R8*1), AX
	MOVL AX, 4(DI)
	MOVL (SI)(R8*2), AX
	MOVL AX, 8(DI)
	MOVL (SI)(R9*1), AX
	MOVL AX, 12(DI)
	MOVL (R10), AX
	MOVL AX, 16(DI)
	MOVL (R10)(R8*1), AX
	MOVL AX, 20(DI)
	ADDQ $4, SI
	ADDQ $4, R10
	ADDQ $24, DI
	DECQ BX
	JNZ  step

done:
	VZEROUPPER
	RET

// func copyA6AVX2(kb int, src *float32, lds int, dst *float32)
//
// Packs a full mr-high panel of a transposed A: dst[l*6+i] = src[l*lds+i]
// for i = 0…5 and l < kb, 16 bytes and 8 bytes per step.
TEXT ·copyA6AVX2(SB), NOSPLIT, $0-32
	MOVQ  kb+0(FP), CX
	MOVQ  src+8(FP), SI
	MOVQ  lds+16(FP), R8
	MOVQ  dst+24(FP), DI
	SHLQ  $2, R8
	TESTQ CX, CX
	JZ    copydone

copystep:
	VMOVUPS (SI), X0
	MOVQ    16(SI), AX
	VMOVUPS X0, (DI)
	MOVQ    AX, 16(DI)
	ADDQ    R8, SI
	ADDQ    $24, DI
	DECQ    CX
	JNZ     copystep

copydone:
	RET

// func prefetchRowsAVX2(rows int, p *float32, ld int)
//
// Asks for the 64 bytes from p of each of rows rows, ld elements apart, to
// be fetched into L2 (PREFETCHT1: the panel they belong to is used after
// the one in L1). A row that is not 64-byte aligned spans two lines.
TEXT ·prefetchRowsAVX2(SB), NOSPLIT, $0-24
	MOVQ rows+0(FP), CX
	MOVQ p+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8
	TESTQ CX, CX
	JLE  pdone

prow:
	PREFETCHT1 (SI)
	PREFETCHT1 60(SI)
	ADDQ       R8, SI
	DECQ       CX
	JNZ        prow

pdone:
	RET
