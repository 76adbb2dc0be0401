//! Shapes, NumPy broadcasting, the shape rules of the ops that are not elementwise
//! (matrix product, transpose, pick), and the errors that name both shapes.

use smallvec::SmallVec;
use std::fmt;

/// The dimensions of a tensor, outermost first. Up to four dimensions live inline.
pub type Shape = SmallVec<[usize; 4]>;

/// Builds a [`Shape`] from a slice.
pub fn shape(dims: &[usize]) -> Shape {
    SmallVec::from_slice(dims)
}

/// Number of elements of a shape (1 for a 0-d scalar).
pub fn numel(dims: &[usize]) -> usize {
    dims.iter().product()
}

/// A shape or argument mismatch, naming the op and the shapes involved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError {
    message: String,
}

impl ShapeError {
    /// An error for `op` with an explanation.
    pub fn new(op: &str, detail: impl fmt::Display) -> Self {
        ShapeError {
            message: format!("{op}: {detail}"),
        }
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShapeError {}

/// Formats dims as `[2, 3]`.
pub(crate) struct Dims<'a>(pub &'a [usize]);

impl fmt::Display for Dims<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// The shape two operands broadcast to, by NumPy's rule: align trailing axes; each pair
/// must be equal or contain a 1.
pub fn broadcast_shapes(op: &str, a: &[usize], b: &[usize]) -> Result<Shape, ShapeError> {
    let ndim = a.len().max(b.len());
    let mut out = Shape::with_capacity(ndim);
    for i in 0..ndim {
        let da = if i + a.len() >= ndim {
            a[i + a.len() - ndim]
        } else {
            1
        };
        let db = if i + b.len() >= ndim {
            b[i + b.len() - ndim]
        } else {
            1
        };
        out.push(match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(ShapeError::new(
                    op,
                    format_args!(
                        "shapes {} and {} cannot be broadcast: axis {i} has {da} and {db}",
                        Dims(a),
                        Dims(b)
                    ),
                ))
            }
        });
    }
    Ok(out)
}

/// Strides of `dims` seen from the broadcast shape `out`: row-major strides, with 0 on
/// every axis that is broadcast (missing or of size 1 where `out` is larger).
pub(crate) fn broadcast_strides(dims: &[usize], out: &[usize]) -> Shape {
    let offset = out.len() - dims.len();
    let mut strides: Shape = smallvec::smallvec![0; out.len()];
    let mut stride = 1;
    for i in (0..dims.len()).rev() {
        strides[i + offset] = if dims[i] == out[i + offset] {
            stride
        } else {
            0
        };
        stride *= dims[i];
    }
    strides
}

/// Resolves a possibly negative axis (`-1` is the last) against `ndim`.
pub fn resolve_axis(op: &str, axis: isize, ndim: usize) -> Result<usize, ShapeError> {
    let resolved = if axis < 0 { axis + ndim as isize } else { axis };
    if resolved < 0 || resolved as usize >= ndim {
        return Err(ShapeError::new(
            op,
            format_args!("axis {axis} is out of range for a {ndim}-d tensor"),
        ));
    }
    Ok(resolved as usize)
}

/// Checks that every label is below `classes`; otherwise the error names `op`, the first
/// row whose label is not, and the number of classes.
///
/// ```
/// let err = tape::shape::check_labels("one_hot", &[0, 4], 4).unwrap_err();
/// assert_eq!(err.to_string(), "one_hot: label 4 at row 1 is not below 4 classes");
/// ```
pub fn check_labels(op: &str, labels: &[usize], classes: usize) -> Result<(), ShapeError> {
    match labels
        .iter()
        .enumerate()
        .find(|(_, &label)| label >= classes)
    {
        Some((row, label)) => Err(ShapeError::new(
            op,
            format_args!("label {label} at row {row} is not below {classes} classes"),
        )),
        None => Ok(()),
    }
}

