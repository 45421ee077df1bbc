#include "textflag.h"

// func sgdAVX2(theta, grad *float32, n int, lr float64)
// 16 elements an iteration: widen to float64, lr·g, θ − lr·g, round to
// float32 — the scalar code's operations in its order (no FMA: Go does not
// fuse them either).
TEXT ·sgdAVX2(SB), NOSPLIT, $0-32
	MOVQ         theta+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD lr+24(FP), Y15

sgdloop:
	VCVTPS2PD  (SI), Y0
	VCVTPS2PD  16(SI), Y1
	VCVTPS2PD  32(SI), Y2
	VCVTPS2PD  48(SI), Y3
	VCVTPS2PD  (DI), Y4
	VCVTPS2PD  16(DI), Y5
	VCVTPS2PD  32(DI), Y6
	VCVTPS2PD  48(DI), Y7
	VMULPD     Y15, Y0, Y0
	VMULPD     Y15, Y1, Y1
	VMULPD     Y15, Y2, Y2
	VMULPD     Y15, Y3, Y3
	VSUBPD     Y0, Y4, Y4
	VSUBPD     Y1, Y5, Y5
	VSUBPD     Y2, Y6, Y6
	VSUBPD     Y3, Y7, Y7
	VCVTPD2PSY Y4, X4
	VCVTPD2PSY Y5, X5
	VCVTPD2PSY Y6, X6
	VCVTPD2PSY Y7, X7
	VMOVUPS    X4, (DI)
	VMOVUPS    X5, 16(DI)
	VMOVUPS    X6, 32(DI)
	VMOVUPS    X7, 48(DI)
	ADDQ       $64, SI
	ADDQ       $64, DI
	SUBQ       $16, CX
	JNZ        sgdloop
	VZEROUPPER
	RET

// func finiteAVX2(d *float32, n int) bool
// An element is NaN or ±Inf when its exponent bits are all ones: OR
// together, per lane, the comparisons of (x AND exponent mask) with the
// mask; 32 elements an iteration.
TEXT ·finiteAVX2(SB), NOSPLIT, $0-17
	MOVQ         d+0(FP), SI
	MOVQ         n+8(FP), CX
	MOVL         $0x7f800000, AX
	MOVL         AX, X15
	VPBROADCASTD X15, Y15
	VPXOR        Y8, Y8, Y8

finloop:
	VPAND   (SI), Y15, Y0
	VPAND   32(SI), Y15, Y1
	VPAND   64(SI), Y15, Y2
	VPAND   96(SI), Y15, Y3
	VPCMPEQD Y15, Y0, Y0
	VPCMPEQD Y15, Y1, Y1
	VPCMPEQD Y15, Y2, Y2
	VPCMPEQD Y15, Y3, Y3
	VPOR    Y0, Y1, Y1
	VPOR    Y2, Y3, Y3
	VPOR    Y1, Y8, Y8
	VPOR    Y3, Y8, Y8
	ADDQ    $128, SI
	SUBQ    $32, CX
	JNZ     finloop
	VPTEST  Y8, Y8
	SETEQ   ret+16(FP)
	VZEROUPPER
	RET

// func addAVX2(dst, x, y *float32, n int)
// 32 elements an iteration. All loads of an iteration come before its
// stores, so dst may be x or y.
TEXT ·addAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX

addloop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS  (DX), Y0, Y0
	VADDPS  32(DX), Y1, Y1
	VADDPS  64(DX), Y2, Y2
	VADDPS  96(DX), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DX
	ADDQ    $128, DI
	SUBQ    $32, CX
	JNZ     addloop
	VZEROUPPER
	RET

