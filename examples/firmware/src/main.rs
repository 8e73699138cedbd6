//! constnet on a Cortex-M4F with no heap and no std, under QEMU:
//!
//! 1. sine inference with weights trained on the host, compiled into flash;
//! 2. XOR trained from scratch on the device;
//! 3. instructions per sine inference and per XOR training step.
//!
//! Exits with a failure status if the sine error is above the host's or XOR
//! does not reach 100% accuracy, so CI can run it.
#![no_std]
#![no_main]

mod instructions;

use core::f32::consts::TAU;
use core::hint::black_box;

use constnet::prelude::*;
use constnet::rand::rngs::SmallRng;
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

use instructions::Counter;

network! {
    /// `sin(x)` for `x` in `[0, 2π]`.
    pub struct Sine<f32> { hidden: Dense<1, 16>, Relu, middle: Dense<16, 16>, Relu, out: Dense<16, 1> }
}

network! {
    /// XOR: 2 inputs, 3 tanh hidden units, 1 sigmoid output.
    #[derive(Clone)]
    pub struct Xor<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid }
}

// `SINE`, `HOST_TEST_MSE` and `TEST_POINTS`, written on the host by
// `cargo run --release --example sine -- --export examples/firmware/src/sine_weights.rs`.
include!("sine_weights.rs");

/// The trained sine network, in flash: a `static` that is never written.
static SINE_IN_FLASH: Sine = SINE;

// What training XOR holds besides the data, checked when the firmware compiles.
const _: () =
    assert!(Xor::<f32>::PARAM_BYTES + Xor::<f32>::GRAD_BYTES + Xor::<f32>::TRACE_BYTES <= 256);

const XOR_DATA: [([f32; 2], [f32; 1]); 4] =
    [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])];

#[entry]
fn main() -> ! {
    let mut counter = match cortex_m::Peripherals::take() {
        Some(peripherals) => Counter::new(peripherals.SYST),
        None => fail("the core peripherals were already taken"),
    };
    let sine_ok = sine(&mut counter);
    let xor_ok = xor(&mut counter);
    if sine_ok && xor_ok {
        hprintln!("all checks passed");
    }
    exit(sine_ok && xor_ok)
}

/// Inference with the weights in flash; true if the error is no worse than
/// on the host.
fn sine(counter: &mut Counter) -> bool {
    let sine = &SINE_IN_FLASH;
    hprintln!("{}", sine.summary());
    hprintln!("weights in flash at {:p}", sine);
    hprintln!("     x   network    sin(x)");
    for i in 0..=8 {
        let x = i as f32 * TAU / 8.0;
        let [y] = sine.forward(&[x]);
        hprintln!("{:6.3} {:9.5} {:9.5}", x, y, libm::sinf(x));
    }

    let step = TAU / (TEST_POINTS - 1) as f32;
    let squared: f32 = (0..TEST_POINTS)
        .map(|i| {
            let x = i as f32 * step;
            let [y] = sine.forward(&[x]);
            (y - libm::sinf(x)) * (y - libm::sinf(x))
        })
        .sum();
    let mse = squared / TEST_POINTS as f32;
    // libm's sinf may differ from the host's in the last bit.
    let ok = mse <= HOST_TEST_MSE * (1.0 + 1e-4);
    hprintln!(
        "test MSE over {} points: {} on the device, {} on the host",
        TEST_POINTS,
        mse,
        HOST_TEST_MSE
    );

    let per_inference = counter.per_call(1000, || sine.forward(&black_box([1.0])));
    hprintln!("instructions per sine inference: {}", per_inference);
    if !ok {
        hprintln!("FAILED: the sine error on the device is above the host's");
    }
    ok
}

/// Trains XOR from random weights; true if it reaches 100% accuracy.
fn xor(counter: &mut Counter) -> bool {
    let mut xor: Xor = Xor::random(&mut SmallRng::seed_from_u64(42));
    let mut grads = XorGrads::zeros();
    let learning_rate = 0.5;
    let step = |xor: &mut Xor, grads: &mut XorGrads| {
        grads.set_zero();
        let loss: f32 = XOR_DATA
            .iter()
            .map(|(input, target)| xor.loss_and_grad(input, target, &BinaryCrossEntropy, grads))
            .sum();
        xor.sgd_step(grads, learning_rate);
        loss / XOR_DATA.len() as f32
    };

    hprintln!(
        "\nXOR on the device: {} parameters, {} bytes of gradients, {} bytes of trace",
        Xor::<f32>::PARAMS,
        Xor::<f32>::GRAD_BYTES,
        Xor::<f32>::TRACE_BYTES
    );
    for epoch in 0..=500 {
        let loss = step(&mut xor, &mut grads);
        if epoch % 50 == 0 {
            hprintln!("epoch {:4}  loss {:.5}  accuracy {:5.1}%", epoch, loss, accuracy(&xor));
        }
    }
    let ok = accuracy(&xor) == 100.0;

    // Counted on a copy, so the trained network stays as it is.
    let mut copy = xor.clone();
    let per_step = counter.per_call(100, || step(&mut copy, &mut grads));
    hprintln!(
        "instructions per XOR training step (4 samples, forward, backward, SGD): {}",
        per_step
    );
    if !ok {
        hprintln!("FAILED: XOR did not reach 100% accuracy");
    }
    ok
}

fn accuracy(xor: &Xor) -> f32 {
    let correct =
        XOR_DATA.iter().filter(|(x, y)| (xor.forward(x)[0] > 0.5) == (y[0] > 0.5)).count();
    100.0 * correct as f32 / XOR_DATA.len() as f32
}

fn fail(reason: &str) -> ! {
    hprintln!("FAILED: {}", reason);
    exit(false)
}

/// Ends QEMU with a success or failure status.
fn exit(success: bool) -> ! {
    debug::exit(if success { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    // Only reached without a debugger or emulator to exit to.
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panicked: {}", info);
    exit(false)
}
