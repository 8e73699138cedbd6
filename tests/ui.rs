//! Tests of the `network!` macro as a user meets it.
//!
//! - Each file in `tests/ui/` must fail to compile with the error recorded
//!   in its `.stderr` snapshot.
//! - Each file in `tests/ui/pass/` must compile and run: a `main` that
//!   declares networks at the edges of the language and asserts what they
//!   compute.
//!
//! After a deliberate change to a message, regenerate the snapshots with
//! `TRYBUILD=overwrite cargo test --test ui`, then read every changed
//! `.stderr` before committing it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
