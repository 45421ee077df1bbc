#include "textflag.h"

// The constants of sigmoidGo32 as bit patterns, four float64 (or eight
// float32) copies each to be memory operands of 256-bit instructions.
#define CONST4(name, bits) \
	DATA name+0(SB)/8, bits  \
	DATA name+8(SB)/8, bits  \
	DATA name+16(SB)/8, bits \
	DATA name+24(SB)/8, bits \
	GLOBL name(SB), RODATA|NOPTR, $32

CONST4(sigSign<>, $0x8000000000000000)  // sign bit, for t = −x
CONST4(sigLog2e<>, $0x3ff71547652b82fe)  // log2e
CONST4(sigRound<>, $0x4338000000000000)  // round = 1.5·2^52
CONST4(sigLn2Hi<>, $0x3fe62e42fee00000)  // ln2Hi
CONST4(sigLn2Lo<>, $0x3dea39ef35793c76)  // ln2Lo
CONST4(sigOne<>, $0x3ff0000000000000)    // 1
CONST4(sigC2<>, $0x3fe0000000000000)     // 1.0/2
CONST4(sigC6<>, $0x3fc5555555555555)     // 1.0/6
CONST4(sigC24<>, $0x3fa5555555555555)    // 1.0/24
CONST4(sigC120<>, $0x3f81111111111111)   // 1.0/120
CONST4(sigC720<>, $0x3f56c16c16c16c17)   // 1.0/720
CONST4(sigC5040<>, $0x3f2a01a01a01a01a)  // 1.0/5040
CONST4(sigC40320<>, $0x3efa01a01a01a01a) // 1.0/40320
CONST4(sigBias<>, $1023)                 // int64 exponent bias
CONST4(sigOne32<>, $0x3f8000003f800000)  // float32 1
CONST4(sigM120f<>, $0xc2f00000c2f00000)  // float32 −120
CONST4(sigP40f<>, $0x4220000042200000)   // float32 40

// EXP1 computes 1 + e^−x in float64 for the 8 float32 at (SI), with the
// instructions of sigmoidGo32's loop body in its order and without fused
// multiply-adds, so every lane is rounded exactly as the Go code rounds it.
// The inputs are widened to two vectors of 4 float64, A in the even
// registers Y2…Y14 and B in the odd ones; lanes whose t is outside
// (−40, 120) are computed too, into garbage. Leaves the results in Y10 (A)
// and Y11 (B) and does not touch Y0, Y1.
//
// Register use:
//	Y2, Y3	t = −x, then r
//	Y4, Y5	t·log2e + round, whose low bits hold k; then 2^k
//	Y6, Y7	k, then r²
//	Y8, Y9	r⁴
//	Y10–Y15	temporaries, then p03 and p47 in Y10–Y13
//
// 2^k = Float64frombits(uint64(k+1023)<<52) is built from the bits of
// t·log2e + round, k + 0x4338000000000000: the shift drops all but k + 1023.
#define EXP1 \
	VCVTPS2PD (SI), Y2                 \
	VCVTPS2PD 16(SI), Y3               \
	VXORPD    sigSign<>(SB), Y2, Y2    \
	VXORPD    sigSign<>(SB), Y3, Y3    \
	VMULPD    sigLog2e<>(SB), Y2, Y4   \
	VMULPD    sigLog2e<>(SB), Y3, Y5   \
	VADDPD    sigRound<>(SB), Y4, Y4   \
	VADDPD    sigRound<>(SB), Y5, Y5   \
	VSUBPD    sigRound<>(SB), Y4, Y6   \
	VSUBPD    sigRound<>(SB), Y5, Y7   \
	VMULPD    sigLn2Hi<>(SB), Y6, Y10  \
	VMULPD    sigLn2Hi<>(SB), Y7, Y11  \
	VSUBPD    Y10, Y2, Y2              \
	VSUBPD    Y11, Y3, Y3              \
	VMULPD    sigLn2Lo<>(SB), Y6, Y10  \
	VMULPD    sigLn2Lo<>(SB), Y7, Y11  \
	VSUBPD    Y10, Y2, Y2              \
	VSUBPD    Y11, Y3, Y3              \
	VMULPD    Y2, Y2, Y6               \
	VMULPD    Y3, Y3, Y7               \
	VMULPD    Y6, Y6, Y8               \
	VMULPD    Y7, Y7, Y9               \
	VMULPD    sigC6<>(SB), Y2, Y10     \
	VMULPD    sigC6<>(SB), Y3, Y11     \
	VADDPD    sigC2<>(SB), Y10, Y10    \
	VADDPD    sigC2<>(SB), Y11, Y11    \
	VMULPD    Y10, Y6, Y10             \
	VMULPD    Y11, Y7, Y11             \
	VADDPD    sigOne<>(SB), Y2, Y12    \
	VADDPD    sigOne<>(SB), Y3, Y13    \
	VADDPD    Y10, Y12, Y10            \
	VADDPD    Y11, Y13, Y11            \
	VMULPD    sigC120<>(SB), Y2, Y12   \
	VMULPD    sigC120<>(SB), Y3, Y13   \
	VADDPD    sigC24<>(SB), Y12, Y12   \
	VADDPD    sigC24<>(SB), Y13, Y13   \
	VMULPD    sigC5040<>(SB), Y2, Y14  \
	VMULPD    sigC5040<>(SB), Y3, Y15  \
	VADDPD    sigC720<>(SB), Y14, Y14  \
	VADDPD    sigC720<>(SB), Y15, Y15  \
	VMULPD    Y14, Y6, Y14             \
	VMULPD    Y15, Y7, Y15             \
	VADDPD    Y14, Y12, Y12            \
	VADDPD    Y15, Y13, Y13            \
	VMULPD    sigC40320<>(SB), Y8, Y14 \
	VMULPD    sigC40320<>(SB), Y9, Y15 \
	VADDPD    Y14, Y12, Y12            \
	VADDPD    Y15, Y13, Y13            \
	VMULPD    Y12, Y8, Y12             \
	VMULPD    Y13, Y9, Y13             \
	VADDPD    Y12, Y10, Y10            \
	VADDPD    Y13, Y11, Y11            \
	VPADDQ    sigBias<>(SB), Y4, Y4    \
	VPADDQ    sigBias<>(SB), Y5, Y5    \
	VPSLLQ    $52, Y4, Y4              \
	VPSLLQ    $52, Y5, Y5              \
	VMULPD    Y4, Y10, Y10             \
	VMULPD    Y5, Y11, Y11             \
	VADDPD    sigOne<>(SB), Y10, Y10   \
	VADDPD    sigOne<>(SB), Y11, Y11

