//! The tiled kernels compiled with AVX2 and FMA enabled, for `f32`, and the
//! int8 dot product written with AVX2's instructions.
//!
//! # Soundness
//!
//! This module holds all of the crate's `unsafe` on x86. Calling a function
//! compiled for AVX2 and FMA, or the FMA instruction itself, is undefined
//! behaviour on a CPU without them; nothing else here can go wrong, since
//! the functions behind these calls are the safe tiled kernels, except the
//! int8 dot product's loads, whose bounds are argued where they are.
//!
//! [`Fused`] is the proof that the CPU has both: its one field is private,
//! so the only way to get a value is [`Fused::available`], which returns one
//! only after the CPU reported both features (with `std`) or when the build
//! already requires them (`-C target-feature`, `-C target-cpu`). Every
//! `unsafe` block below is reached through a `Fused` value.

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

use super::gemm::{self, Dims, Strided};
use super::tiled::{self, MulAdd};
use crate::quant::{Multiplier, requantize_all};

/// Proof that this CPU runs AVX2 and FMA instructions.
#[derive(Clone, Copy, Debug)]
pub struct Fused(());

impl Fused {
    /// A proof, if the CPU has AVX2 and FMA. Cheap: `std` caches what the
    /// CPU reports after the first call.
    #[inline(always)]
    pub fn available() -> Option<Self> {
        if cfg!(all(target_feature = "avx2", target_feature = "fma")) {
            return Some(Self(()));
        }
        #[cfg(feature = "std")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            return Some(Self(()));
        }
        None
    }

    /// See [`Kernels::dense_forward`](super::Kernels::dense_forward).
    #[inline(always)]
    pub fn dense_forward<const IN: usize, const OUT: usize>(
        self,
        x: &[f32; IN],
        w: &[[f32; OUT]; IN],
        b: &[f32; OUT],
    ) -> [f32; OUT] {
        // SAFETY: `self` proves that the CPU has AVX2 and FMA.
        unsafe { forward(self, x, w, b) }
    }

    /// See [`Kernels::dense_forward_batch`](super::Kernels::dense_forward_batch).
    #[inline(always)]
    pub fn dense_forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[f32; IN]; B],
        w: &[[f32; OUT]; IN],
        b: &[f32; OUT],
    ) -> [[f32; OUT]; B] {
        // SAFETY: `self` proves that the CPU has AVX2 and FMA.
        unsafe { forward_batch(self, x, w, b) }
    }

    /// See [`Kernels::dense_param_grads_batch`](super::Kernels::dense_param_grads_batch).
    #[inline(always)]
    pub fn dense_param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[f32; IN]; B],
        g: &[[f32; OUT]; B],
        dw: &mut [[f32; OUT]; IN],
        db: &mut [f32; OUT],
    ) {
        // SAFETY: `self` proves that the CPU has AVX2 and FMA.
        unsafe { param_grads_batch(self, x, g, dw, db) }
    }

    /// See [`Kernels::dense_input_grad_batch`](super::Kernels::dense_input_grad_batch).
    #[inline(always)]
    pub fn dense_input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        g: &[[f32; OUT]; B],
        w: &[[f32; OUT]; IN],
    ) -> [[f32; IN]; B] {
        // SAFETY: `self` proves that the CPU has AVX2 and FMA.
        unsafe { input_grad_batch(self, g, w) }
    }

    /// See [`int8_dots`](super::int8_dots).
    #[inline(always)]
    pub fn int8_dots<const N: usize>(self, weights: &[i8], inputs: [&[i16]; N]) -> [i32; N] {
        // SAFETY: `self` proves that the CPU has AVX2.
        unsafe { int8_dots(weights, inputs) }
    }

    /// See [`int8_requantize`](super::int8_requantize).
    #[inline(always)]
    pub fn int8_requantize(
        self,
        sums: &[i32],
        channel: (i32, Multiplier),
        zero_point: i32,
        clamp: (i8, i8),
        output: &mut [i8],
    ) {
        // SAFETY: `self` proves that the CPU has AVX2.
        unsafe { int8_requantize(sums, channel, zero_point, clamp, output) }
    }

    /// See [`Kernels::gemm_add`](super::Kernels::gemm_add).
    #[inline(always)]
    pub fn gemm_add(self, a: Strided<'_, f32>, b: &[f32], c: &mut [f32], dims: Dims) {
        // SAFETY: `self` proves that the CPU has AVX2 and FMA.
        unsafe { gemm_add(self, a, b, c, dims) }
    }
}

