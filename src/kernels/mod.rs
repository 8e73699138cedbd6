//! The dense layer's loops: the only place where a network spends time.
//!
//! Two sets of the same four kernels (forward, batch forward, parameter
//! gradients and input gradients of a batch), all plain safe Rust:
//!
//! - `tiled`, laid out for SIMD: contiguous rows, register tiles of
//!   independent accumulators (the compiler never reassociates a float
//!   sum, so the layout must give it independent ones), split partial sums
//!   where one register would wait on the FMA latency, and a
//!   register-blocked matrix product for the batch path. Module `x86`
//!   compiles it with AVX2 and FMA enabled, for `f32`, and it is chosen at
//!   run time where the CPU has them (with `std`), or at compile time
//!   (without `std`, from `-C target-feature=+avx2,+fma` or a `target-cpu`
//!   that has them).
//!   On x86 the same tiled code, with separate multiplications and
//!   additions, also runs `f64`, CPUs without AVX2 and FMA, and layers of
//!   fewer than `SIMD_MIN_WEIGHTS` weights, which stay inlined.
//! - `plain`, the loops as a person writes them, every sum in order, on
//!   other targets (microcontrollers), where tiles cost flash, registers and
//!   instructions and gain nothing.
//!
//! Numerics are fixed for a given build and CPU: every sum has one order,
//! and a batch gives each sample exactly what it gets alone.

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod gemm;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod tiled;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod x86;

// The kernels without the SIMD variant: on x86 the tiled ones with separate
// multiplications and additions (the variant's order of sums, so that a
// build without AVX2/FMA gives the same tiles), elsewhere the plain loops.
#[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
use plain as portable;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
use tiled::separate as portable;

use crate::quant::{Multiplier, requantize_all};

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

    /// `c += a · b`: the product the convolutions compute on their unfolded
    /// inputs (see `gemm`).
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    fn gemm_add(a: gemm::Strided<'_, Self>, b: &[Self], c: &mut [Self], dims: gemm::Dims);
}

impl Kernels for f64 {
    #[inline(always)]
    fn dense_forward<const IN: usize, const OUT: usize>(
        x: &[f64; IN],
        w: &[[f64; OUT]; IN],
        b: &[f64; OUT],
    ) -> [f64; OUT] {
        portable::forward(x, w, b)
    }

    #[inline(always)]
    fn dense_forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        x: &[[f64; IN]; B],
        w: &[[f64; OUT]; IN],
        b: &[f64; OUT],
    ) -> [[f64; OUT]; B] {
        portable::forward_batch(x, w, b)
    }

    #[inline(always)]
    fn dense_param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        x: &[[f64; IN]; B],
        g: &[[f64; OUT]; B],
        dw: &mut [[f64; OUT]; IN],
        db: &mut [f64; OUT],
    ) {
        portable::param_grads_batch(x, g, dw, db)
    }

    #[inline(always)]
    fn dense_input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        g: &[[f64; OUT]; B],
        w: &[[f64; OUT]; IN],
    ) -> [[f64; IN]; B] {
        portable::input_grad_batch(g, w)
    }

    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[inline(always)]
    fn gemm_add(a: gemm::Strided<'_, f64>, b: &[f64], c: &mut [f64], dims: gemm::Dims) {
        gemm::gemm_add(tiled::Separate, a, b, c, dims)
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

/// `Σ weights[i] · inputs[n][i]` for each `n`, over the shortest of them,
/// wrapping at 32 bits: the inner loop of int8 layers, several outputs
/// sharing their weights. With AVX2 where the CPU has it (sixteen products
/// an instruction); elsewhere in order, which compilers vectorize for the
/// target. Integer sums are exact, so both give the same.
#[inline(always)]
pub(crate) fn int8_dots<const N: usize>(weights: &[i8], inputs: [&[i16]; N]) -> [i32; N] {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if let Some(fused) = x86::Fused::available() {
        return fused.int8_dots(weights, inputs);
    }
    inputs.map(|inputs| int8_dot_in_order(weights, inputs))
}

/// The int8 outputs of one output channel's accumulators `sums`, its bias
/// and multiplier `channel`, into `output` (`quant`'s requantization of
/// each): compiled for AVX2 where the CPU has it, where LLVM vectorizes the
/// loop, four 64-bit products of the multiplier an instruction (VPMULDQ).
#[inline(always)]
pub(crate) fn int8_requantize(
    sums: &[i32],
    channel: (i32, Multiplier),
    zero_point: i32,
    clamp: (i8, i8),
    output: &mut [i8],
) {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if let Some(fused) = x86::Fused::available() {
        return fused.int8_requantize(sums, channel, zero_point, clamp, output);
    }
    requantize_all(sums, channel, zero_point, clamp, output);
}

/// See `int8_dots`.
#[inline(always)]
fn int8_dot_in_order(weights: &[i8], inputs: &[i16]) -> i32 {
    // An int8 times a 16-bit value cannot overflow; only the sum wraps.
    let product = |(&w, &x): (&i8, &i16)| i32::from(w) * i32::from(x);
    weights.iter().zip(inputs).map(product).fold(0, i32::wrapping_add)
}

/// See `simd`; measured on the workloads of `benches/peers`: a call into
/// the SIMD variant pays from a 16×16 layer on, and costs on XOR's 2×3.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
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
        portable::forward(x, w, b)
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
        portable::forward_batch(x, w, b)
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
        portable::param_grads_batch(x, g, dw, db)
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
        portable::input_grad_batch(g, w)
    }

    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[inline(always)]
    fn gemm_add(a: gemm::Strided<'_, f32>, b: &[f32], c: &mut [f32], dims: gemm::Dims) {
        match x86::Fused::available() {
            Some(fused) => fused.gemm_add(a, b, c, dims),
            None => gemm::gemm_add(tiled::Separate, a, b, c, dims),
        }
    }
}

