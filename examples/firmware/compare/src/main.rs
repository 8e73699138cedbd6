//! One sine inference engine on a Cortex-M4F (chosen by a feature), its
//! error on a test grid, and its instructions per inference.
#![no_std]
#![no_main]

#[path = "../../src/exit.rs"]
mod exit;
#[path = "../../src/instructions.rs"]
mod instructions;
#[path = "../../src/stack.rs"]
mod stack;

use core::f32::consts::TAU;
use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use exit::exit;

/// constnet: the f32 network of the firmware example, weights in flash.
#[cfg(feature = "constnet")]
mod engine {
    use constnet::prelude::*;

    network! {
        pub struct Sine<f32> { hidden: Dense<1, 16>, Relu, middle: Dense<16, 16>, Relu, out: Dense<16, 1> }
    }

    include!("../../src/sine_weights.rs");
    // The test grid is the one the weights were measured on.
    const _: () = assert!(TEST_POINTS == super::TEST_POINTS);
    pub const HOST_TEST_MSE_IF_KNOWN: Option<f32> = Some(HOST_TEST_MSE);

    static SINE_IN_FLASH: Sine = SINE;

    pub const NAME: &str = "constnet";

    pub fn predict(x: f32) -> f32 {
        SINE_IN_FLASH.forward(&[x])[0]
    }
}

/// constnet: MicroFlow's own int8 model, as `constnet-import` writes it
/// (`importer/tests/models/sine.rs`, checked there to equal TensorFlow
/// Lite Micro on every input), its parameters in flash.
#[cfg(feature = "constnet-int8")]
mod engine {
    mod model {
        include!("../../../../importer/tests/models/sine.rs");
    }

    static SINE_IN_FLASH: model::Sine = model::SINE;

    pub const NAME: &str = "constnet int8";
    pub const HOST_TEST_MSE_IF_KNOWN: Option<f32> = None;

    pub fn predict(x: f32) -> f32 {
        let [y] = SINE_IN_FLASH.forward(&[model::Sine::INPUT.quantize(x)]);
        model::Sine::OUTPUT.dequantize(y)
    }

    /// What TensorFlow Lite Micro's interpreter gives for each int8 input,
    /// from -128 to 127 (`scripts/tflite_fixtures.py`).
    #[cfg(feature = "tflite-micro-check")]
    const TFLITE_MICRO: &str = include_str!("../../../../tests/fixtures/tflite/sine.outputs");

    /// How many of the 256 int8 inputs give TensorFlow Lite Micro's output
    /// on this core, whose DSP instructions the host never runs.
    #[cfg(feature = "tflite-micro-check")]
    pub fn inputs_as_tflite_micro() -> usize {
        (-128..=127i8)
            .zip(TFLITE_MICRO.split_whitespace())
            .filter(|&(q, expected)| {
                let [y] = SINE_IN_FLASH.forward(&[q]);
                expected.parse() == Ok(y)
            })
            .count()
    }
}

/// MicroFlow: the int8 TensorFlow Lite sine model that the crate ships,
/// copied here by `compare.sh`.
#[cfg(feature = "microflow")]
mod engine {
    use microflow::model;

    #[model("sine.tflite")]
    struct Sine;

    pub const NAME: &str = "MicroFlow";
    pub const HOST_TEST_MSE_IF_KNOWN: Option<f32> = None;

    pub fn predict(x: f32) -> f32 {
        Sine::predict(nalgebra::matrix![x])[0]
    }
}

/// No model: what the rest of the program costs.
#[cfg(not(any(feature = "constnet", feature = "constnet-int8", feature = "microflow")))]
mod engine {
    pub const NAME: &str = "no model";
    pub const HOST_TEST_MSE_IF_KNOWN: Option<f32> = None;

    pub fn predict(x: f32) -> f32 {
        x
    }
}

const TEST_POINTS: usize = 1000;

#[entry]
fn main() -> ! {
    let Some(peripherals) = cortex_m::Peripherals::take() else { exit(false) };
    let mut counter = instructions::Counter::new(peripherals.SYST);

    let step = TAU / (TEST_POINTS - 1) as f32;
    let squared: f32 = (0..TEST_POINTS)
        .map(|i| {
            let x = i as f32 * step;
            let error = engine::predict(black_box(x)) - libm::sinf(x);
            error * error
        })
        .sum();
    hprintln!("engine: {}", engine::NAME);
    let mse = squared / TEST_POINTS as f32;
    hprintln!("test MSE: {}", mse);
    if let Some(host) = engine::HOST_TEST_MSE_IF_KNOWN {
        hprintln!("test MSE on the host: {}", host);
        if mse > host * (1.0 + 1e-4) {
            exit(false)
        }
    }
    #[cfg(feature = "tflite-micro-check")]
    {
        let equal = engine::inputs_as_tflite_micro();
        hprintln!("int8 inputs whose output is TensorFlow Lite Micro's: {} of 256", equal);
        if equal != 256 {
            exit(false)
        }
    }
    let per_inference = counter.per_call(1000, || engine::predict(black_box(1.0)));
    hprintln!("instructions per inference: {}", per_inference);
    let stack = stack::peak(engine::predict, 1.0, 16 * 1024);
    hprintln!("stack bytes per inference: {}", stack);
    exit(true)
}
