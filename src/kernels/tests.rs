//! The kernels against their definition, `y = b + x·W`, `dW += Σ x ⊗ g`,
//! `db += Σ g` and `dx = W·g`, written one element at a time in `f64`.
//!
//! Fixed tests use small integers (exact in any order) and fractions (where
//! the order of every sum shows). A property test runs every variant (what
//! layers call, the AVX2/FMA one where the CPU has it, the tiled one with
//! separate arithmetic, the plain loops) in `f32` and `f64` on values
//! proptest draws, at layer and batch sizes picked to run every branch of the
//! register tiles, and accepts only the rounding error that the number and
//! size of the terms allow.

extern crate std;

use core::array::from_ref;
use core::fmt;
use std::boxed::Box;
use std::format;
use std::string::String;
use std::vec::Vec;

use proptest::prelude::*;
use proptest::strategy::Union;

use super::tiled::{self, Separate};
use super::*;
use crate::Scalar;

/// `f64`, exactly.
fn wide<T: Scalar>(value: T) -> f64 {
    value.to_f64().expect("a float converts to f64")
}

/// A sum of terms in `f64`, with what bounds the rounding error of the same
/// sum in any order: how many terms, and the sum of their magnitudes.
#[derive(Clone, Copy, Debug, Default)]
struct Sum {
    value: f64,
    magnitude: f64,
    terms: usize,
}

impl Sum {
    fn of(first: f64) -> Self {
        Self::default().plus(first)
    }

    fn plus(self, term: f64) -> Self {
        Self {
            value: self.value + term,
            magnitude: self.magnitude + term.abs(),
            terms: self.terms + 1,
        }
    }

    /// The most by which `T` may miss this sum: any order of `terms`
    /// products and additions rounds each term at most `terms` times, each
    /// time by at most `u = ε/2` relative (Higham's `γ_n = n·u / (1 − n·u)`,
    /// a fused multiply-add only rounds less), plus a subnormal's spacing
    /// per operation; the same again for this `f64` sum itself.
    fn tolerance<T: Scalar>(&self) -> f64 {
        let bound = |unit_roundoff: f64, subnormal_spacing: f64| {
            let n = self.terms as f64;
            let gamma = n * unit_roundoff / (1.0 - n * unit_roundoff);
            gamma * self.magnitude + n * subnormal_spacing
        };
        let spacing = |epsilon: f64, min_positive: f64| epsilon * min_positive;
        bound(wide(T::epsilon()) / 2.0, spacing(wide(T::epsilon()), wide(T::min_positive_value())))
            + bound(f64::EPSILON / 2.0, spacing(f64::EPSILON, f64::MIN_POSITIVE))
    }

    /// Whether `found` is this sum up to rounding in `T`; never for NaN.
    fn admits<T: Scalar>(&self, found: T) -> bool {
        (wide(found) - self.value).abs() <= self.tolerance::<T>()
    }
}

/// Output `o` of `b + x·W`.
fn output<T: Scalar, const IN: usize, const OUT: usize>(
    x: &[T; IN],
    w: &[[T; OUT]; IN],
    b: &[T; OUT],
    o: usize,
) -> Sum {
    (0..IN).fold(Sum::of(wide(b[o])), |sum, i| sum.plus(wide(x[i]) * wide(w[i][o])))
}

/// `dw[i][o]` after adding the gradients of `B` samples.
fn weight_grad<T: Scalar, const IN: usize, const OUT: usize, const B: usize>(
    x: &[[T; IN]; B],
    g: &[[T; OUT]; B],
    dw: &[[T; OUT]; IN],
    (i, o): (usize, usize),
) -> Sum {
    (0..B).fold(Sum::of(wide(dw[i][o])), |sum, b| sum.plus(wide(x[b][i]) * wide(g[b][o])))
}

