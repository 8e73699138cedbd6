//! The dot product of a row of int8 weights with inputs moved to their zero
//! point: the inner loop of every int8 dense layer. (The convolutions move
//! their inputs the same way, [`moved`].)
//!
//! The inputs are moved once per layer, into 16-bit halves: an input moved
//! by a zero point within int8 lies in `[−255, 255]`. On Armv7E-M
//! (`cfg(constnet_dsp)`, see `build.rs`) the halves are packed in pairs and
//! four weights are read as one word, multiplied two by two with SMLAD
//! ([`Pairs`]; a layer of more than `CHUNK` inputs packs them a chunk at a
//! time, so that its buffer stays small); elsewhere the products of weights
//! and halves are summed ([`Halves`]), on x86 sixteen at a time with AVX2's
//! VPMADDWD where the CPU has it (`kernels::int8_dots`). All add the same
//! products with 32-bit wrapping, so all give the sum TensorFlow Lite's
//! reference kernel gives. An absurd zero point, whose
//! inputs leave the halves' range, gives a wrong sum (never a panic), as
//! 32-bit wrapping does elsewhere.

/// Inputs a dense layer packs at a time on Armv7E-M when it has more: what
/// bounds the stack its packed inputs take (512 bytes).
const CHUNK: usize = 256;

/// The layout of this target.
#[cfg(constnet_dsp)]
pub(crate) type Shifted<const IN: usize> = Pairs<IN>;
/// The layout of this target.
#[cfg(not(constnet_dsp))]
pub(crate) type Shifted<const IN: usize> = Halves<IN>;

/// Whether a dense layer of `inputs` packs them in chunks
/// ([`chunked_dots`]) rather than all at once ([`Shifted`]).
pub(crate) const fn in_chunks(inputs: usize) -> bool {
    cfg!(constnet_dsp) && inputs > CHUNK
}

/// `bias[o] + Σ weight[o][i] · (input[i] − zero_point)` for every output
/// `o`, wrapping at 32 bits, with the inputs packed as [`Pairs`] `CHUNK` at
/// a time, each chunk's products added to every output's sum before the
/// next is packed: the same products, in a buffer of `CHUNK` halves, not
/// `IN`.
pub(crate) fn chunked_dots<const IN: usize, const OUT: usize>(
    input: &[i8; IN],
    zero_point: i32,
    weight: &[[i8; IN]; OUT],
    bias: &[i32; OUT],
) -> [i32; OUT] {
    let mut sums = *bias;
    let mut buffer = [0; CHUNK];
    for (start, chunk) in (0..).step_by(CHUNK).zip(input.chunks(CHUNK)) {
        let packed = &mut buffer[..chunk.len()];
        pack(chunk, zero_point, packed);
        add_dots(packed, weight, start, &mut sums);
    }
    sums
}

/// An input minus the zero point, in 16 bits, wrapping.
#[inline(always)]
pub(crate) fn moved(x: i8, zero_point: i32) -> i16 {
    // `x` is its byte with the top bit flipped, less 128. Written so, the
    // output of a layer that clamped `v` to `[0, 255]` and moved it by
    // this zero point comes back as `v` where the layers are inlined
    // together: LLVM cancels the two flips, where it cannot see through a
    // sign extension (the sine model of `examples/firmware/compare.sh`
    // took 1007 instructions an inference with `i32::from(x)`, 882 so).
    i32::from(x as u8 ^ 0x80).wrapping_sub(zero_point.wrapping_add(128)) as i16
}

/// The inputs minus the zero point, each in 16 bits, wrapping.
fn halves<const IN: usize>(input: &[i8; IN], zero_point: i32) -> [i16; IN] {
    input.map(|x| moved(x, zero_point))
}

/// `IN` inputs, each minus the input's zero point, in order.
#[derive(Clone, Copy)]
#[cfg_attr(constnet_dsp, allow(dead_code))] // Tested on every target.
pub(crate) struct Halves<const IN: usize> {
    values: [i16; IN],
}

#[cfg_attr(constnet_dsp, allow(dead_code))]
impl<const IN: usize> Halves<IN> {
    pub(crate) fn new(input: &[i8; IN], zero_point: i32) -> Self {
        Self { values: halves(input, zero_point) }
    }