/// The loops as a person writes them, every sum in order: on targets
/// without the SIMD variant (microcontrollers), where tiles and split sums
/// cost flash, registers and instructions and gain nothing.
#[cfg(any(not(any(target_arch = "x86", target_arch = "x86_64")), test))]
mod plain {
    use crate::Scalar;

    #[inline(always)]
    pub fn forward<T: Scalar, const IN: usize, const OUT: usize>(
        x: &[T; IN],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [T; OUT] {
        let mut y = *b;
        // Four input rows per pass over the outputs: on a Cortex-M4F this
        // takes the sine network from 858 to 778 instructions per inference
        // at opt-level 3 and from 3129 to 1653 at opt-level s
        // (examples/firmware/compare.sh). Each output still adds its terms
        // in input order.
        let (x_quads, x_rest) = x.as_chunks::<4>();
        let (w_quads, w_rest) = w.as_chunks::<4>();
        for (x, rows) in x_quads.iter().zip(w_quads) {
            for (i, y) in y.iter_mut().enumerate() {
                *y += x[0] * rows[0][i];
                *y += x[1] * rows[1][i];
                *y += x[2] * rows[2][i];
                *y += x[3] * rows[3][i];
            }
        }
        for (&x, row) in x_rest.iter().zip(w_rest) {
            for (y, &w) in y.iter_mut().zip(row) {
                *y += x * w;
            }
        }
        y
    }

    #[inline(always)]
    pub fn forward_batch<T: Scalar, const IN: usize, const OUT: usize, const B: usize>(
        x: &[[T; IN]; B],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [[T; OUT]; B] {
        x.each_ref().map(|x| forward(x, w, b))
    }

    #[inline(always)]
    pub fn param_grads_batch<T: Scalar, const IN: usize, const OUT: usize, const B: usize>(
        x: &[[T; IN]; B],
        g: &[[T; OUT]; B],
        dw: &mut [[T; OUT]; IN],
        db: &mut [T; OUT],
    ) {
        for (x, g) in x.iter().zip(g) {
            for (db, &g) in db.iter_mut().zip(g) {
                *db += g;
            }
            for (&x, dw) in x.iter().zip(dw.iter_mut()) {
                for (dw, &g) in dw.iter_mut().zip(g) {
                    *dw += x * g;
                }
            }
        }
    }

    #[inline(always)]
    pub fn input_grad_batch<T: Scalar, const IN: usize, const OUT: usize, const B: usize>(
        g: &[[T; OUT]; B],
        w: &[[T; OUT]; IN],
    ) -> [[T; IN]; B] {
        let mut dx = [[T::ZERO; IN]; B];
        for (dx, g) in dx.iter_mut().zip(g) {
            for (dx, w) in dx.iter_mut().zip(w) {
                *dx = w.iter().zip(g).fold(T::ZERO, |sum, (&w, &g)| sum + w * g);
            }
        }
        dx
    }
}

#[cfg(test)]
mod tests;