/// `db[o]` after adding the gradients of `B` samples.
fn bias_grad<T: Scalar, const OUT: usize, const B: usize>(
    g: &[[T; OUT]; B],
    db: &[T; OUT],
    o: usize,
) -> Sum {
    (0..B).fold(Sum::of(wide(db[o])), |sum, b| sum.plus(wide(g[b][o])))
}

/// Entry `i` of `W·g`.
fn input_grad<T: Scalar, const IN: usize, const OUT: usize>(
    g: &[T; OUT],
    w: &[[T; OUT]; IN],
    i: usize,
) -> Sum {
    (0..OUT).fold(Sum::default(), |sum, o| sum.plus(wide(w[i][o]) * wide(g[o])))
}

/// Small integers: every product and sum is exact in `f32`, so every
/// tiling, order and rounding must give the definition's answer.
fn integers<const N: usize>(seed: usize) -> [f32; N] {
    core::array::from_fn(|k| ((k * 7 + seed * 13) % 11) as f32 - 5.0)
}

fn matrix<const R: usize, const C: usize>(seed: usize) -> [[f32; C]; R] {
    core::array::from_fn(|r| integers(seed + r))
}

/// Fractions: rounding happens, so the order of every sum shows.
fn fractions<const R: usize, const C: usize>(seed: usize) -> [[f32; C]; R] {
    core::array::from_fn(|r| {
        core::array::from_fn(|c| 1.0 / ((r * C + c + seed) as f32 + 3.0) - 0.1)
    })
}

/// Sizes that leave remainders at every tiling level, with enough inputs
/// for split sums.
const IN: usize = 13;
const OUT: usize = 83;
const B: usize = 6;

#[test]
fn forward_matches_the_definition() {
    let (x, w, b) = (integers::<IN>(1), matrix::<IN, OUT>(2), integers::<OUT>(3));
    let expected: [f64; OUT] = core::array::from_fn(|o| output(&x, &w, &b, o).value);
    let widen = |y: [f32; OUT]| y.map(f64::from);
    assert_eq!(widen(f32::dense_forward(&x, &w, &b)), expected);
    assert_eq!(widen(tiled::forward(Separate, &x, &w, &b)), expected);
    assert_eq!(widen(plain::forward(&x, &w, &b)), expected);
    assert_eq!(widen(plain::forward_batch(&[x], &w, &b)[0]), expected);
}

#[test]
fn a_batch_gives_each_sample_what_it_gets_alone() {
    let (x, w, [b]) = (fractions::<B, IN>(4), fractions::<IN, OUT>(5), fractions::<1, OUT>(6));
    let dispatched = f32::dense_forward_batch(&x, &w, &b);
    let tiled = tiled::forward_batch(Separate, &x, &w, &b);
    for (sample, x) in x.iter().enumerate() {
        assert_eq!(dispatched[sample], f32::dense_forward(x, &w, &b));
        assert_eq!(tiled[sample], tiled::forward(Separate, x, &w, &b));
    }
}

#[test]
fn gradients_match_the_definition() {
    let (x, g, w) = (matrix::<B, IN>(7), matrix::<B, OUT>(8), matrix::<IN, OUT>(9));
    let (dw0, db0) = (matrix::<IN, OUT>(10), integers::<OUT>(11));
    let mut results = [(dw0, db0); 3];
    f32::dense_param_grads_batch(&x, &g, &mut results[0].0, &mut results[0].1);
    tiled::param_grads_batch(Separate, &x, &g, &mut results[1].0, &mut results[1].1);
    plain::param_grads_batch(&x, &g, &mut results[2].0, &mut results[2].1);
    for (dw, db) in &results {
        for (o, &found) in db.iter().enumerate() {
            assert_eq!(f64::from(found), bias_grad(&g, &db0, o).value, "bias [{o}]");
        }
        for (i, row) in dw.iter().enumerate() {
            for (o, &found) in row.iter().enumerate() {
                let expected = weight_grad(&x, &g, &dw0, (i, o)).value;
                assert_eq!(f64::from(found), expected, "weight [{i}][{o}]");
            }
        }
    }
    let input_grads = [
        f32::dense_input_grad_batch(&g, &w),
        tiled::input_grad_batch(Separate, &g, &w),
        plain::input_grad_batch(&g, &w),
    ];
    for dx in &input_grads {
        for (b, dx) in dx.iter().enumerate() {
            for (i, &found) in dx.iter().enumerate() {
                let expected = input_grad(&g[b], &w, i).value;
                assert_eq!(f64::from(found), expected, "input gradient [{b}][{i}]");
            }
        }
    }
}

