//! [`Tensor`]: an owned, row-major n-dimensional array of [`Float`]s.

use crate::float::Float;
use crate::kernels;
use crate::shape::{
    broadcast_shapes, check_labels, matmul_dims, numel, pick_dims, reduced_shape, resolve_axis,
    shape, transpose_dims, Dims, Shape, ShapeError,
};
use rand::Rng;
use std::fmt;

/// An owned row-major array with a shape. A 0-d tensor (empty shape) is a scalar.
///
/// Calls that can fail on their arguments come in two forms, as on [`Var`](crate::Var):
/// `try_x` returns a `Result` whose error names the op and the shapes, and `x` panics with
/// the same message (`try_reshape` / `reshape`, `try_matmul` / `matmul`, ...).
///
/// ```
/// use tape::Tensor;
/// let x = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
/// let b = Tensor::from_vec(vec![10.0, 20.0, 30.0], &[3]);
/// let y = &x + &b; // broadcast along rows, as NumPy does
/// assert_eq!(y.data(), &[11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
/// assert_eq!(y.sum_axis(0, false).data(), &[25.0, 47.0, 69.0]);
/// ```
#[derive(Clone, PartialEq)]
pub struct Tensor<T> {
    data: Vec<T>,
    shape: Shape,
}

impl<T: Float> Tensor<T> {
    /// A tensor from row-major data, or an error if the length does not fill the shape.
    pub fn try_from_vec(data: Vec<T>, dims: &[usize]) -> Result<Self, ShapeError> {
        if data.len() != numel(dims) {
            return Err(ShapeError::new(
                "from_vec",
                format_args!(
                    "{} elements do not fill shape {} ({} elements)",
                    data.len(),
                    Dims(dims),
                    numel(dims)
                ),
            ));
        }
        Ok(Tensor {
            data,
            shape: shape(dims),
        })
    }

