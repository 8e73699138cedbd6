//! Bad files: each is an error that says what is wrong, never a panic.

use std::io::Write;

use ::safetensors::tensor::{Dtype, TensorView, serialize};
use constnet::io::{Error, LAYOUT_KEY, Layout, numpy, safetensors};
use constnet::prelude::*;

network! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Small<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid }
}

network! {
    /// `Small` without its last layer.
    pub struct Partial<f32> { hidden: Dense<2, 3>, Tanh }
}

network! {
    /// `Small` with its layers named as `nn.Sequential` would number them.
    pub struct Numbered<f32> { first: Dense<2, 3>, Tanh, second: Dense<3, 1>, Sigmoid }
}

network! {
    /// `Small` and one more layer.
    pub struct Longer<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid, extra: Dense<1, 1> }
}

network! {
    /// `Small` with a wider hidden layer.
    pub struct Wider<f32> { hidden: Dense<2, 4>, Tanh, out: Dense<4, 1>, Sigmoid }
}

fn small() -> Small {
    Small::random(&mut rand::rngs::SmallRng::seed_from_u64(3))
}

fn read_safetensors(bytes: &[u8]) -> Result<Small, Error> {
    safetensors::read(bytes, Layout::OutIn)
}

/// A safetensors file with the given JSON header and data.
fn safetensors_file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    bytes
}

/// `Small`'s four tensors, each given as `(dtype, shape, data)`.
fn small_file_with(replace: &str, dtype: Dtype, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let zeros = [0u8; 4 * 6];
    let mut tensors = vec![
        ("hidden.weight", Dtype::F32, vec![3, 2], &zeros[..24]),
        ("hidden.bias", Dtype::F32, vec![3], &zeros[..12]),
        ("out.weight", Dtype::F32, vec![1, 3], &zeros[..12]),
        ("out.bias", Dtype::F32, vec![1], &zeros[..4]),
    ];
    for tensor in &mut tensors {
        if tensor.0 == replace {
            *tensor = (tensor.0, dtype, shape.to_vec(), data);
        }
    }
    let views = tensors
        .into_iter()
        .map(|(name, dtype, shape, data)| (name, TensorView::new(dtype, shape, data).unwrap()));
    serialize(views, None).unwrap()
}

fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
    result.expect_err("an error").to_string()
}

#[test]
fn a_missing_tensor_is_named_with_its_shape() {
    let partial: Partial = Partial::zeros();
    let bytes = safetensors::write(&partial, Layout::OutIn).unwrap();
    assert_eq!(
        message(read_safetensors(&bytes)),
        "tensor `out.weight` (shape [1, 3]) is not in the file"
    );
}

#[test]
fn a_missing_tensor_shows_what_the_file_has_instead() {
    let numbered: Numbered = Numbered::zeros();
    let bytes = safetensors::write(&numbered, Layout::OutIn).unwrap();
    let error = read_safetensors(&bytes).unwrap_err();
    assert!(matches!(&error, Error::MissingTensor { name, .. } if name == "hidden.weight"));
    assert_eq!(
        error.to_string(),
        "tensor `hidden.weight` (shape [3, 2]) is not in the file; the file has `first.bias`, \
         `first.weight`, `second.bias`, `second.weight` instead"
    );
    let archive = numpy::write_npz(&numbered, Layout::OutIn).unwrap();
    assert_eq!(message(numpy::read_npz::<f32, Small>(&archive, Layout::OutIn)), error.to_string());
}

#[test]
fn an_extra_tensor_is_named() {
    let longer: Longer = Longer::zeros();
    let expected = "`extra.bias` is not a tensor of the network, whose tensors are \
                    `hidden.weight`, `hidden.bias`, `out.weight`, `out.bias`";
    let bytes = safetensors::write(&longer, Layout::OutIn).unwrap();
    assert_eq!(message(read_safetensors(&bytes)), expected);
    let archive = numpy::write_npz(&longer, Layout::OutIn).unwrap();
    assert_eq!(message(numpy::read_npz::<f32, Small>(&archive, Layout::OutIn)), expected);
}