    /// `Σ row[i] · input[i]`, wrapping at 32 bits.
    #[inline]
    pub(crate) fn dot(&self, row: &[i8; IN]) -> i32 {
        let [sum] = crate::kernels::int8_dots(row, [&self.values]);
        sum
    }

    /// Each row's bias plus its dot product, wrapping at 32 bits.
    #[inline]
    pub(crate) fn dots<const OUT: usize>(
        &self,
        rows: &[[i8; IN]; OUT],
        bias: &[i32; OUT],
    ) -> [i32; OUT] {
        core::array::from_fn(|o| bias[o].wrapping_add(self.dot(&rows[o])))
    }
}

/// `IN` inputs, each minus the input's zero point, packed for SMLAD (see
/// [`pack`]).
#[derive(Clone, Copy)]
#[cfg_attr(not(constnet_dsp), allow(dead_code))] // Tested on every target.
pub(crate) struct Pairs<const IN: usize> {
    values: [i16; IN],
}

#[cfg_attr(not(constnet_dsp), allow(dead_code))]
impl<const IN: usize> Pairs<IN> {
    pub(crate) fn new(input: &[i8; IN], zero_point: i32) -> Self {
        let mut values = [0; IN];
        pack(input, zero_point, &mut values);
        Self { values }
    }

    /// Each row's bias plus its dot product, wrapping at 32 bits.
    #[inline]
    pub(crate) fn dots<const OUT: usize>(
        &self,
        rows: &[[i8; IN]; OUT],
        bias: &[i32; OUT],
    ) -> [i32; OUT] {
        let mut sums = *bias;
        add_dots(&self.values, rows, 0, &mut sums);
        sums
    }
}

/// Adds to each sum its row's products with the inputs `packed` by
/// [`pack`], those of the row's columns from `start` on: four rows at a
/// time, which then share the loads of the inputs (the sine model of
/// `examples/firmware/compare.sh` took 857 instructions an inference with
/// two at a time, 843 so, and the speech model 797,830 and 787,760).
#[cfg_attr(not(constnet_dsp), allow(dead_code))]
#[inline(always)]
fn add_dots<const IN: usize, const OUT: usize>(
    packed: &[i16],
    rows: &[[i8; IN]; OUT],
    start: usize,
    sums: &mut [i32; OUT],
) {
    let columns = start..start + packed.len();
    let (fours, rest) = rows.as_chunks::<4>();
    let (sum_fours, sum_rest) = sums.as_chunks_mut::<4>();
    for (rows, sums) in fours.iter().zip(sum_fours) {
        *sums = packed_dot_four(packed, rows, start, *sums);
    }
    for (row, sum) in rest.iter().zip(sum_rest) {
        *sum = packed_dot(packed, &row[columns.clone()], *sum);
    }
}

/// `input` minus the zero point into `packed`, in 16 bits, each group of
/// four `x0..x3` as `x0, x2, x1, x3`: one word load then reads the pair
/// `(x0, x2)` and the next `(x1, x3)` (low half first), which is how
/// SXTB16 splits a word of four weights. The inputs after the last group
/// of four follow in order.
#[cfg_attr(not(constnet_dsp), allow(dead_code))]
fn pack(input: &[i8], zero_point: i32, packed: &mut [i16]) {
    for (value, &x) in packed.iter_mut().zip(input) {
        *value = moved(x, zero_point);
    }
    for group in packed.chunks_exact_mut(4) {
        group.swap(1, 2);
    }
}

/// `sum + Σ row[i] · input[i]` for inputs `packed` by [`pack`], wrapping
/// at 32 bits: four weights read as one word, two products per SMLAD.
#[cfg_attr(not(constnet_dsp), allow(dead_code))]
#[inline(always)]
fn packed_dot(packed: &[i16], row: &[i8], sum: i32) -> i32 {
    let groups = packed.len() / 4;
    let mut sum = sum;
    for (weights, pairs) in row.chunks_exact(4).zip(packed.chunks_exact(4)) {
        sum = four_products(dsp::word(weights), pairs, sum);
    }
    let rest = row[groups * 4..].iter().zip(&packed[groups * 4..]);
    rest.fold(sum, |sum, (&w, &x)| sum.wrapping_add(i32::from(w) * i32::from(x)))
}