    /// A tensor from row-major data.
    ///
    /// # Panics
    /// If the length does not fill the shape; [`try_from_vec`](Tensor::try_from_vec)
    /// returns the error instead.
    pub fn from_vec(data: Vec<T>, dims: &[usize]) -> Self {
        Self::try_from_vec(data, dims).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A 0-d tensor holding one number.
    pub fn scalar(value: T) -> Self {
        Tensor {
            data: vec![value],
            shape: Shape::new(),
        }
    }

    /// A tensor with every element `value`.
    pub fn full(dims: &[usize], value: T) -> Self {
        Tensor {
            data: vec![value; numel(dims)],
            shape: shape(dims),
        }
    }

    /// All zeros.
    pub fn zeros(dims: &[usize]) -> Self {
        Self::full(dims, T::ZERO)
    }

    /// All ones.
    pub fn ones(dims: &[usize]) -> Self {
        Self::full(dims, T::ONE)
    }

    /// Element `i` (row-major) is `f(i)`.
    pub fn from_fn(dims: &[usize], f: impl FnMut(usize) -> T) -> Self {
        Tensor {
            data: (0..numel(dims)).map(f).collect(),
            shape: shape(dims),
        }
    }

    /// Independent draws from a normal distribution `N(mean, std^2)`, from the caller's
    /// generator (Box-Muller, so the sequence is the same on every platform).
    pub fn random_normal<R: Rng + ?Sized>(dims: &[usize], mean: T, std: T, rng: &mut R) -> Self {
        let n = numel(dims);
        let mut data = Vec::with_capacity(n);
        while data.len() < n {
            // u1 in (0, 1] so that ln(u1) is finite.
            let u1 = 1.0 - rng.random::<f64>();
            let u2 = rng.random::<f64>();
            let radius = (-2.0 * u1.ln()).sqrt();
            let angle = std::f64::consts::TAU * u2;
            for z in [radius * angle.cos(), radius * angle.sin()] {
                if data.len() < n {
                    data.push(mean + std * T::from_f64(z));
                }
            }
        }
        Tensor {
            data,
            shape: shape(dims),
        }
    }

    /// Independent draws from the uniform distribution on `[low, high)`.
    pub fn random_uniform<R: Rng + ?Sized>(dims: &[usize], low: T, high: T, rng: &mut R) -> Self {
        let width = high - low;
        Self::from_fn(dims, |_| low + width * T::from_f64(rng.random::<f64>()))
    }

    /// Rows of a one-hot matrix `[labels.len(), classes]`: row `i` is 1 at `labels[i]`,
    /// or an error naming the first label that is not below `classes`.
    pub fn try_one_hot(labels: &[usize], classes: usize) -> Result<Self, ShapeError> {
        check_labels("one_hot", labels, classes)?;
        let mut t = Self::zeros(&[labels.len(), classes]);
        for (i, &label) in labels.iter().enumerate() {
            t.data[i * classes + label] = T::ONE;
        }
        Ok(t)
    }

    /// Rows of a one-hot matrix `[labels.len(), classes]`.
    ///
    /// # Panics
    /// If a label is not below `classes`.
    pub fn one_hot(labels: &[usize], classes: usize) -> Self {
        Self::try_one_hot(labels, classes).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The dimensions.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of dimensions (0 for a scalar).
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True if the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements in row-major order.
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The elements in row-major order, mutably.
    pub fn data_mut(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// The elements, giving up the shape.
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// The single element of a one-element tensor.
    ///
    /// # Panics
    /// If the tensor does not have exactly one element.
    pub fn item(&self) -> T {
        assert_eq!(
            self.data.len(),
            1,
            "item: tensor of shape {} is not a single number",
            Dims(&self.shape)
        );
        self.data[0]
    }

    /// Element at a multi-index, or `None` if it is out of range.
    pub fn get(&self, index: &[usize]) -> Option<T> {
        if index.len() != self.ndim() || index.iter().zip(self.shape.iter()).any(|(i, d)| i >= d) {
            return None;
        }
        let flat = index
            .iter()
            .zip(self.shape.iter())
            .fold(0, |acc, (i, d)| acc * d + i);
        Some(self.data[flat])
    }

    /// Applies `f` to every element.
    pub fn map(&self, f: impl Fn(T) -> T) -> Self {
        Tensor {
            data: self.data.iter().map(|&x| f(x)).collect(),
            shape: self.shape.clone(),
        }
    }

    /// Combines two tensors elementwise with NumPy broadcasting, or explains (naming `op`)
    /// why the shapes do not broadcast.
    pub fn try_zip_with(
        &self,
        other: &Self,
        op: &str,
        f: impl Fn(T, T) -> T,
    ) -> Result<Self, ShapeError> {
        let out_shape = broadcast_shapes(op, &self.shape, &other.shape)?;
        let mut data = vec![T::ZERO; numel(&out_shape)];
        kernels::for_each_broadcast(&out_shape, &self.shape, &other.shape, |o, a, b| {
            data[o] = f(self.data[a], other.data[b])
        });
        Ok(Tensor {
            data,
            shape: out_shape,
        })
    }

    /// Combines two tensors elementwise with NumPy broadcasting.
    ///
    /// # Panics
    /// If the shapes do not broadcast; the message names `op` and both shapes.
    pub fn zip_with(&self, other: &Self, op: &str, f: impl Fn(T, T) -> T) -> Self {
        self.try_zip_with(other, op, f)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The same elements under a new shape with as many elements.
    pub fn try_reshape(&self, dims: &[usize]) -> Result<Self, ShapeError> {
        if numel(dims) != self.len() {
            return Err(ShapeError::new(
                "reshape",
                format_args!("cannot reshape {} into {}", Dims(&self.shape), Dims(dims)),
            ));
        }
        Ok(Tensor {
            data: self.data.clone(),
            shape: shape(dims),
        })
    }

    /// The same elements under a new shape.
    ///
    /// # Panics
    /// If the element counts differ.
    pub fn reshape(&self, dims: &[usize]) -> Self {
        self.try_reshape(dims).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Matrix transpose of a 2-d tensor; 0-d and 1-d tensors are returned unchanged (as
    /// PyTorch's `t()`); an error for more dimensions.
    pub fn try_transpose(&self) -> Result<Self, ShapeError> {
        match transpose_dims(&self.shape)? {
            None => Ok(self.clone()),
            Some((rows, cols)) => {
                let mut data = vec![T::ZERO; self.len()];
                kernels::transpose2(&self.data, rows, cols, &mut data);
                Ok(Tensor {
                    data,
                    shape: shape(&[cols, rows]),
                })
            }
        }
    }

    /// Matrix transpose of a 2-d tensor (0-d and 1-d tensors are returned unchanged).
    ///
    /// # Panics
    /// For more than two dimensions.
    pub fn transpose(&self) -> Self {
        self.try_transpose().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Shorthand for [`transpose`](Tensor::transpose), as on [`Var`](crate::Var::t).
    pub fn t(&self) -> Self {
        self.transpose()
    }

    /// Matrix product of `[m, k]` and `[k, n]` tensors, or an error naming both shapes.
    pub fn try_matmul(&self, other: &Self) -> Result<Self, ShapeError> {
        let (m, k, n) = matmul_dims(&self.shape, &other.shape)?;
        let mut data = vec![T::ZERO; m * n];
        kernels::matmul_row_major(&self.data, &other.data, m, k, n, &mut data);
        Ok(Tensor {
            data,
            shape: shape(&[m, n]),
        })
    }

    /// Matrix product of `[m, k]` and `[k, n]` tensors.
    ///
    /// # Panics
    /// If the shapes do not fit; the message names both.
    pub fn matmul(&self, other: &Self) -> Self {
        self.try_matmul(other).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Sum of all elements.
    pub fn sum(&self) -> T {
        kernels::sum_all(&self.data)
    }

    /// Mean of all elements (NaN for an empty tensor).
    pub fn mean(&self) -> T {
        self.sum() / T::from_usize(self.len())
    }

    /// Largest element (`-inf` for an empty tensor).
    pub fn max(&self) -> T {
        kernels::max_all(&self.data)
    }

    /// Sum along `axis` (negative counts from the end).
    ///
    /// # Panics
    /// If `axis` is out of range.
    pub fn sum_axis(&self, axis: isize, keepdim: bool) -> Self {
        self.reduce_axis("sum_axis", axis, keepdim, kernels::sum_axis)
    }

    /// Mean along `axis`.
    pub fn mean_axis(&self, axis: isize, keepdim: bool) -> Self {
        let axis_len = self.shape
            [resolve_axis("mean_axis", axis, self.ndim()).unwrap_or_else(|e| panic!("{e}"))];
        let mut t = self.sum_axis(axis, keepdim);
        let n = T::from_usize(axis_len);
        t.data.iter_mut().for_each(|v| *v /= n);
        t
    }

    /// Maximum along `axis`.
    pub fn max_axis(&self, axis: isize, keepdim: bool) -> Self {
        self.reduce_axis("max_axis", axis, keepdim, kernels::max_axis)
    }

    fn reduce_axis(
        &self,
        op: &str,
        axis: isize,
        keepdim: bool,
        kernel: fn(&[T], &[usize], usize, &mut [T]),
    ) -> Self {
        let axis = resolve_axis(op, axis, self.ndim()).unwrap_or_else(|e| panic!("{e}"));
        let out_shape = reduced_shape(&self.shape, axis, keepdim);
        let mut data = vec![T::ZERO; numel(&out_shape)];
        kernel(&self.data, &self.shape, axis, &mut data);
        Tensor {
            data,
            shape: out_shape,
        }
    }

    /// Index of the first maximum along `axis`, one per remaining position (row-major). A
    /// NaN counts as the largest value, as in NumPy and PyTorch, so no index is chosen
    /// over it.
    ///
    /// # Panics
    /// If `axis` is out of range, or empty while other positions are not (there is no
    /// maximum to point to).
    ///
    /// ```
    /// use tape::Tensor;
    /// let scores = Tensor::from_vec(vec![1.0, 3.0, 3.0, f64::NAN, 0.5, 2.0], &[2, 3]);
    /// assert_eq!(scores.argmax_axis(-1), vec![1, 0]);
    /// ```
    pub fn argmax_axis(&self, axis: isize) -> Vec<usize> {
        let axis = resolve_axis("argmax_axis", axis, self.ndim()).unwrap_or_else(|e| panic!("{e}"));
        let positions = reduced_shape(&self.shape, axis, false).iter().product();
        assert!(
            self.shape[axis] > 0 || positions == 0,
            "argmax_axis: axis {axis} of shape {:?} is empty, so it has no maximum",
            self.shape
        );
        let mut out = vec![0; positions];
        kernels::argmax_axis(&self.data, &self.shape, axis, &mut out);
        out
    }

    /// Index of the first maximum over all elements (row-major), a NaN counting as the
    /// largest value; `None` if empty.
    pub fn argmax(&self) -> Option<usize> {
        let data = &self.data;
        (0..self.len()).reduce(|best, i| {
            if kernels::beats(data[i], data[best]) {
                i
            } else {
                best
            }
        })
    }

    /// Picks one element per row along the last axis: `out[i] = self[i, indices[i]]`, or
    /// an error naming the row whose index is out of range.
    pub fn try_pick(&self, indices: &[usize]) -> Result<Self, ShapeError> {
        let (rows, cols) = pick_dims(&self.shape, indices)?;
        let data = (0..rows)
            .map(|i| self.data[i * cols + indices[i]])
            .collect();
        Ok(Tensor {
            data,
            shape: shape(&self.shape[..self.ndim() - 1]),
        })
    }

    /// Picks one element per row along the last axis.
    ///
    /// # Panics
    /// If there is not one index per row, or an index is out of range.
    pub fn pick(&self, indices: &[usize]) -> Self {
        self.try_pick(indices).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The largest absolute elementwise difference from another tensor of the same shape.
    pub fn max_abs_diff(&self, other: &Self) -> T {
        assert_eq!(self.shape, other.shape, "max_abs_diff: shapes differ");
        self.data
            .iter()
            .zip(&other.data)
            .fold(T::ZERO, |m, (&a, &b)| m.max((a - b).abs()))
    }

    /// Converts the element type (for example `f32` to `f64` for gradient checking).
    pub fn cast<U: Float>(&self) -> Tensor<U> {
        Tensor {
            data: self.data.iter().map(|x| U::from_f64(x.to_f64())).collect(),
            shape: self.shape.clone(),
        }
    }
}

impl<T: Float> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor{}{:?}", Dims(&self.shape), self.data)
    }
}

macro_rules! tensor_binary_operator {
    ($trait:ident, $method:ident, $op:tt, $name:literal) => {
        impl<T: Float> std::ops::$trait<&Tensor<T>> for &Tensor<T> {
            type Output = Tensor<T>;
            /// Elementwise with NumPy broadcasting.
            ///
            /// # Panics
            /// If the shapes do not broadcast; the message names both.
            fn $method(self, rhs: &Tensor<T>) -> Tensor<T> {
                self.zip_with(rhs, $name, |a, b| a $op b)
            }
        }
        impl<T: Float> std::ops::$trait<T> for &Tensor<T> {
            type Output = Tensor<T>;
            fn $method(self, rhs: T) -> Tensor<T> {
                self.map(|a| a $op rhs)
            }
        }
    };
}

tensor_binary_operator!(Add, add, +, "add");
tensor_binary_operator!(Sub, sub, -, "sub");
tensor_binary_operator!(Mul, mul, *, "mul");
tensor_binary_operator!(Div, div, /, "div");

impl<T: Float> std::ops::Neg for &Tensor<T> {
    type Output = Tensor<T>;
    fn neg(self) -> Tensor<T> {
        self.map(|a| -a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn constructors_check_lengths() {
        assert!(Tensor::<f32>::try_from_vec(vec![1.0; 5], &[2, 3]).is_err());
        let t = Tensor::<f64>::full(&[2, 2], 3.0);
        assert_eq!(t.sum(), 12.0);
        assert_eq!(Tensor::<f64>::scalar(2.5).item(), 2.5);
        assert_eq!(Tensor::<f64>::scalar(2.5).shape(), &[] as &[usize]);
    }

    #[test]
    fn random_normal_has_the_asked_moments() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let t = Tensor::<f64>::random_normal(&[100_000], 1.0, 2.0, &mut rng);
        let mean = t.mean();
        let var = t.map(|x| (x - mean) * (x - mean)).mean();
        assert!((mean - 1.0).abs() < 0.03, "mean {mean}");
        assert!((var - 4.0).abs() < 0.1, "var {var}");
        let u = Tensor::<f32>::random_uniform(&[1000], -1.0, 1.0, &mut rng);
        assert!(u.data().iter().all(|&x| (-1.0..1.0).contains(&x)));
    }

    #[test]
    fn matmul_shape_error_names_both_shapes() {
        let a = Tensor::<f32>::zeros(&[256, 784]);
        let b = Tensor::<f32>::zeros(&[10, 784]);
        let err = a.try_matmul(&b).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matmul: [256, 784] x [10, 784]: inner dimensions 784 and 10 differ"
        );
    }

    #[test]
    fn matmul_transpose_reshape() {
        let a = Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
        let at = a.transpose();
        assert_eq!(at.shape(), &[3, 2]);
        assert_eq!(at.data(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let p = a.matmul(&at);
        assert_eq!(p.data(), &[14.0, 32.0, 32.0, 77.0]);
        assert!(a.try_reshape(&[4]).is_err());
        assert_eq!(a.reshape(&[3, 2]).get(&[2, 1]), Some(6.0));
        assert_eq!(a.t(), at);
        let cube = Tensor::<f64>::zeros(&[1, 2, 3]);
        assert_eq!(
            cube.try_transpose().unwrap_err().to_string(),
            "transpose: expects at most 2 dimensions, got [1, 2, 3]"
        );
    }

    #[test]
    fn reductions_argmax_pick_one_hot() {
        let a = Tensor::from_vec(vec![1.0, 9.0, 3.0, 7.0, 5.0, 6.0], &[2, 3]);
        assert_eq!(a.max_axis(-1, false).data(), &[9.0, 7.0]);
        assert_eq!(a.max_axis(0, true).shape(), &[1, 3]);
        assert_eq!(a.mean_axis(1, false).data(), &[13.0 / 3.0, 6.0]);
        assert_eq!(a.argmax_axis(-1), vec![1, 0]);
        assert_eq!(a.argmax(), Some(1));
        assert_eq!(a.pick(&[2, 0]).data(), &[3.0, 7.0]);
        assert!(a.try_pick(&[3, 0]).is_err());
        let y = Tensor::<f64>::one_hot(&[2, 0], 3);
        assert_eq!(y.data(), &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
        assert!(Tensor::<f64>::try_one_hot(&[3], 3).is_err());
    }

    /// NaN is the largest value, as in NumPy and PyTorch: the first NaN is the argmax,
    /// however large the values around it (a comparison with NaN alone would skip it).
    #[test]
    fn argmax_takes_the_first_nan() {
        let nan = f64::NAN;
        let v = Tensor::from_vec(vec![1.0, nan, 3.0, nan, f64::INFINITY], &[5]);
        assert_eq!(v.argmax(), Some(1));
        assert_eq!(v.argmax_axis(0), vec![1]);
        let m = Tensor::from_vec(vec![1.0, nan, 3.0, 0.5, 9.0, 9.0], &[3, 2]);
        assert_eq!(m.argmax_axis(1), vec![1, 0, 0]);
        assert_eq!(m.argmax_axis(0), vec![2, 0]);
        let first = Tensor::from_vec(vec![nan, 2.0], &[2]);
        assert_eq!((first.argmax(), first.argmax_axis(0)), (Some(0), vec![0]));
        // No rows: nothing to point to, and nothing asked.
        assert!(Tensor::<f64>::zeros(&[0, 3]).argmax_axis(1).is_empty());
        assert_eq!(Tensor::<f64>::zeros(&[0]).argmax(), None);
    }

    #[test]
    #[should_panic(expected = "argmax_axis: axis 1 of shape [2, 0] is empty, so it has no maximum")]
    fn argmax_over_an_empty_axis_says_so() {
        Tensor::<f32>::zeros(&[2, 0]).argmax_axis(1);
    }
}