#[test]
fn a_wrong_shape_names_the_tensor_and_both_shapes() {
    let wider: Wider = Wider::zeros();
    let expected = "tensor `hidden.weight`: expected shape [3, 2] ([out, in]), found [4, 2]";
    let bytes = safetensors::write(&wider, Layout::OutIn).unwrap();
    assert_eq!(message(read_safetensors(&bytes)), expected);
    let archive = numpy::write_npz(&wider, Layout::OutIn).unwrap();
    assert_eq!(message(numpy::read_npz::<f32, Small>(&archive, Layout::OutIn)), expected);

    let bytes = small_file_with("hidden.bias", Dtype::F32, &[1, 3], &[0; 12]);
    assert_eq!(
        message(read_safetensors(&bytes)),
        "tensor `hidden.bias`: expected shape [3], found [1, 3]"
    );
}

#[test]
fn a_wrong_dtype_is_named() {
    let bytes = small_file_with("hidden.bias", Dtype::I64, &[3], &[0; 24]);
    assert_eq!(
        message(read_safetensors(&bytes)),
        "tensor `hidden.bias`: expected f32 or f64 elements, found I64"
    );
    let bytes = small_file_with("out.weight", Dtype::F16, &[1, 3], &[0; 6]);
    assert_eq!(
        message(read_safetensors(&bytes)),
        "tensor `out.weight`: expected f32 or f64 elements, found F16"
    );
}

#[test]
fn an_f64_beyond_f32_range_is_an_error_naming_the_element() {
    let mut big: Small<f64> = Small::zeros();
    big.hidden.weight[1][2] = -1e300;
    let bytes = safetensors::write(&big, Layout::OutIn).unwrap();
    let error = read_safetensors(&bytes).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`hidden.weight[1][2]` = -1e300 is beyond the range of f32 (±3.4028235e38)"
    );
    // Infinities are values like any other.
    big.hidden.weight[1][2] = f64::NEG_INFINITY;
    let bytes = safetensors::write(&big, Layout::OutIn).unwrap();
    assert_eq!(read_safetensors(&bytes).unwrap().hidden.weight[1][2], f32::NEG_INFINITY);
}

#[test]
fn the_layout_named_in_the_metadata_must_be_the_one_asked_for() {
    let bytes = safetensors::write(&small(), Layout::InOut).unwrap();
    assert_eq!(
        message(read_safetensors(&bytes)),
        "the file stores its weights [in, out] (metadata `weight_layout`), but [out, in] was \
         asked: read it with `InOut`"
    );
    let header = format!(r#"{{"__metadata__":{{"{LAYOUT_KEY}":"columns"}}}}"#);
    assert_eq!(
        message(read_safetensors(&safetensors_file(&header, &[]))),
        "the file's metadata `weight_layout` is \"columns\", expected \"in_out\" or \"out_in\""
    );
}

#[test]
fn truncated_safetensors_files_are_errors_at_every_length() {
    let bytes = safetensors::write(&small(), Layout::OutIn).unwrap();
    for len in 0..bytes.len() {
        let error = read_safetensors(&bytes[..len]).unwrap_err();
        assert!(matches!(error, Error::Malformed { .. }), "{len} bytes: {error}");
    }
    assert_eq!(
        message(read_safetensors(&[])),
        "malformed safetensors file: 0 bytes, fewer than the 8 that give the header's length \
         (empty or truncated file?)"
    );
    assert_eq!(
        message(read_safetensors(&bytes[..bytes.len() - 1])),
        "malformed safetensors file: the tensors its header lists do not cover its data \
         exactly (truncated file, or bytes after the last tensor?)"
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(read_safetensors(&longer), Err(Error::Malformed { .. })));
}

#[test]
fn absurd_header_lengths_are_errors_without_allocating() {
    for length in [u64::MAX, 1 << 40, 100_000_001] {
        let mut bytes = length.to_le_bytes().to_vec();
        bytes.extend(b"{}");
        assert_eq!(
            message(read_safetensors(&bytes)),
            format!(
                "malformed safetensors file: its header length is {length} bytes, beyond the \
                 format's limit of 100 MB"
            )
        );
    }
    let mut bytes = 1000u64.to_le_bytes().to_vec();
    bytes.extend(b"{}");
    assert_eq!(
        message(read_safetensors(&bytes)),
        "malformed safetensors file: its header length is 1000 bytes, but only 2 bytes follow \
         (truncated file?)"
    );
}

#[test]
fn headers_that_lie_about_sizes_are_errors() {
    let tensor = |shape: &str, offsets: &str| {
        format!(r#"{{"hidden.bias":{{"dtype":"F32","shape":{shape},"data_offsets":{offsets}}}}}"#)
    };
    // The shape needs 12 bytes, the offsets give 8.
    let bytes = safetensors_file(&tensor("[3]", "[0,8]"), &[0; 8]);
    assert_eq!(
        message(read_safetensors(&bytes)),
        "malformed safetensors file: a tensor's data offsets do not match its shape and element type"
    );
    // The offsets point past the end of the file.
    let bytes = safetensors_file(&tensor("[3]", "[0,12]"), &[0; 4]);
    assert!(message(read_safetensors(&bytes)).contains("do not cover its data exactly"));
    // A shape whose size overflows.
    let huge = format!("[{}, {}]", u64::MAX, u64::MAX);
    let bytes = safetensors_file(&tensor(&huge, "[0,12]"), &[0; 12]);
    assert!(matches!(read_safetensors(&bytes), Err(Error::Malformed { .. })));
    // Two tensors on the same bytes.
    let header = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    let bytes = safetensors_file(header, &[0; 8]);
    assert!(matches!(read_safetensors(&bytes), Err(Error::Malformed { .. })));
    // Not JSON at all.
    let bytes = safetensors_file("{\"hidden.bias\": [", &[]);
    assert!(
        message(read_safetensors(&bytes)).starts_with("malformed safetensors file: invalid JSON")
    );
}

#[test]
fn no_single_corrupted_byte_makes_a_reader_panic() {
    let net = small();
    type Reader = fn(&[u8]) -> Result<Small, Error>;
    let files: [(&str, Vec<u8>, Reader); 3] = [
        ("safetensors", safetensors::write(&net, Layout::OutIn).unwrap(), read_safetensors),
        ("npz", numpy::write_npz(&net, Layout::OutIn).unwrap(), |b| {
            numpy::read_npz(b, Layout::OutIn)
        }),
        ("npy", numpy::write_npy(&net, "hidden.weight", Layout::OutIn).unwrap(), |b| {
            let mut net = Small::zeros();
            numpy::read_npy(&mut net, "hidden.weight", b, Layout::OutIn).map(|()| net)
        }),
    ];
    for (format, bytes, read) in files {
        for position in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut corrupted = bytes.clone();
                corrupted[position] ^= flip;
                // Ok or Err, as long as it returns; reaching here proves no panic.
                let _ = read(&corrupted);
            }
        }
        // Truncated safetensors files and npz archives have tests of their own.
        if format == "npy" {
            for len in 0..bytes.len() {
                assert!(read(&bytes[..len]).is_err(), "{format} cut to {len} bytes");
            }
        }
    }
}

