//! Log-sum-exp, softmax and the losses, composed from tape primitives only: no
//! hand-written gradient anywhere on this path. The tape differentiates them.
//!
//! ## Why the cross-entropy gradient is `softmax(o) - y`
//!
//! For logits `o` and a one-hot (or probability) target `y` with `sum_j y_j = 1`,
//!
//! ```text
//! L = -sum_j y_j log softmax(o)_j = log sum_u exp(o_u) - sum_j y_j o_j
//! ```
//!
//! because `log softmax(o)_j = o_j - log sum_u exp(o_u)`. Differentiating,
//!
//! ```text
//! dL/do_j = exp(o_j) / sum_u exp(o_u) - y_j = softmax(o)_j - y_j,
//! ```
//!
//! and the mean over a batch of `n` rows divides by `n`. The tests check that the tape,
//! differentiating the composition below, arrives at exactly this closed form.
//!
//! ## Why the max shift
//!
//! `exp(1000)` overflows. Since `log sum exp(o) = m + log sum exp(o - m)` for any `m`,
//! taking `m = max(o)` keeps every exponent `<= 0`. The shift is [`detach`](tape::Var::detach)ed:
//! its gradient contributions cancel exactly in the maths, so we do not record them.
//!
//! ## Infinite entries
//!
//! A row whose maximum is infinite cannot be shifted by it: `o - m` would be
//! `inf - inf = NaN`. Such a shift is clamped into the range of the finite entries
//! (`[-B, B]`, `B` the largest finite `|o|`), which changes nothing for finite maxima and
//! gives log-sum-exp as PyTorch and SciPy define it: a row of `-inf` gives `-inf`, a row
//! with a `+inf` entry gives `+inf`, a NaN gives NaN. The tape's gradient is then
//! PyTorch's `exp(o - logsumexp(o))`: 0 for every entry of a `+inf` row except the `+inf`
//! ones (NaN), and NaN for a row of `-inf`.

use tape::shape::check_labels;
use tape::{Float, ShapeError, Var};

/// `log sum_j exp(o_j)` along `axis`, shifted by the (detached) maximum for stability.
///
/// Infinite entries follow PyTorch and SciPy: a row of `-inf` gives `-inf`, a row holding
/// `+inf` gives `+inf` (see [Infinite entries](self#infinite-entries)).
///
/// ```
/// use tape::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let o = tape.constant(&Tensor::from_vec(vec![1000.0, 1000.0], &[1, 2]));
/// let lse = nn::functions::logsumexp(o, -1, false);
/// assert!((lse.item() - (1000.0 + 2f64.ln())).abs() < 1e-12); // no overflow
///
/// let inf = f64::INFINITY;
/// let o = tape.var(&Tensor::from_vec(vec![-inf, -inf, 1.0, inf], &[2, 2]));
/// let lse = nn::functions::logsumexp(o, -1, false);
/// assert_eq!(lse.value().data(), &[-inf, inf]);
/// let grads = lse.sum().backward();
/// assert_eq!(grads.wrt(o)[2], 0.0); // exp(1 - inf), as PyTorch
/// ```
pub fn logsumexp<'t, T: Float>(o: Var<'t, T>, axis: isize, keepdim: bool) -> Var<'t, T> {
    let Shifted { m, ln_sum, .. } = shifted(o, axis);
    let lse = ln_sum + m;
    if keepdim {
        lse
    } else {
        let mut dims = lse.shape();
        let axis = if axis < 0 {
            axis + dims.len() as isize
        } else {
            axis
        } as usize;
        dims.remove(axis);
        lse.reshape(&dims)
    }
}

/// Log-sum-exp in two parts, `logsumexp(o) = ln_sum + m`, along an axis kept as size 1.
struct Shifted<'t, T: Float> {
    /// The detached shift ([`max_shift`]).
    m: Var<'t, T>,
    /// `o - m`: every entry at most 0.
    z: Var<'t, T>,
    /// `ln sum exp(o - m)`, between 0 and `ln k` for `k` finite entries.
    ln_sum: Var<'t, T>,
}

/// [`Shifted`] for `o` along `axis`. Log-softmax and cross-entropy subtract `ln_sum` from
/// `z` rather than log-sum-exp from `o`: `ln_sum + m` is rounded to the precision of `m`,
/// which would cancel a small loss away (a row `[20, 5, 3]` in `f32` has cross-entropy
/// 3.5e-7, less than the spacing of `f32` at 20).
fn shifted<'t, T: Float>(o: Var<'t, T>, axis: isize) -> Shifted<'t, T> {
    let m = max_shift(o, axis);
    let z = o - m;
    let ln_sum = z.exp().sum_axis(axis, true).ln();
    Shifted { m, z, ln_sum }
}