impl MulAdd<f32> for Fused {
    /// One FMA instruction; inside the functions below, LLVM widens it to
    /// eight lanes like any other arithmetic.
    #[inline(always)]
    fn mul_add(self, a: f32, b: f32, c: f32) -> f32 {
        // SAFETY: `self` proves that the CPU has FMA.
        unsafe { _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c))) }
    }
}

#[target_feature(enable = "avx2,fma")]
fn forward<const IN: usize, const OUT: usize>(
    fused: Fused,
    x: &[f32; IN],
    w: &[[f32; OUT]; IN],
    b: &[f32; OUT],
) -> [f32; OUT] {
    tiled::forward(fused, x, w, b)
}

#[target_feature(enable = "avx2,fma")]
fn forward_batch<const IN: usize, const OUT: usize, const B: usize>(
    fused: Fused,
    x: &[[f32; IN]; B],
    w: &[[f32; OUT]; IN],
    b: &[f32; OUT],
) -> [[f32; OUT]; B] {
    tiled::forward_batch(fused, x, w, b)
}

#[target_feature(enable = "avx2,fma")]
fn param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
    fused: Fused,
    x: &[[f32; IN]; B],
    g: &[[f32; OUT]; B],
    dw: &mut [[f32; OUT]; IN],
    db: &mut [f32; OUT],
) {
    tiled::param_grads_batch(fused, x, g, dw, db)
}

#[target_feature(enable = "avx2,fma")]
fn input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
    fused: Fused,
    g: &[[f32; OUT]; B],
    w: &[[f32; OUT]; IN],
) -> [[f32; IN]; B] {
    tiled::input_grad_batch(fused, g, w)
}

#[target_feature(enable = "avx2,fma")]
fn gemm_add(fused: Fused, a: Strided<'_, f32>, b: &[f32], c: &mut [f32], dims: Dims) {
    gemm::gemm_add(fused, a, b, c, dims)
}

