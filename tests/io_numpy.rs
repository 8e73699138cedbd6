//! Files written by NumPy itself (`scripts/numpy_fixtures.py`): archives
//! from `np.savez` and `np.savez_compressed`, arrays from `np.save` in every
//! byte order, memory order and format version NumPy writes.

use std::path::{Path, PathBuf};

use constnet::io::{Error, Layout, numpy};
use constnet::prelude::*;

network! {
    #[derive(Debug, PartialEq)]
    pub struct Net<f64> { hidden: Dense<3, 5>, Tanh, out: Dense<5, 2> }
}

/// The values of the fixtures, by the script's formulas.
fn expected<T: Scalar>() -> Net<T> {
    let mut net = Net::zeros();
    for (i, row) in net.hidden.weight.iter_mut().enumerate() {
        for (o, w) in row.iter_mut().enumerate() {
            *w = T::from_f64((i * 5 + o) as f64 / 8.0 - 1.0);
        }
    }
    net.hidden.bias = core::array::from_fn(|o| T::from_f64(o as f64 / 4.0));
    for (i, row) in net.out.weight.iter_mut().enumerate() {
        for (o, w) in row.iter_mut().enumerate() {
            *w = T::from_f64((i * 2 + o) as f64 / 16.0 + 0.5);
        }
    }
    net.out.bias = [T::from_f64(-1.0), T::from_f64(1.5)];
    net
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/numpy").join(name)
}

#[test]
fn archives_from_numpy_read_into_either_precision() {
    let net: Net = numpy::load_npz(fixture("net.npz"), Layout::InOut).unwrap();
    assert_eq!(net, expected());
    let net: Net<f32> = numpy::load_npz(fixture("net.npz"), Layout::InOut).unwrap();
    assert_eq!(net, expected());
    let net: Net = numpy::load_npz(fixture("net_compressed_f32.npz"), Layout::InOut).unwrap();
    assert_eq!(net, expected());
    let net: Net = numpy::load_npz(fixture("net_out_in.npz"), Layout::OutIn).unwrap();
    assert_eq!(net, expected());
}

#[test]
fn an_archive_read_in_the_wrong_layout_says_which_to_use() {
    let error = numpy::load_npz::<f64, Net>(fixture("net_out_in.npz"), Layout::InOut).unwrap_err();
    assert_eq!(
        error.to_string(),
        "tensor `hidden.weight`: expected shape [3, 5] ([in, out]), found [5, 3]; the file \
         stores weights [out, in]: read it with `OutIn`"
    );
}

#[test]
fn arrays_from_numpy_read_in_every_byte_and_memory_order() {
    let cases = [
        ("hidden_weight_f8.npy", Layout::InOut),
        ("hidden_weight_f4.npy", Layout::InOut),
        ("hidden_weight_big_endian.npy", Layout::InOut),
        ("hidden_weight_fortran.npy", Layout::InOut),
        ("hidden_weight_v2.npy", Layout::InOut),
        // `W.T` saved as is: [out, in], in Fortran order.
        ("hidden_weight_transposed_view.npy", Layout::OutIn),
    ];
    for (file, layout) in cases {
        let mut net: Net = Net::zeros();
        numpy::load_npy(&mut net, "hidden.weight", fixture(file), layout).unwrap();
        assert_eq!(net.hidden.weight, expected::<f64>().hidden.weight, "{file}");
        let mut single: Net<f32> = Net::zeros();
        numpy::load_npy(&mut single, "hidden.weight", fixture(file), layout).unwrap();
        assert_eq!(single.hidden.weight, expected::<f32>().hidden.weight, "{file}");
    }
}

#[test]
fn an_integer_array_is_refused() {
    let mut net: Net = Net::zeros();
    let error = numpy::load_npy(
        &mut net,
        "hidden.weight",
        fixture("hidden_weight_int64.npy"),
        Layout::InOut,
    )
    .unwrap_err();
    assert!(matches!(error, Error::UnsupportedDtype { .. }));
    assert_eq!(
        error.to_string(),
        "tensor `hidden.weight`: expected f32 or f64 elements, found <i8"
    );
}

/// The header's text aside: `npyz` writes the shape `(3, 5, )` where NumPy
/// writes `(3, 5)`, and pads to the same length.
#[test]
fn arrays_written_are_numpy_s() {
    let numpy_s = std::fs::read(fixture("hidden_weight_f8.npy")).unwrap();
    let ours = numpy::write_npy(&expected::<f64>(), "hidden.weight", Layout::InOut).unwrap();
    let header = |bytes: &[u8]| {
        let len = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
        let text = String::from_utf8(bytes[10..10 + len].to_vec()).unwrap();
        (10 + len, text.replace(", )", ")").trim_end().to_owned())
    };
    assert_eq!(ours[..8], numpy_s[..8], "magic string and version");
    assert_eq!(header(&ours), header(&numpy_s));
    assert_eq!(ours[header(&ours).0..], numpy_s[header(&numpy_s).0..], "data");
}