/// [`packed_dot`] of four rows at once, over their columns from `start`
/// on: each pair of inputs read once for the four.
#[cfg_attr(not(constnet_dsp), allow(dead_code))]
#[inline(always)]
fn packed_dot_four<const IN: usize>(
    packed: &[i16],
    rows: &[[i8; IN]; 4],
    start: usize,
    sums: [i32; 4],
) -> [i32; 4] {
    let whole = packed.len() / 4 * 4;
    let [a, b, c, d] = dsp::four_rows(rows, start, &packed[..whole], sums);
    // Written out row by row: an array mapped stays in memory at
    // opt-level s (with the four sums mapped here, the sine model took
    // 1932 instructions an inference there, against 1676).
    let (rest, tail) = (&packed[whole..], start + whole..start + packed.len());
    let row = |r: usize| &rows[r][tail.clone()];
    [
        packed_dot(rest, row(0), a),
        packed_dot(rest, row(1), b),
        packed_dot(rest, row(2), c),
        packed_dot(rest, row(3), d),
    ]
}

/// Each of four rows' sums plus the products of its weights from column
/// `start` on with inputs `packed` by [`pack`] (a multiple of four), one
/// row at a time.
#[cfg_attr(not(constnet_dsp), allow(dead_code))]
#[inline(always)]
fn four_rows_apart<const IN: usize>(
    rows: &[[i8; IN]; 4],
    start: usize,
    packed: &[i16],
    sums: [i32; 4],
) -> [i32; 4] {
    let mut sums = sums;
    for (column, pairs) in (start..).step_by(4).zip(packed.chunks_exact(4)) {
        for (sum, row) in sums.iter_mut().zip(rows) {
            *sum = four_products(dsp::word(&row[column..]), pairs, *sum);
        }
    }
    sums
}

/// `sum` plus the products of four weights in a word and four packed
/// inputs.
#[cfg_attr(not(constnet_dsp), allow(dead_code))]
#[inline(always)]
fn four_products(word: u32, pairs: &[i16], sum: i32) -> i32 {
    let sum = dsp::smlad(dsp::sxtb16(word), dsp::adjacent(pairs), sum);
    dsp::smlad(dsp::sxtb16_ror8(word), dsp::adjacent(&pairs[2..]), sum)
}

/// A row of `K` int8 weights of a convolution's kernel, packed for SMLAD
/// against inputs that lie side by side: the pairs `(w0, w1), (w2, w3), …`
/// as 16-bit halves, low half first, the order in which one word load
/// reads two adjacent 16-bit inputs. An odd last weight stays alone.
#[derive(Clone, Copy)]
pub(crate) struct KernelRow<const K: usize> {
    /// The first `K / 2` words are the pairs.
    pairs: [u32; K],
    last: i32,
}

impl<const K: usize> KernelRow<K> {
    pub(crate) fn new(weights: &[i8; K]) -> Self {
        let half = |w: i8| u32::from(i16::from(w) as u16);
        let mut pairs = [0; K];
        for (pair, weights) in pairs.iter_mut().zip(weights.chunks_exact(2)) {
            *pair = half(weights[0]) | half(weights[1]) << 16;
        }
        Self { pairs, last: i32::from(weights[K - 1]) }
    }

    /// `sum + Σ weights[k] · inputs[k]` over the first `K` inputs, wrapping
    /// at 32 bits.
    #[inline(always)]
    pub(crate) fn dot(&self, inputs: &[i16], sum: i32) -> i32 {
        let inputs = &inputs[..K];
        let mut sum = sum;
        for (&pair, inputs) in self.pairs[..K / 2].iter().zip(inputs.chunks_exact(2)) {
            sum = dsp::smlad(pair, dsp::adjacent(inputs), sum);
        }
        if K % 2 == 1 {
            sum = sum.wrapping_add(self.last * i32::from(inputs[K - 1]));
        }
        sum
    }
}