#[test]
fn a_batch_accumulates_exactly_as_sample_after_sample() {
    let (x, g, w) = (fractions::<B, IN>(0), fractions::<B, OUT>(1), fractions::<IN, OUT>(2));
    let (mut dw_batch, mut db_batch) = ([[0.5; OUT]; IN], [0.25; OUT]);
    f32::dense_param_grads_batch(&x, &g, &mut dw_batch, &mut db_batch);
    let dx_batch = f32::dense_input_grad_batch(&g, &w);
    let tiled_dx_batch = tiled::input_grad_batch(Separate, &g, &w);
    let (mut dw, mut db) = ([[0.5; OUT]; IN], [0.25; OUT]);
    for b in 0..B {
        let (x, g) = (from_ref(&x[b]), from_ref(&g[b]));
        f32::dense_param_grads_batch(x, g, &mut dw, &mut db);
        assert_eq!(f32::dense_input_grad_batch(g, &w)[0], dx_batch[b], "input gradient {b}");
        assert_eq!(tiled::input_grad_batch(Separate, g, &w)[0], tiled_dx_batch[b]);
    }
    assert_eq!((dw, db), (dw_batch, db_batch));
}

/// One implementation of the four kernels.
trait Variant<T: Scalar>: Copy + fmt::Debug {
    fn forward<const IN: usize, const OUT: usize>(
        self,
        x: &[T; IN],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [T; OUT];

    fn forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[T; IN]; B],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [[T; OUT]; B];

    fn param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[T; IN]; B],
        g: &[[T; OUT]; B],
        dw: &mut [[T; OUT]; IN],
        db: &mut [T; OUT],
    );

    fn input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        g: &[[T; OUT]; B],
        w: &[[T; OUT]; IN],
    ) -> [[T; IN]; B];
}

/// What layers call: [`Kernels`], which picks a variant by type, size and
/// CPU.
#[derive(Clone, Copy, Debug)]
struct Dispatched;

/// The plain loops of microcontrollers.
#[derive(Clone, Copy, Debug)]
struct Plain;

impl<T: Scalar> Variant<T> for Dispatched {
    fn forward<const IN: usize, const OUT: usize>(
        self,
        x: &[T; IN],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [T; OUT] {
        T::dense_forward(x, w, b)
    }

    fn forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[T; IN]; B],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [[T; OUT]; B] {
        T::dense_forward_batch(x, w, b)
    }

    fn param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[T; IN]; B],
        g: &[[T; OUT]; B],
        dw: &mut [[T; OUT]; IN],
        db: &mut [T; OUT],
    ) {
        T::dense_param_grads_batch(x, g, dw, db)
    }

    fn input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        g: &[[T; OUT]; B],
        w: &[[T; OUT]; IN],
    ) -> [[T; IN]; B] {
        T::dense_input_grad_batch(g, w)
    }
}

impl Variant<f32> for x86::Fused {
    fn forward<const IN: usize, const OUT: usize>(
        self,
        x: &[f32; IN],
        w: &[[f32; OUT]; IN],
        b: &[f32; OUT],
    ) -> [f32; OUT] {
        self.dense_forward(x, w, b)
    }

