//! One engine for the micro_speech keyword model that MicroFlow ships (a
//! convolution of a 49 × 40 spectrogram, a dense layer, a softmax) on a
//! Cortex-M4F, chosen by a feature: its instructions and stack per
//! inference, from an int8 spectrogram to the four probabilities.
#![no_std]
#![no_main]

#[path = "../../../src/exit.rs"]
mod exit;
#[path = "../../../src/instructions.rs"]
mod instructions;
#[path = "../../../src/stack.rs"]
mod stack;

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use exit::exit;

/// Values of a spectrogram.
const LEN: usize = 1960;

/// constnet: MicroFlow's model as `constnet-import` writes it
/// (`importer/tests/models/speech.rs`, checked there to equal TensorFlow
/// Lite Micro on 64 spectrograms), its parameters in flash.
#[cfg(feature = "constnet-int8")]
mod engine {
    // The spectrograms are int8 already: the input's quantization goes unused.
    #[allow(dead_code)]
    mod model {
        include!("../../../../../importer/tests/models/speech.rs");
    }

    static SPEECH_IN_FLASH: model::Speech = model::SPEECH;

    pub const NAME: &str = "constnet int8";

    pub fn predict(spectrogram: &[i8; super::LEN]) -> [f32; 4] {
        SPEECH_IN_FLASH.forward(spectrogram).map(|y| model::Speech::OUTPUT.dequantize(y))
    }

    /// How many of the spectrograms of `scripts/tflite_fixtures.py` give
    /// TensorFlow Lite Micro's outputs on this core, of how many.
    #[cfg(feature = "tflite-micro-check")]
    pub fn spectrograms_as_tflite_micro() -> (usize, usize) {
        const INPUTS: &str = include_str!("../../../../../tests/fixtures/tflite/speech.inputs");
        const OUTPUTS: &str = include_str!("../../../../../tests/fixtures/tflite/speech.outputs");
        let mut equal = 0;
        let mut count = 0;
        for (input, expected) in INPUTS.lines().zip(OUTPUTS.lines()) {
            let mut spectrogram = [0i8; super::LEN];
            for (value, text) in spectrogram.iter_mut().zip(input.split_whitespace()) {
                *value = text.parse().unwrap_or(0);
            }
            let found = SPEECH_IN_FLASH.forward(&spectrogram);
            let expected = expected.split_whitespace().map(|text| text.parse::<i8>());
            equal += usize::from(found.iter().zip(expected).all(|(&y, e)| e == Ok(y)));
            count += 1;
        }
        (equal, count)
    }
}

/// MicroFlow 0.1.3, compiling the model from `speech.tflite` (copied here by
/// `compare.sh` from the crate's published source).
#[cfg(feature = "microflow")]
mod engine {
    use microflow::buffer::Buffer2D;
    use microflow::model;

    #[model("speech.tflite")]
    struct Speech;

    pub const NAME: &str = "MicroFlow";

    pub fn predict(spectrogram: &[i8; super::LEN]) -> [f32; 4] {
        let output = Speech::predict_quantized(Buffer2D::from_row_slice(spectrogram));
        core::array::from_fn(|i| output[i])
    }
}

/// No model: the same program around an engine that does next to nothing.
#[cfg(not(any(feature = "constnet-int8", feature = "microflow")))]
mod engine {
    pub const NAME: &str = "none";

    pub fn predict(spectrogram: &[i8; super::LEN]) -> [f32; 4] {
        [f32::from(spectrogram[0]); 4]
    }
}

/// A spectrogram of random values a little above the quietest, as
/// `scripts/tflite_fixtures.py` draws them.
static SPECTROGRAM: [i8; LEN] = {
    let mut values = [0i8; LEN];
    let mut state = 0x2545_f491u32;
    let mut i = 0;
    while i < LEN {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        values[i] = (-128 + (state % 31) as i32) as i8;
        i += 1;
    }
    values
};

#[entry]
fn main() -> ! {
    let Some(peripherals) = cortex_m::Peripherals::take() else { exit(false) };
    let mut counter = instructions::Counter::new(peripherals.SYST);
    hprintln!("engine: {}", engine::NAME);
    hprintln!("probabilities: {:?}", engine::predict(&SPECTROGRAM));
    #[cfg(feature = "tflite-micro-check")]
    {
        let (equal, count) = engine::spectrograms_as_tflite_micro();
        hprintln!("spectrograms whose outputs are TensorFlow Lite Micro's: {} of {}", equal, count);
        if equal != count || count == 0 {
            exit(false)
        }
    }
    let per_inference = counter.per_call(4, || engine::predict(black_box(&SPECTROGRAM)));
    hprintln!("instructions per inference: {}", per_inference);
    let stack = stack::peak(engine::predict, &SPECTROGRAM, 256 * 1024);
    hprintln!("stack bytes per inference: {}", stack);
    exit(true)
}
