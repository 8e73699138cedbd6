//! Any bytes, read as a TensorFlow Lite model, then every operator as a
//! layer of the fixtures' shapes and as a float layer: an error or a
//! model, never a panic; a dense layer, a mean, a softmax, a logistic or a
//! tanh read runs on inputs without a panic.
#![no_main]

use constnet::io::tflite::Model;
use constnet::quant::{
    QConv2d, QDense, QDepthwiseConv2d, QGlobalAvgPool, QLogistic, QPool2d, QSoftmax, QTanh,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(model) = Model::read(bytes) else { return };
    for operator in 0..model.operators.len() {
        let _ = model.read_float_layer(operator);
        if let Ok(layer) = model.layer::<QDense<1, 16>>(operator) {
            for q in i8::MIN..=i8::MAX {
                let _ = layer.forward(&[q]);
            }
        }
        let _ = model.layer::<QDense<16, 16>>(operator);
        let _ = model.layer::<QConv2d<2, 4, 3, 3, 8, 8, 1, 1, 1, 1, 8, 8>>(operator);
        let _ = model.layer::<QDepthwiseConv2d<4, 3, 3, 8, 8, 2, 2, 0, 0, 4, 4>>(operator);
        let _ = model.layer::<QPool2d<4, 2, 2, 4, 4, 2, 2, 0, 0, 2, 2>>(operator);
        let extremes = [i8::MIN, -1, 0, 1, i8::MAX, 0, 0, 0];
        if let Ok(logistic) = model.layer::<QLogistic<8>>(operator) {
            let _ = logistic.forward(&extremes);
        }
        if let Ok(tanh) = model.layer::<QTanh<8>>(operator) {
            let _ = tanh.forward(&extremes);
        }
        if let Ok(mean) = model.layer::<QGlobalAvgPool<[[i8; 6]; 6], 4>>(operator) {
            for q in [i8::MIN, 0, i8::MAX] {
                let _ = mean.forward(&[[[q; 6]; 6]; 4]);
            }
        }
        if let Ok(softmax) = model.layer::<QSoftmax<3>>(operator) {
            for q in [i8::MIN, -1, 0, 1, i8::MAX] {
                let _ = softmax.forward(&[q, 0, i8::MIN]);
            }
        }
    }
});
