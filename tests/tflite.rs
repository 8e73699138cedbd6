//! constnet against TensorFlow Lite Micro's own kernels, bit for bit: int8
//! models read from `.tflite` files, run by constnet, give exactly the
//! outputs that `scripts/tflite_fixtures.py` recorded from the TFLite Micro
//! interpreter (`tests/fixtures/tflite/`).

use std::path::Path;

use constnet::io::tflite::{Error, Model};

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tflite").join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn recorded(name: &str) -> Vec<i8> {
    String::from_utf8(fixture(name)).unwrap().lines().map(|line| line.parse().unwrap()).collect()
}

/// The sine model of MicroFlow, every int8 input: three fully connected
/// layers, two with a fused ReLU.
#[test]
fn the_sine_model_gives_tflite_micros_outputs_for_every_input() {
    let model = Model::read(&fixture("sine.tflite")).unwrap();
    let (first, second, third) = (
        model.dense::<1, 16>(0).unwrap(),
        model.dense::<16, 16>(1).unwrap(),
        model.dense::<16, 1>(2).unwrap(),
    );
    let expected = recorded("sine.outputs");
    assert_eq!(expected.len(), 256);
    let mut differences = 0;
    for (q, &expected) in (-128..=127).zip(&expected) {
        let [found] = third.forward(&second.forward(&first.forward(&[q])));
        if found != expected {
            differences += 1;
            eprintln!("input {q}: {found}, TFLite Micro {expected}");
        }
    }
    assert_eq!(differences, 0);
}

#[test]
fn a_layer_of_the_wrong_shape_is_an_error_naming_the_tensor() {
    let model = Model::read(&fixture("sine.tflite")).unwrap();
    let error = model.dense::<2, 16>(0).unwrap_err();
    assert!(
        matches!(&error, Error::ShapeMismatch { expected, found, .. } if *expected == [16, 2] && *found == [16, 1])
    );
    assert!(error.to_string().contains("MatMul"), "{error}");
}

/// Every truncation and every single-byte change of a model is read into a
/// model or refused with an error: never a panic.
#[test]
fn damaged_files_are_errors_not_panics() {
    let bytes = fixture("sine.tflite");
    for len in 0..bytes.len() {
        let _ = Model::read(&bytes[..len]);
    }
    assert!(Model::read(&bytes[..bytes.len() / 2]).is_err());
    for at in (0..bytes.len()).step_by(7) {
        for value in [0x00, 0xff, 0x80] {
            let mut damaged = bytes.clone();
            damaged[at] = value;
            if let Ok(model) = Model::read(&damaged) {
                let _ = model.dense::<1, 16>(0);
            }
        }
    }
}
