//! Instructions per call, counted with SysTick.
//!
//! Under QEMU's `-icount shift=0` every instruction takes one virtual
//! nanosecond, and SysTick on the core clock (25 MHz on mps2-an386) ticks
//! every 40 ns: one tick per 40 instructions, the same on every run.

use core::hint::black_box;

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;

const INSTRUCTIONS_PER_TICK: u64 = 40;
/// SysTick counts down from here to 0, then starts again: 24 bits.
const RELOAD: u32 = 0x00ff_ffff;

/// Owns SysTick, counting down freely.
pub struct Counter(SYST);

impl Counter {
    pub fn new(mut systick: SYST) -> Self {
        systick.set_clock_source(SystClkSource::Core);
        systick.set_reload(RELOAD);
        systick.clear_current();
        systick.enable_counter();
        Counter(systick)
    }

    /// Instructions per call of `work`, averaged over `runs` calls, without
    /// those of the loop around it. A measurement must stay under one
    /// period of the counter (2^24 ticks, 671 million instructions).
    pub fn per_call<R>(&mut self, runs: u32, mut work: impl FnMut() -> R) -> u64 {
        let empty_loop = self.ticks(runs, || ());
        let with_work = self.ticks(runs, &mut work);
        with_work.saturating_sub(empty_loop) * INSTRUCTIONS_PER_TICK / u64::from(runs)
    }

    fn ticks<R>(&mut self, runs: u32, mut work: impl FnMut() -> R) -> u64 {
        let start = SYST::get_current();
        for _ in 0..black_box(runs) {
            black_box(work());
        }
        let end = SYST::get_current();
        // The counter counts down and may have wrapped once.
        u64::from((start + (RELOAD + 1) - end) % (RELOAD + 1))
    }
}