/// A version 1.0 `.npy` array with the given header dictionary and data.
fn npy(header: &str, data: &[u8]) -> Vec<u8> {
    npy_version(1, header, data)
}

fn npy_version(major: u8, header: &str, data: &[u8]) -> Vec<u8> {
    let mut bytes = b"\x93NUMPY".to_vec();
    bytes.extend([major, 0]);
    let text = format!("{header}\n");
    match major {
        1 => bytes.extend((text.len() as u16).to_le_bytes()),
        _ => bytes.extend((text.len() as u32).to_le_bytes()),
    }
    bytes.extend(text.as_bytes());
    bytes.extend(data);
    bytes
}

fn read_bias(bytes: &[u8]) -> Result<[f32; 3], Error> {
    let mut net: Small = Small::zeros();
    numpy::read_npy(&mut net, "hidden.bias", bytes, Layout::InOut)?;
    Ok(net.hidden.bias)
}

const BIAS: [u8; 12] = [0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64]; // 1.0, 2.0, 3.0 as <f4

#[test]
fn a_valid_hand_made_npy_reads() {
    let bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", &BIAS);
    assert_eq!(read_bias(&bytes).unwrap(), [1.0, 2.0, 3.0]);
    let bytes = npy_version(2, "{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}", &BIAS);
    assert_eq!(read_bias(&bytes).unwrap(), [1.0, 2.0, 3.0]);
}