/// The instructions, as Armv7E-M executes them: the crate's only `unsafe`
/// code outside `kernels::x86`, each block one instruction but those of
/// `four_rows`.
#[cfg(constnet_dsp)]
mod dsp {
    /// Four weights as one little-endian word, in one load.
    #[inline(always)]
    pub fn word(weights: &[i8]) -> u32 {
        assert!(weights.len() >= 4);
        // SAFETY: the four bytes read are within `weights` (asserted, and
        // known at every call, so the assertion compiles away), and
        // `read_unaligned` has no alignment requirement. Its one LDR may be
        // unaligned, which Armv7-M allows (unless a program sets
        // CCR.UNALIGN_TRP, which makes it fault, never read amiss). Rust
        // would assemble the word from four byte loads otherwise.
        unsafe { core::ptr::read_unaligned(weights.as_ptr().cast::<u32>()) }
    }

    /// Two adjacent 16-bit values as one word, the first in the low half,
    /// in one load.
    #[inline(always)]
    pub fn adjacent(values: &[i16]) -> u32 {
        assert!(values.len() >= 2);
        // SAFETY: as for `word`: the four bytes read are the first two
        // values (asserted, and known at every call), and an LDR at a
        // 2-byte aligned address is one Armv7-M allows.
        unsafe { core::ptr::read_unaligned(values.as_ptr().cast::<u32>()) }
    }

    /// SXTB16: bytes 0 and 2 of `word`, sign-extended into two halves.
    #[inline(always)]
    pub fn sxtb16(word: u32) -> u32 {
        let halves: u32;
        // SAFETY: one instruction on registers (no memory, no stack, no
        // flags), which every Armv7E-M core has; `build.rs` sets
        // `constnet_dsp` for those targets only.
        unsafe {
            core::arch::asm!("sxtb16 {0}, {1}", lateout(reg) halves, in(reg) word,
                options(pure, nomem, nostack, preserves_flags));
        }
        halves
    }

    /// SXTB16 of the word rotated by a byte: bytes 1 and 3.
    #[inline(always)]
    pub fn sxtb16_ror8(word: u32) -> u32 {
        let halves: u32;
        // SAFETY: as for `sxtb16`.
        unsafe {
            core::arch::asm!("sxtb16 {0}, {1}, ror #8", lateout(reg) halves, in(reg) word,
                options(pure, nomem, nostack, preserves_flags));
        }
        halves
    }

    /// [`four_rows_apart`](super::four_rows_apart) in one block of
    /// instructions for each four inputs: their two words are loaded once
    /// for the four rows, and rows and inputs are walked by
    /// post-incremented loads. Left to LLVM, the same instructions came
    /// with reloads of spilled inputs and addresses computed again for
    /// every block (the sine model of `examples/firmware/compare.sh` took
    /// 843 instructions an inference at opt-level 3 and 1767 at s, 762
    /// and 1636 so; the int8 MNIST CNN of the firmware 995,100 and
    /// 989,510).
    #[inline(always)]
    pub fn four_rows<const IN: usize>(
        rows: &[[i8; IN]; 4],
        start: usize,
        packed: &[i16],
        sums: [i32; 4],
    ) -> [i32; 4] {
        if IN >= 4096 {
            // Rows beyond the reach of an LDR's offset.
            return super::four_rows_apart(rows, start, packed, sums);
        }
        assert!(start + packed.len() <= IN);
        let [mut a, mut b, mut c, mut d] = sums;
        let groups = packed.len() / 4;
        if groups == 0 {
            return sums;
        }
        // SAFETY: the loop runs `groups` times (at least once: it tests
        // at its end), the k-th time with `first` and `third` at column
        // `start + 4k` of rows 0 and 2 and `inputs` at the packed input
        // `4k`: each LDR reads four bytes within `packed` (k < groups) or
        // within a row (`start + packed.len() <= IN`, asserted), rows 1
        // and 3 `IN` bytes after rows 0 and 2 in `rows`. LDR may be
        // unaligned (see `word`); the rest works on registers, as
        // `sxtb16` and `smlad` do.
        unsafe {
            core::arch::asm!(
                "2:",
                "ldr {low}, [{inputs}], #4",
                "ldr {high}, [{inputs}], #4",
                "ldr {w}, [{first}, #{next}]",
                "sxtb16 {t}, {w}",
                "sxtb16 {w}, {w}, ror #8",
                "smlad {b}, {t}, {low}, {b}",
                "smlad {b}, {w}, {high}, {b}",
                "ldr {w}, [{first}], #4",
                "sxtb16 {t}, {w}",
                "sxtb16 {w}, {w}, ror #8",
                "smlad {a}, {t}, {low}, {a}",
                "smlad {a}, {w}, {high}, {a}",
                "ldr {w}, [{third}, #{next}]",
                "sxtb16 {t}, {w}",
                "sxtb16 {w}, {w}, ror #8",
                "smlad {d}, {t}, {low}, {d}",
                "smlad {d}, {w}, {high}, {d}",
                "ldr {w}, [{third}], #4",
                "sxtb16 {t}, {w}",
                "sxtb16 {w}, {w}, ror #8",
                "smlad {c}, {t}, {low}, {c}",
                "smlad {c}, {w}, {high}, {c}",
                "cmp {inputs}, {end}",
                "bne 2b",
                inputs = inout(reg) packed.as_ptr() => _,
                end = in(reg) packed[groups * 4..].as_ptr(),
                first = inout(reg) rows[0][start..].as_ptr() => _,
                third = inout(reg) rows[2][start..].as_ptr() => _,
                next = const if IN < 4096 { IN } else { 0 },
                a = inout(reg) a,
                b = inout(reg) b,
                c = inout(reg) c,
                d = inout(reg) d,
                low = out(reg) _,
                high = out(reg) _,
                w = out(reg) _,
                t = out(reg) _,
                options(pure, readonly, nostack),
            );
        }
        [a, b, c, d]
    }