    fn forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[f32; IN]; B],
        w: &[[f32; OUT]; IN],
        b: &[f32; OUT],
    ) -> [[f32; OUT]; B] {
        self.dense_forward_batch(x, w, b)
    }

    fn param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[f32; IN]; B],
        g: &[[f32; OUT]; B],
        dw: &mut [[f32; OUT]; IN],
        db: &mut [f32; OUT],
    ) {
        self.dense_param_grads_batch(x, g, dw, db)
    }

    fn input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        g: &[[f32; OUT]; B],
        w: &[[f32; OUT]; IN],
    ) -> [[f32; IN]; B] {
        self.dense_input_grad_batch(g, w)
    }
}

impl<T: Scalar> Variant<T> for Separate {
    fn forward<const IN: usize, const OUT: usize>(
        self,
        x: &[T; IN],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [T; OUT] {
        tiled::separate::forward(x, w, b)
    }

    fn forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[T; IN]; B],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [[T; OUT]; B] {
        tiled::separate::forward_batch(x, w, b)
    }

    fn param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[T; IN]; B],
        g: &[[T; OUT]; B],
        dw: &mut [[T; OUT]; IN],
        db: &mut [T; OUT],
    ) {
        tiled::separate::param_grads_batch(x, g, dw, db)
    }

    fn input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        g: &[[T; OUT]; B],
        w: &[[T; OUT]; IN],
    ) -> [[T; IN]; B] {
        tiled::separate::input_grad_batch(g, w)
    }
}

impl<T: Scalar> Variant<T> for Plain {
    fn forward<const IN: usize, const OUT: usize>(
        self,
        x: &[T; IN],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [T; OUT] {
        plain::forward(x, w, b)
    }

    fn forward_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[T; IN]; B],
        w: &[[T; OUT]; IN],
        b: &[T; OUT],
    ) -> [[T; OUT]; B] {
        plain::forward_batch(x, w, b)
    }

    fn param_grads_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        x: &[[T; IN]; B],
        g: &[[T; OUT]; B],
        dw: &mut [[T; OUT]; IN],
        db: &mut [T; OUT],
    ) {
        plain::param_grads_batch(x, g, dw, db)
    }

    fn input_grad_batch<const IN: usize, const OUT: usize, const B: usize>(
        self,
        g: &[[T; OUT]; B],
        w: &[[T; OUT]; IN],
    ) -> [[T; IN]; B] {
        plain::input_grad_batch(g, w)
    }
}

/// The forward pass of a sample and of a batch of `B`, the weight and
/// bias gradients added into others, and the input gradients.
type Results<const IN: usize, const OUT: usize> =
    ([f32; OUT], [[f32; OUT]; B], [[f32; OUT]; IN], [f32; OUT], [[f32; IN]; B]);

/// What every kernel of `variant` gives a layer and a batch of fractions.
fn results<V: Variant<f32>, const IN: usize, const OUT: usize>(variant: V) -> Results<IN, OUT> {
    let (x, w, [b]) = (fractions::<B, IN>(1), fractions::<IN, OUT>(2), fractions::<1, OUT>(3));
    let (g, mut dw, [mut db]) = (fractions::<B, OUT>(4), fractions(5), fractions::<1, OUT>(6));
    variant.param_grads_batch(&x, &g, &mut dw, &mut db);
    let batch = variant.forward_batch(&x, &w, &b);
    (variant.forward(&x[0], &w, &b), batch, dw, db, variant.input_grad_batch(&g, &w))
}

/// `f32` takes the AVX2/FMA variant where the CPU has both, for layers of
/// `SIMD_MIN_WEIGHTS` weights and more, and the separate one otherwise:
/// on fractions the two differ, since a fused multiply-add rounds once.
#[test]
fn f32_takes_the_fused_variant_from_64_weights_where_the_cpu_has_it() {
    let cpu_has_both =
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
    assert_eq!(x86::Fused::available().is_some(), cpu_has_both);
    assert_eq!(results::<_, 7, 9>(Dispatched), results::<_, 7, 9>(Separate), "63 weights");
    let separate = results::<_, 4, 16>(Separate);
    match x86::Fused::available() {
        Some(fused) => {
            let fused = results::<_, 4, 16>(fused);
            assert_ne!(fused.0, separate.0, "forward: the variants must differ to be told apart");
            assert_ne!(fused.1, separate.1, "batch forward");
            assert_ne!(fused.2, separate.2, "weight gradients");
            assert_ne!(fused.4, separate.4, "input gradients");
            assert_eq!(results::<_, 4, 16>(Dispatched), fused, "64 weights");
        }
        None => assert_eq!(results::<_, 4, 16>(Dispatched), separate, "64 weights, no FMA"),
    }
}

