//! Any bytes, read as a safetensors file into networks of both scalars in
//! both layouts: an error or a network, never a panic; and a network read
//! writes back to a file that reads as the same network.
#![no_main]

use constnet::io::{Layout, safetensors};
use constnet::prelude::*;
use libfuzzer_sys::fuzz_target;

// The shapes of the committed PyTorch fixture `mse_tanh`, the seed corpus.
network! {
    pub struct Net<f64> { hidden: Dense<3, 5>, Tanh, out: Dense<5, 2> }
}

fn check<T: Scalar>(bytes: &[u8], layout: Layout) {
    let Ok(net) = safetensors::read::<T, Net<T>>(bytes, layout) else { return };
    let written = safetensors::write(&net, layout).expect("a network read writes back");
    let again: Net<T> = safetensors::read(&written, layout).expect("a written file reads");
    assert!(same(&net, &again), "the round trip changed a value");
}

/// Bit for bit, so that NaN equals itself.
fn same<T: Scalar>(a: &Net<T>, b: &Net<T>) -> bool {
    (0..Net::<T>::TENSORS).all(|i| {
        let (a, b) = (a.tensor(i).unwrap(), b.tensor(i).unwrap());
        a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    })
}

fuzz_target!(|bytes: &[u8]| {
    for layout in [Layout::InOut, Layout::OutIn] {
        check::<f32>(bytes, layout);
        check::<f64>(bytes, layout);
    }
});
