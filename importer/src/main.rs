//! `constnet-import MODEL.tflite [NAME]`: writes the int8 or float32
//! TensorFlow Lite model as Rust source on standard output (see the crate's
//! library docs).
//!
//! ```text
//! cargo run -p constnet-import -- sine.tflite Sine > src/sine_model.rs
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: constnet-import MODEL.tflite [NAME]");
        return ExitCode::from(2);
    };
    let name = args.get(1).cloned().unwrap_or_else(|| constnet_import::name_of(path));
    let source =
        std::fs::read(path).map_err(|error| format!("{path}: {error}")).and_then(|bytes| {
            constnet_import::rust_source(&bytes, &name, path).map_err(|e| format!("{path}: {e}"))
        });
    match source {
        Ok(source) => {
            print!("{source}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