/// A layer's tensors and a batch, boxed: a 300×300 weight does not fit a
/// test thread's stack several times over.
struct Tensors<T, const IN: usize, const OUT: usize, const B: usize> {
    x: Box<[[T; IN]; B]>,
    w: Box<[[T; OUT]; IN]>,
    b: Box<[T; OUT]>,
    /// The gradient of each output.
    g: Box<[[T; OUT]; B]>,
    /// Gradients already accumulated, which the kernels must add to.
    dw: Box<[[T; OUT]; IN]>,
    db: Box<[T; OUT]>,
}

/// `values`, rounded to `T`, in rows of `C`.
fn rows<T: Scalar, const R: usize, const C: usize>(values: &[f64]) -> Box<[[T; C]; R]> {
    let rows: Vec<[T; C]> =
        values.chunks_exact(C).map(|row| core::array::from_fn(|c| T::from_f64(row[c]))).collect();
    rows.into_boxed_slice().try_into().unwrap_or_else(|_| panic!("{R} rows of {C}"))
}

/// What every kernel must compute from a [`Tensors`].
struct Definition<const IN: usize, const OUT: usize> {
    /// One row per sample.
    outputs: Vec<[Sum; OUT]>,
    weight_grads: Vec<[Sum; OUT]>,
    bias_grads: [Sum; OUT],
    /// One row per sample.
    input_grads: Vec<[Sum; IN]>,
}

impl<T: Scalar, const IN: usize, const OUT: usize, const B: usize> Tensors<T, IN, OUT, B> {
    fn definition(&self) -> Definition<IN, OUT> {
        let Self { x, w, b, g, dw, db } = self;
        Definition {
            outputs: x.iter().map(|x| core::array::from_fn(|o| output(x, w, b, o))).collect(),
            weight_grads: (0..IN)
                .map(|i| core::array::from_fn(|o| weight_grad(x, g, dw, (i, o))))
                .collect(),
            bias_grads: core::array::from_fn(|o| bias_grad(g, db, o)),
            input_grads: g.iter().map(|g| core::array::from_fn(|i| input_grad(g, w, i))).collect(),
        }
    }
}

