//! The dense layer's loops: the only place where a network spends time.
//!
//! Every kernel is plain safe Rust laid out so that LLVM can vectorize it:
//! rows are contiguous, each output keeps its own accumulator in a register
//! tile (so no float sum is reassociated by the compiler, which it never
//! does), and the batch path is a register-blocked matrix product. For
//! `f32`, the same code is compiled a second time with AVX2 and FMA enabled
//! (module `x86`) and chosen at run time where the CPU has them (with
//! `std`), or at compile time (without `std`, under
//! `-C target-feature=+avx2,+fma` or a `target-cpu` that has them). Every
//! layer takes it: measured on the workloads of `benches/`, the call costs
//! nothing visible even for XOR's 2×3 layer, and pays twice over from 16×16.
//!
//! Numerics are fixed for a given build and CPU: every sum has one order,
//! whatever the tiling, and a batch gives each sample the results it gets
//! alone. The two variants differ only in rounding: FMA rounds `a·b + c`
//! once.

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod x86;

use crate::Scalar;

/// `a·b + c`, rounded once (FMA) or twice.
pub trait MulAdd<T>: Copy {
    /// `a·b + c`.
    fn mul_add(self, a: T, b: T, c: T) -> T;
}

/// A multiplication, then an addition: what the compiler emits for `a * b + c`.
#[derive(Clone, Copy, Debug)]
pub struct Separate;

impl<T: Scalar> MulAdd<T> for Separate {
    #[inline(always)]
    fn mul_add(self, a: T, b: T, c: T) -> T {
        a * b + c
    }
}

/// Rows of a register tile in the batch path: samples (forward) or inputs
/// (weight gradient) sharing each loaded row of 16 weights or gradients.
const TILE_ROWS: usize = 4;
/// Columns of a register tile: two AVX registers of `f32`.
const TILE_COLS: usize = 16;
/// Columns kept in registers by the single-sample forward pass, widest
/// first: sixteen AVX registers of `f32` (LLVM spills one or two, yet it
/// measured faster than 64 or 96 on a 784-128 layer), then four (still
/// enough independent sums to keep two FMA units busy).
const WIDE_COLS: usize = 128;
const NARROW_COLS: usize = 32;
/// Partial sums of a dot product: one AVX register of `f32`.
const DOT_LANES: usize = 8;

/// The dense layer's loops for one scalar type. `f32` picks the AVX2/FMA
/// variant where the CPU has it; `f64` always runs the portable loops.
/// A single sample is a batch of one, except in the forward pass, whose
/// single-sample kernel keeps more outputs in registers.
pub trait Kernels: Sized {
    /// `b + x·W`.
    fn dense_forward<const IN: usize, const OUT: usize>(
        x: &[Self; IN],
        w: &[[Self; OUT]; IN],
        b: &[Self; OUT],
    ) -> [Self; OUT];

    /// [`dense_forward`](Kernels::dense_forward) for each sample.
    fn dense_forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        x: &[[Self; IN]; B],
        w: &[[Self; OUT]; IN],
        b: &[Self; OUT],
    ) -> [[Self; OUT]; B];

    /// Adds `x[b] ⊗ g[b]` into `dw` and `g[b]` into `db`, sample after sample.
    fn dense_param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        x: &[[Self; IN]; B],
        g: &[[Self; OUT]; B],
        dw: &mut [[Self; OUT]; IN],
        db: &mut [Self; OUT],
    );

    /// `W·g[b]` for each sample.
    fn dense_input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        g: &[[Self; OUT]; B],
        w: &[[Self; OUT]; IN],
    ) -> [[Self; IN]; B];
}

impl Kernels for f64 {
    #[inline(always)]
    fn dense_forward<const IN: usize, const OUT: usize>(
        x: &[f64; IN],
        w: &[[f64; OUT]; IN],
        b: &[f64; OUT],
    ) -> [f64; OUT] {
        forward(Separate, x, w, b)
    }

    #[inline(always)]
    fn dense_forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        x: &[[f64; IN]; B],
        w: &[[f64; OUT]; IN],
        b: &[f64; OUT],
    ) -> [[f64; OUT]; B] {
        forward_batch(Separate, x, w, b)
    }

    #[inline(always)]
    fn dense_param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        x: &[[f64; IN]; B],
        g: &[[f64; OUT]; B],
        dw: &mut [[f64; OUT]; IN],
        db: &mut [f64; OUT],
    ) {
        param_grads_batch(Separate, x, g, dw, db)
    }

    #[inline(always)]
    fn dense_input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        g: &[[f64; OUT]; B],
        w: &[[f64; OUT]; IN],
    ) -> [[f64; IN]; B] {
        input_grad_batch(Separate, g, w)
    }
}

