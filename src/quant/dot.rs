//! The dot product of a row of int8 weights with inputs moved to their zero
//! point: the inner loop of every int8 dense layer.
//!
//! On Armv7E-M (`cfg(constnet_dsp)`, see `build.rs`) four weights are read
//! as one word and multiplied two by two with SMLAD, inputs packed in
//! pairs of 16-bit halves beforehand; elsewhere, one multiplication at a
//! time. Both add the same products with 32-bit wrapping, so both give the
//! same sum, which TensorFlow Lite's reference kernel gives too.

/// Whether inputs are packed in pairs for SMLAD.
const PAIRS: bool = cfg!(constnet_dsp);

/// `IN` inputs, each minus the input's zero point, laid out for [`dot`].
///
/// With the DSP instructions, the first `4·⌊IN/4⌋` inputs are packed two by
/// two, each group of four `x0..x3` as the words `(x0, x2)` and `(x1, x3)`
/// (low half first), which is how SXTB16 splits a word of four weights; the
/// rest follow, one per word. An input moved by a zero point within int8
/// lies in `[−255, 255]` and fits a half; an absurd zero point gives a
/// wrong sum (never a panic), as the 32-bit wrapping elsewhere does.
#[derive(Clone, Copy)]
pub(crate) struct Shifted<const IN: usize> {
    words: [u32; IN],
}

impl<const IN: usize> Shifted<IN> {
    pub(crate) fn new(input: &[i8; IN], zero_point: i32) -> Self {
        Self::laid_out(input, zero_point, PAIRS)
    }

    fn laid_out(input: &[i8; IN], zero_point: i32, pairs: bool) -> Self {
        let offset = zero_point.wrapping_neg();
        let shifted = input.map(|x| i32::from(x).wrapping_add(offset));
        let mut words = shifted.map(|x| x as u32);
        if pairs {
            let half = |x: i32| x as u32 & 0xffff;
            for group in 0..IN / 4 {
                let x = &shifted[4 * group..4 * group + 4];
                words[2 * group] = half(x[0]) | half(x[2]) << 16;
                words[2 * group + 1] = half(x[1]) | half(x[3]) << 16;
            }
            for (word, &x) in words[IN / 4 * 2..].iter_mut().zip(&shifted[IN / 4 * 4..]) {
                *word = x as u32;
            }
        }
        Self { words }
    }
}

/// `Σ row[i] · shifted[i]`, wrapping at 32 bits.
#[inline]
pub(crate) fn dot<const IN: usize>(row: &[i8; IN], inputs: &Shifted<IN>) -> i32 {
    dot_laid_out(row, inputs, PAIRS)
}

#[inline(always)]
fn dot_laid_out<const IN: usize>(row: &[i8; IN], inputs: &Shifted<IN>, pairs: bool) -> i32 {
    let single =
        |sum: i32, (&w, &x): (&i8, &u32)| sum.wrapping_add(i32::from(w).wrapping_mul(x as i32));
    if !pairs {
        return row.iter().zip(&inputs.words).fold(0, single);
    }
    let groups = IN / 4;
    let mut sum = 0i32;
    for (weights, pairs) in row.chunks_exact(4).zip(inputs.words.chunks_exact(2)) {
        let word = dsp::word(weights);
        sum = dsp::smlad(dsp::sxtb16(word), pairs[0], sum);
        sum = dsp::smlad(dsp::sxtb16_ror8(word), pairs[1], sum);
    }
    row[groups * 4..].iter().zip(&inputs.words[groups * 2..]).fold(sum, single)
}

/// The instructions, as Armv7E-M executes them: the crate's only `unsafe`
/// code outside `kernels::x86`, each block one instruction.
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn both_layouts<const IN: usize>(row: [i8; IN], input: [i8; IN], zero_point: i32) {
        let plain = Shifted::laid_out(&input, zero_point, false);
        let paired = Shifted::laid_out(&input, zero_point, true);
        let expected = row.iter().zip(&input).fold(0i32, |sum, (&w, &x)| {
            sum.wrapping_add(i32::from(w) * (i32::from(x) - zero_point))
        });
        assert_eq!(dot_laid_out(&row, &plain, false), expected);
        assert_eq!(dot_laid_out(&row, &paired, true), expected);
    }

    proptest! {
        /// Packed in pairs or not, a row gives the sum of its products, on
        /// every length around a multiple of four, the extremes of int8
        /// included.
        #[test]
        fn both_layouts_give_the_sum_of_the_products(
            row in proptest::array::uniform16(any::<i8>()),
            input in proptest::array::uniform16(any::<i8>()),
            zero_point in -128..=127i32,
        ) {
            both_layouts(row, input, zero_point);
            both_layouts::<1>([row[0]], [input[0]], zero_point);
            both_layouts::<3>([row[0], row[1], row[2]], [input[0], input[1], input[2]], zero_point);
            both_layouts::<4>(core::array::from_fn(|i| row[i]), core::array::from_fn(|i| input[i]), zero_point);
            both_layouts::<7>(core::array::from_fn(|i| row[i]), core::array::from_fn(|i| input[i]), zero_point);
            both_layouts::<13>(core::array::from_fn(|i| row[i]), core::array::from_fn(|i| input[i]), zero_point);
        }
    }

    #[test]
    fn the_extremes_of_int8() {
        both_layouts([-128; 9], [127; 9], -128);
        both_layouts([-128; 9], [-128; 9], 127);
        both_layouts([127; 8], [-128; 8], 127);
    }
}