/// Every kernel of `variant` against the definition, and a batch against
/// its samples one at a time (which must agree bit for bit: every sum has
/// one order).
fn check<T: Scalar, V: Variant<T>, const IN: usize, const OUT: usize, const B: usize>(
    variant: V,
    tensors: &Tensors<T, IN, OUT, B>,
    definition: &Definition<IN, OUT>,
) -> Result<(), TestCaseError> {
    let Tensors { x, w, b, g, dw, db } = tensors;
    let agrees = |found: T, expected: &Sum, what: &dyn Fn() -> String| {
        prop_assert!(
            expected.admits(found),
            "{variant:?} on {}: {} is {:e}, expected {:e} ± {:.1e} ({} terms)",
            T::NAME,
            what(),
            wide(found),
            expected.value,
            expected.tolerance::<T>(),
            expected.terms
        );
        Ok(())
    };

    let batch = variant.forward_batch(x, w, b);
    for (sample, (x, batch)) in x.iter().zip(&batch).enumerate() {
        let y = variant.forward(x, w, b);
        for (o, expected) in definition.outputs[sample].iter().enumerate() {
            agrees(y[o], expected, &|| format!("forward: sample {sample}, output {o}"))?;
        }
        prop_assert_eq!(batch, &y, "{:?}: forward_batch, sample {}", variant, sample);
    }

    let (mut dw_batch, mut db_batch) = (dw.clone(), db.clone());
    variant.param_grads_batch(x, g, &mut dw_batch, &mut db_batch);
    for (o, expected) in definition.bias_grads.iter().enumerate() {
        agrees(db_batch[o], expected, &|| format!("bias gradient [{o}]"))?;
    }
    for (i, expected) in definition.weight_grads.iter().enumerate() {
        for (o, expected) in expected.iter().enumerate() {
            agrees(dw_batch[i][o], expected, &|| format!("weight gradient [{i}][{o}]"))?;
        }
    }
    let (mut dw_samples, mut db_samples) = (dw.clone(), db.clone());
    for (x, g) in x.iter().zip(g.iter()) {
        variant.param_grads_batch(from_ref(x), from_ref(g), &mut dw_samples, &mut db_samples);
    }
    prop_assert!(
        (&dw_samples, &db_samples) == (&dw_batch, &db_batch),
        "{variant:?}: parameter gradients of the batch differ from sample after sample"
    );

    let dx = variant.input_grad_batch(g, w);
    for (sample, (g, dx)) in g.iter().zip(&dx).enumerate() {
        for (i, expected) in definition.input_grads[sample].iter().enumerate() {
            agrees(dx[i], expected, &|| format!("input gradient: sample {sample}, input {i}"))?;
        }
        let [alone] = variant.input_grad_batch(from_ref(g), w);
        prop_assert_eq!(dx, &alone, "{:?}: input gradient of sample {}", variant, sample);
    }
    Ok(())
}

/// A layer and a batch as proptest draws them, in `f64`, row-major.
struct Drawn<const IN: usize, const OUT: usize, const B: usize> {
    x: Vec<f64>,
    w: Vec<f64>,
    b: Vec<f64>,
    g: Vec<f64>,
    dw: Vec<f64>,
    db: Vec<f64>,
}

impl<const IN: usize, const OUT: usize, const B: usize> Drawn<IN, OUT, B> {
    fn strategy() -> impl Strategy<Value = Self> {
        let values = |len| proptest::collection::vec(-2.0..2.0, len);
        (
            values(B * IN),
            values(IN * OUT),
            values(OUT),
            values(B * OUT),
            values(IN * OUT),
            values(OUT),
        )
            .prop_map(|(x, w, b, g, dw, db)| Self { x, w, b, g, dw, db })
    }

    fn tensors<T: Scalar>(&self) -> Tensors<T, IN, OUT, B> {
        let [b] = *rows::<T, 1, OUT>(&self.b);
        let [db] = *rows::<T, 1, OUT>(&self.db);
        Tensors {
            x: rows(&self.x),
            w: rows(&self.w),
            b: Box::new(b),
            g: rows(&self.g),
            dw: rows(&self.dw),
            db: Box::new(db),
        }
    }
}

/// The sizes only: a failure names the element, the value found and the
/// value expected, and tens of thousands of drawn values would bury it
/// (proptest's seed reproduces them).
impl<const IN: usize, const OUT: usize, const B: usize> fmt::Debug for Drawn<IN, OUT, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dense<{IN}, {OUT}>, batch of {B}")
    }
}

/// A drawn case, whatever its sizes.
trait Case: fmt::Debug {
    /// Every variant in `f32` and `f64`.
    fn check(&self) -> Result<(), TestCaseError>;
}

impl<const IN: usize, const OUT: usize, const B: usize> Case for Drawn<IN, OUT, B> {
    fn check(&self) -> Result<(), TestCaseError> {
        let single = self.tensors::<f32>();
        let definition = single.definition();
        check(Dispatched, &single, &definition)?;
        if let Some(fused) = x86::Fused::available() {
            check(fused, &single, &definition)?;
        }
        check(Separate, &single, &definition)?;
        check(Plain, &single, &definition)?;
        let double = self.tensors::<f64>();
        let definition = double.definition();
        check(Dispatched, &double, &definition)?;
        check(Separate, &double, &definition)?;
        check(Plain, &double, &definition)
    }
}