#[test]
fn bad_npy_arrays_are_errors() {
    let what = "malformed `.npy` array for `hidden.bias`";
    let cases: [(Vec<u8>, String); 12] = [
        (
            b"PK\x03\x04".to_vec(),
            format!("{what}: it does not start with the `.npy` magic string `\\x93NUMPY`"),
        ),
        (b"\x93NUMPY\x01".to_vec(), format!("{what}: it ends within its version number")),
        (b"\x93NUMPY\x02\x00\x10".to_vec(), format!("{what}: it ends within its header length")),
        (npy_version(9, "{}", &[]), format!("{what}: format version 9 is not one of 1, 2, 3")),
        (
            [b"\x93NUMPY\x02\x00".as_slice(), &u32::MAX.to_le_bytes(), b"{}"].concat(),
            format!("{what}: its header length is 4294967295 bytes, beyond the limit of 10000"),
        ),
        (
            [b"\x93NUMPY\x01\x00".as_slice(), &5000u16.to_le_bytes(), b"{}"].concat(),
            format!(
                "{what}: its header length is 5000 bytes, but only 2 bytes follow (truncated file?)"
            ),
        ),
        (
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", &BIAS[..8]),
            "malformed tensor data: `hidden.bias` has 8 bytes of data, its shape [3] needs 12"
                .into(),
        ),
        (
            npy(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                &[BIAS, BIAS].concat(),
            ),
            "malformed tensor data: `hidden.bias` has 24 bytes of data, its shape [3] needs 12"
                .into(),
        ),
        (
            npy(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }",
                &BIAS,
            ),
            "tensor `hidden.bias`: expected shape [3], found [1099511627776, 1099511627776]".into(),
        ),
        (
            npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }", &BIAS),
            format!("{what}: its shape is not a tuple of sizes (non-negative integers)"),
        ),
        (
            npy("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", &[0; 24]),
            "tensor `hidden.bias`: expected f32 or f64 elements, found <i8".into(),
        ),
        (
            npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (3,), }", &BIAS),
            "tensor `hidden.bias`: expected f32 or f64 elements, found a structured dtype".into(),
        ),
    ];
    for (bytes, expected) in cases {
        assert_eq!(message(read_bias(&bytes)), expected);
    }
    let not_a_dict =
        format!("{what}: its header is not a dictionary of `descr`, `fortran_order` and `shape`: ");
    for header in [
        "{'descr': '<f4', 'shape': (3,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
        "{'descr': '<f4', 'fortran_order': 'no', 'shape': (3,), }",
        "['descr', '<f4']",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ((((",
        // Unclosed brackets, which would take the header's parser ages.
        &format!("{{'descr': '<f4', 'fortran_order': False, 'shape': (3, {}b }}", "[".repeat(18)),
    ] {
        let started = std::time::Instant::now();
        let found = message(read_bias(&npy(header, &BIAS)));
        assert!(started.elapsed().as_secs() < 5, "{header}");
        assert_eq!(found, format!("{not_a_dict}{header:.80}"));
    }
}

#[test]
fn npy_for_an_unknown_tensor_lists_the_network_s_tensors() {
    let mut net: Small = Small::zeros();
    let bytes = numpy::write_npy(&small(), "out.bias", Layout::InOut).unwrap();
    assert_eq!(
        message(numpy::read_npy(&mut net, "W2", &bytes, Layout::InOut)),
        "`W2` is not a tensor of the network, whose tensors are `hidden.weight`, `hidden.bias`, \
         `out.weight`, `out.bias`"
    );
    assert!(numpy::write_npy(&net, "W2", Layout::InOut).is_err());
}

fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        archive.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        archive.write_all(data).unwrap();
    }
    archive.finish().unwrap().into_inner()
}

#[test]
fn bad_npz_archives_are_errors() {
    let read = |bytes: &[u8]| numpy::read_npz::<f32, Small>(bytes, Layout::InOut);
    assert!(message(read(b"not a zip archive")).starts_with("malformed .npz archive: "));
    let archive = numpy::write_npz(&small(), Layout::InOut).unwrap();
    for len in 0..archive.len() {
        assert!(read(&archive[..len]).is_err(), "cut to {len} bytes");
    }

    let bias = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", &BIAS);
    let garbage = zip(&[("hidden.weight.npy", b"garbage"), ("hidden.bias.npy", &bias)]);
    assert_eq!(
        message(read(&garbage)),
        "malformed `hidden.weight.npy` in the .npz archive: it does not start with the `.npy` \
         magic string `\\x93NUMPY`"
    );
    let odd_member = zip(&[("hidden.bias.npy", &bias), ("notes.txt", b"hello")]);
    assert_eq!(
        message(read(&odd_member)),
        "tensor `hidden.weight` (shape [2, 3]) is not in the file; the file has `notes.txt` instead"
    );
}
