//! Gradient checks of randomly generated `constnet` architectures.
//!
//! The build script draws networks from a seed and writes them as
//! `network!` declarations; `tests/gradients.rs` checks every one in `f64`
//! as `tests/architectures.rs` of constnet checks its hand-written ones:
//! a random cotangent and the architecture's loss against a random target,
//! at points drawn from a seed of each architecture, every parameter and
//! every input, with `GradCheck`'s default tolerances. A point near a kink
//! (a ReLU at 0, a tie for the maximum of a pooling window), or where the
//! loss cannot be resolved, is drawn again.
//!
//! The networks have 1 to 8 dense layers of widths 1 to 40, mostly small,
//! with every activation between them (`Softmax` too) and every loss after
//! them; some dense layers name an initializer, some networks are layers of
//! later ones, down to two levels.
//!
//! Every third network is convolutional: on an input `[C, H, W]` (C ≤ 3,
//! H and W from 3 to 10) or `[C, L]` (L from 4 to 16), one to three
//! `Conv2d`, `DepthwiseConv2d` or `Conv1d` with kernels up to 3 (pairs
//! too), strides of 1 or 2 and padding of their own or `same`, each mostly
//! followed by an activation and half the time by a max or average pooling
//! (windows and strides of their own, pairs too), then a `Flatten` or a
//! `GlobalAvgPool` and 1 to 3 dense layers, nested networks among them. A
//! convolutional network can also be the first layer of a later dense one.
//!
//! ```text
//! cargo test -p constnet-generated -- --nocapture     # one line per architecture
//! CONSTNET_GENERATED_SEED=0x2a CONSTNET_GENERATED_COUNT=300 cargo test -p constnet-generated
//! ```
//!
//! - `CONSTNET_GENERATED_SEED`: the seed the architectures are drawn from,
//!   decimal or hexadecimal after `0x`. The test prints it with the count.
//! - `CONSTNET_GENERATED_COUNT`: how many architectures, at least 1
//!   (default 150, 50 of them convolutional). Any five in a row end with
//!   the five losses; below a hundred or so, a rarer kind (a network nested
//!   two levels deep, a layer wider than 32, a max pooling after a ReLU)
//!   may be missing, which the `coverage` test reports.
//!
//! Each kind of layer is one entry of the build script's `KINDS` table,
//! which writes a layer of its kind after a given one, with the shape it
//! produces, or declines where it does not fit: `Softmax` on anything but
//! a vector, a dense layer on channels, and any layer whose kink the values
//! before it would sit on: a ReLU on the exact zeros of another ReLU, a max
//! pooling on ties (a convolution over zeros gives its bias at every
//! position), or on a ReLU's zeros unless a window of zeros alone is rare.
//! A network whose check would cost too much (its parameters and input
//! scalars, times the multiplications of a forward pass) is drawn again.
