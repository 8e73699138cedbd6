//! A matrix product laid out for SIMD registers, for the convolutions'
//! unfolded inputs: `c += a · b`, with `b` and `c` row-major (rows
//! `ldb` and `ldc` apart) and `a` read through strides (so that `aᵀ` costs
//! nothing).
//!
//! Tiles of `ROWS` rows by `COLS` columns of `c` stay in registers while the
//! depth runs: each loaded row segment of `b` serves `ROWS` rows, each
//! broadcast element of `a` a whole segment. Every element of `c` adds its
//! terms in depth order, so the result does not depend on the tiling.

use super::tiled::MulAdd;
use crate::Scalar;

/// Rows of `c` per tile.
const ROWS: usize = 4;
/// Columns of `c` per tile: two AVX registers of `f32`.
const COLS: usize = 16;
/// Narrower columns for what is left: one AVX register of `f32`.
const NARROW: usize = 8;

/// A matrix read through strides: element `(i, k)` is
/// `values[i · row_stride + k · col_stride]`.
#[derive(Clone, Copy, Debug)]
pub struct Strided<'a, T> {
    pub values: &'a [T],
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<T: Copy> Strided<'_, T> {
    #[inline(always)]
    fn at(&self, i: usize, k: usize) -> T {
        self.values[i * self.row_stride + k * self.col_stride]
    }
}

/// The shape of a product: `a` is `m × depth`, `b` is `depth × n` with
/// rows `ldb` apart, `c` is `m × n` with rows `ldc` apart.
#[derive(Clone, Copy, Debug)]
pub struct Dims {
    pub m: usize,
    pub depth: usize,
    pub n: usize,
    pub ldb: usize,
    pub ldc: usize,
}

/// `c += a · b`.
#[inline(always)]
pub fn gemm_add<T: Scalar, M: MulAdd<T>>(
    mul_add: M,
    a: Strided<'_, T>,
    b: &[T],
    c: &mut [T],
    dims: Dims,
) {
    let mut row = 0;
    while row + ROWS <= dims.m {
        columns::<T, M, ROWS>(mul_add, a, b, c, row, dims);
        row += ROWS;
    }
    while row < dims.m {
        columns::<T, M, 1>(mul_add, a, b, c, row, dims);
        row += 1;
    }
}

/// Rows `row..row + R` of `c`, tile after tile of columns.
#[inline(always)]
fn columns<T: Scalar, M: MulAdd<T>, const R: usize>(
    mul_add: M,
    a: Strided<'_, T>,
    b: &[T],
    c: &mut [T],
    row: usize,
    dims: Dims,
) {
    let mut col = 0;
    while col + COLS <= dims.n {
        tile::<T, M, R, COLS>(mul_add, a, b, c, [row, col], dims);
        col += COLS;
    }
    while col + NARROW <= dims.n {
        tile::<T, M, R, NARROW>(mul_add, a, b, c, [row, col], dims);
        col += NARROW;
    }
    while col < dims.n {
        tile::<T, M, R, 1>(mul_add, a, b, c, [row, col], dims);
        col += 1;
    }
}

/// `c[row..row + R][col..col + C] += a[row..row + R][..] · b[..][col..col + C]`.
#[inline(always)]
fn tile<T: Scalar, M: MulAdd<T>, const R: usize, const C: usize>(
    mul_add: M,
    a: Strided<'_, T>,
    b: &[T],
    c: &mut [T],
    [row, col]: [usize; 2],
    Dims { depth, ldb, ldc, .. }: Dims,
) {
    let mut acc = [[T::ZERO; C]; R];
    for (r, acc) in acc.iter_mut().enumerate() {
        acc.copy_from_slice(&c[(row + r) * ldc + col..][..C]);
    }
    for k in 0..depth {
        let b: &[T; C] = b[k * ldb + col..][..C].try_into().expect("C columns");
        for (r, acc) in acc.iter_mut().enumerate() {
            let a = a.at(row + r, k);
            for (acc, &b) in acc.iter_mut().zip(b) {
                *acc = mul_add.mul_add(a, b, *acc);
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        c[(row + r) * ldc + col..][..C].copy_from_slice(acc);
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::super::Kernels;
    use super::super::tiled::Separate;
    use super::*;

    /// Small integers: every product and sum is exact, so any order gives
    /// the definition's answer.
    fn values(len: usize, seed: usize) -> Vec<f64> {
        (0..len).map(|i| ((i * 7 + seed * 13) % 11) as f64 - 5.0).collect()
    }

    #[test]
    fn every_tile_adds_the_product() {
        for (m, depth, n) in [(1, 1, 1), (4, 3, 16), (5, 7, 25), (9, 2, 8), (3, 5, 40), (8, 1, 17)]
        {
            for transposed in [false, true] {
                let a_values = values(m * depth, 1);
                let a = if transposed {
                    // `a` stored as its transpose, `depth × m`.
                    Strided { values: &a_values, row_stride: 1, col_stride: m }
                } else {
                    Strided { values: &a_values, row_stride: depth, col_stride: 1 }
                };
                let b = values(depth * n, 2);
                let start = values(m * n, 3);
                let dims = Dims { m, depth, n, ldb: n, ldc: n };
                let mut c = start.clone();
                gemm_add(Separate, a, &b, &mut c, dims);
                // `f32` takes the AVX2/FMA variant where the CPU has it.
                let narrow = |values: &[f64]| values.iter().map(|&v| v as f32).collect::<Vec<_>>();
                let a32 = narrow(&a_values);
                let a32 =
                    Strided { values: &a32, row_stride: a.row_stride, col_stride: a.col_stride };
                let mut c32 = narrow(&start);
                f32::gemm_add(a32, &narrow(&b), &mut c32, dims);
                for i in 0..m {
                    for j in 0..n {
                        let sum: f64 = (0..depth).map(|k| a.at(i, k) * b[k * n + j]).sum();
                        let expected = start[i * n + j] + sum;
                        assert_eq!(c[i * n + j], expected, "{m}×{depth}×{n} [{i}][{j}]");
                        assert_eq!(f64::from(c32[i * n + j]), expected, "f32 [{i}][{j}]");
                    }
                }
            }
        }
    }
}