/// The SIMD variant for `f32` layers of at least `SIMD_MIN_WEIGHTS`
/// weights, where the CPU has it. Smaller ones stay inlined in the caller:
/// a call costs more than their few multiply-adds.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[inline(always)]
fn simd<const IN: usize, const OUT: usize>() -> Option<x86::Fused> {
    if IN * OUT >= SIMD_MIN_WEIGHTS { x86::Fused::available() } else { None }
}

/// See [`simd`]; measured on the workloads of `benches/peers`.
const SIMD_MIN_WEIGHTS: usize = 64;

impl Kernels for f32 {
    #[inline(always)]
    fn dense_forward<const IN: usize, const OUT: usize>(
        x: &[f32; IN],
        w: &[[f32; OUT]; IN],
        b: &[f32; OUT],
    ) -> [f32; OUT] {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if let Some(fused) = simd::<IN, OUT>() {
            return fused.dense_forward(x, w, b);
        }
        forward(Separate, x, w, b)
    }

    #[inline(always)]
    fn dense_forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        x: &[[f32; IN]; B],
        w: &[[f32; OUT]; IN],
        b: &[f32; OUT],
    ) -> [[f32; OUT]; B] {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if let Some(fused) = simd::<IN, OUT>() {
            return fused.dense_forward_batch(x, w, b);
        }
        forward_batch(Separate, x, w, b)
    }

    #[inline(always)]
    fn dense_param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        x: &[[f32; IN]; B],
        g: &[[f32; OUT]; B],
        dw: &mut [[f32; OUT]; IN],
        db: &mut [f32; OUT],
    ) {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if let Some(fused) = simd::<IN, OUT>() {
            return fused.dense_param_grads_batch(x, g, dw, db);
        }
        param_grads_batch(Separate, x, g, dw, db)
    }

    #[inline(always)]
    fn dense_input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        g: &[[f32; OUT]; B],
        w: &[[f32; OUT]; IN],
    ) -> [[f32; IN]; B] {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if let Some(fused) = simd::<IN, OUT>() {
            return fused.dense_input_grad_batch(g, w);
        }
        input_grad_batch(Separate, g, w)
    }
}

/// `b + x·W`, `COLS` outputs at a time in registers. The passes over the
/// first [`in_order`] outputs sum over the inputs in order; the narrow ones
/// after them (one register or less) would wait on each FMA's latency, so
/// given at least `2 · SPLIT` inputs they keep `SPLIT` partial sums, input
/// `i` going to sum `i mod SPLIT`, added up in order at the end.
#[inline(always)]
pub fn forward<T: Scalar, M: MulAdd<T>, const IN: usize, const OUT: usize>(
    m: M,
    x: &[T; IN],
    w: &[[T; OUT]; IN],
    b: &[T; OUT],
) -> [T; OUT] {
    let mut y = *b;
    let mut start = 0;
    while start + WIDE_COLS <= OUT {
        forward_columns::<T, M, IN, OUT, WIDE_COLS, 1>(m, x, w, &mut y, start);
        start += WIDE_COLS;
    }
    while start + NARROW_COLS <= OUT {
        forward_columns::<T, M, IN, OUT, NARROW_COLS, 1>(m, x, w, &mut y, start);
        start += NARROW_COLS;
    }
    forward_narrow(m, x, w, &mut y);
    y
}

/// How many leading outputs of a layer are summed over the inputs in order,
/// in passes of `NARROW_COLS` or more.
const fn in_order(outputs: usize) -> usize {
    outputs / NARROW_COLS * NARROW_COLS
}

/// Adds `x·W` into the outputs after [`in_order`], with split sums.
#[inline(always)]
fn forward_narrow<T: Scalar, M: MulAdd<T>, const IN: usize, const OUT: usize>(
    m: M,
    x: &[T; IN],
    w: &[[T; OUT]; IN],
    y: &mut [T; OUT],
) {
    if IN < 2 * SPLIT {
        // Too few inputs for the latency to show.
        return forward_narrow_split::<T, M, IN, OUT, 1>(m, x, w, y);
    }
    forward_narrow_split::<T, M, IN, OUT, SPLIT>(m, x, w, y);
}

