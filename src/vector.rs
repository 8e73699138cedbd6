//! The values that flow between layers: arrays of one, two or three
//! dimensions.

use crate::Scalar;

/// A value flowing between layers: `[T; N]` (a vector), `[[T; L]; C]`
/// (channels × length) or `[[[T; W]; H]; C]` (channels × height × width,
/// PyTorch's order for one sample). A vector in the mathematical sense,
/// whatever its number of dimensions.
///
/// The trait is sealed, so generic code can rely on two values of the same
/// type having the same shape, and on [`scalars`](Vector::scalars) listing
/// the scalars in row-major order (the order of PyTorch's `flatten`).
///
/// ```
/// use constnet::Vector;
///
/// let image = [[[1.0f32, 2.0], [3.0, 4.0]]; 3];
/// assert_eq!(<[[[f32; 2]; 2]; 3] as Vector<f32>>::SHAPE, &[3, 2, 2]);
/// assert_eq!(image.scalars()[..4], [1.0, 2.0, 3.0, 4.0]);
/// ```
pub trait Vector<T: Scalar>: Copy + core::fmt::Debug + PartialEq + sealed::Sealed {
    /// Number of scalars.
    const LEN: usize;
    /// Dimensions, outermost first: `[N]`, `[C, L]` or `[C, H, W]`.
    const SHAPE: &'static [usize];

    /// All zeros.
    fn zeros() -> Self;
    /// The scalars, in row-major order. (Arrays' own `as_slice` gives
    /// their outermost rows.)
    fn scalars(&self) -> &[T];
    /// The scalars, in row-major order, mutably.
    fn scalars_mut(&mut self) -> &mut [T];
}

impl<T: Scalar, const N: usize> Vector<T> for [T; N] {
    const LEN: usize = N;
    const SHAPE: &'static [usize] = &[N];

    fn zeros() -> Self {
        [T::ZERO; N]
    }
    fn scalars(&self) -> &[T] {
        self
    }
    fn scalars_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: Scalar, const L: usize, const C: usize> Vector<T> for [[T; L]; C] {
    const LEN: usize = C * L;
    const SHAPE: &'static [usize] = &[C, L];

    fn zeros() -> Self {
        [[T::ZERO; L]; C]
    }
    fn scalars(&self) -> &[T] {
        self.as_flattened()
    }
    fn scalars_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut()
    }
}

impl<T: Scalar, const W: usize, const H: usize, const C: usize> Vector<T> for [[[T; W]; H]; C] {
    const LEN: usize = C * H * W;
    const SHAPE: &'static [usize] = &[C, H, W];

    fn zeros() -> Self {
        [[[T::ZERO; W]; H]; C]
    }
    fn scalars(&self) -> &[T] {
        self.as_flattened().as_flattened()
    }
    fn scalars_mut(&mut self) -> &mut [T] {
        self.as_flattened_mut().as_flattened_mut()
    }
}

/// Whether two shapes are equal, in a `const` context.
pub const fn same_shape(a: &[usize], b: &[usize]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Copies a value into another type of the same shape. A network passes a
/// value on this way where only the compiler knows both shapes (a nested
/// network or a user-defined layer on either side): the macro emits a
/// `const` assertion with a clear message that the shapes agree, and this
/// conversion keeps a mismatch from also failing every call with a type
/// error.
#[doc(hidden)]
pub fn convert<T: Scalar, From: Vector<T>, To: Vector<T>>(value: &From) -> To {
    const { assert!(same_shape(From::SHAPE, To::SHAPE), "the shapes of adjacent layers differ") };
    reshape(value)
}

/// The same scalars in another shape, row-major: what
/// [`Flatten`](crate::layer::Flatten) does.
pub(crate) fn reshape<T: Scalar, From: Vector<T>, To: Vector<T>>(value: &From) -> To {
    const { assert!(From::LEN == To::LEN, "a reshape keeps the number of values") };
    let mut reshaped = To::zeros();
    reshaped.scalars_mut().copy_from_slice(value.scalars());
    reshaped
}

/// [`convert`] for each sample of a batch.
#[doc(hidden)]
pub fn convert_batch<T: Scalar, From: Vector<T>, To: Vector<T>, const B: usize>(
    values: &[From; B],
) -> [To; B] {
    values.each_ref().map(convert)
}

/// [`reshape`] for each sample of a batch.
pub(crate) fn reshape_batch<T: Scalar, From: Vector<T>, To: Vector<T>, const B: usize>(
    values: &[From; B],
) -> [To; B] {
    values.each_ref().map(reshape)
}

mod sealed {
    pub trait Sealed {}
    impl<T, const N: usize> Sealed for [T; N] {}
}
