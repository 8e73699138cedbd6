//! This core's peak f32 throughput: independent fused multiply-adds, as
//! many in flight as the FMA units can overlap, nothing else in the loop.

use std::time::Instant;

/// Independent accumulators: more than latency × throughput (4 × 2 on
/// recent x86 cores), so every cycle can start two FMAs.
const CHAINS: usize = 12;

/// The best of a few runs, in GFLOP/s, and the instruction set it used.
pub fn peak_gflops() -> (f64, &'static str) {
    let mut best = (0.0, "none");
    for _ in 0..5 {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                let gflops = measure(8, |n| unsafe { avx2::chains(n) });
                if gflops > best.0 {
                    best = (gflops, "AVX2 FMA, 8 lanes");
                }
            }
            if is_x86_feature_detected!("avx512f") {
                let gflops = measure(16, |n| unsafe { avx512::chains(n) });
                if gflops > best.0 {
                    best = (gflops, "AVX-512 FMA, 16 lanes");
                }
            }
        }
    }
    best
}

fn measure(lanes: usize, run: impl Fn(u64) -> f32) -> f64 {
    let iterations = 20_000_000;
    run(iterations / 10); // warm up the clock
    let start = Instant::now();
    std::hint::black_box(run(iterations));
    let seconds = start.elapsed().as_secs_f64();
    (iterations as f64 * (CHAINS * lanes * 2) as f64) / seconds / 1e9
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::CHAINS;

    /// # Safety
    /// The CPU must support AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn chains(iterations: u64) -> f32 {
        let mut acc = [_mm256_set1_ps(1.0); CHAINS];
        let (a, b) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
        for _ in 0..iterations {
            for chain in &mut acc {
                *chain = _mm256_fmadd_ps(*chain, a, b);
            }
        }
        let mut sum = _mm256_setzero_ps();
        for chain in acc {
            sum = _mm256_add_ps(sum, chain);
        }
        let mut lanes = [0.0f32; 8];
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), sum) };
        lanes.iter().sum()
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::CHAINS;

    /// # Safety
    /// The CPU must support AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn chains(iterations: u64) -> f32 {
        let mut acc = [_mm512_set1_ps(1.0); CHAINS];
        let (a, b) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
        for _ in 0..iterations {
            for chain in &mut acc {
                *chain = _mm512_fmadd_ps(*chain, a, b);
            }
        }
        let mut sum = _mm512_setzero_ps();
        for chain in acc {
            sum = _mm512_add_ps(sum, chain);
        }
        _mm512_reduce_add_ps(sum)
    }
}
