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

    /// See [`int8_dot`](super::int8_dot).
    #[inline(always)]
    pub fn int8_dot(self, weights: &[i8], inputs: &[i16]) -> i32 {
        // SAFETY: `self` proves that the CPU has AVX2.
        unsafe { int8_dot(weights, inputs) }
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
/// sums, two blocks at a time into two registers so that the additions do
/// not wait on each other. A product of an int8 and a 16-bit value, or two
/// of them added, cannot overflow, so the sums wrap exactly as the in-order
/// sum does.
#[target_feature(enable = "avx2,fma")]
fn int8_dot(weights: &[i8], inputs: &[i16]) -> i32 {
    let len = weights.len().min(inputs.len());
    let block = |at: usize| {
        debug_assert!(at + 16 <= len);
        // SAFETY: every call has `at + 16 <= len`, so the 16 bytes of
        // weights and the 16 values of inputs read are within both slices;
        // both loads are the unaligned kind, which any address allows.
        let (w, x) = unsafe {
            (
                _mm_loadu_si128(weights.as_ptr().add(at).cast()),
                _mm256_loadu_si256(inputs.as_ptr().add(at).cast()),
            )
        };
        _mm256_madd_epi16(_mm256_cvtepi8_epi16(w), x)
    };
    let [mut even, mut odd] = [_mm256_setzero_si256(); 2];
    for pair in 0..len / 32 {
        even = _mm256_add_epi32(even, block(32 * pair));
        odd = _mm256_add_epi32(odd, block(32 * pair + 16));
    }
    if len % 32 >= 16 {
        even = _mm256_add_epi32(even, block(len / 32 * 32));
    }
    let sums = _mm256_add_epi32(even, odd);
    let half = _mm_add_epi32(_mm256_castsi256_si128(sums), _mm256_extracti128_si256(sums, 1));
    let quarter = _mm_add_epi32(half, _mm_unpackhi_epi64(half, half));
    let sum = _mm_cvtsi128_si32(_mm_add_epi32(quarter, _mm_shuffle_epi32(quarter, 0b01)));
    let done = len / 16 * 16;
    let rest = weights[done..len].iter().zip(&inputs[done..len]);
    rest.fold(sum, |sum, (&w, &x)| sum.wrapping_add(i32::from(w) * i32::from(x)))
}
