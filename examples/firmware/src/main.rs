//! constnet on a Cortex-M4F with no heap and no std, under QEMU:
//!
//! 1. sine inference with weights trained on the host, compiled into flash;
//! 2. XOR trained from scratch on the device;
//! 3. the MNIST CNN of `examples/mnist.rs`, weights in flash, on test
//!    images, with its stack use, in f32 and in int8;
//! 4. a small CNN trained from scratch on the device;
//! 5. instructions per inference and per training step of each.
//!
//! Exits with a failure status if the sine error is above the host's, the
//! CNN does not give the host's answers (in int8, exactly), or a network trained on the device
//! does not reach 100% accuracy, so CI can run it.
#![no_std]
#![no_main]

mod exit;
mod instructions;
mod stack;

use core::f32::consts::TAU;
use core::hint::black_box;

use constnet::metrics::argmax;
use constnet::prelude::*;
use constnet::rand::rngs::SmallRng;
use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use exit::exit;
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

network! {
    /// The CNN of `examples/mnist.rs`: one 28 × 28 channel in, one logit
    /// per digit out.
    pub struct LeNet<f32> {
        input: [1, 28, 28],
        conv1: Conv2d<1, 6, 5, padding = 2>,
        Relu,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<6, 16, 5>,
        Relu,
        pool2: MaxPool2d<2>,
        flatten: Flatten,
        hidden: Dense<400, 64>,
        Relu,
        logits: Dense<64, 10>,
    }
}

// `LENET`, `LENET_Q8`, `TEST_PIXELS`, `TEST_LABELS`, `HOST_LOGITS` and
// `HOST_INT8_LOGITS`, written on the host by
// `cargo run --release --example mnist -- --export examples/firmware/src/mnist_weights.rs`.
include!("mnist_weights.rs");

/// The trained CNN, in flash.
static LENET_IN_FLASH: LeNet = LENET;

/// The same CNN quantized to int8 on the host, in flash.
static LENET_Q8_IN_FLASH: LeNetQ8 = LENET_Q8;

network! {
    /// Tells a vertical bar from a horizontal one in a 6 × 6 image.
    #[derive(Clone)]
    pub struct Bars<f32> {
        input: [1, 6, 6],
        conv: Conv2d<1, 4, 3>,
        Relu,
        pool: MaxPool2d<2>,
        flatten: Flatten,
        out: Dense<16, 2>,
    }
}

// What training the bars' CNN with Adam holds besides the data, checked
// when the firmware compiles.
const _: () = assert!(
    Bars::<f32>::PARAM_BYTES
        + Bars::<f32>::GRAD_BYTES
        + Bars::<f32>::TRACE_BYTES * BARS
        + Bars::<f32>::ADAM_BYTES
        <= 8 * 1024
);

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
    let checks = [
        sine(&mut counter),
        xor(&mut counter),
        mnist(&mut counter),
        mnist_int8(&mut counter),
        bars(&mut counter),
    ];
    let ok = checks.iter().all(|&ok| ok);
    if ok {
        hprintln!("all checks passed");
    }
    exit(ok)
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

/// One of the test images, as the CNN takes it.
fn test_image(index: usize) -> [[[f32; 28]; 28]; 1] {
    let pixels = &TEST_PIXELS[index];
    [core::array::from_fn(|row| {
        core::array::from_fn(|col| f32::from(pixels[row * 28 + col]) / 255.0)
    })]
}

/// The first test image through the CNN in flash, for the stack painter.
fn infer_first(_: ()) -> [f32; 10] {
    LENET_IN_FLASH.forward(&test_image(0))
}

/// The CNN in flash on the test images; true if it gives the host's digits
/// and logits within `1e-4` of the largest.
fn mnist(counter: &mut Counter) -> bool {
    let lenet = &LENET_IN_FLASH;
    hprintln!("\n{}", lenet.summary());
    let mut worst = 0.0f32;
    let mut same_digits = true;
    for (index, host) in HOST_LOGITS.iter().enumerate() {
        let logits = lenet.forward(&test_image(index));
        let scale = host.iter().fold(1.0f32, |m, l| m.max(l.abs()));
        for (device, host) in logits.iter().zip(host) {
            let difference = (device - host).abs() / scale;
            // Not `max`, which would drop a NaN.
            if difference.is_nan() || difference > worst {
                worst = difference;
            }
        }
        let (digit, host_digit) = (argmax(&logits), argmax(host));
        same_digits &= digit == host_digit;
        hprintln!(
            "test image {}: digit {}, predicted {:?} (the host: {:?})",
            index,
            TEST_LABELS[index],
            digit,
            host_digit
        );
    }
    hprintln!("largest difference from the host's logits: {} of the largest logit", worst);
    let image = test_image(1);
    let per_inference = counter.per_call(4, || lenet.forward(black_box(&image)));
    hprintln!("instructions per MNIST CNN inference: {}", per_inference);
    hprintln!("stack bytes per MNIST CNN inference: {}", stack::peak(infer_first, (), 256 * 1024));
    let ok = same_digits && worst <= 1e-4;
    if !ok {
        hprintln!("FAILED: the CNN on the device does not compute what the host computes");
    }
    ok
}

