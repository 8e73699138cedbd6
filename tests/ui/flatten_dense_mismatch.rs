// After a flatten, a dense layer's inputs are compared with the flattened
// size, and the message shows what it was flattened from.
use constnet::prelude::*;

network! {
    struct LeNet<f32> {
        input: [1, 28, 28],
        conv1: Conv2d<1, 6, 5, padding = 2>,
        Relu,
        pool1: MaxPool2d<2>,
        conv2: Conv2d<6, 16, 5>,
        Relu,
        pool2: MaxPool2d<2>,
        flatten: Flatten,
        fc: Dense<256, 10>,
    }
}

fn main() {}
