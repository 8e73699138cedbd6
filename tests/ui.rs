//! Compile-fail tests of the `network!` macro: each file in `tests/ui/` must
//! fail to compile with the error recorded in its `.stderr` snapshot.
//!
//! After a deliberate change to a message, regenerate the snapshots with
//! `TRYBUILD=overwrite cargo test --test ui`, then read every changed
//! `.stderr` before committing it.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