/// Sixteen products per VPMADDWD: weights widened to 16 bits (VPMOVSXBW),
/// multiplied with the inputs and added in adjacent pairs into eight 32-bit
/// sums, the widened weights shared by the `N` dot products. Blocks are
/// taken two at a time, added together before they join the sums, so that
/// one dot product's additions do not all wait on each other. A product of
/// an int8 and a 16-bit value, or two of them added, cannot overflow, so
/// the sums wrap exactly as the in-order sum does.
#[target_feature(enable = "avx2,fma")]
fn int8_dots<const N: usize>(weights: &[i8], inputs: [&[i16]; N]) -> [i32; N] {
    let len = inputs.iter().fold(weights.len(), |len, x| len.min(x.len()));
    let mut sums = [_mm256_setzero_si256(); N];
    let (pairs, rest) = weights[..len].as_chunks::<32>();
    // Plain loops rather than `map`, whose closures stay calls here.
    let mut input_pairs = [&[][..]; N];
    for (pairs, x) in input_pairs.iter_mut().zip(inputs) {
        *pairs = x[..len].as_chunks::<32>().0;
    }
    for (pair, weights) in pairs.iter().enumerate() {
        let [w0, w1] = halves(weights);
        let (w0, w1) = (widened(w0), widened(w1));
        for (sum, x) in sums.iter_mut().zip(&input_pairs) {
            let [x0, x1] = halves(&x[pair]);
            let (x0, x1) = (loaded(x0), loaded(x1));
            let products = _mm256_add_epi32(_mm256_madd_epi16(w0, x0), _mm256_madd_epi16(w1, x1));
            *sum = _mm256_add_epi32(*sum, products);
        }
    }
    // The last values: a block, then fewer than 16, padded with zeros.
    let (blocks, tail) = rest.as_chunks::<16>();
    let rest = len - rest.len()..len;
    for (block, weights) in blocks.iter().enumerate() {
        let w = widened(weights);
        for (sum, x) in sums.iter_mut().zip(inputs) {
            let x = loaded(&x[rest.clone()].as_chunks::<16>().0[block]);
            *sum = _mm256_add_epi32(*sum, _mm256_madd_epi16(w, x));
        }
    }
    if !tail.is_empty() {
        let start = len - tail.len();
        let mut w = [0; 16];
        w[..tail.len()].copy_from_slice(tail);
        let w = widened(&w);
        for (sum, x) in sums.iter_mut().zip(inputs) {
            let mut padded = [0; 16];
            padded[..tail.len()].copy_from_slice(&x[start..len]);
            *sum = _mm256_add_epi32(*sum, _mm256_madd_epi16(w, loaded(&padded)));
        }
    }
    if N == 4 {
        let totals = totals_of_four([sums[0], sums[1], sums[2], sums[3]]);
        return core::array::from_fn(|n| totals[n]);
    }
    let mut totals = [0; N];
    for (total, sums) in totals.iter_mut().zip(sums) {
        let half = _mm_add_epi32(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
        let quarter = _mm_add_epi32(half, _mm_unpackhi_epi64(half, half));
        *total = _mm_cvtsi128_si32(_mm_add_epi32(quarter, _mm_shuffle_epi32(quarter, 0b01)));
    }
    totals
}

#[target_feature(enable = "avx2,fma")]
fn int8_requantize(
    sums: &[i32],
    channel: (i32, Multiplier),
    zero_point: i32,
    clamp: (i8, i8),
    output: &mut [i8],
) {
    requantize_all(sums, channel, zero_point, clamp, output)
}

/// The totals of the eight lanes of each of four sums, their pairwise
/// additions shared: three horizontal additions and one of the halves,
/// where one sum at a time takes seven instructions.
#[target_feature(enable = "avx2,fma")]
#[inline]
fn totals_of_four([a, b, c, d]: [__m256i; 4]) -> [i32; 4] {
    // Each 128-bit half: the sums of lanes 0–3 (4–7) of a, b, c, d.
    let halves = _mm256_hadd_epi32(_mm256_hadd_epi32(a, b), _mm256_hadd_epi32(c, d));
    let totals = _mm_add_epi32(_mm256_castsi256_si128(halves), _mm256_extracti128_si256(halves, 1));
    [
        _mm_extract_epi32(totals, 0),
        _mm_extract_epi32(totals, 1),
        _mm_extract_epi32(totals, 2),
        _mm_extract_epi32(totals, 3),
    ]
}

/// The two blocks of 16 of a block of 32.
#[inline(always)]
fn halves<T>(pair: &[T; 32]) -> [&[T; 16]; 2] {
    let ([first, second], []) = pair.as_chunks::<16>() else { unreachable!() };
    [first, second]
}

/// Sixteen weights, sign-extended to 16 bits.
#[target_feature(enable = "avx2,fma")]
#[inline]
fn widened(weights: &[i8; 16]) -> __m256i {
    // SAFETY: the load reads the 16 bytes of `weights`, with no alignment
    // required.
    _mm256_cvtepi8_epi16(unsafe { _mm_loadu_si128(weights.as_ptr().cast()) })
}

/// Sixteen 16-bit values.
#[target_feature(enable = "avx2,fma")]
#[inline]
fn loaded(inputs: &[i16; 16]) -> __m256i {
    // SAFETY: the load reads the 32 bytes of `inputs`, with no alignment
    // required.
    unsafe { _mm256_loadu_si256(inputs.as_ptr().cast()) }
}
