//! Training and inference never touch the heap: a global allocator that
//! counts the calls made from the test's own thread sees none.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use constnet::prelude::*;
use rand::rngs::SmallRng;

struct Counting;

thread_local! {
    // `const`-initialized with no destructor: reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; counting
// touches only a thread-local `Cell`, which does not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `work` and returns how many allocations it made on this thread.
fn allocations(work: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    work();
    ALLOCATIONS.with(Cell::get) - before
}

network! {
    pub struct Sine<f32> { hidden: Dense<1, 16>, Relu, middle: Dense<16, 16>, Relu, out: Dense<16, 1> }
}

network! {
    pub struct Classifier<f64> { encoder: Sine, Tanh, head: Dense<1, 3>, Softmax }
}

#[test]
fn the_counter_sees_an_allocation() {
    assert_eq!(allocations(|| drop(std::hint::black_box(vec![1u8; 100]))), 1);
}

#[test]
fn inference_does_not_allocate() {
    let net: Sine = Sine::random(&mut SmallRng::seed_from_u64(1));
    let count = allocations(|| {
        std::hint::black_box(net.forward(std::hint::black_box(&[0.5])));
    });
    assert_eq!(count, 0);
}

#[test]
fn a_training_step_does_not_allocate() {
    let mut net: Sine = Sine::random(&mut SmallRng::seed_from_u64(2));
    let mut grads = SineGrads::zeros();
    let count = allocations(|| {
        net = Sine::random(&mut SmallRng::seed_from_u64(3));
        let (output, trace) = net.forward_trace(&[1.0]);
        let (_, grad_output) = Mse.value_and_gradient(&output, &[0.8]);
        net.backward(&trace, &grad_output, &mut grads);
        net.loss_and_grad(&[2.0], &[0.9], &Mse, &mut grads);
        net.sgd_step(&grads, 0.01);
        Sgd::new(0.01).step(&mut net, &grads);
        grads.set_zero();
    });
    assert_eq!(count, 0);
    std::hint::black_box(net);
}

#[test]
fn optimizer_steps_do_not_allocate() {
    let mut net: Sine = Sine::random(&mut SmallRng::seed_from_u64(5));
    let mut grads = SineGrads::zeros();
    net.loss_and_grad(&[1.0], &[0.8], &Mse, &mut grads);
    let count = allocations(|| {
        let mut momentum = Momentum::new(0.01, 0.9);
        let mut nesterov = Momentum::nesterov(0.01, 0.9);
        let mut adam = Adam::new(0.001);
        let mut adamw = Adam::adamw(0.001, 0.01);
        for _ in 0..3 {
            momentum.step(&mut net, &grads);
            nesterov.step(&mut net, &grads);
            adam.step(&mut net, &grads);
            adamw.step(&mut net, &grads);
        }
    });
    assert_eq!(count, 0);
    std::hint::black_box(net);
}

#[test]
fn mini_batches_do_not_allocate() {
    let mut net: Sine = Sine::random(&mut SmallRng::seed_from_u64(6));
    let mut grads = SineGrads::zeros();
    let mut adam = Adam::new(0.001);
    let inputs: [[f32; 1]; 32] = std::array::from_fn(|i| [i as f32 / 5.0]);
    let targets = inputs.map(|[x]| [x.sin()]);
    let count = allocations(|| {
        std::hint::black_box(net.forward_batch(&inputs));
        grads.set_zero();
        net.loss_and_grad_batch(&inputs, &targets, &Mse, &mut grads);
        adam.step(&mut net, &grads);
        net.train_batch(&inputs, &targets, &Mse, &mut adam, &mut grads);
    });
    assert_eq!(count, 0);
    std::hint::black_box(net);
}

#[test]
fn nested_networks_and_every_loss_do_not_allocate() {
    let mut net: Classifier = Classifier::random(&mut SmallRng::seed_from_u64(3));
    let mut grads = ClassifierGrads::zeros();
    let (input, target) = ([0.3], [0.2, 0.5, 0.3]);
    let count = allocations(|| {
        net.loss_and_grad(&input, &target, &Mse, &mut grads);
        net.loss_and_grad(&input, &target, &BinaryCrossEntropy, &mut grads);
        net.loss_and_grad(&input, &target, &CrossEntropy, &mut grads);
        net.loss_and_grad(&input, &target, &SoftmaxCrossEntropy, &mut grads);
        net.sgd_step(&grads, 0.1);
    });
    assert_eq!(count, 0);
    std::hint::black_box(net);
}

#[test]
fn writing_to_a_fixed_buffer_does_not_allocate() {
    use std::fmt::Write;

    /// A `fmt::Write` into a fixed array, as firmware would use.
    struct Buffer<const N: usize>([u8; N], usize);
    impl<const N: usize> Write for Buffer<N> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.1 + s.len();
            self.0.get_mut(self.1..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }

    let net: Sine = Sine::random(&mut SmallRng::seed_from_u64(4));
    let mut buffer = Buffer([0; 16384], 0);
    let count = allocations(|| {
        use constnet::source::ToRust;
        write!(buffer, "{}", net.summary()).unwrap();
        write!(buffer, "{}", net.rust_const("SINE")).unwrap();
    });
    assert_eq!(count, 0);
    assert!(buffer.1 > 1000);
}

network! {
    pub struct SmallCnn<f32> {
        input: [1, 8, 8],
        conv: Conv2d<1, 4, 3, padding = same>,
        Relu,
        pool: MaxPool2d<2>,
        depthwise: DepthwiseConv2d<4, 3, padding = 1>,
        avg: AvgPool2d<2>,
        flatten: Flatten,
        out: Dense<16, 3>,
    }
}

network! {
    pub struct SmallConv1d<f64> {
        input: [2, 12],
        conv: Conv1d<2, 3, 3, stride = 2>,
        Tanh,
        pool: MaxPool1d<2>,
        global: GlobalAvgPool,
        out: Dense<3, 1>,
    }
}

#[test]
fn convolutional_training_and_inference_do_not_allocate() {
    let mut cnn: SmallCnn = SmallCnn::random(&mut SmallRng::seed_from_u64(7));
    let mut conv1d: SmallConv1d = SmallConv1d::random(&mut SmallRng::seed_from_u64(8));
    let images = [[[[0.25f32; 8]; 8]; 1], [[[-0.5; 8]; 8]; 1]];
    let labels = [[1.0f32, 0.0, 0.0], [0.0, 0.0, 1.0]];
    let series = [[[0.5f64; 12]; 2]; 3];
    let (mut cnn_grads, mut conv1d_grads) = (SmallCnnGrads::zeros(), SmallConv1dGrads::zeros());
    let (mut adam, mut momentum) = (Adam::new(0.01), Momentum::new(0.01, 0.9));
    let count = allocations(|| {
        std::hint::black_box(cnn.forward(&images[0]));
        std::hint::black_box(cnn.forward_batch(&images));
        cnn.train_batch(&images, &labels, &SoftmaxCrossEntropy, &mut adam, &mut cnn_grads);
        cnn.loss_and_grad(&images[1], &labels[1], &SoftmaxCrossEntropy, &mut cnn_grads);
        let targets = [[0.5], [-0.5], [0.0]];
        conv1d.train_batch(&series, &targets, &Mse, &mut momentum, &mut conv1d_grads);
        std::hint::black_box(conv1d.forward(&series[0]));
    });
    assert_eq!(count, 0);
}