/// The first test image through the int8 CNN in flash, for the stack
/// painter.
fn infer_first_int8(_: ()) -> [i8; 10] {
    LENET_Q8_IN_FLASH.forward(&LENET_Q8_IN_FLASH.quantize_input(&test_image(0)))
}

/// The int8 CNN in flash on the test images; true if it gives the host's
/// int8 logits exactly (integer arithmetic, and the same IEEE rounding of
/// the pixels).
fn mnist_int8(counter: &mut Counter) -> bool {
    let q8 = &LENET_Q8_IN_FLASH;
    hprintln!(
        "\nMNIST CNN in int8: {} bytes of parameters in flash (f32: {})",
        core::mem::size_of::<LeNetQ8>(),
        LeNet::<f32>::PARAM_BYTES
    );
    let mut equal = 0;
    for (index, host) in HOST_INT8_LOGITS.iter().enumerate() {
        let logits = q8.forward(&q8.quantize_input(&test_image(index)));
        equal += usize::from(logits == *host);
        let digit = (0..10).fold(0, |best, i| if logits[i] > logits[best] { i } else { best });
        hprintln!("test image {}: digit {}, predicted {}", index, TEST_LABELS[index], digit);
    }
    hprintln!("int8 logits equal to the host's: {} of {}", equal, HOST_INT8_LOGITS.len());
    let image = q8.quantize_input(&test_image(1));
    let per_inference = counter.per_call(4, || q8.forward(black_box(&image)));
    hprintln!("instructions per int8 MNIST CNN inference: {}", per_inference);
    let stack = stack::peak(infer_first_int8, (), 256 * 1024);
    hprintln!("stack bytes per int8 MNIST CNN inference: {}", stack);
    let ok = equal == HOST_INT8_LOGITS.len();
    if !ok {
        hprintln!("FAILED: the int8 CNN on the device does not compute what the host computes");
    }
    ok
}

/// Samples of the bars' data set.
const BARS: usize = 8;

/// A 6 × 6 image of one channel.
type BarImage = [[[f32; 6]; 6]; 1];

/// The bars: a vertical one in column `k` is class 0, a horizontal one in
/// row `k` class 1, for `k` in 1..5.
fn bars_data() -> ([BarImage; BARS], [[f32; 2]; BARS]) {
    let images = core::array::from_fn(|i| {
        let (k, vertical) = (i / 2 + 1, i % 2 == 0);
        [core::array::from_fn(|row| {
            core::array::from_fn(|col| {
                if (vertical && col == k) || (!vertical && row == k) { 1.0 } else { 0.0 }
            })
        })]
    });
    let labels = core::array::from_fn(|i| if i % 2 == 0 { [1.0, 0.0] } else { [0.0, 1.0] });
    (images, labels)
}

/// Trains the bars' CNN from random weights with Adam; true if it reaches
/// 100% accuracy.
fn bars(counter: &mut Counter) -> bool {
    let (images, labels) = bars_data();
    let mut net: Bars = Bars::random(&mut SmallRng::seed_from_u64(7));
    let (mut adam, mut grads) = (Adam::new(0.05), BarsGrads::zeros());
    hprintln!(
        "\nA CNN trained on the device: {} parameters; {} bytes of parameters, {} of gradients, {} of Adam's state, {} of trace per sample",
        Bars::<f32>::PARAMS,
        Bars::<f32>::PARAM_BYTES,
        Bars::<f32>::GRAD_BYTES,
        Bars::<f32>::ADAM_BYTES,
        Bars::<f32>::TRACE_BYTES
    );
    let accuracy = |net: &Bars| {
        let correct =
            images.iter().zip(&labels).filter(|(x, y)| argmax(&net.forward(x)) == argmax(*y));
        100.0 * correct.count() as f32 / BARS as f32
    };
    for step in 0..=300 {
        let loss = net.train_batch(&images, &labels, &SoftmaxCrossEntropy, &mut adam, &mut grads);
        if step % 50 == 0 {
            hprintln!("step {:4}  loss {:.5}  accuracy {:5.1}%", step, loss, accuracy(&net));
        }
    }
    let ok = accuracy(&net) == 100.0;
    let mut copy = net.clone();
    let per_step = counter.per_call(10, || {
        copy.train_batch(&images, &labels, &SoftmaxCrossEntropy, &mut adam, &mut grads)
    });
    hprintln!(
        "instructions per CNN training step ({} images, forward, backward, Adam): {}",
        BARS,
        per_step
    );
    if !ok {
        hprintln!("FAILED: the CNN did not reach 100% accuracy");
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
