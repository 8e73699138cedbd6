//! Any bytes, read as a `.npz` archive into networks of both scalars in
//! both layouts: an error or a network, never a panic; and a network read
//! writes back to an archive that reads as the same network.
#![no_main]

use constnet::io::{Layout, numpy};
use constnet::prelude::*;
use libfuzzer_sys::fuzz_target;

// The shapes of the committed NumPy fixtures, the seed corpus.
network! {
    pub struct Net<f64> { hidden: Dense<3, 5>, Tanh, out: Dense<5, 2> }
}

fn check<T: Scalar>(bytes: &[u8], layout: Layout) {
    let Ok(net) = numpy::read_npz::<T, Net<T>>(bytes, layout) else { return };
    let written = numpy::write_npz(&net, layout).expect("a network read writes back");
    let again: Net<T> = numpy::read_npz(&written, layout).expect("a written archive reads");
    assert!((0..Net::<T>::TENSORS).all(|i| {
        let (a, b) = (net.tensor(i).unwrap(), again.tensor(i).unwrap());
        a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    }));
}

fuzz_target!(|bytes: &[u8]| {
    for layout in [Layout::InOut, Layout::OutIn] {
        check::<f32>(bytes, layout);
        check::<f64>(bytes, layout);
    }
});