#[inline(always)]
fn forward_narrow_split<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const SPLITS: usize,
>(
    m: M,
    x: &[T; IN],
    w: &[[T; OUT]; IN],
    y: &mut [T; OUT],
) {
    let mut start = in_order(OUT);
    while start + DOT_LANES <= OUT {
        forward_columns::<T, M, IN, OUT, DOT_LANES, SPLITS>(m, x, w, y, start);
        start += DOT_LANES;
    }
    while start < OUT {
        forward_columns::<T, M, IN, OUT, 1, SPLITS>(m, x, w, y, start);
        start += 1;
    }
}

/// Partial sums over the inputs in the narrow passes of [`forward`]: as
/// many as the FMA latency (4 cycles) times the FMA units (2) allows for
/// a single register.
const SPLIT: usize = 4;

/// Adds `x·W` into `y[start..start + COLS]`, with `SPLITS` partial sums.
#[inline(always)]
fn forward_columns<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const COLS: usize,
    const SPLITS: usize,
>(
    m: M,
    x: &[T; IN],
    w: &[[T; OUT]; IN],
    y: &mut [T; OUT],
    start: usize,
) {
    let mut acc = [[T::ZERO; COLS]; SPLITS];
    acc[0] = tile(&y[start..]);
    let (x_chunks, x_tail) = x.as_chunks::<SPLITS>();
    let (w_chunks, w_tail) = w.as_chunks::<SPLITS>();
    for (x, w) in x_chunks.iter().zip(w_chunks) {
        for ((acc, &x), w) in acc.iter_mut().zip(x).zip(w) {
            let w: &[T; COLS] = tile_ref(&w[start..]);
            for (a, &w) in acc.iter_mut().zip(w) {
                *a = m.mul_add(x, w, *a);
            }
        }
    }
    for ((acc, &x), w) in acc.iter_mut().zip(x_tail).zip(w_tail) {
        let w: &[T; COLS] = tile_ref(&w[start..]);
        for (a, &w) in acc.iter_mut().zip(w) {
            *a = m.mul_add(x, w, *a);
        }
    }
    let (first, rest) = acc.split_first_mut().expect("at least one partial sum");
    for partial in rest {
        for (a, &p) in first.iter_mut().zip(partial.iter()) {
            *a += p;
        }
    }
    y[start..start + COLS].copy_from_slice(first);
}

/// `W·g` for each sample: every entry a dot product of a weight row and a
/// gradient, `TILE_ROWS` samples by `DOT_TILE_INPUTS` rows at a time.
#[inline(always)]
pub fn input_grad_batch<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const B: usize,
>(
    m: M,
    g: &[[T; OUT]; B],
    w: &[[T; OUT]; IN],
) -> [[T; IN]; B] {
    let mut dx = [[T::ZERO; IN]; B];
    let mut row = 0;
    while row + TILE_ROWS <= B {
        input_grad_rows::<T, M, IN, OUT, B, TILE_ROWS>(m, g, w, &mut dx, row);
        row += TILE_ROWS;
    }
    while row < B {
        input_grad_rows::<T, M, IN, OUT, B, 1>(m, g, w, &mut dx, row);
        row += 1;
    }
    dx
}

/// Dot products of a weight row and a gradient computed together.
const DOT_TILE_INPUTS: usize = 2;

#[inline(always)]
fn input_grad_rows<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const B: usize,
    const ROWS: usize,
>(
    m: M,
    g: &[[T; OUT]; B],
    w: &[[T; OUT]; IN],
    dx: &mut [[T; IN]; B],
    row: usize,
) {
    let mut input = 0;
    while input + DOT_TILE_INPUTS <= IN {
        dot_tile::<T, M, IN, OUT, B, ROWS, DOT_TILE_INPUTS>(m, g, w, dx, row, input);
        input += DOT_TILE_INPUTS;
    }
    while input < IN {
        dot_tile::<T, M, IN, OUT, B, ROWS, 1>(m, g, w, dx, row, input);
        input += 1;
    }
}

/// `dx[row + r][input + c] = Σ_o g[row + r][o]·w[input + c][o]`, each sum
/// with `DOT_LANES` partial sums (lane `k` takes every `o ≡ k`), added up in
/// a fixed tree, then the tail beyond the last full chunk in order.
#[inline(always)]
fn dot_tile<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const B: usize,
    const ROWS: usize,
    const INPUTS: usize,
