//! Any bytes, read as a TensorFlow Lite model, then every operator as a
//! dense layer of the sine model's shapes: an error or a model, never a
//! panic; a layer read runs on every input without a panic.
#![no_main]

use constnet::io::tflite::Model;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(model) = Model::read(bytes) else { return };
    for operator in 0..model.operators.len() {
        if let Ok(layer) = model.dense::<1, 16>(operator) {
            for q in i8::MIN..=i8::MAX {
                let _ = layer.forward(&[q]);
            }
        }
        let _ = model.dense::<16, 16>(operator);
    }
});
