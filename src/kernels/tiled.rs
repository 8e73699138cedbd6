//! The kernels laid out for SIMD registers: the variant that `x86`
//! compiles with AVX2 and FMA.

use crate::Scalar;

/// `a·b + c`, rounded once (FMA) or twice.
pub trait MulAdd<T>: Copy {
    /// `a·b + c`.
    fn mul_add(self, a: T, b: T, c: T) -> T;
}

/// A multiplication, then an addition: what the compiler emits for
/// `a * b + c`.
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

/// Partial sums over the inputs in the narrow passes of [`forward`]: four
/// independent chains, so that a single register of outputs does not wait
/// on the latency of each fused multiply-add (4 cycles here).
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

/// The tiled kernels with [`Separate`], for layers and CPUs without the SIMD
/// variant.
pub mod separate {
    use super::Separate;
    use crate::Scalar;

    #[inline(always)]
    pub fn forward<T: Scalar, const IN: usize, const OUT: usize>(
        x: &[T; IN],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [T; OUT] {
        super::forward(Separate, x, w, b)
    }

    #[inline(always)]
    pub fn forward_batch<T: Scalar, const IN: usize, const OUT: usize, const B: usize>(
        x: &[[T; IN]; B],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [[T; OUT]; B] {
        super::forward_batch(Separate, x, w, b)
    }

    #[inline(always)]
    pub fn param_grads_batch<T: Scalar, const IN: usize, const OUT: usize, const B: usize>(
        x: &[[T; IN]; B],
        g: &[[T; OUT]; B],
        dw: &mut [[T; OUT]; IN],
        db: &mut [T; OUT],
    ) {
        super::param_grads_batch(Separate, x, g, dw, db)
    }

    #[inline(always)]
    pub fn input_grad_batch<T: Scalar, const IN: usize, const OUT: usize, const B: usize>(
        g: &[[T; OUT]; B],
        w: &[[T; OUT]; IN],
    ) -> [[T; IN]; B] {
        super::input_grad_batch(Separate, g, w)
    }
}
