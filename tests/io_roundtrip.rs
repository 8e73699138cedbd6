//! Weights out and back in: every format, both layouts, both scalars, bit for
//! bit; conversions between `f32` and `f64` by their documented rule; and
//! the files' contents checked by reading them with the format's own crate.

use ::safetensors::tensor::{Dtype, SafeTensors, TensorView, serialize};
use constnet::io::{Error, LAYOUT_KEY, Layout, numpy, safetensors};
use constnet::prelude::*;
use proptest::prelude::*;

network! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Small<f32> { hidden: Dense<2, 3>, Tanh, out: Dense<3, 1>, Sigmoid }
}

network! {
    #[derive(Clone, Debug, PartialEq)]
    pub struct Inner<f64> { hidden: Dense<3, 4>, Relu, code: Dense<4, 2> }
}

network! {
    /// Nested, with a square weight (`head`), whose layout its shape cannot tell.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Outer<f64> { encoder: Inner, Tanh, head: Dense<2, 2>, Softmax }
}

/// Every parameter of a network, as bits, so that NaN payloads count too.
fn bits<T: Scalar + num_traits::ToBytes, N: Params<T>>(net: &N) -> Vec<u8> {
    (0..N::TENSORS)
        .flat_map(|i| net.tensor(i).unwrap().iter().flat_map(|v| v.to_le_bytes().as_ref().to_vec()))
        .collect()
}

/// A network whose parameters are `values`, in tensor order.
fn with_values<T: Scalar, N: Params<T>>(values: &[T]) -> N {
    let mut net = N::zeros();
    let mut values = values.iter().copied();
    for i in 0..N::TENSORS {
        for slot in net.tensor_mut(i).unwrap() {
            *slot = values.next().unwrap();
        }
    }
    net
}

type Write<N> = fn(&N, Layout) -> Result<Vec<u8>, Error>;
type Read<N> = fn(&[u8], Layout) -> Result<N, Error>;

