//! The end of a program under QEMU: its exit status through semihosting,
//! and a panic reported, then ended as a failure.

use cortex_m_semihosting::{debug, hprintln};

/// Ends QEMU with a success or failure status.
pub fn exit(success: bool) -> ! {
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
