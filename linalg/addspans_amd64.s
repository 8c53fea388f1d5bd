#include "textflag.h"

// func addSpans16(row *int32, terms *uint16, spans *uint32, nspans int)
//
// For each of the nspans (from, to) pairs at spans, adds one to row[y] for
// every y in terms[from:to]. The caller guarantees every such y indexes row.
//
// It is the Go loop of spanDenseRows (binary, 16-bit terms) with two things
// Go cannot express: a software prefetch of the terms of the span two ahead
// (each span is a different document, so its terms are a cache miss that the
// hardware cannot predict), and a loop unrolled by four.
TEXT ·addSpans16(SB), NOSPLIT, $0-32
	MOVQ row+0(FP), DI
	MOVQ terms+8(FP), SI
	MOVQ spans+16(FP), R8
	MOVQ nspans+24(FP), R9
	TESTQ R9, R9
	JZ done

span:
	CMPQ R9, $2
	JLE noprefetch
	MOVL 16(R8), R12         // from of the span two ahead
	LEAQ (SI)(R12*2), R12
	PREFETCHT0 (R12)         // 256 bytes: the 128 terms of a long review
	PREFETCHT0 64(R12)
	PREFETCHT0 128(R12)
	PREFETCHT0 192(R12)

noprefetch:
	MOVL 0(R8), R10          // from
	MOVL 4(R8), CX           // to
	LEAQ (SI)(R10*2), R11    // &terms[from]
	LEAQ (SI)(CX*2), R13     // &terms[to]
	LEAQ -8(R13), R14        // the last place a group of four may start

loop4:
	CMPQ R11, R14
	JA tail
	MOVWLZX 0(R11), AX
	MOVWLZX 2(R11), BX
	MOVWLZX 4(R11), CX
	MOVWLZX 6(R11), DX
	INCL (DI)(AX*4)
	INCL (DI)(BX*4)
	INCL (DI)(CX*4)
	INCL (DI)(DX*4)
	ADDQ $8, R11
	JMP loop4

tail:
	CMPQ R11, R13
	JAE next
	MOVWLZX 0(R11), AX
	INCL (DI)(AX*4)
	ADDQ $2, R11
	JMP tail

next:
	ADDQ $8, R8
	DECQ R9
	JNZ span

done:
	RET