// func adamAVX2(theta, grad *float32, m, v *float64, n int, c *adamConsts)
// 4 elements an iteration, each operation of adamGo in its order, no FMA.
// c: lr 0, beta1 8, beta2 16, eps 24, bc1 32, bc2 40, 1−beta1 48, 1−beta2 56.
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ         theta+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), R8
	MOVQ         v+24(FP), R9
	MOVQ         n+32(FP), CX
	MOVQ         c+40(FP), AX
	VBROADCASTSD 0(AX), Y8   // lr
	VBROADCASTSD 8(AX), Y9   // beta1
	VBROADCASTSD 16(AX), Y10 // beta2
	VBROADCASTSD 24(AX), Y11 // eps
	VBROADCASTSD 32(AX), Y12 // bc1
	VBROADCASTSD 40(AX), Y13 // bc2
	VBROADCASTSD 48(AX), Y14 // 1 − beta1
	VBROADCASTSD 56(AX), Y15 // 1 − beta2

adamloop:
	VCVTPS2PD (SI), Y0       // g
	VMULPD    (R8), Y9, Y1   // beta1·m
	VMULPD    Y0, Y14, Y2    // (1−beta1)·g
	VADDPD    Y2, Y1, Y1     // m
	VMOVUPD   Y1, (R8)
	VMULPD    (R9), Y10, Y3  // beta2·v
	VMULPD    Y0, Y15, Y4    // (1−beta2)·g
	VMULPD    Y0, Y4, Y4     // ·g
	VADDPD    Y4, Y3, Y3     // v
	VMOVUPD   Y3, (R9)
	VDIVPD    Y12, Y1, Y1    // mhat = m/bc1
	VDIVPD    Y13, Y3, Y3    // vhat = v/bc2
	VSQRTPD   Y3, Y3
	VADDPD    Y11, Y3, Y3    // √vhat + eps
	VMULPD    Y1, Y8, Y1     // lr·mhat
	VDIVPD    Y3, Y1, Y1     // lr·mhat / (√vhat + eps)
	VCVTPS2PD (DI), Y5
	VSUBPD    Y1, Y5, Y5     // θ − step
	VCVTPD2PSY Y5, X5
	VMOVUPS   X5, (DI)
	ADDQ      $16, SI
	ADDQ      $16, DI
	ADDQ      $32, R8
	ADDQ      $32, R9
	SUBQ      $4, CX
	JNZ       adamloop
	VZEROUPPER
	RET

// func momentumAVX2(theta, grad *float32, v *float64, n int, lr, gamma float64)
// 8 elements an iteration: γ·v, lr·g, their sum (the new v), θ − v rounded
// to float32 — momentumGo's operations in its order, no FMA.
TEXT ·momentumAVX2(SB), NOSPLIT, $0-48
	MOVQ         theta+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         v+16(FP), R8
	MOVQ         n+24(FP), CX
	VBROADCASTSD lr+32(FP), Y14
	VBROADCASTSD gamma+40(FP), Y15

momloop:
	VCVTPS2PD  (SI), Y0        // g
	VCVTPS2PD  16(SI), Y1
	VMULPD     (R8), Y15, Y2   // γ·v
	VMULPD     32(R8), Y15, Y3
	VMULPD     Y0, Y14, Y0     // lr·g
	VMULPD     Y1, Y14, Y1
	VADDPD     Y0, Y2, Y2      // v
	VADDPD     Y1, Y3, Y3
	VMOVUPD    Y2, (R8)
	VMOVUPD    Y3, 32(R8)
	VCVTPS2PD  (DI), Y4        // θ
	VCVTPS2PD  16(DI), Y5
	VSUBPD     Y2, Y4, Y4      // θ − v
	VSUBPD     Y3, Y5, Y5
	VCVTPD2PSY Y4, X4
	VCVTPD2PSY Y5, X5
	VMOVUPS    X4, (DI)
	VMOVUPS    X5, 16(DI)
	ADDQ       $32, SI
	ADDQ       $32, DI
	ADDQ       $64, R8
	SUBQ       $8, CX
	JNZ        momloop
	VZEROUPPER
	RET