// STORE32 finishes the 8 elements whose 1 + e^−x EXP1 left in Y0, Y1 and
// whose x are at -32(SI): it divides, rounds to float32, replaces the lanes
// outside (−40, 120) and stores the 8 results at (DI), using Y2–Y6. The
// CMPPS predicates are 3 (unordered: NaN gives x), 2 (x ≤ −120, that is
// t ≥ 120, gives 0) and 13 (x ≥ 40, t ≤ −40, gives 1); the latter two are
// false for NaN, as the Go code's comparisons are.
#define STORE32 \
	VMOVUPD     sigOne<>(SB), Y2              \
	VDIVPD      Y0, Y2, Y0                    \
	VDIVPD      Y1, Y2, Y1                    \
	VCVTPD2PSY  Y0, X0                        \
	VCVTPD2PSY  Y1, X1                        \
	VINSERTF128 $1, X1, Y0, Y0                \
	VMOVUPS     -32(SI), Y3                   \
	VCMPPS      $3, Y3, Y3, Y4                \
	VBLENDVPS   Y4, Y3, Y0, Y0                \
	VCMPPS      $2, sigM120f<>(SB), Y3, Y5    \
	VANDNPS     Y0, Y5, Y0                    \
	VCMPPS      $13, sigP40f<>(SB), Y3, Y6    \
	VBLENDVPS   Y6, sigOne32<>(SB), Y0, Y0    \
	VMOVUPS     Y0, (DI)

// func sigmoid32AVX2(dst, src *float32, n int)
//
// n is a positive multiple of 8. The loop is software-pipelined: each
// iteration starts 8 elements (EXP1) and then finishes the previous 8
// (STORE32). The dependency chain of 8 elements is longer than the
// out-of-order window covers; split so, it runs 15 % faster on Zen 3.
TEXT ·sigmoid32AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	EXP1
	VMOVAPD Y10, Y0
	VMOVAPD Y11, Y1
	ADDQ    $32, SI
	SUBQ    $8, CX
	JZ      last

loop:
	EXP1
	STORE32
	VMOVAPD Y10, Y0
	VMOVAPD Y11, Y1
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     loop

last:
	STORE32
	VZEROUPPER
	RET

// func sigmoid64AVX2(dst *float64, src *float32, n int)
//
// n is a positive multiple of 8: the float64 quotients 1/(1 + e^−x) of
// sigmoid32AVX2, before the rounding and the saturation, for testing them
// more finely than through float32.
TEXT ·sigmoid64AVX2(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVUPD sigOne<>(SB), Y1

loop64:
	EXP1
	VDIVPD  Y10, Y1, Y10
	VDIVPD  Y11, Y1, Y11
	VMOVUPD Y10, (DI)
	VMOVUPD Y11, 32(DI)
	ADDQ    $32, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JNZ     loop64
	VZEROUPPER
	RET

// func sigmoidGrad32AVX2(dx, y, dy *float32, n int)
//
// n is a positive multiple of 8: dx[i] = dy[i]·(y[i]·(1 − y[i])), 32
// elements an iteration and then 8. The first source operand of each
// instruction is the one the Go compiler makes it (1, then 1 − y, then
// y·(1 − y)), so even the payload of a NaN result is the Go code's.
TEXT ·sigmoidGrad32AVX2(SB), NOSPLIT, $0-32
	MOVQ    dx+0(FP), DI
	MOVQ    y+8(FP), SI
	MOVQ    dy+16(FP), DX
	MOVQ    n+24(FP), CX
	VMOVUPS sigOne32<>(SB), Y15
	CMPQ    CX, $32
	JLT     tail

loop32:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPS  Y0, Y15, Y4
	VSUBPS  Y1, Y15, Y5
	VSUBPS  Y2, Y15, Y6
	VSUBPS  Y3, Y15, Y7
	VMULPS  Y0, Y4, Y4
	VMULPS  Y1, Y5, Y5
	VMULPS  Y2, Y6, Y6
	VMULPS  Y3, Y7, Y7
	VMULPS  (DX), Y4, Y4
	VMULPS  32(DX), Y5, Y5
	VMULPS  64(DX), Y6, Y6
	VMULPS  96(DX), Y7, Y7
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DX
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     loop32
	TESTQ   CX, CX
	JZ      done

tail:
	VMOVUPS (SI), Y0
	VSUBPS  Y0, Y15, Y4
	VMULPS  Y0, Y4, Y4
	VMULPS  (DX), Y4, Y4
	VMOVUPS Y4, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     tail

done:
	VZEROUPPER
	RET