/// Splits `dims` around `axis` into (outer, len, inner) element counts, the view every
/// axis reduction uses: element `(o, i, r)` sits at `(o * len + i) * inner + r`.
pub(crate) fn split_at_axis(dims: &[usize], axis: usize) -> (usize, usize, usize) {
    (numel(&dims[..axis]), dims[axis], numel(&dims[axis + 1..]))
}

/// The shape left after reducing `axis` (kept as size 1 when `keepdim`).
pub(crate) fn reduced_shape(dims: &[usize], axis: usize, keepdim: bool) -> Shape {
    let mut out = Shape::from_slice(dims);
    if keepdim {
        out[axis] = 1;
    } else {
        out.remove(axis);
    }
    out
}

/// `(m, k, n)` for a matrix product, or an error naming both shapes.
pub(crate) fn matmul_dims(a: &[usize], b: &[usize]) -> Result<(usize, usize, usize), ShapeError> {
    match (a, b) {
        ([m, k], [k2, n]) if k == k2 => Ok((*m, *k, *n)),
        ([_, k], [k2, _]) => Err(ShapeError::new(
            "matmul",
            format_args!(
                "{} x {}: inner dimensions {k} and {k2} differ",
                Dims(a),
                Dims(b)
            ),
        )),
        _ => Err(ShapeError::new(
            "matmul",
            format_args!("{} x {}: both operands must be 2-d", Dims(a), Dims(b)),
        )),
    }
}

/// `Some((rows, cols))` for transposing a 2-d shape, `None` for a 0-d or 1-d one (left as
/// it is), or an error for more dimensions.
pub(crate) fn transpose_dims(dims: &[usize]) -> Result<Option<(usize, usize)>, ShapeError> {
    match *dims {
        [] | [_] => Ok(None),
        [rows, cols] => Ok(Some((rows, cols))),
        _ => Err(ShapeError::new(
            "transpose",
            format_args!("expects at most 2 dimensions, got {}", Dims(dims)),
        )),
    }
}

/// `(rows, cols)` for picking one element per row along the last axis.
pub(crate) fn pick_dims(dims: &[usize], indices: &[usize]) -> Result<(usize, usize), ShapeError> {
    let Some((&cols, outer)) = dims.split_last() else {
        return Err(ShapeError::new("pick", "cannot pick from a 0-d tensor"));
    };
    let rows = numel(outer);
    if indices.len() != rows {
        return Err(ShapeError::new(
            "pick",
            format_args!(
                "{} indices for a tensor of shape {} with {rows} rows",
                indices.len(),
                Dims(dims)
            ),
        ));
    }
    if let Some((row, &index)) = indices.iter().enumerate().find(|(_, &i)| i >= cols) {
        return Err(ShapeError::new(
            "pick",
            format_args!("index {index} at row {row} is out of range for {cols} columns"),
        ));
    }
    Ok((rows, cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(
            &broadcast_shapes("add", &[2, 3], &[3]).unwrap()[..],
            &[2, 3]
        );
        assert_eq!(
            &broadcast_shapes("add", &[4, 1], &[1, 5]).unwrap()[..],
            &[4, 5]
        );
        assert_eq!(&broadcast_shapes("add", &[], &[2, 2]).unwrap()[..], &[2, 2]);
        let err = broadcast_shapes("add", &[2, 3], &[4]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "add: shapes [2, 3] and [4] cannot be broadcast: axis 1 has 3 and 4"
        );
    }

    #[test]
    fn broadcast_strides_zero_the_broadcast_axes() {
        assert_eq!(&broadcast_strides(&[3], &[2, 3])[..], &[0, 1]);
        assert_eq!(&broadcast_strides(&[2, 1], &[2, 3])[..], &[1, 0]);
        assert_eq!(&broadcast_strides(&[2, 3], &[2, 3])[..], &[3, 1]);
    }

    #[test]
    fn negative_axes_count_from_the_end() {
        assert_eq!(resolve_axis("sum", -1, 3).unwrap(), 2);
        assert!(resolve_axis("sum", 3, 3).is_err());
        assert!(resolve_axis("sum", -4, 3).is_err());
    }
}