fn case<const IN: usize, const OUT: usize, const B: usize>() -> BoxedStrategy<Box<dyn Case>> {
    Drawn::<IN, OUT, B>::strategy().prop_map(|drawn| Box::new(drawn) as Box<dyn Case>).boxed()
}

/// `cases()` picks one of the listed `(IN, OUT, B)`: sizes are types, so
/// each is compiled.
macro_rules! sizes {
    ($(($inputs:literal, $outputs:literal, $batch:literal)),* $(,)?) => {
        fn cases() -> Union<BoxedStrategy<Box<dyn Case>>> {
            Union::new([$(case::<$inputs, $outputs, $batch>()),*])
        }
    };
}

// Between them, every branch of the tiles: single-sample outputs in passes
// of 128 (`OUT` 128 to 300), 32, 8 and 1; split sums (at least 8 inputs)
// with and without a remainder of inputs; batch tiles of 4 samples or 4
// inputs with remainders of 1 to 3; weight-gradient columns by 16, 8 and 1;
// input gradients by pairs of inputs with a remainder, over outputs in
// lanes of 8 with a tail; batches of 1 to 40; layers on both sides of the
// 64 weights from which `f32` takes the AVX2/FMA variant. Square layers make a
// transposed weight gradient fit its array, so it has to be caught here.
#[cfg(not(miri))]
sizes! {
    (1, 1, 1),
    (3, 3, 2),
    (7, 8, 5),
    (8, 15, 3),
    (16, 16, 40),
    (17, 17, 7),
    (2, 31, 9),
    (31, 32, 6),
    (33, 33, 16),
    (64, 127, 2),
    (15, 128, 4),
    (129, 129, 1),
    (10, 255, 3),
    (256, 9, 2),
    (9, 257, 33),
    (300, 5, 31),
    (5, 300, 8),
}

// Miri runs about a thousand times slower: a few small layers that still
// reach the AVX2/FMA variant's split sums, remainders and batch tiles.
#[cfg(miri)]
sizes! {
    (3, 3, 2),
    (9, 8, 5),
}

