//! Data of one element type on a tape of another: [`Tape::constant_cast`].
//!
//! A function written once over [`Float`] is run on `f32`, `f64` and
//! [`Dual`](crate::Dual) tapes, while its data (features, targets) is stored once, in
//! one type. This puts that data on a tape of any element type, as
//! [`Tensor::cast`](crate::Tensor::cast) converts a tensor. Conversions go through `f64`,
//! so a dual source loses its tangent: data is a constant.

use crate::float::Float;
use crate::ops::Op;
use crate::ops::OutShape;
use crate::shape::{numel, Dims};
use crate::tape::Tape;
use crate::var::Var;

impl<T: Float> Tape<T> {
    /// A constant from row-major data of another element type, converted straight into
    /// the tape (no intermediate tensor).
    ///
    /// # Panics
    /// If `data` does not fill `dims`.
    ///
    /// ```
    /// use tape::{Dual, Tape};
    /// let tape = Tape::<Dual<f64>>::new();
    /// let x = tape.constant_cast(&[1.0f32, 2.0, 3.0], &[3]);
    /// assert_eq!(x.value().data()[2].value, 3.0);
    /// ```
    pub fn constant_cast<S: Float>(&self, data: &[S], dims: &[usize]) -> Var<'_, T> {
        assert_eq!(
            data.len(),
            numel(dims),
            "constant_cast: {} elements do not fill shape {}",
            data.len(),
            Dims(dims)
        );
        self.record(Op::Leaf, OutShape::Dims(dims), false, |_, out| {
            for (o, &v) in out.iter_mut().zip(data) {
                *o = T::from_f64(v.to_f64());
            }
        })
    }
}
