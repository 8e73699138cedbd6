//! Peak stack use of a call, by painting the free stack and looking for
//! the deepest word that the call overwrote.

use core::ptr;

const PAINT: u32 = 0x5eed_cafe;

/// Bytes of stack that a call of `function` uses, painting `depth` bytes
/// below the caller's stack pointer (the answer is `depth` if it used them
/// all).
///
/// Called through a pointer the optimizer cannot see through, so that
/// `function` runs in frames of its own, below this one, and not inlined
/// into this frame, which was reserved before the painting.
#[inline(never)]
pub fn peak<A, R>(function: fn(A) -> R, argument: A, depth: usize) -> usize {
    // This frame is already reserved: painting starts right below it.
    let top = cortex_m::register::msp::read() as usize;
    let bottom = top - depth;
    // SAFETY: [bottom, top) lies below the stack pointer, in the 4 MiB of
    // RAM of the board, where nothing lives: the stack grows down into it,
    // the program has no heap, no interrupt is enabled, and the painting
    // loop keeps its values in registers or in this frame. Volatile, so the
    // writes and reads are not optimized away.
    unsafe {
        for address in (bottom..top).step_by(4) {
            ptr::write_volatile(address as *mut u32, PAINT);
        }
    }
    core::hint::black_box(core::hint::black_box(function)(argument));
    let deepest = (bottom..top)
        .step_by(4)
        // SAFETY: the same painted words, read back.
        .find(|&address| unsafe { ptr::read_volatile(address as *const u32) } != PAINT)
        .unwrap_or(top);
    top - deepest
}