/// The detached shift of log-sum-exp along `axis` (kept as size 1): each lane's maximum,
/// clamped into `[-B, B]` where `B` is the largest finite `|o|`, so that an infinite
/// maximum never meets an infinite entry in `o - m`. Finite maxima lie in that range
/// already, so the clamp is recorded only when some maximum is infinite.
fn max_shift<'t, T: Float>(o: Var<'t, T>, axis: isize) -> Var<'t, T> {
    let m = o.max_axis(axis, true).detach();
    let infinite = |x: &T| !x.is_finite() && !x.is_nan();
    if !m.with_value(|maxima| maxima.iter().any(infinite)) {
        return m;
    }
    let bound = o.with_value(|values| {
        values
            .iter()
            .filter(|x| x.is_finite())
            .fold(T::ZERO, |bound, &x| bound.max(x.abs()))
    });
    let tape = o.tape();
    m.maximum(tape.constant_scalar(-bound))
        .minimum(tape.constant_scalar(bound))
}

/// `log softmax(o) = o - logsumexp(o)` along `axis`, computed as `(o - m) - ln sum exp(o - m)`
/// so that entries near the maximum keep their digits.
///
/// ```
/// use tape::{Tape, Tensor};
/// let tape = Tape::<f32>::new();
/// let o = tape.constant(&Tensor::from_vec(vec![20.0, 5.0, 3.0], &[1, 3]));
/// let top = nn::functions::log_softmax(o, -1).value().data()[0];
/// // -ln(1 + e^-15 + e^-17) = -3.47e-7, to the precision of the sum in f32.
/// assert!((top + 3.47e-7).abs() < 1.2e-7);
/// ```
pub fn log_softmax<'t, T: Float>(o: Var<'t, T>, axis: isize) -> Var<'t, T> {
    let Shifted { z, ln_sum, .. } = shifted(o, axis);
    z - ln_sum
}

/// `softmax(o)_j = exp(o_j) / sum_u exp(o_u)` along `axis`, as `exp(log_softmax(o))`.
///
/// ```
/// use tape::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let o = tape.constant(&Tensor::from_vec(vec![1.0, 2.0, 3.0], &[1, 3]));
/// let p = nn::functions::softmax(o, -1).value();
/// assert!((p.sum() - 1.0).abs() < 1e-15);
/// ```
pub fn softmax<'t, T: Float>(o: Var<'t, T>, axis: isize) -> Var<'t, T> {
    log_softmax(o, axis).exp()
}

/// Mean cross-entropy of logits `o` (`[n, k]`) against integer labels:
/// `(1/n) sum_i (logsumexp(o_i) - o_{i, y_i})`.
///
/// Logits of `-inf` (masked classes) are allowed as long as each row's labelled logit is
/// finite: the loss stays finite and the gradient has no NaN.
///
/// # Panics
/// If there is not one label per row or a label is out of range, with the message of
/// [`try_cross_entropy`].
///
/// ```
/// use tape::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let o = tape.var(&Tensor::from_vec(vec![2.0, 0.0, 0.0, 2.0], &[2, 2]));
/// let loss = nn::functions::cross_entropy(o, &[0, 1]);
/// let grads = loss.backward();
/// // (softmax(o) - onehot(y)) / n
/// let p = 1.0 / (1.0 + (-2f64).exp());
/// assert!((grads.wrt(o)[0] - (p - 1.0) / 2.0).abs() < 1e-15);
/// ```
pub fn cross_entropy<'t, T: Float>(o: Var<'t, T>, labels: &[usize]) -> Var<'t, T> {
    try_cross_entropy(o, labels).unwrap_or_else(|e| panic!("{e}"))
}

/// [`cross_entropy`], or an error naming `cross_entropy` and what does not fit: the
/// number of labels against the rows, or the first label out of range with its row and
/// the number of classes.
///
/// ```
/// use tape::{Tape, Tensor};
/// let tape = Tape::<f64>::new();
/// let o = tape.var(&Tensor::zeros(&[2, 3]));
/// let err = nn::functions::try_cross_entropy(o, &[0, 3]).unwrap_err();
/// assert_eq!(err.to_string(), "cross_entropy: label 3 at row 1 is not below 3 classes");
/// ```
pub fn try_cross_entropy<'t, T: Float>(
    o: Var<'t, T>,
    labels: &[usize],
) -> Result<Var<'t, T>, ShapeError> {
    let dims = o.shape();
    let error = |detail: std::fmt::Arguments<'_>| ShapeError::new("cross_entropy", detail);
    let (&classes, outer) = dims
        .split_last()
        .ok_or_else(|| error(format_args!("the logits are 0-d; they need a class axis")))?;
    check_labels("cross_entropy", labels, classes)?;
    let rows: usize = outer.iter().product();
    if labels.len() != rows {
        let (count, shape) = (labels.len(), &dims[..]);
        return Err(error(format_args!(
            "{count} labels for {rows} rows of logits of shape {shape:?}"
        )));
    }
    // logsumexp(o_i) - o_{i, y_i}, as ln_sum_i - z_{i, y_i} (see `shifted`).
    let Shifted { z, ln_sum, .. } = shifted(o, -1);
    Ok((ln_sum.reshape(outer) - z.pick(labels)).mean())
}