fn config() -> ProptestConfig {
    // Each shrinking step reruns every kernel: enough to reach a small
    // counterexample, not to wait minutes for the smallest.
    let config = ProptestConfig { max_shrink_iters: 256, ..ProptestConfig::default() };
    if cfg!(miri) {
        // Miri's isolation has no file system to keep failures in.
        ProptestConfig { cases: 3, failure_persistence: None, ..config }
    } else {
        config
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_variant_matches_the_definition(case in cases()) {
        case.check()?;
    }
}

/// `Σ w · x` in 64 bits, then wrapped to 32 as the kernels wrap.
fn int8_dot_definition(weights: &[i8], inputs: &[i16]) -> i32 {
    let products = weights.iter().zip(inputs).map(|(&w, &x)| i64::from(w) * i64::from(x));
    products.sum::<i64>() as i32
}

/// The int8 dot products on the same values: in order, and as layers call
/// them (one, and four sharing their weights, each of other values), with
/// AVX2 where the CPU has it.
fn check_int8_dot(weights: &[i8], inputs: &[i16]) -> Result<(), TestCaseError> {
    let definition = int8_dot_definition(weights, inputs);
    prop_assert_eq!(int8_dot_in_order(weights, inputs), definition);
    prop_assert_eq!(int8_dots(weights, [inputs]), [definition]);
    let reversed: Vec<i16> = inputs.iter().rev().copied().collect();
    let tripled: Vec<i16> = inputs.iter().map(|x| x.wrapping_mul(3)).collect();
    let inverted: Vec<i16> = inputs.iter().map(|x| !x).collect();
    let four = [inputs, &reversed, &tripled, &inverted];
    let definitions = four.map(|inputs| int8_dot_definition(weights, inputs));
    prop_assert_eq!(int8_dots(weights, four), definitions);
    // A shorter one ends them all.
    let half = &inputs[..inputs.len() / 2];
    let ended = four.map(|inputs| int8_dot_definition(weights, &inputs[..half.len()]));
    prop_assert_eq!(int8_dots(weights, [inputs, &reversed, &tripled, &inverted, half]), {
        let [a, b, c, d] = ended;
        [a, b, c, d, int8_dot_definition(weights, half)]
    });
    if let Some(fused) = x86::Fused::available() {
        prop_assert_eq!(fused.int8_dots(weights, [inputs]), [definition]);
        prop_assert_eq!(fused.int8_dots(weights, four), definitions);
    }
    Ok(())
}

#[test]
fn int8_dots_wrap_at_32_bits_and_stop_at_the_shorter_slice() {
    // 1000 × 128 × 32767 is 4.19e9: the sum wraps once.
    check_int8_dot(&[-128; 1000], &[-32767; 1000]).unwrap();
    check_int8_dot(&[-128; 1000], &[i16::MIN; 999]).unwrap();
    check_int8_dot(&[127; 47], &[i16::MAX; 48]).unwrap();
    assert_eq!(int8_dots(&[1, 2, 3], [&[10, 100], &[1, 1, 1]]), [210, 3]);
}

proptest! {
    #![proptest_config(config())]

    /// Lengths on both sides of the blocks of 16 and pairs of blocks.
    #[test]
    fn int8_dots_equal_their_definition(
        weights in proptest::collection::vec(any::<i8>(), 0..=100),
        inputs in proptest::collection::vec(any::<i16>(), 0..=100),
    ) {
        check_int8_dot(&weights, &inputs)?;
    }
}

/// Each output as `Multiplier::apply` and the clamp make it, one at a time.
fn requantized_definition(
    sums: &[i32],
    (bias, multiplier): (i32, Multiplier),
    zero_point: i32,
    (low, high): (i8, i8),
) -> Vec<i8> {
    let scaled = |sum: i32| i64::from(multiplier.apply(sum.wrapping_add(bias)));
    let clamped = |y: i64| y.max(i64::from(low)).min(i64::from(high)) as i8;
    sums.iter().map(|&sum| clamped(scaled(sum) + i64::from(zero_point))).collect()
}

/// Multipliers as `from_real` makes them, over every shift, and any.
fn multipliers() -> impl Strategy<Value = Multiplier> {
    prop_oneof![
        (1.0e-9f64..4.0).prop_map(Multiplier::from_real),
        (any::<i32>(), -31..=30i32).prop_map(|(value, shift)| Multiplier { value, shift }),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Requantized in order, and with AVX2 where the CPU has it, a channel's
    /// outputs are those of its definition: any sums, biases and zero
    /// points, clamps crossed or not, and lengths around the vectors' eight.
    #[test]
    fn int8_requantization_equals_its_definition(
        sums in proptest::collection::vec(any::<i32>(), 0..=40),
        bias in prop_oneof![any::<i32>(), -1000..1000],
        multiplier in multipliers(),
        zero_point in prop_oneof![-128..=127i32, any::<i32>()],
        clamp in (any::<i8>(), any::<i8>()),
    ) {
        let channel = (bias, multiplier);
        let definition = requantized_definition(&sums, channel, zero_point, clamp);
        let mut output = std::vec![0; sums.len()];
        requantize_all(&sums, channel, zero_point, clamp, &mut output);
        prop_assert_eq!(&output, &definition);
        output.fill(0);
        int8_requantize(&sums, channel, zero_point, clamp, &mut output);
        prop_assert_eq!(&output, &definition);
        if let Some(fused) = x86::Fused::available() {
            output.fill(0);
            fused.int8_requantize(&sums, channel, zero_point, clamp, &mut output);
            prop_assert_eq!(&output, &definition);
        }
    }
}
