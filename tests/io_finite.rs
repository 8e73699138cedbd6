//! Reading with `Layout::finite_only`: a NaN or an infinity anywhere in a
//! file, in every format, layout and precision, is an error that names its
//! element; a file of finite values reads as it does without it.

use constnet::io::{Error, Layout, ReadOptions, numpy, safetensors};
use constnet::prelude::*;
use proptest::prelude::*;
use rand::rngs::SmallRng;

network! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Net<f64> { hidden: Dense<3, 4>, Tanh, out: Dense<4, 2> }
}

const TENSORS: [&str; 4] = ["hidden.weight", "hidden.bias", "out.weight", "out.bias"];

/// `net` written in `layout` by each format, read back into a network of
/// scalar `T` with `options`: a whole safetensors file, a whole `.npz`
/// archive, and one `.npy` array per tensor.
fn read_back<W: Scalar, T: Scalar>(
    net: &Net<W>,
    layout: Layout,
    options: ReadOptions,
) -> [(&'static str, Result<Net<T>, Error>); 3] {
    let by_npy = || {
        let mut read = Net::zeros();
        for tensor in TENSORS {
            numpy::read_npy(&mut read, tensor, &numpy::write_npy(net, tensor, layout)?, options)?;
        }
        Ok(read)
    };
    [
        (
            "safetensors",
            safetensors::write(net, layout).and_then(|b| safetensors::read(&b, options)),
        ),
        ("npz", numpy::write_npz(net, layout).and_then(|b| numpy::read_npz(&b, options))),
        ("npy", by_npy()),
    ]
}

/// Puts `value` at the element of `net` that `(tensor, a, b)` picks, and
/// names that element.
fn put<T: Scalar>(net: &mut Net<T>, (tensor, a, b): (usize, usize, usize), value: T) -> String {
    match tensor {
        0 => {
            let (i, o) = (a % 3, b % 4);
            net.hidden.weight[i][o] = value;
            format!("hidden.weight[{i}][{o}]")
        }
        1 => {
            let o = a % 4;
            net.hidden.bias[o] = value;
            format!("hidden.bias[{o}]")
        }
        2 => {
            let (i, o) = (a % 4, b % 2);
            net.out.weight[i][o] = value;
            format!("out.weight[{i}][{o}]")
        }
        _ => {
            let o = a % 2;
            net.out.bias[o] = value;
            format!("out.bias[{o}]")
        }
    }
}

/// Reading `net`, which holds the non-finite `value` at `element`, is
/// refused in every format, naming the element and the value.
fn refused<W: Scalar, T: Scalar>(
    net: &Net<W>,
    layout: Layout,
    element: &str,
    value: W,
) -> Result<(), TestCaseError> {
    for (format, result) in read_back::<W, T>(net, layout, layout.finite_only()) {
        let error = result.err().ok_or_else(|| {
            TestCaseError::fail(format!("{format}: {element} = {value} was read into {}", T::NAME))
        })?;
        let named = matches!(&error, Error::NonFinite { element: e, value: v }
            if e == element && (*v == value.to_f64().unwrap() || (v.is_nan() && value.is_nan())));
        prop_assert!(named, "{format}, {layout:?} into {}: {error:?}", T::NAME);
        prop_assert_eq!(
            error.to_string(),
            format!("`{element}`: expected a finite value, found {value}")
        );
    }
    Ok(())
}

/// A network of finite `values` (in tensor order) reads the same with and
/// without `finite_only`, in every format and layout.
fn unchanged<T: Scalar>(values: &[T]) -> Result<(), TestCaseError> {
    let mut net: Net<T> = Net::zeros();
    let mut values = values.iter().copied();
    for i in 0..Net::<T>::TENSORS {
        for slot in net.tensor_mut(i).unwrap() {
            *slot = values.next().unwrap();
        }
    }
    for layout in [Layout::InOut, Layout::OutIn] {
        let plain = read_back::<T, T>(&net, layout, layout.into());
        let finite = read_back::<T, T>(&net, layout, layout.finite_only());
        for ((format, plain), (_, finite)) in plain.into_iter().zip(finite) {
            let (plain, finite) = (plain.unwrap(), finite.unwrap());
            prop_assert_eq!(&finite, &plain, "{}, {:?}", format, layout);
            prop_assert_eq!(&finite, &net, "{}, {:?}", format, layout);
        }
    }
    Ok(())
}

fn non_finite() -> impl Strategy<Value = f64> {
    prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)]
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![Just(Layout::InOut), Just(Layout::OutIn)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_non_finite_f64_is_refused_and_named(
        seed in any::<u64>(),
        spot in (0..4usize, 0..4usize, 0..4usize),
        value in non_finite(),
        layout in layout(),
    ) {
        let mut net: Net = Net::random(&mut SmallRng::seed_from_u64(seed));
        let element = put(&mut net, spot, value);
        refused::<f64, f64>(&net, layout, &element, value)?;
        refused::<f64, f32>(&net, layout, &element, value)?;
    }

    #[test]
    fn a_non_finite_f32_is_refused_and_named(
        seed in any::<u64>(),
        spot in (0..4usize, 0..4usize, 0..4usize),
        value in non_finite(),
        layout in layout(),
    ) {
        let mut net: Net<f32> = Net::random(&mut SmallRng::seed_from_u64(seed));
        let element = put(&mut net, spot, value as f32);
        refused::<f32, f32>(&net, layout, &element, value as f32)?;
        refused::<f32, f64>(&net, layout, &element, value as f32)?;
    }

    /// Every class of finite value: zeros of both signs, subnormal, normal.
    #[test]
    fn finite_f64_values_read_as_without_the_option(
        values in prop::collection::vec(
            prop::num::f64::POSITIVE | prop::num::f64::NEGATIVE | prop::num::f64::NORMAL
                | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
            Net::<f64>::PARAMS,
        ),
    ) {
        unchanged(&values)?;
    }

    #[test]
    fn finite_f32_values_read_as_without_the_option(
        values in prop::collection::vec(
            prop::num::f32::POSITIVE | prop::num::f32::NEGATIVE | prop::num::f32::NORMAL
                | prop::num::f32::SUBNORMAL | prop::num::f32::ZERO,
            Net::<f64>::PARAMS,
        ),
    ) {
        unchanged(&values)?;
    }
}

#[test]
fn a_finite_f64_beyond_f32_is_out_of_range_not_non_finite() {
    let mut net: Net = Net::zeros();
    net.out.weight[3][1] = f64::MAX;
    for (format, result) in read_back::<f64, f32>(&net, Layout::OutIn, Layout::OutIn.finite_only())
    {
        let error = result.unwrap_err();
        assert!(
            matches!(&error, Error::OutOfRange { element, .. } if element == "out.weight[3][1]"),
            "{format}: {error:?}"
        );
    }
}