/// Mean cross-entropy of logits `o` (`[n, k]`) against target distributions `y` (`[n, k]`,
/// rows summing to 1, such as one-hot rows or soft labels):
/// `-(1/n) sum_i sum_j y_ij log softmax(o_i)_j`.
///
/// A logit of `-inf` gives NaN here even where its target probability is 0 (`0 * -inf`,
/// as in PyTorch); [`cross_entropy`], with integer labels, takes such masked classes.
pub fn cross_entropy_with_probs<'t, T: Float>(o: Var<'t, T>, y: Var<'t, T>) -> Var<'t, T> {
    -(y * log_softmax(o, -1)).sum_axis(-1, false).mean()
}

/// Squared loss for regression, halved and averaged over the batch:
/// `(1/n) sum_i 1/2 ||y_i - y_hat_i||^2`, where the first axis of `y_hat` is the batch.
///
/// Its gradient with respect to `y_hat` is `(y_hat - y) / n`.
pub fn squared_loss<'t, T: Float>(y_hat: Var<'t, T>, y: Var<'t, T>) -> Var<'t, T> {
    let n = y_hat.shape().first().copied().unwrap_or(1);
    (y_hat - y).powi(2).sum() * T::from_f64(0.5 / n as f64)
}

/// The L2 penalty `lambda/2 ||w||^2` (its gradient is `lambda w`).
pub fn l2_penalty<'t, T: Float>(w: Var<'t, T>, lambda: T) -> Var<'t, T> {
    w.powi(2).sum() * (lambda * T::from_f64(0.5))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tape::{Tape, Tensor};

    #[test]
    fn cross_entropy_names_itself_the_row_and_the_classes() {
        let tape = Tape::<f64>::new();
        let o = tape.var(&Tensor::zeros(&[3, 4]));
        let error = |labels: &[usize]| try_cross_entropy(o, labels).unwrap_err().to_string();
        assert_eq!(
            error(&[0, 4, 9]),
            "cross_entropy: label 4 at row 1 is not below 4 classes"
        );
        assert_eq!(
            error(&[0, 1]),
            "cross_entropy: 2 labels for 3 rows of logits of shape [3, 4]"
        );
        let scalar = tape.constant_scalar(1.0);
        assert_eq!(
            try_cross_entropy(scalar, &[0]).unwrap_err().to_string(),
            "cross_entropy: the logits are 0-d; they need a class axis"
        );
        assert!(try_cross_entropy(o, &[3, 0, 2]).is_ok());
    }

    /// `-ln softmax(o)_label`, accurately: `ln(1 + sum_{j != label} exp(o_j - o_label))`
    /// for a label that holds the row's maximum.
    fn exact_loss(row: &[f64], label: usize) -> f64 {
        let rest: f64 = (row.iter().enumerate())
            .filter(|&(j, _)| j != label)
            .map(|(_, &o)| (o - row[label]).exp())
            .sum();
        rest.ln_1p()
    }

    /// A loss far smaller than the logits keeps its digits: log-softmax and cross-entropy
    /// subtract within the shifted row rather than from log-sum-exp, which is rounded to
    /// the logits' precision (cross-entropy of `[20, 5, 3]` in `f32` was 0).
    #[test]
    fn small_losses_keep_their_digits() {
        let rows: [[f64; 3]; 3] = [
            [20.0, 5.0, 3.0],
            [50.0, 38.5, 30.0],
            [1000.0, 1000.0, -1000.0],
        ];
        for row in rows {
            let exact = exact_loss(&row, 0);
            // Each of the two additions in the sum of exponentials, near 1, rounds by half
            // a unit in the last place of 1; the rest costs a few of the loss's own.
            let tolerance = |epsilon: f64| epsilon * (1.0 + 4.0 * exact);
            let (loss, top) = loss_and_log_softmax::<f64>(&row);
            assert!(
                (loss - exact).abs() <= tolerance(f64::EPSILON),
                "{row:?}: {loss} vs {exact}"
            );
            assert_eq!(top, -loss, "{row:?}");
            let (loss, top) = loss_and_log_softmax::<f32>(&row);
            assert!(
                (f64::from(loss) - exact).abs() <= tolerance(f64::from(f32::EPSILON)),
                "{row:?}: {loss} vs {exact}"
            );
            assert!(loss > 0.0 && top == -loss, "{row:?}: {loss}, {top}");
        }
    }

    /// Cross-entropy of `row` for label 0, and its log-softmax entry 0.
    fn loss_and_log_softmax<T: Float>(row: &[f64]) -> (T, T) {
        let tape = Tape::<T>::new();
        let data = row.iter().map(|&x| T::from_f64(x)).collect();
        let o = tape.var(&Tensor::from_vec(data, &[1, row.len()]));
        let loss = cross_entropy(o, &[0]).item();
        (loss, log_softmax(o, -1).value().data()[0])
    }

    #[test]
    #[should_panic(expected = "cross_entropy: label 7 at row 0 is not below 2 classes")]
    fn cross_entropy_panics_with_the_same_message() {
        let tape = Tape::<f32>::new();
        let o = tape.var(&Tensor::zeros(&[1, 2]));
        cross_entropy(o, &[7]);
    }
}