    /// SMLAD: `sum` plus the products of the low halves and of the high
    /// halves of `a` and `b`, as signed 16-bit values, wrapping at 32 bits.
    #[inline(always)]
    pub fn smlad(a: u32, b: u32, sum: i32) -> i32 {
        let result: i32;
        // SAFETY: as for `sxtb16`, except that an overflow sets the sticky
        // Q flag (which nothing here reads), so flags are not preserved.
        unsafe {
            core::arch::asm!("smlad {0}, {1}, {2}, {3}", lateout(reg) result, in(reg) a,
                in(reg) b, in(reg) sum, options(pure, nomem, nostack));
        }
        result
    }
}

/// The same instructions in Rust, so that the packing is tested on any
/// host; the firmware checks the real ones against TensorFlow Lite Micro.
#[cfg(not(constnet_dsp))]
mod dsp {
    pub fn word(weights: &[i8]) -> u32 {
        u32::from_le_bytes([weights[0], weights[1], weights[2], weights[3]].map(|w| w as u8))
    }

    pub fn adjacent(values: &[i16]) -> u32 {
        u32::from(values[0] as u16) | u32::from(values[1] as u16) << 16
    }

    pub fn sxtb16(word: u32) -> u32 {
        let half = |byte: u32| (byte as u8 as i8 as i16) as u16 as u32;
        half(word) | half(word >> 16) << 16
    }

    pub fn sxtb16_ror8(word: u32) -> u32 {
        sxtb16(word.rotate_right(8))
    }

    pub fn smlad(a: u32, b: u32, sum: i32) -> i32 {
        let product = |a: u32, b: u32| i32::from(a as u16 as i16) * i32::from(b as u16 as i16);
        sum.wrapping_add(product(a, b)).wrapping_add(product(a >> 16, b >> 16))
    }

    pub(super) use super::four_rows_apart as four_rows;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Five rows: four that share their inputs' loads, and one alone, each
    /// with a bias of its own; then the first four alone, and the first
    /// three, which all go one at a time.
    fn both_layouts<const IN: usize>(
        row: [i8; IN],
        input: [i8; IN],
        zero_point: i32,
        bias: [i32; 5],
    ) {
        let mut reversed = row;
        reversed.reverse();
        let mut rotated = row;
        rotated.rotate_left(1);
        let rows =
            [row, reversed, row.map(|w| w.wrapping_mul(3)), row.map(i8::wrapping_neg), rotated];
        let expected: [i32; 5] = core::array::from_fn(|o| {
            rows[o].iter().zip(&input).fold(bias[o], |sum, (&w, &x)| {
                sum.wrapping_add(i32::from(w) * (i32::from(x) - zero_point))
            })
        });
        assert_eq!(Halves::new(&input, zero_point).dots(&rows, &bias), expected);
        let pairs = Pairs::new(&input, zero_point);
        assert_eq!(pairs.dots(&rows, &bias), expected);
        let four = pairs
            .dots(&[rows[0], rows[1], rows[2], rows[3]], &[bias[0], bias[1], bias[2], bias[3]]);
        assert_eq!(four, [expected[0], expected[1], expected[2], expected[3]]);
        let three = pairs.dots(&[rows[0], rows[1], rows[2]], &[bias[0], bias[1], bias[2]]);
        assert_eq!(three, [expected[0], expected[1], expected[2]]);
    }

