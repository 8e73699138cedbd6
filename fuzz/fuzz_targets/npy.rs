//! Any bytes, read as a `.npy` array into a network's weight (both
//! scalars, both layouts) and bias: an error or a tensor, never a panic;
//! and a tensor read writes back to an array that reads as the same tensor.
#![no_main]

use constnet::io::{Layout, numpy};
use constnet::prelude::*;
use libfuzzer_sys::fuzz_target;

// The shapes of the committed NumPy fixtures, the seed corpus.
network! {
    pub struct Net<f64> { hidden: Dense<3, 5>, Tanh, out: Dense<5, 2> }
}

fn check<T: Scalar>(bytes: &[u8], tensor: &str, layout: Layout) {
    let mut net: Net<T> = Net::zeros();
    if numpy::read_npy(&mut net, tensor, bytes, layout).is_err() {
        return;
    }
    let written = numpy::write_npy(&net, tensor, layout).expect("a tensor read writes back");
    let mut again: Net<T> = Net::zeros();
    numpy::read_npy(&mut again, tensor, &written, layout).expect("a written array reads");
    let (a, b) = (net.hidden.weight.as_flattened(), again.hidden.weight.as_flattened());
    assert!(
        same(a, b) && same(&net.hidden.bias, &again.hidden.bias),
        "the round trip changed a value"
    );
}

/// Equal, or both NaN.
fn same<T: Scalar>(a: &[T], b: &[T]) -> bool {
    a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

fuzz_target!(|bytes: &[u8]| {
    for layout in [Layout::InOut, Layout::OutIn] {
        check::<f32>(bytes, "hidden.weight", layout);
        check::<f64>(bytes, "hidden.weight", layout);
    }
    check::<f64>(bytes, "hidden.bias", Layout::InOut);
});
