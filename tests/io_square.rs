//! A network whose dense weights are all square, saved as PyTorch saves a
//! state dict (weights `[out, in]`): no shape tells the layout. With the
//! metadata entry that the README's Python writes, reading it in the wrong
//! layout is an error; without it, and in a `.npz`, the layout asked for is
//! taken, and the wrong one transposes every weight, as documented.

use std::collections::HashMap;

use ::safetensors::tensor::{Dtype, TensorView, serialize};
use constnet::io::{Error, Layout, numpy, safetensors};
use constnet::prelude::*;

network! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Square<f64> { first: Dense<3, 3>, Tanh, second: Dense<3, 3> }
}

/// Every parameter distinct, so that a transpose shows: weight `[i][o]` of
/// layer `l` is `l + i / 10 + o / 100`, bias `o` is `l + 0.5 + o / 100`.
fn labelled() -> Square {
    let layer = |l: f64| Dense {
        weight: std::array::from_fn(|i| {
            std::array::from_fn(|o| l + i as f64 / 10.0 + o as f64 / 100.0)
        }),
        bias: std::array::from_fn(|o| l + 0.5 + o as f64 / 100.0),
    };
    Square { first: layer(1.0), second: layer(2.0) }
}

/// `net` with each weight matrix transposed.
fn transposed(net: &Square) -> Square {
    let transpose = |w: &[[f64; 3]; 3]| std::array::from_fn(|i| std::array::from_fn(|o| w[o][i]));
    let mut t = net.clone();
    t.first.weight = transpose(&net.first.weight);
    t.second.weight = transpose(&net.second.weight);
    t
}

/// The bytes of `safetensors.torch.save_file(model.state_dict(), path,
/// metadata)`: one float64 tensor per parameter, named after its layer,
/// weights `[out, in]` (transposed here by hand, not by constnet's writer).
fn save_file(net: &Square, metadata: Option<HashMap<String, String>>) -> Vec<u8> {
    let weight = |w: &[[f64; 3]; 3]| -> Vec<u8> {
        (0..3).flat_map(|o| (0..3).map(move |i| w[i][o])).flat_map(f64::to_le_bytes).collect()
    };
    let bias = |b: &[f64; 3]| -> Vec<u8> { b.iter().flat_map(|v| v.to_le_bytes()).collect() };
    let state_dict = [
        ("first.weight", vec![3, 3], weight(&net.first.weight)),
        ("first.bias", vec![3], bias(&net.first.bias)),
        ("second.weight", vec![3, 3], weight(&net.second.weight)),
        ("second.bias", vec![3], bias(&net.second.bias)),
    ];
    let views = state_dict.iter().map(|(name, shape, data)| {
        (*name, TensorView::new(Dtype::F64, shape.clone(), data).unwrap())
    });
    serialize(views, metadata).unwrap()
}

#[test]
fn with_the_layout_recorded_the_wrong_layout_is_an_error() {
    let net = labelled();
    let recorded = HashMap::from([("weight_layout".to_string(), "out_in".to_string())]);
    let bytes = save_file(&net, Some(recorded));

    assert_eq!(safetensors::read::<f64, Square>(&bytes, Layout::OutIn).unwrap(), net);
    let error = safetensors::read::<f64, Square>(&bytes, Layout::InOut).unwrap_err();
    assert!(
        matches!(error, Error::LayoutMismatch { asked: Layout::InOut, file: Layout::OutIn }),
        "{error}"
    );
    assert!(error.to_string().contains("read it with `OutIn`"), "{error}");
}

#[test]
fn without_it_the_layout_asked_for_is_taken_and_the_wrong_one_transposes() {
    let net = labelled();
    let bytes = save_file(&net, None);

    assert_eq!(safetensors::read::<f64, Square>(&bytes, Layout::OutIn).unwrap(), net);
    // What the documentation warns of: nothing in the file tells.
    let wrong: Square = safetensors::read(&bytes, Layout::InOut).unwrap();
    assert_eq!(wrong, transposed(&net));
    assert_ne!(wrong, net);
}

#[test]
fn an_npz_has_no_record_of_its_layout_either() {
    let net = labelled();
    // `np.savez(path, **state_dict)`: weights [out, in], and no metadata.
    let bytes = numpy::write_npz(&net, Layout::OutIn).unwrap();

    assert_eq!(numpy::read_npz::<f64, Square>(&bytes, Layout::OutIn).unwrap(), net);
    let wrong: Square = numpy::read_npz(&bytes, Layout::InOut).unwrap();
    assert_eq!(wrong, transposed(&net));
}
