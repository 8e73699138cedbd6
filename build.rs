//! `cfg(constnet_dsp)` on Armv7E-M (Cortex-M4 and M7), whose DSP
//! instructions the int8 dot products use. Stable Rust has no
//! `target_feature = "dsp"` to test, so the target's name decides, as the
//! `cortex-m` crate decides its own `armv7em`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(constnet_dsp)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv7em-") {
        println!("cargo::rustc-cfg=constnet_dsp");
    }
}