fn formats<T: Scalar, N: Params<T>>() -> [(&'static str, Write<N>, Read<N>); 2] {
    [
        ("safetensors", safetensors::write::<T, N>, safetensors::read::<T, N>),
        ("npz", numpy::write_npz::<T, N>, numpy::read_npz::<T, N>),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any bit pattern: NaN with payloads, infinities, subnormals, −0.
    #[test]
    fn f64_networks_round_trip_bit_for_bit(
        values in proptest::collection::vec(any::<u64>().prop_map(f64::from_bits), Outer::<f64>::PARAMS)
    ) {
        let net: Outer = with_values(&values);
        for (format, write, read) in formats::<f64, Outer>() {
            for layout in [Layout::InOut, Layout::OutIn] {
                let back = read(&write(&net, layout).unwrap(), layout).unwrap();
                prop_assert_eq!(bits(&back), bits(&net), "{} {:?}", format, layout);
            }
        }
    }

    #[test]
    fn f32_networks_round_trip_bit_for_bit(
        values in proptest::collection::vec(any::<u32>().prop_map(f32::from_bits), Small::<f32>::PARAMS)
    ) {
        let net: Small = with_values(&values);
        for (format, write, read) in formats::<f32, Small>() {
            for layout in [Layout::InOut, Layout::OutIn] {
                let back = read(&write(&net, layout).unwrap(), layout).unwrap();
                prop_assert_eq!(bits(&back), bits(&net), "{} {:?}", format, layout);
            }
        }
    }

    /// `.npy`, one tensor at a time, into a network that starts at zero.
    #[test]
    fn npy_tensors_round_trip(
        values in proptest::collection::vec(any::<u64>().prop_map(f64::from_bits), Outer::<f64>::PARAMS),
        layout in prop_oneof![Just(Layout::InOut), Just(Layout::OutIn)],
    ) {
        let net: Outer = with_values(&values);
        let mut back: Outer = Outer::zeros();
        for i in 0..Outer::<f64>::TENSORS {
            let name = Outer::<f64>::tensor_info(i).unwrap().to_string();
            let array = numpy::write_npy(&net, &name, layout).unwrap();
            numpy::read_npy(&mut back, &name, &array, layout).unwrap();
        }
        prop_assert_eq!(bits(&back), bits(&net));
    }

    /// f64 into f32 rounds to nearest, as `as` does; f32 into f64 is exact.
    #[test]
    fn precision_converts_by_the_documented_rule(
        values in proptest::collection::vec(-1e30f64..1e30, Small::<f64>::PARAMS)
    ) {
        let double: Small<f64> = with_values(&values);
        let rounded: Small<f32> = with_values(&values.iter().map(|&v| v as f32).collect::<Vec<_>>());
        let widened: Small<f64> = with_values(
            &values.iter().map(|&v| f64::from(v as f32)).collect::<Vec<_>>(),
        );

        let file = safetensors::write(&double, Layout::OutIn).unwrap();
        let single: Small<f32> = safetensors::read(&file, Layout::OutIn).unwrap();
        prop_assert_eq!(bits(&single), bits(&rounded));
        let file = safetensors::write(&single, Layout::OutIn).unwrap();
        let back: Small<f64> = safetensors::read(&file, Layout::OutIn).unwrap();
        prop_assert_eq!(bits(&back), bits(&widened));

        let archive = numpy::write_npz(&double, Layout::InOut).unwrap();
        let single: Small<f32> = numpy::read_npz(&archive, Layout::InOut).unwrap();
        prop_assert_eq!(bits(&single), bits(&rounded));
        let archive = numpy::write_npz(&single, Layout::InOut).unwrap();
        let back: Small<f64> = numpy::read_npz(&archive, Layout::InOut).unwrap();
        prop_assert_eq!(bits(&back), bits(&widened));
    }
}

/// A network whose every parameter tells where it sits: weight `[i][o]` of
/// layer `l` is `l + i / 10 + o / 100`, bias `o` is `l + 0.5 + o / 100`.
fn labelled() -> Outer {
    let mut net = Outer::zeros();
    let label = |weight: &mut [[f64; 4]], layer: f64| {
        for (i, row) in weight.iter_mut().enumerate() {
            for (o, w) in row.iter_mut().enumerate() {
                *w = layer + i as f64 / 10.0 + o as f64 / 100.0;
            }
        }
    };
    label(&mut net.encoder.hidden.weight, 1.0);
    net.encoder.hidden.bias = [1.5, 1.51, 1.52, 1.53];
    for (i, row) in net.encoder.code.weight.iter_mut().enumerate() {
        *row = [2.0 + i as f64 / 10.0, 2.01 + i as f64 / 10.0];
    }
    net.head.weight = [[3.0, 3.01], [3.1, 3.11]];
    net.head.bias = [3.5, 3.51];
    net
}

#[test]
fn safetensors_files_hold_named_tensors_in_the_layout_asked_for() {
    let bytes = safetensors::write(&labelled(), Layout::OutIn).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = file.names();
    names.sort();
    assert_eq!(
        names,
        [
            "encoder.code.bias",
            "encoder.code.weight",
            "encoder.hidden.bias",
            "encoder.hidden.weight",
            "head.bias",
            "head.weight"
        ]
    );
    let hidden = file.tensor("encoder.hidden.weight").unwrap();
    assert_eq!((hidden.dtype(), hidden.shape()), (Dtype::F64, &[4, 3][..]));
    let values: Vec<f64> =
        hidden.data().chunks(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect();
    // Row `o` of the [out, in] file holds the weights into output `o`.
    assert_eq!(values[..3], [1.0, 1.1, 1.2]);
    assert_eq!(values[3..6], [1.01, 1.11, 1.21]);
    let head = file.tensor("head.weight").unwrap();
    let values: Vec<f64> =
        head.data().chunks(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect();
    assert_eq!(values, [3.0, 3.1, 3.01, 3.11]);

    let (_, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
    let entries = metadata.metadata().as_ref().unwrap();
    assert_eq!(entries.get(LAYOUT_KEY).map(String::as_str), Some("out_in"));

    let own = safetensors::write(&labelled(), Layout::InOut).unwrap();
    let file = SafeTensors::deserialize(&own).unwrap();
    let head = file.tensor("head.weight").unwrap();
    let values: Vec<f64> =
        head.data().chunks(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect();
    assert_eq!(values, [3.0, 3.01, 3.1, 3.11]);
}

#[test]
fn a_file_without_metadata_is_read_in_the_layout_asked_for() {
    // As `safetensors.torch.save_file(model.state_dict(), ...)` writes it:
    // no metadata, weights [out, in].
    let bytes = safetensors::write(&labelled(), Layout::OutIn).unwrap();
    let (header_len, metadata) = SafeTensors::read_metadata(&bytes).unwrap();
    let data = &bytes[8 + header_len..];
    let tensors: Vec<_> = metadata
        .tensors()
        .into_iter()
        .map(|(name, info)| {
            let (start, end) = info.data_offsets;
            (name, TensorView::new(info.dtype, info.shape.clone(), &data[start..end]).unwrap())
        })
        .collect();
    let plain = serialize(tensors, None).unwrap();

    let net: Outer = safetensors::read(&plain, Layout::OutIn).unwrap();
    assert_eq!(net, labelled());
    // Taken the wrong way round, the non-square weights do not fit.
    let error = safetensors::read::<f64, Outer>(&plain, Layout::InOut).unwrap_err();
    assert_eq!(
        error.to_string(),
        "tensor `encoder.hidden.weight`: expected shape [3, 4] ([in, out]), found [4, 3]; \
         the file stores weights [out, in]: read it with `OutIn`"
    );
}

#[test]
fn files_on_disk_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let net = labelled();
    safetensors::save(&net, dir.path().join("net.safetensors"), Layout::OutIn).unwrap();
    numpy::save_npz(&net, dir.path().join("net.npz"), Layout::InOut).unwrap();
    numpy::save_npy(&net, "head.weight", dir.path().join("head.npy"), Layout::InOut).unwrap();

    let back: Outer = safetensors::load(dir.path().join("net.safetensors"), Layout::OutIn).unwrap();
    assert_eq!(back, net);
    let back: Outer = numpy::load_npz(dir.path().join("net.npz"), Layout::InOut).unwrap();
    assert_eq!(back, net);
    let mut head_only: Outer = Outer::zeros();
    numpy::load_npy(&mut head_only, "head.weight", dir.path().join("head.npy"), Layout::InOut)
        .unwrap();
    assert_eq!(head_only.head.weight, net.head.weight);

    let missing = dir.path().join("absent.safetensors");
    let error = safetensors::load::<f64, Outer>(&missing, Layout::OutIn).unwrap_err();
    assert!(matches!(error, Error::Io { ref path, .. } if *path == missing), "{error}");
    assert!(error.to_string().starts_with(&missing.display().to_string()), "{error}");
}
