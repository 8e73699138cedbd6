//! What the examples on real data share: reading labelled CSV rows,
//! splitting them, one-hot targets, and the check of the accuracy they
//! promise.

use std::error::Error;

/// A sample as read: its features and its class.
pub struct Labelled<const F: usize> {
    pub features: [f32; F],
    pub class: usize,
}

/// Reads lines of `F` numbers and a class in `0..K`, skipping `header`
/// lines. A bad line is an error that names it.
pub fn parse<const F: usize, const K: usize>(
    text: &str,
    header: usize,
) -> Result<Vec<Labelled<F>>, Box<dyn Error>> {
    let mut samples = Vec::new();
    for (number, line) in text.lines().enumerate().skip(header) {
        let fields: Vec<&str> = line.trim().split(',').collect();
        let at = |what: String| format!("line {}: {what}", number + 1);
        if fields.len() != F + 1 {
            return Err(at(format!("expected {} fields, found {}", F + 1, fields.len())).into());
        }
        let mut features = [0.0; F];
        for (feature, field) in features.iter_mut().zip(&fields) {
            *feature = field.parse().map_err(|_| at(format!("`{field}` is not a number")))?;
        }
        let class = fields[F]
            .parse()
            .ok()
            .filter(|&class| class < K)
            .ok_or_else(|| at(format!("`{}` is not a class from 0 to {}", fields[F], K - 1)))?;
        samples.push(Labelled { features, class });
    }
    Ok(samples)
}

/// The target of class `class` among `K`: 1 there, 0 elsewhere.
pub fn one_hot<const K: usize>(class: usize) -> [f32; K] {
    std::array::from_fn(|k| if k == class { 1.0 } else { 0.0 })
}

/// Inputs and one-hot targets of `samples`.
pub fn arrays<const F: usize, const K: usize>(
    samples: &[Labelled<F>],
) -> (Vec<[f32; F]>, Vec<[f32; K]>) {
    samples.iter().map(|s| (s.features, one_hot(s.class))).unzip()
}

/// An error unless the test `accuracy` (in percent) is at least `minimum`:
/// what makes an example exit with a non-zero status when it misses the
/// figure it promises. A NaN misses it.
pub fn require_accuracy(accuracy: f64, minimum: f64) -> Result<(), Box<dyn Error>> {
    if accuracy >= minimum {
        Ok(())
    } else {
        Err(format!("expected a test accuracy of at least {minimum}%, got {accuracy:.1}%").into())
    }
}

/// The class a vector of scores picks: the index of the largest (the first
/// of equals). Generic, for int8 scores as well as float ones.
#[allow(dead_code)] // Not every example that shares this module classifies in int8.
pub fn class_of<T: PartialOrd>(scores: &[T]) -> usize {
    (0..scores.len()).fold(0, |best, i| if scores[i] > scores[best] { i } else { best })
}