    proptest! {
        /// Packed in pairs or not, rows give the sums of their products, on
        /// every length around a multiple of four, the extremes of int8
        /// included.
        #[test]
        fn both_layouts_give_the_sum_of_the_products(
            row in proptest::array::uniform16(any::<i8>()),
            input in proptest::array::uniform16(any::<i8>()),
            zero_point in -128..=127i32,
            bias in proptest::array::uniform5(any::<i32>()),
        ) {
            both_layouts(row, input, zero_point, bias);
            both_layouts::<1>([row[0]], [input[0]], zero_point, bias);
            both_layouts::<3>([row[0], row[1], row[2]], [input[0], input[1], input[2]], zero_point, bias);
            both_layouts::<4>(core::array::from_fn(|i| row[i]), core::array::from_fn(|i| input[i]), zero_point, bias);
            both_layouts::<7>(core::array::from_fn(|i| row[i]), core::array::from_fn(|i| input[i]), zero_point, bias);
            both_layouts::<13>(core::array::from_fn(|i| row[i]), core::array::from_fn(|i| input[i]), zero_point, bias);
        }
    }

    fn kernel_row<const K: usize>(weights: [i8; K], inputs: &[i16], start: i32) {
        let expected = weights
            .iter()
            .zip(inputs)
            .fold(start, |sum, (&w, &x)| sum.wrapping_add(i32::from(w) * i32::from(x)));
        assert_eq!(KernelRow::new(&weights).dot(inputs, start), expected, "{weights:?}");
    }

    proptest! {
        /// A packed kernel row adds the products of its weights and the
        /// first inputs to the sum it is given, odd and even rows alike.
        #[test]
        fn kernel_rows_add_their_products(
            weights in proptest::array::uniform7(any::<i8>()),
            inputs in proptest::collection::vec(-255..=255i16, 8),
            start in any::<i32>(),
        ) {
            kernel_row(weights, &inputs, start);
            kernel_row::<1>([weights[0]], &inputs, start);
            kernel_row::<2>([weights[0], weights[1]], &inputs, start);
            kernel_row::<5>(core::array::from_fn(|i| weights[i]), &inputs, start);
            kernel_row::<6>(core::array::from_fn(|i| weights[i]), &inputs, start);
        }
    }

    fn chunked<const IN: usize>(seed: u32) {
        let mut state = seed;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as i8
        };
        let input: [i8; IN] = core::array::from_fn(|_| next());
        let weight: [[i8; IN]; 5] = core::array::from_fn(|_| core::array::from_fn(|_| next()));
        let zero_point = i32::from(next());
        let bias = [i32::MAX, -7, i32::MIN, 0, 12345];
        let expected: [i32; 5] = core::array::from_fn(|o| {
            weight[o].iter().zip(&input).fold(bias[o], |sum, (&w, &x)| {
                sum.wrapping_add(i32::from(w) * (i32::from(x) - zero_point))
            })
        });
        assert_eq!(chunked_dots(&input, zero_point, &weight, &bias), expected, "{IN} inputs");
    }

    /// Packed a chunk at a time, whole chunks or not, the sums are those of
    /// the products.
    #[test]
    fn chunks_of_inputs_give_the_sums_of_the_products() {
        chunked::<{ CHUNK - 1 }>(1);
        chunked::<{ 2 * CHUNK }>(2);
        chunked::<{ 2 * CHUNK + 89 }>(3);
        chunked::<5>(4);
    }

    #[test]
    fn the_extremes_of_int8() {
        both_layouts([-128; 9], [127; 9], -128, [i32::MAX; 5]);
        both_layouts([-128; 9], [-128; 9], 127, [i32::MIN; 5]);
        both_layouts([127; 8], [-128; 8], 127, [0; 5]);
    }
}