>(
    m: M,
    g: &[[T; OUT]; B],
    w: &[[T; OUT]; IN],
    dx: &mut [[T; IN]; B],
    row: usize,
    input: usize,
) {
    let g: &[[T; OUT]; ROWS] = tile_ref(&g[row..]);
    let w: &[[T; OUT]; INPUTS] = tile_ref(&w[input..]);
    let mut lanes = [[[T::ZERO; DOT_LANES]; INPUTS]; ROWS];
    let chunks = OUT / DOT_LANES * DOT_LANES;
    let mut start = 0;
    while start < chunks {
        for (lanes, g) in lanes.iter_mut().zip(g) {
            let g: &[T; DOT_LANES] = tile_ref(&g[start..]);
            for (lanes, w) in lanes.iter_mut().zip(w) {
                let w: &[T; DOT_LANES] = tile_ref(&w[start..]);
                for ((sum, &g), &w) in lanes.iter_mut().zip(g).zip(w) {
                    *sum = m.mul_add(g, w, *sum);
                }
            }
        }
        start += DOT_LANES;
    }
    for (r, (lanes, g)) in lanes.iter().zip(g).enumerate() {
        for (c, (lanes, w)) in lanes.iter().zip(w).enumerate() {
            let [l0, l1, l2, l3, l4, l5, l6, l7] = *lanes;
            let mut sum = ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7));
            for (&g, &w) in g[chunks..].iter().zip(&w[chunks..]) {
                sum = m.mul_add(g, w, sum);
            }
            dx[row + r][input + c] = sum;
        }
    }
}

/// `b + x·W` for each sample: a register-blocked matrix product, tiles of
/// `TILE_ROWS` samples by `TILE_COLS` outputs sharing every load, over the
/// outputs that [`forward`] sums in order; the rest as [`forward`] does.
/// Each sample gets exactly what it gets alone.
#[inline(always)]
pub fn forward_batch<T: Scalar, M: MulAdd<T>, const IN: usize, const OUT: usize, const B: usize>(
    m: M,
    x: &[[T; IN]; B],
    w: &[[T; OUT]; IN],
    b: &[T; OUT],
) -> [[T; OUT]; B] {
    let mut y = [*b; B];
    let mut row = 0;
    while row + TILE_ROWS <= B {
        forward_rows::<T, M, IN, OUT, B, TILE_ROWS>(m, x, w, &mut y, row);
        row += TILE_ROWS;
    }
    while row < B {
        forward_rows::<T, M, IN, OUT, B, 1>(m, x, w, &mut y, row);
        row += 1;
    }
    for (x, y) in x.iter().zip(&mut y) {
        forward_narrow(m, x, w, y);
    }
    y
}

/// [`forward_batch`] for samples `row..row + ROWS`, the outputs summed in
/// order.
#[inline(always)]
fn forward_rows<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const B: usize,
    const ROWS: usize,
>(
    m: M,
    x: &[[T; IN]; B],
    w: &[[T; OUT]; IN],
    y: &mut [[T; OUT]; B],
    row: usize,
) {
    const { assert!(NARROW_COLS.is_multiple_of(TILE_COLS)) };
    let mut start = 0;
    while start < in_order(OUT) {
        forward_tile::<T, M, IN, OUT, B, ROWS, TILE_COLS>(m, x, w, y, row, start);
        start += TILE_COLS;
    }
}

/// Adds `x·W` for samples `row..row + ROWS`, outputs `start..start + COLS`.
#[inline(always)]
fn forward_tile<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const B: usize,
    const ROWS: usize,
    const COLS: usize,
