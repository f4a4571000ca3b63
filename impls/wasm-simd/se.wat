;; Fused SE block kernels, WebAssembly SIMD128, assembled at run time by wabt
;; (impls/wasm-simd/assemble.ts). JS (block.ts plans the heap, pipeline.mjs calls)
;; in order: pool -> gemm (fc1) -> activate -> gemm (fc2) -> activate (gate) ->
;; compact -> scale. Every pointer is a byte offset into the one memory; every
;; count is in float32 elements. Unaligned v128 loads are legal and cheap on the
;; CPUs we target, so planes need no alignment (a 7x7 plane is 196 bytes).
(module
  ;; The line below is rewritten for the shared-memory (threads) build.
  (import "env" "memory" (memory 1)) ;;MEMORY

  ;; Constants of the activations inlined in activate (see the note there). Never written.
  (global $EXP_LO (mut v128) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))
  (global $EXP_HI (mut v128) (v128.const f32x4 88.3 88.3 88.3 88.3))
  (global $LOG2E (mut v128) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
  (global $ROUND (mut v128) (v128.const f32x4 12582912 12582912 12582912 12582912))
  (global $LN2_HI (mut v128) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
  (global $LN2_LO (mut v128) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
  (global $P0 (mut v128) (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
  (global $P1 (mut v128) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
  (global $P2 (mut v128) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
  (global $P3 (mut v128) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
  (global $P4 (mut v128) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
  (global $P5 (mut v128) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))
  (global $ONE (mut v128) (v128.const f32x4 1 1 1 1))
  (global $EXP_BIAS (mut v128) (v128.const i32x4 127 127 127 127))
  ;; hardsigmoid's, and silu's -inf test and its NaN result.
  (global $THREE (mut v128) (v128.const f32x4 3 3 3 3))
  (global $SIX (mut v128) (v128.const f32x4 6 6 6 6))
  (global $NEG_INF (mut v128) (v128.const f32x4 -inf -inf -inf -inf))
  (global $NAN (mut v128) (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000))

  ;; pool_avg(x, s, planes, hw): s[p] = mean of plane p (hw values from x + p*hw).
  ;; Four independent f32x4 accumulators (16 values per iteration) for ILP; they
  ;; also split the sum 16 ways, which keeps float32 rounding near sqrt(hw/16) ulp.
  (func (export "pool_avg") (param $x i32) (param $s i32) (param $planes i32) (param $hw i32)
    (local $end i32) (local $end16 i32) (local $end4 i32) (local $p i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $sum f32) (local $n f32)
    (local.set $n (f32.convert_i32_u (local.get $hw)))
    (block $planes_done
      (loop $plane
        (br_if $planes_done (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $end (i32.add (local.get $x) (i32.shl (local.get $hw) (i32.const 2))))
        (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $hw) (i32.const -16)) (i32.const 2))))
        (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $hw) (i32.const -4)) (i32.const 2))))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (block $d16 (loop $l16
          (br_if $d16 (i32.ge_u (local.get $x) (local.get $end16)))
          (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 align=4 (local.get $x))))
          (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 align=4 (local.get $x))))
          (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 align=4 (local.get $x))))
          (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 align=4 (local.get $x))))
          (local.set $x (i32.add (local.get $x) (i32.const 64)))
          (br $l16)))
        (block $d4 (loop $l4
          (br_if $d4 (i32.ge_u (local.get $x) (local.get $end4)))
          (local.set $a0 (f32x4.add (local.get $a0) (v128.load align=4 (local.get $x))))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (br $l4)))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (local.set $sum (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $x) (local.get $end)))
          (local.set $sum (f32.add (local.get $sum) (f32.load (local.get $x))))
          (local.set $x (i32.add (local.get $x) (i32.const 4)))
          (br $l1)))
        ;; A division, as PyTorch's mean does (x * (1/hw) would round twice).
        (f32.store (local.get $s) (f32.div (local.get $sum) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $plane))))

  ;; pool_max(x, s, planes, hw): s[p] = max of plane p. f32x4.max / f32.max return
  ;; NaN when either operand is NaN, so a NaN anywhere wins, as in PyTorch.
  (func (export "pool_max") (param $x i32) (param $s i32) (param $planes i32) (param $hw i32)
    (local $end i32) (local $end16 i32) (local $end4 i32) (local $p i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $m f32)
    (block $planes_done
      (loop $plane
        (br_if $planes_done (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $end (i32.add (local.get $x) (i32.shl (local.get $hw) (i32.const 2))))
        (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $hw) (i32.const -16)) (i32.const 2))))
        (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $hw) (i32.const -4)) (i32.const 2))))
        (local.set $a0 (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $a1 (local.get $a0))
        (local.set $a2 (local.get $a0))
        (local.set $a3 (local.get $a0))
        (block $d16 (loop $l16
          (br_if $d16 (i32.ge_u (local.get $x) (local.get $end16)))
          (local.set $a0 (f32x4.max (local.get $a0) (v128.load offset=0 align=4 (local.get $x))))
          (local.set $a1 (f32x4.max (local.get $a1) (v128.load offset=16 align=4 (local.get $x))))
          (local.set $a2 (f32x4.max (local.get $a2) (v128.load offset=32 align=4 (local.get $x))))
          (local.set $a3 (f32x4.max (local.get $a3) (v128.load offset=48 align=4 (local.get $x))))
          (local.set $x (i32.add (local.get $x) (i32.const 64)))
          (br $l16)))
        (block $d4 (loop $l4
          (br_if $d4 (i32.ge_u (local.get $x) (local.get $end4)))
          (local.set $a0 (f32x4.max (local.get $a0) (v128.load align=4 (local.get $x))))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (br $l4)))
        (local.set $a0 (f32x4.max (f32x4.max (local.get $a0) (local.get $a1)) (f32x4.max (local.get $a2) (local.get $a3))))
        (local.set $m (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.max (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $x) (local.get $end)))
          (local.set $m (f32.max (local.get $m) (f32.load (local.get $x))))
          (local.set $x (i32.add (local.get $x) (i32.const 4)))
          (br $l1)))
        (f32.store (local.get $s) (local.get $m))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $plane))))

  ;; gemm(in, inStride, rows, w, k, m, bias, out, p0, p1):
  ;;   out[r*m + j] = bias[j] + sum_{kk<k} in[r*inStride + kk] * W[kk, j]
  ;; for r < rows and j in panels [p0, p1) (j from 16*p0 to 16*p1; threads take
  ;; disjoint panel ranges); m is a multiple of 16 and W is packed in panels of 16
  ;; outputs: panel p holds W[0..k, 16p..16p+16) as k consecutive 64-byte rows,
  ;; so the inner loop streams through memory (a [k, m] row-major W made every
  ;; k step jump m*4 bytes, which at m = 2048 maps all of them to one L1 set).
  ;; k = 0 leaves out = bias (hidden width 0, as PyTorch).
  (func (export "gemm") (param $in i32) (param $inStride i32) (param $rows i32) (param $w i32)
      (param $k i32) (param $m i32) (param $bias i32) (param $out i32) (param $p0 i32) (param $p1 i32)
    (local $r i32) (local $j i32) (local $jEnd i32) (local $in0 i32) (local $o0 i32) (local $wp i32) (local $rowBytes i32) (local $inBytes i32)
    (local.set $rowBytes (i32.shl (local.get $m) (i32.const 2)))
    (local.set $inBytes (i32.shl (local.get $inStride) (i32.const 2)))
    ;; j runs over byte offsets within an output row: 64 bytes per panel.
    (local.set $j (i32.shl (local.get $p0) (i32.const 6)))
    (local.set $jEnd (i32.shl (local.get $p1) (i32.const 6)))
    ;; Panels outer, row pairs inner: one panel (k * 64 bytes) stays in L1/L2
    ;; while every row pair streams through it.
    (block $cols_done (loop $col
      (br_if $cols_done (i32.ge_u (local.get $j) (local.get $jEnd)))
      ;; Panel j/64 starts at w + (j/64) * k * 64 = w + j * k.
      (local.set $wp (i32.add (local.get $w) (i32.mul (local.get $j) (local.get $k))))
      (local.set $r (i32.const 0))
      (block $rows_done (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $in0 (i32.add (local.get $in) (i32.mul (local.get $r) (local.get $inBytes))))
        (local.set $o0 (i32.add (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $rowBytes))) (local.get $j)))
        (if (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows))
          (then (call $panel2 (local.get $in0) (i32.add (local.get $in0) (local.get $inBytes)) (local.get $wp) (local.get $k)
            (i32.add (local.get $bias) (local.get $j)) (local.get $o0) (i32.add (local.get $o0) (local.get $rowBytes))))
          (else (call $panel1 (local.get $in0) (local.get $wp) (local.get $k)
            (i32.add (local.get $bias) (local.get $j)) (local.get $o0))))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $row)))
      (local.set $j (i32.add (local.get $j) (i32.const 64)))
      (br $col))))

  ;; One 2-row x 16-output tile: 8 f32x4 accumulators; each weight vector load
  ;; feeds two multiply-adds and each input splat feeds four.
  (func $panel2 (param $in0 i32) (param $in1 i32) (param $wp i32) (param $k i32) (param $bias i32) (param $o0 i32) (param $o1 i32)
    (local $end i32) (local $s0 v128) (local $s1 v128) (local $v v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local.set $c00 (v128.load offset=0 (local.get $bias)))
    (local.set $c01 (v128.load offset=16 (local.get $bias)))
    (local.set $c02 (v128.load offset=32 (local.get $bias)))
    (local.set $c03 (v128.load offset=48 (local.get $bias)))
    (local.set $c10 (local.get $c00))
    (local.set $c11 (local.get $c01))
    (local.set $c12 (local.get $c02))
    (local.set $c13 (local.get $c03))
    (local.set $end (i32.add (local.get $in0) (i32.shl (local.get $k) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $in0) (local.get $end)))
      (local.set $s0 (v128.load32_splat (local.get $in0)))
      (local.set $s1 (v128.load32_splat (local.get $in1)))
      (local.set $v (v128.load offset=0 (local.get $wp)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $v) (local.get $s0))))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $v) (local.get $s1))))
      (local.set $v (v128.load offset=16 (local.get $wp)))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $v) (local.get $s0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $v) (local.get $s1))))
      (local.set $v (v128.load offset=32 (local.get $wp)))
      (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $v) (local.get $s0))))
      (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $v) (local.get $s1))))
      (local.set $v (v128.load offset=48 (local.get $wp)))
      (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $v) (local.get $s0))))
      (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $v) (local.get $s1))))
      (local.set $in0 (i32.add (local.get $in0) (i32.const 4)))
      (local.set $in1 (i32.add (local.get $in1) (i32.const 4)))
      (local.set $wp (i32.add (local.get $wp) (i32.const 64)))
      (br $l)))
    (v128.store offset=0 (local.get $o0) (local.get $c00))
    (v128.store offset=16 (local.get $o0) (local.get $c01))
    (v128.store offset=32 (local.get $o0) (local.get $c02))
    (v128.store offset=48 (local.get $o0) (local.get $c03))
    (v128.store offset=0 (local.get $o1) (local.get $c10))
    (v128.store offset=16 (local.get $o1) (local.get $c11))
    (v128.store offset=32 (local.get $o1) (local.get $c12))
    (v128.store offset=48 (local.get $o1) (local.get $c13)))

  ;; The 1-row tile for an odd last row (and batch-1 groups).
  (func $panel1 (param $in0 i32) (param $wp i32) (param $k i32) (param $bias i32) (param $o0 i32)
    (local $end i32) (local $s0 v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local.set $c00 (v128.load offset=0 (local.get $bias)))
    (local.set $c01 (v128.load offset=16 (local.get $bias)))
    (local.set $c02 (v128.load offset=32 (local.get $bias)))
    (local.set $c03 (v128.load offset=48 (local.get $bias)))
    (local.set $end (i32.add (local.get $in0) (i32.shl (local.get $k) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $in0) (local.get $end)))
      (local.set $s0 (v128.load32_splat (local.get $in0)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load offset=0 (local.get $wp)) (local.get $s0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (v128.load offset=16 (local.get $wp)) (local.get $s0))))
      (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (v128.load offset=32 (local.get $wp)) (local.get $s0))))
      (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (v128.load offset=48 (local.get $wp)) (local.get $s0))))
      (local.set $in0 (i32.add (local.get $in0) (i32.const 4)))
      (local.set $wp (i32.add (local.get $wp) (i32.const 64)))
      (br $l)))
    (v128.store offset=0 (local.get $o0) (local.get $c00))
    (v128.store offset=16 (local.get $o0) (local.get $c01))
    (v128.store offset=32 (local.get $o0) (local.get $c02))
    (v128.store offset=48 (local.get $o0) (local.get $c03)))

  ;; exp on four lanes, Cephes expf: n = round(x / ln2), r = x - n*ln2 in two
  ;; parts (Cody-Waite), degree-6 polynomial, times 2^n built in the exponent
  ;; bits. About 1 ulp. x is clamped to [-87.3, 88.3] so 2^n stays a normal
  ;; float (callers only need exp for sigmoid/tanh, where the clamp is invisible);
  ;; a NaN stays NaN. Used by tanh; the gate sigmoid inlines the same steps.
  (func $exp4 (param $x v128) (result v128)
    (local $t v128) (local $n v128) (local $r v128) (local $p v128)
      ;; pmax/pmin are one instruction each (min/max need ~8 for their -0 rules);
      ;; with x first, a NaN x fails both comparisons and passes through.
      (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))
                                (v128.const f32x4 88.3 88.3 88.3 88.3)))
      ;; t = x/ln2 + 1.5*2^23 rounds x/ln2 to the nearest integer n, which sits in
      ;; t's low mantissa bits; cheaper than f32x4.nearest plus i32x4.trunc_sat.
      (local.set $t (f32x4.add (f32x4.mul (local.get $x)
          (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
        (v128.const f32x4 12582912 12582912 12582912 12582912)))
      (local.set $n (f32x4.sub (local.get $t) (v128.const f32x4 12582912 12582912 12582912 12582912)))
      (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
      (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
      (local.set $p (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r))
                               (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
      (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
                               (v128.const f32x4 1 1 1 1)))
      ;; 2^n: (n + 127) << 23; adding 127 to t's bits adds it to n (t's upper bits shift out).
      (local.set $p (f32x4.mul (local.get $p)
        (i32x4.shl (i32x4.add (local.get $t) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
    (local.get $p))

  ;; tanh: for |x| >= 0.625, sign(x) (1 - e) / (1 + e) with e = exp(-2|x|) (no
  ;; overflow for any x); below, where 1 - e would cancel, Cephes' odd
  ;; polynomial x + x^3 P(x^2). Both are computed and one picked per lane;
  ;; only the hidden activation uses this, on N * C/r values.
  (func $tanh4 (param $x v128) (result v128)
    (local $e v128) (local $big v128) (local $z v128) (local $small v128)
    (local.set $e (call $exp4 (f32x4.mul (f32x4.abs (local.get $x)) (v128.const f32x4 -2 -2 -2 -2))))
    (local.set $big (v128.bitselect (local.get $x)
      (f32x4.div (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $e)) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e)))
      (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
    (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $small (f32x4.add (f32x4.mul (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3) (local.get $z))
                                 (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z)) (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z)) (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1)))
    (local.set $small (f32x4.add (f32x4.mul (local.get $small) (local.get $z)) (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1)))
    (local.set $small (f32x4.add (f32x4.mul (f32x4.mul (local.get $small) (local.get $z)) (local.get $x)) (local.get $x)))
    ;; The mask is false for NaN, which then comes through the exp branch as NaN.
    (v128.bitselect (local.get $small) (local.get $big)
      (f32x4.lt (f32x4.abs (local.get $x)) (v128.const f32x4 0.625 0.625 0.625 0.625))))

  ;; activate(ptr, count, kind): in place on count floats (a multiple of 8;
  ;; block.ts pads to 16); kind 0 relu (max(x, 0) keeps NaN, as torch.relu),
  ;; 1 tanh, 2 sigmoid, 3 silu (x * sigmoid(x), as x / (1 + exp(-x)) like
  ;; PyTorch), 4 hardsigmoid (PyTorch's min(max(x + 3, 0), 6) / 6). One loop per
  ;; kind (sigmoid and silu share one): a kind branch per vector plus a call
  ;; per vector (V8 does not inline it, and spills live vectors around it) made
  ;; the gate loop several times slower than the inlined sigmoid below.
  ;; Any other kind is a trap (unreachable), never a silent fallback.
  (func (export "activate") (param $ptr i32) (param $count i32) (param $kind i32)
    (local $end i32) (local $x v128) (local $t v128) (local $n v128) (local $r v128) (local $p v128)
    (local $x2 v128) (local $t2 v128) (local $n2 v128) (local $r2 v128) (local $p2 v128)
    (local $c_lo v128) (local $c_hi v128) (local $c_log2e v128) (local $c_round v128) (local $c_ln2hi v128) (local $c_ln2lo v128) (local $c_p0 v128) (local $c_p1 v128) (local $c_p2 v128) (local $c_p3 v128) (local $c_p4 v128) (local $c_p5 v128) (local $c_one v128) (local $c_bias127 v128)
    (local $silu v128) (local $in v128) (local $in2 v128) (local $c_ninf v128) (local $c_nan v128)
    (local.set $end (i32.add (local.get $ptr) (i32.shl (local.get $count) (i32.const 2))))
    (if (i32.gt_u (local.get $kind) (i32.const 4)) (then (unreachable)))
    (if (i32.eqz (local.get $kind))
      (then
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $ptr) (local.get $end)))
          (v128.store (local.get $ptr) (f32x4.max (v128.load (local.get $ptr)) (v128.const i32x4 0 0 0 0)))
          (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
          (br $l)))
        (return)))
    (if (i32.eq (local.get $kind) (i32.const 1))
      (then
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $ptr) (local.get $end)))
          (v128.store (local.get $ptr) (call $tanh4 (v128.load (local.get $ptr))))
          (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
          (br $l)))
        (return)))
    ;; hardsigmoid: min(max(x + 3, 0), 6) / 6, PyTorch's order of operations
    ;; (a division, not a multiply by 1/6). pmax/pmin with x first pass a NaN
    ;; through (both comparisons fail); +-inf saturate to 1 and 0.
    (if (i32.eq (local.get $kind) (i32.const 4))
      (then
        (local.set $c_p0 (global.get $THREE))
        (local.set $c_p1 (global.get $SIX))
        (local.set $c_p2 (v128.const i32x4 0 0 0 0))
        (block $d (loop $l
          (br_if $d (i32.ge_u (local.get $ptr) (local.get $end)))
          (v128.store (local.get $ptr)
            (f32x4.div
              (f32x4.pmin (f32x4.pmax (f32x4.add (v128.load (local.get $ptr)) (local.get $c_p0)) (local.get $c_p2)) (local.get $c_p1))
              (local.get $c_p1)))
          (local.set $ptr (i32.add (local.get $ptr) (i32.const 16)))
          (br $l)))
        (return)))
    ;; sigmoid(x) = 1 / (1 + exp(-x)) and silu(x) = x / (1 + exp(-x)) (kind 3):
    ;; one loop, the numerator picked per lane by the all-ones/all-zero mask
    ;; $silu. exp's clamp keeps both finite for every finite x (no overflow);
    ;; silu(-inf) is made NaN, as PyTorch's -inf / (1 + inf).
    (local.set $silu (i32x4.splat (i32.sub (i32.const 0) (i32.eq (local.get $kind) (i32.const 3)))))
    (local.set $c_ninf (global.get $NEG_INF))
    (local.set $c_nan (global.get $NAN))
    ;; $exp4 inlined. Constants live in locals:
    ;; TurboFan rebuilds a v128.const (or a splat of a constant) from
    ;; immediates at every use, 3 instructions each, even through a local; a
    ;; mutable global is opaque to it, so these are read once, before the loop.
    (local.set $c_lo (global.get $EXP_LO))
    (local.set $c_hi (global.get $EXP_HI))
    (local.set $c_log2e (global.get $LOG2E))
    (local.set $c_round (global.get $ROUND))
    (local.set $c_ln2hi (global.get $LN2_HI))
    (local.set $c_ln2lo (global.get $LN2_LO))
    (local.set $c_p0 (global.get $P0))
    (local.set $c_p1 (global.get $P1))
    (local.set $c_p2 (global.get $P2))
    (local.set $c_p3 (global.get $P3))
    (local.set $c_p4 (global.get $P4))
    (local.set $c_p5 (global.get $P5))
    (local.set $c_one (global.get $ONE))
    (local.set $c_bias127 (global.get $EXP_BIAS))
    ;; Two vectors per iteration: two independent dependency chains (each ~25
    ;; operations deep) keep the FP pipes busy. count is a multiple of 8.
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $ptr) (local.get $end)))
      ;; pmax/pmin are one instruction each (min/max need ~8 for their -0 rules);
      ;; with x first, a NaN x fails both comparisons and passes through.
      (local.set $in (v128.load (local.get $ptr)))
      (local.set $x (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $in)) (local.get $c_lo))
                                (local.get $c_hi)))
      ;; t = x/ln2 + 1.5*2^23 rounds x/ln2 to the nearest integer n, which sits in
      ;; t's low mantissa bits; cheaper than f32x4.nearest plus i32x4.trunc_sat.
      (local.set $t (f32x4.add (f32x4.mul (local.get $x)
          (local.get $c_log2e))
        (local.get $c_round)))
      (local.set $n (f32x4.sub (local.get $t) (local.get $c_round)))
      (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (local.get $c_ln2hi))))
      (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (local.get $c_ln2lo))))
      (local.set $p (f32x4.add (f32x4.mul (local.get $c_p0) (local.get $r))
                               (local.get $c_p1)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $c_p2)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $c_p3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $c_p4)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (local.get $c_p5)))
      (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
                               (local.get $c_one)))
      ;; 2^n: (n + 127) << 23; adding 127 to t's bits adds it to n (t's upper bits shift out).
      (local.set $p (f32x4.mul (local.get $p)
        (i32x4.shl (i32x4.add (local.get $t) (local.get $c_bias127)) (i32.const 23))))
      (local.set $in2 (v128.load offset=16 (local.get $ptr)))
      (local.set $x2 (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $in2)) (local.get $c_lo))
                                (local.get $c_hi)))
      (local.set $t2 (f32x4.add (f32x4.mul (local.get $x2)
          (local.get $c_log2e))
        (local.get $c_round)))
      (local.set $n2 (f32x4.sub (local.get $t2) (local.get $c_round)))
      (local.set $r2 (f32x4.sub (local.get $x2) (f32x4.mul (local.get $n2) (local.get $c_ln2hi))))
      (local.set $r2 (f32x4.sub (local.get $r2) (f32x4.mul (local.get $n2) (local.get $c_ln2lo))))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $c_p0) (local.get $r2))
                               (local.get $c_p1)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $c_p2)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $c_p3)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $c_p4)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $c_p5)))
      (local.set $p2 (f32x4.add (f32x4.add (f32x4.mul (local.get $p2) (f32x4.mul (local.get $r2) (local.get $r2))) (local.get $r2))
                               (local.get $c_one)))
      (local.set $p2 (f32x4.mul (local.get $p2)
        (i32x4.shl (i32x4.add (local.get $t2) (local.get $c_bias127)) (i32.const 23))))
      (local.set $p (f32x4.div (v128.bitselect (local.get $in) (local.get $c_one) (local.get $silu))
                               (f32x4.add (local.get $c_one) (local.get $p))))
      (local.set $p2 (f32x4.div (v128.bitselect (local.get $in2) (local.get $c_one) (local.get $silu))
                                (f32x4.add (local.get $c_one) (local.get $p2))))
      (v128.store offset=0 (local.get $ptr) (v128.bitselect (local.get $c_nan) (local.get $p)
        (v128.and (local.get $silu) (f32x4.eq (local.get $in) (local.get $c_ninf)))))
      (v128.store offset=16 (local.get $ptr) (v128.bitselect (local.get $c_nan) (local.get $p2)
        (v128.and (local.get $silu) (f32x4.eq (local.get $in2) (local.get $c_ninf)))))
      (local.set $ptr (i32.add (local.get $ptr) (i32.const 32)))
      (br $l))))

  ;; compact(dst, src, rows, cols, srcStride): dst[r*cols + c] = src[r*srcStride + c].
  ;; Drops the zero padding of a [rows, srcStride] GEMM output (memmove per row).
  (func (export "compact") (param $dst i32) (param $src i32) (param $rows i32) (param $cols i32) (param $srcStride i32)
    (local $r i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (memory.copy
        (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2)))
        (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $srcStride)) (i32.const 2)))
        (i32.shl (local.get $cols) (i32.const 2)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $l))))

  ;; scale(x, y, g, planes, hw): y plane p = x plane p * g[p]; 16 values per
  ;; iteration, then vectors, then a scalar tail for hw not a multiple of 4.
  (func (export "scale") (param $x i32) (param $y i32) (param $g i32) (param $planes i32) (param $hw i32)
    (local $end i32) (local $end16 i32) (local $end4 i32) (local $p i32) (local $gs f32) (local $gv v128)
    (block $planes_done
      (loop $plane
        (br_if $planes_done (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $end (i32.add (local.get $x) (i32.shl (local.get $hw) (i32.const 2))))
        (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $hw) (i32.const -16)) (i32.const 2))))
        (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $hw) (i32.const -4)) (i32.const 2))))
        (local.set $gs (f32.load (local.get $g)))
        (local.set $gv (f32x4.splat (local.get $gs)))
        (block $d16 (loop $l16
          (br_if $d16 (i32.ge_u (local.get $x) (local.get $end16)))
          (v128.store offset=0 align=4 (local.get $y) (f32x4.mul (v128.load offset=0 align=4 (local.get $x)) (local.get $gv)))
          (v128.store offset=16 align=4 (local.get $y) (f32x4.mul (v128.load offset=16 align=4 (local.get $x)) (local.get $gv)))
          (v128.store offset=32 align=4 (local.get $y) (f32x4.mul (v128.load offset=32 align=4 (local.get $x)) (local.get $gv)))
          (v128.store offset=48 align=4 (local.get $y) (f32x4.mul (v128.load offset=48 align=4 (local.get $x)) (local.get $gv)))
          (local.set $x (i32.add (local.get $x) (i32.const 64)))
          (local.set $y (i32.add (local.get $y) (i32.const 64)))
          (br $l16)))
        (block $d4 (loop $l4
          (br_if $d4 (i32.ge_u (local.get $x) (local.get $end4)))
          (v128.store align=4 (local.get $y) (f32x4.mul (v128.load align=4 (local.get $x)) (local.get $gv)))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (local.set $y (i32.add (local.get $y) (i32.const 16)))
          (br $l4)))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $x) (local.get $end)))
          (f32.store (local.get $y) (f32.mul (f32.load (local.get $x)) (local.get $gs)))
          (local.set $x (i32.add (local.get $x) (i32.const 4)))
          (local.set $y (i32.add (local.get $y) (i32.const 4)))
          (br $l1)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $plane))))

  ;; scale_pool(x, y, g, xn, s, planes, hw): scale() of planes [x, y, g) and,
  ;; in the same loop, pool_avg() of as many planes from xn into s, so the next
  ;; group's squeeze rides on this group's scale: its loads fill the load ports
  ;; while the scale waits on its stores, and the next group arrives in cache
  ;; for its own scale pass. The pooled sums use pool_avg's accumulators and
  ;; order exactly, so a mean is the same bits whichever kernel pooled it.
  (func (export "scale_pool") (param $x i32) (param $y i32) (param $g i32) (param $xn i32) (param $s i32)
      (param $planes i32) (param $hw i32)
    (local $end i32) (local $end16 i32) (local $end4 i32) (local $p i32) (local $gs f32) (local $gv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $sum f32) (local $n f32)
    (local.set $n (f32.convert_i32_u (local.get $hw)))
    (block $planes_done
      (loop $plane
        (br_if $planes_done (i32.ge_u (local.get $p) (local.get $planes)))
        (local.set $end (i32.add (local.get $x) (i32.shl (local.get $hw) (i32.const 2))))
        (local.set $end16 (i32.add (local.get $x) (i32.shl (i32.and (local.get $hw) (i32.const -16)) (i32.const 2))))
        (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $hw) (i32.const -4)) (i32.const 2))))
        (local.set $gs (f32.load (local.get $g)))
        (local.set $gv (f32x4.splat (local.get $gs)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (block $d16 (loop $l16
          (br_if $d16 (i32.ge_u (local.get $x) (local.get $end16)))
          (v128.store offset=0 align=4 (local.get $y) (f32x4.mul (v128.load offset=0 align=4 (local.get $x)) (local.get $gv)))
          (local.set $a0 (f32x4.add (local.get $a0) (v128.load offset=0 align=4 (local.get $xn))))
          (v128.store offset=16 align=4 (local.get $y) (f32x4.mul (v128.load offset=16 align=4 (local.get $x)) (local.get $gv)))
          (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 align=4 (local.get $xn))))
          (v128.store offset=32 align=4 (local.get $y) (f32x4.mul (v128.load offset=32 align=4 (local.get $x)) (local.get $gv)))
          (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 align=4 (local.get $xn))))
          (v128.store offset=48 align=4 (local.get $y) (f32x4.mul (v128.load offset=48 align=4 (local.get $x)) (local.get $gv)))
          (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 align=4 (local.get $xn))))
          (local.set $x (i32.add (local.get $x) (i32.const 64)))
          (local.set $y (i32.add (local.get $y) (i32.const 64)))
          (local.set $xn (i32.add (local.get $xn) (i32.const 64)))
          (br $l16)))
        (block $d4 (loop $l4
          (br_if $d4 (i32.ge_u (local.get $x) (local.get $end4)))
          (v128.store align=4 (local.get $y) (f32x4.mul (v128.load align=4 (local.get $x)) (local.get $gv)))
          (local.set $a0 (f32x4.add (local.get $a0) (v128.load align=4 (local.get $xn))))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (local.set $y (i32.add (local.get $y) (i32.const 16)))
          (local.set $xn (i32.add (local.get $xn) (i32.const 16)))
          (br $l4)))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (local.set $sum (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $x) (local.get $end)))
          (f32.store (local.get $y) (f32.mul (f32.load (local.get $x)) (local.get $gs)))
          (local.set $sum (f32.add (local.get $sum) (f32.load (local.get $xn))))
          (local.set $x (i32.add (local.get $x) (i32.const 4)))
          (local.set $y (i32.add (local.get $y) (i32.const 4)))
          (local.set $xn (i32.add (local.get $xn) (i32.const 4)))
          (br $l1)))
        (f32.store (local.get $s) (f32.div (local.get $sum) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $plane))))

  ;; transpose(src, srcStride, dst, dstStride, rows, cols):
  ;;   dst[c*dstStride + r] = src[r*srcStride + c]. Scalar: used only by the
  ;; NoSqueeze ablation to turn [C, HW] planes into per-pixel channel rows and back.
  (func (export "transpose") (param $src i32) (param $srcStride i32) (param $dst i32) (param $dstStride i32)
      (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32)
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cd (loop $cl
        (br_if $cd (i32.ge_u (local.get $c) (local.get $cols)))
        (f32.store
          (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $dstStride)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $srcStride)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; mul(a, b, out, count): out = a * b elementwise (NoSqueeze: y = x * gate).
  (func (export "mul") (param $a i32) (param $b i32) (param $out i32) (param $count i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $a) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $d4 (loop $l4
      (br_if $d4 (i32.ge_u (local.get $a) (local.get $end4)))
      (v128.store align=4 (local.get $out) (f32x4.mul (v128.load align=4 (local.get $a)) (v128.load align=4 (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $l4)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $a) (local.get $end)))
      (f32.store (local.get $out) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br $l1))))

  ;; copy(dst, src, bytes): memory.copy, for staging inside the heap and the benchmark's copy baseline.
  (func (export "copy") (param $dst i32) (param $src i32) (param $bytes i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $bytes)))
)