>(
    m: M,
    x: &[[T; IN]; B],
    w: &[[T; OUT]; IN],
    y: &mut [[T; OUT]; B],
    row: usize,
    start: usize,
) {
    let x: &[[T; IN]; ROWS] = tile_ref(&x[row..]);
    let mut acc = [[T::ZERO; COLS]; ROWS];
    for (acc, y) in acc.iter_mut().zip(&y[row..]) {
        *acc = tile(&y[start..]);
    }
    for (i, w) in w.iter().enumerate() {
        let w: &[T; COLS] = tile_ref(&w[start..]);
        for (acc, x) in acc.iter_mut().zip(x) {
            for (a, &w) in acc.iter_mut().zip(w) {
                *a = m.mul_add(x[i], w, *a);
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        y[row + r][start..start + COLS].copy_from_slice(acc);
    }
}

/// Adds `Xᵀ·G` into `dw` as a register-blocked matrix product, tiles of
/// `TILE_ROWS` inputs by `TILE_COLS` outputs; each weight's sum runs over the
/// samples in order, continuing from its current value, exactly as sample
/// after sample would. `db` the same.
#[inline(always)]
pub fn param_grads_batch<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const B: usize,
>(
    m: M,
    x: &[[T; IN]; B],
    g: &[[T; OUT]; B],
    dw: &mut [[T; OUT]; IN],
    db: &mut [T; OUT],
) {
    for g in g {
        for (db, &g) in db.iter_mut().zip(g) {
            *db += g;
        }
    }
    let mut input = 0;
    while input + TILE_ROWS <= IN {
        weight_grad_rows::<T, M, IN, OUT, B, TILE_ROWS>(m, x, g, dw, input);
        input += TILE_ROWS;
    }
    while input < IN {
        weight_grad_rows::<T, M, IN, OUT, B, 1>(m, x, g, dw, input);
        input += 1;
    }
}

/// Adds `Σ_b x[b][i]·g[b]` into `dw[i]` for inputs `input..input + ROWS`.
#[inline(always)]
fn weight_grad_rows<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const B: usize,
    const ROWS: usize,
>(
    m: M,
    x: &[[T; IN]; B],
    g: &[[T; OUT]; B],
    dw: &mut [[T; OUT]; IN],
    input: usize,
) {
    let mut start = 0;
    while start + TILE_COLS <= OUT {
        weight_grad_tile::<T, M, IN, OUT, B, ROWS, TILE_COLS>(m, x, g, dw, input, start);
        start += TILE_COLS;
    }
    while start + DOT_LANES <= OUT {
        weight_grad_tile::<T, M, IN, OUT, B, ROWS, DOT_LANES>(m, x, g, dw, input, start);
        start += DOT_LANES;
    }
    while start < OUT {
        weight_grad_tile::<T, M, IN, OUT, B, ROWS, 1>(m, x, g, dw, input, start);
        start += 1;
    }
}

#[inline(always)]
fn weight_grad_tile<
    T: Scalar,
    M: MulAdd<T>,
    const IN: usize,
    const OUT: usize,
    const B: usize,
    const ROWS: usize,
    const COLS: usize,
>(
    m: M,
    x: &[[T; IN]; B],
    g: &[[T; OUT]; B],
    dw: &mut [[T; OUT]; IN],
    input: usize,
    start: usize,
) {
    let mut acc = [[T::ZERO; COLS]; ROWS];
    for (acc, dw) in acc.iter_mut().zip(&dw[input..]) {
        *acc = tile(&dw[start..]);
    }
    for (x, g) in x.iter().zip(g) {
        let x: &[T; ROWS] = tile_ref(&x[input..]);
        let g: &[T; COLS] = tile_ref(&g[start..]);
        for (acc, &x) in acc.iter_mut().zip(x) {
            for (a, &g) in acc.iter_mut().zip(g) {
                *a = m.mul_add(x, g, *a);
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        dw[input + r][start..start + COLS].copy_from_slice(acc);
    }
}

/// The first `N` values of `values`, as an array. Every caller's range is
/// in bounds by its loop condition; the compiler sees that and drops the
/// check.
#[inline(always)]
fn tile_ref<T, const N: usize>(values: &[T]) -> &[T; N] {
    values.first_chunk().expect("a tile lies within its array")
}

/// A copy of the first `N` values of `values`.
#[inline(always)]
fn tile<T: Copy, const N: usize>(values: &[T]) -> [T; N] {
    *tile_ref(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook definition, one sum at a time, in `f64`.
    fn reference<const IN: usize, const OUT: usize>(
        x: &[f64; IN],
        w: &[[f64; OUT]; IN],
        b: &[f64; OUT],
    ) -> [f64; OUT] {
        core::array::from_fn(|o| b[o] + (0..IN).map(|i| x[i] * w[i][o]).sum::<f64>())
    }

    /// Small integers: every product and sum is exact in `f32`, so every
    /// tiling and every rounding must give the same answer as the definition.
    fn integers<const N: usize>(seed: usize) -> [f32; N] {
        core::array::from_fn(|k| ((k * 7 + seed * 13) % 11) as f32 - 5.0)
    }

    fn matrix<const R: usize, const C: usize>(seed: usize) -> [[f32; C]; R] {
        core::array::from_fn(|r| integers(seed + r))
    }

    fn widen<const N: usize>(values: &[f32; N]) -> [f64; N] {
        values.map(f64::from)
    }

    /// Sizes that leave remainders at every tiling level.
    const IN: usize = 13;
    const OUT: usize = 83;
    const B: usize = 6;

    #[test]
    fn forward_matches_the_definition() {
        let (x, w, b) = (integers::<IN>(1), matrix::<IN, OUT>(2), integers::<OUT>(3));
        let expected = reference(&widen(&x), &w.map(|row| widen(&row)), &widen(&b));
        assert_eq!(widen(&f32::dense_forward(&x, &w, &b)), expected);
        assert_eq!(widen(&forward(Separate, &x, &w, &b)), expected);
    }

    /// Fractions: rounding happens, so the order of every sum shows.
    fn fractions<const R: usize, const C: usize>(seed: usize) -> [[f32; C]; R] {
        core::array::from_fn(|r| {
            core::array::from_fn(|c| 1.0 / ((r * C + c + seed) as f32 + 3.0) - 0.1)
        })
    }

    #[test]
    fn a_batch_gives_each_sample_what_it_gets_alone() {
        let (x, w, [b]) = (fractions::<B, IN>(4), fractions::<IN, OUT>(5), fractions::<1, OUT>(6));
        let batch = f32::dense_forward_batch(&x, &w, &b);
        let portable = forward_batch(Separate, &x, &w, &b);
        for ((x, y), portable) in x.iter().zip(&batch).zip(&portable) {
            assert_eq!(*y, f32::dense_forward(x, &w, &b));
            assert_eq!(*portable, forward(Separate, x, &w, &b));
        }
    }

    #[test]
    fn gradients_match_the_definition() {
        let (x, g, w) = (matrix::<B, IN>(7), matrix::<B, OUT>(8), matrix::<IN, OUT>(9));
        let (dw0, db0) = (matrix::<IN, OUT>(10), integers::<OUT>(11));
        let (mut dw, mut db) = (dw0, db0);
        f32::dense_param_grads_batch(&x, &g, &mut dw, &mut db);
        let (mut portable_dw, mut portable_db) = (dw0, db0);
        param_grads_batch(Separate, &x, &g, &mut portable_dw, &mut portable_db);
        for o in 0..OUT {
            let expected = db0[o] + (0..B).map(|b| g[b][o]).sum::<f32>();
            assert_eq!((db[o], portable_db[o]), (expected, expected), "bias [{o}]");
            for i in 0..IN {
                let expected = dw0[i][o] + (0..B).map(|b| x[b][i] * g[b][o]).sum::<f32>();
                assert_eq!(
                    (dw[i][o], portable_dw[i][o]),
                    (expected, expected),
                    "weight [{i}][{o}]"
                );
            }
        }
        let (dx, portable_dx) =
            (f32::dense_input_grad_batch(&g, &w), input_grad_batch(Separate, &g, &w));
        for b in 0..B {
            for i in 0..IN {
                let expected: f32 = (0..OUT).map(|o| w[i][o] * g[b][o]).sum();
                assert_eq!((dx[b][i], portable_dx[b][i]), (expected, expected), "input [{b}][{i}]");
            }
        }
    }

    #[test]
    fn a_batch_accumulates_exactly_as_sample_after_sample() {
        let (x, g, w) = (fractions::<B, IN>(0), fractions::<B, OUT>(1), fractions::<IN, OUT>(2));
        let (mut dw_batch, mut db_batch) = ([[0.5; OUT]; IN], [0.25; OUT]);
        f32::dense_param_grads_batch(&x, &g, &mut dw_batch, &mut db_batch);
        let dx_batch = f32::dense_input_grad_batch(&g, &w);
        let (mut dw, mut db) = ([[0.5; OUT]; IN], [0.25; OUT]);
        for b in 0..B {
            let (x, g) = (core::array::from_ref(&x[b]), core::array::from_ref(&g[b]));
            f32::dense_param_grads_batch(x, g, &mut dw, &mut db);
            assert_eq!(f32::dense_input_grad_batch(g, &w)[0], dx_batch[b], "input gradient {b}");
        }
        assert_eq!((dw, db), (dw_batch, db_batch));
    }
}
