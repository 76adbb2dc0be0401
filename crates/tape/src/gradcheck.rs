//! A gradient checker: the tape's gradient against central finite differences, in `f64`.
//!
//! For a scalar function `f` of input tensors, every element `x_j` of every input gets
//! the numeric derivative `(f(x + eps e_j) - f(x - eps e_j)) / (2 eps)` (error `O(eps^2)`),
//! compared with the tape's analytic one by `|analytic - numeric| <= atol + rtol |numeric|`,
//! as PyTorch's `gradcheck` does. The fast mode checks one random directional derivative
//! `grad f . u` instead, with two evaluations of `f` in all (PyTorch's `fast_mode`,
//! JAX's `check_grads`).
//!
//! Run it in `f64`: in `f32` the finite differences themselves are off by about
//! `1e-7 / eps`, and checks fail for precision rather than for bugs.
//!
//! Pass or fail, the [`GradcheckReport`] holds what was compared: the analytic gradient
//! and the central differences of every element (the two Jacobians of a scalar function,
//! one row each), or in fast mode the direction and both directional derivatives. A
//! failure ([`GradcheckError::Mismatch`]) names the worst element and carries the report,
//! whose `Display` is a table of every element.

use crate::tape::Tape;
use crate::tensor::Tensor;
use crate::var::Var;
use rand::SeedableRng;
use std::fmt;

/// Step and tolerances of a gradient check. The defaults are PyTorch's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradcheckOptions {
    /// Finite-difference step.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance, scaled by the numeric derivative's magnitude.
    pub rtol: f64,
    /// Seed of the random direction in fast mode.
    pub seed: u64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
            seed: 0,
        }
    }
}

/// What a check compared.
///
/// ```
/// use tape::{gradcheck, GradcheckOptions, Tensor};
/// let x = Tensor::from_vec(vec![1.0, 2.0], &[2]);
/// let report = gradcheck(|_, v| v[0].powi(3).sum(), &[x], &GradcheckOptions::default()).unwrap();
/// assert_eq!(report.analytic[0].data(), &[3.0, 12.0]); // 3 x^2
/// assert!((report.numeric[0].data()[1] - 12.0).abs() < 1e-6);
/// println!("{report}"); // a table: input, element, analytic, numeric, difference
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GradcheckReport {
    /// Number of derivatives compared (1 in fast mode).
    pub checked: usize,
    /// Largest `|analytic - numeric|` seen.
    pub max_abs_error: f64,
    /// The tape's gradient with respect to each input, shaped like it: the analytic
    /// Jacobian of the scalar function, one tensor per input.
    pub analytic: Vec<Tensor<f64>>,
    /// The central differences in the same layout: the numeric Jacobian. Empty in fast
    /// mode, which measures one directional derivative instead (see `directional`).
    pub numeric: Vec<Tensor<f64>>,
    /// Fast mode only: the direction and the two directional derivatives compared.
    pub directional: Option<Directional>,
}

/// The directional derivative a fast-mode check compares.
#[derive(Clone, Debug, PartialEq)]
pub struct Directional {
    /// The random direction `u`, one tensor per input.
    pub direction: Vec<Tensor<f64>>,
    /// `grad f(x) . u` from the tape.
    pub analytic: f64,
    /// `(f(x + eps u) - f(x - eps u)) / (2 eps)`.
    pub numeric: f64,
}

impl GradcheckReport {
    /// Every compared element, in input and row-major order:
    /// `(input, multi-index, analytic, numeric)`. Empty in fast mode.
    pub fn elements(&self) -> impl Iterator<Item = (usize, Vec<usize>, f64, f64)> + '_ {
        self.analytic
            .iter()
            .zip(&self.numeric)
            .enumerate()
            .flat_map(|(input, (analytic, numeric))| {
                let elements = analytic.data().iter().zip(numeric.data()).enumerate();
                elements.map(move |(flat, (&a, &n))| (input, unravel(flat, analytic.shape()), a, n))
            })
    }
}

/// A table of what was compared: one line per element (or the directional derivative).
impl fmt::Display for GradcheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = &self.directional {
            return write!(
                f,
                "directional derivative: analytic {:e}, numeric {:e}, difference {:e}",
                d.analytic,
                d.numeric,
                (d.analytic - d.numeric).abs()
            );
        }
        writeln!(
            f,
            "{:<6} {:<12} {:>24} {:>24} {:>12}",
            "input", "element", "analytic", "numeric", "difference"
        )?;
        for (input, index, analytic, numeric) in self.elements() {
            writeln!(
                f,
                "{input:<6} {:<12} {analytic:>24e} {numeric:>24e} {:>12.3e}",
                format!("{index:?}"),
                (analytic - numeric).abs()
            )?;
        }
        Ok(())
    }
}

/// Why a gradient check failed.
#[derive(Clone, Debug, PartialEq)]
pub enum GradcheckError {
    /// The function returned more than one element.
    NotScalar {
        /// Shape of what it returned.
        shape: Vec<usize>,
    },
    /// The function's value at the inputs is NaN or infinite.
    NonFinite {
        /// The value.
        value: f64,
    },
    /// A derivative disagrees beyond tolerance (the worst one is named; `report` holds
    /// every compared element).
    Mismatch {
        /// Which input tensor (`None` in fast mode, which mixes them all).
        input: Option<usize>,
        /// Multi-index of the element in that input.
        index: Vec<usize>,
        /// The tape's derivative.
        analytic: f64,
        /// The central difference.
        numeric: f64,
        /// The tolerance it had to meet: `atol + rtol |numeric|`.
        tolerance: f64,
        /// Everything the check compared, as a passing check reports it.
        report: Box<GradcheckReport>,
    },
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradcheckError::NotScalar { shape } => {
                write!(f, "gradcheck: the function must return a scalar, got shape {shape:?}")
            }
            GradcheckError::NonFinite { value } => write!(f, "gradcheck: the function value {value} is not finite"),
            GradcheckError::Mismatch { input: Some(input), index, analytic, numeric, tolerance, .. } => write!(
                f,
                "gradcheck: input {input} element {index:?}: analytic {analytic:e} vs numeric {numeric:e} \
                 (difference {:e} exceeds tolerance {tolerance:e})",
                (analytic - numeric).abs()
            ),
            GradcheckError::Mismatch { input: None, analytic, numeric, tolerance, .. } => write!(
                f,
                "gradcheck (fast mode): directional derivative analytic {analytic:e} vs numeric {numeric:e} \
                 (difference {:e} exceeds tolerance {tolerance:e})",
                (analytic - numeric).abs()
            ),
        }
    }
}

impl std::error::Error for GradcheckError {}

/// Evaluates `f` at `inputs` on `tape` (cleared first) and returns its value.
fn evaluate<F>(tape: &mut Tape<f64>, f: &F, inputs: &[Tensor<f64>]) -> f64
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    tape.clear();
    let vars: Vec<_> = inputs.iter().map(|x| tape.var(x)).collect();
    f(tape, &vars).item()
}

/// The analytic gradient of `f` at `inputs`, one tensor per input, after checking that
/// `f` returns a finite scalar.
fn analytic_gradient<F>(f: &F, inputs: &[Tensor<f64>]) -> Result<Vec<Tensor<f64>>, GradcheckError>
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    let tape = Tape::new();
    let vars: Vec<_> = inputs.iter().map(|x| tape.var(x)).collect();
    let out = f(&tape, &vars);
    finite_scalar(out)?;
    let grads = out.backward();
    Ok(vars.iter().map(|&v| grads.tensor(v)).collect())
}

/// The value of a function's result, or the error for a result that is not one finite
/// number (the checks compare derivatives of a scalar function only).
pub(crate) fn finite_scalar(out: Var<'_, f64>) -> Result<f64, GradcheckError> {
    if out.len() != 1 {
        return Err(GradcheckError::NotScalar {
            shape: out.shape().to_vec(),
        });
    }
    match out.item() {
        value if value.is_finite() => Ok(value),
        value => Err(GradcheckError::NonFinite { value }),
    }
}

/// The multi-index of row-major position `flat` in a tensor of shape `dims`.
fn unravel(mut flat: usize, dims: &[usize]) -> Vec<usize> {
    let mut index = vec![0; dims.len()];
    for (i, &d) in dims.iter().enumerate().rev() {
        index[i] = flat % d;
        flat /= d;
    }
    index
}

/// Checks every partial derivative of the scalar function `f` at `inputs` against
/// central differences, and reports the worst disagreement on failure.
///
/// `f` builds its result from the input vars on the tape it is given (a fresh one for
/// each evaluation).
///
/// ```
/// use tape::{gradcheck, GradcheckOptions, Tensor};
/// let x = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]);
/// let report = gradcheck(|_, v| (v[0].tanh() * v[0]).sum(), &[x], &GradcheckOptions::default()).unwrap();
/// assert_eq!(report.checked, 3);
/// ```
pub fn gradcheck<F>(
    f: F,
    inputs: &[Tensor<f64>],
    options: &GradcheckOptions,
) -> Result<GradcheckReport, GradcheckError>
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    let analytic = analytic_gradient(&f, inputs)?;
    let mut tape = Tape::new();
    let mut shifted = inputs.to_vec();
    let mut numeric: Vec<Tensor<f64>> = inputs.iter().map(|x| Tensor::zeros(x.shape())).collect();
    for (input, grad) in analytic.iter().enumerate() {
        for j in 0..grad.len() {
            let x = inputs[input].data()[j];
            shifted[input].data_mut()[j] = x + options.eps;
            let plus = evaluate(&mut tape, &f, &shifted);
            shifted[input].data_mut()[j] = x - options.eps;
            let minus = evaluate(&mut tape, &f, &shifted);
            shifted[input].data_mut()[j] = x;
            numeric[input].data_mut()[j] = (plus - minus) / (2.0 * options.eps);
        }
    }
    compare(analytic, numeric, options)
}

/// Compares every element of `analytic` with `numeric` by
/// `|analytic - numeric| <= atol + rtol |numeric|`, and names the element that exceeds
/// its tolerance by the most (a NaN on either side fails too). Shared by
/// [`gradcheck`] and [`gradgradcheck`](crate::gradgradcheck()).
pub(crate) fn compare(
    analytic: Vec<Tensor<f64>>,
    numeric: Vec<Tensor<f64>>,
    options: &GradcheckOptions,
) -> Result<GradcheckReport, GradcheckError> {
    let mut report = GradcheckReport {
        analytic,
        numeric,
        ..GradcheckReport::default()
    };
    // The worst disagreement: (excess over its tolerance, input, flat index, tolerance).
    let mut worst: Option<(f64, usize, usize, f64)> = None;
    for (input, (a, n)) in report.analytic.iter().zip(&report.numeric).enumerate() {
        for (j, (&analytic, &numeric)) in a.data().iter().zip(n.data()).enumerate() {
            let error = (analytic - numeric).abs();
            let tolerance = options.atol + options.rtol * numeric.abs();
            report.checked += 1;
            report.max_abs_error = report.max_abs_error.max(error);
            // `!(error <= tolerance)`, so that NaN fails.
            let excess = if error <= tolerance {
                continue;
            } else {
                error - tolerance
            };
            if worst
                .as_ref()
                .is_none_or(|&(e, ..)| excess > e || excess.is_nan())
            {
                worst = Some((excess, input, j, tolerance));
            }
        }
    }
    match worst {
        None => Ok(report),
        Some((_, input, j, tolerance)) => Err(GradcheckError::Mismatch {
            input: Some(input),
            index: unravel(j, report.analytic[input].shape()),
            analytic: report.analytic[input].data()[j],
            numeric: report.numeric[input].data()[j],
            tolerance,
            report: Box::new(report),
        }),
    }
}

/// Checks one random directional derivative `grad f(x) . u` against
/// `(f(x + eps u) - f(x - eps u)) / (2 eps)`, with `u` drawn from `N(0, 1)` per element
/// (seeded by `options.seed`). Two evaluations of `f` instead of two per element; a
/// wrong gradient passes only by a measure-zero accident of the direction.
///
/// ```
/// use tape::{gradcheck_fast, GradcheckOptions, Tensor};
/// let w = Tensor::from_vec(vec![0.3, -0.2, 0.1, 0.4], &[2, 2]);
/// let x = Tensor::from_vec(vec![1.0, 2.0], &[2, 1]);
/// gradcheck_fast(|_, v| v[0].matmul(v[1]).sigmoid().sum(), &[w, x], &GradcheckOptions::default()).unwrap();
/// ```
pub fn gradcheck_fast<F>(
    f: F,
    inputs: &[Tensor<f64>],
    options: &GradcheckOptions,
) -> Result<GradcheckReport, GradcheckError>
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    let analytic = analytic_gradient(&f, inputs)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(options.seed);
    let directions: Vec<Tensor<f64>> = inputs
        .iter()
        .map(|x| Tensor::random_normal(x.shape(), 0.0, 1.0, &mut rng))
        .collect();
    let step = |sign: f64| -> Vec<Tensor<f64>> {
        inputs
            .iter()
            .zip(&directions)
            .map(|(x, u)| x.zip_with(u, "step", |a, b| a + sign * options.eps * b))
            .collect()
    };
    let mut tape = Tape::new();
    let plus = evaluate(&mut tape, &f, &step(1.0));
    let minus = evaluate(&mut tape, &f, &step(-1.0));
    let numeric = (plus - minus) / (2.0 * options.eps);
    let directional: f64 = analytic
        .iter()
        .zip(&directions)
        .map(|(g, u)| g.zip_with(u, "dot", |a, b| a * b).sum())
        .sum();
    let error = (directional - numeric).abs();
    let tolerance = options.atol + options.rtol * numeric.abs();
    let report = GradcheckReport {
        checked: 1,
        max_abs_error: error,
        analytic,
        numeric: Vec::new(),
        directional: Some(Directional {
            direction: directions,
            analytic: directional,
            numeric,
        }),
    };
    if error <= tolerance {
        Ok(report)
    } else {
        Err(GradcheckError::Mismatch {
            input: None,
            index: Vec::new(),
            analytic: directional,
            numeric,
            tolerance,
            report: Box::new(report),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deliberately wrong "op": abs() has derivative sign(x), so using it where x^2/2
    /// was meant makes the analytic and numeric gradients disagree where |x| != 1.
    #[test]
    fn a_wrong_gradient_is_caught_and_named() {
        let x = Tensor::from_vec(vec![1.0, 2.0, 3.0], &[3]);
        // value of x^2/2 but gradient of |x|: detach trick mixes them.
        let err = gradcheck(
            |_, v| {
                let x = v[0];
                let wrong = x.abs() - x.abs().detach() + (x * x * 0.5).detach();
                wrong.sum()
            },
            std::slice::from_ref(&x),
            &GradcheckOptions::default(),
        )
        .unwrap_err();
        match &err {
            GradcheckError::Mismatch {
                input: Some(0),
                index,
                analytic,
                numeric,
                ..
            } => {
                assert_eq!(index, &vec![2]); // the worst: 1 vs 3
                assert!((analytic - 1.0).abs() < 1e-12);
                assert!((numeric - 3.0).abs() < 1e-6);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("input 0 element [2]"), "{err}");
        let fast = gradcheck_fast(
            |_, v| (v[0].abs() - v[0].abs().detach() + (v[0] * v[0] * 0.5).detach()).sum(),
            &[x],
            &GradcheckOptions::default(),
        );
        assert!(fast.is_err());
    }

    #[test]
    fn non_scalar_output_is_an_error() {
        let x = Tensor::from_vec(vec![1.0, 2.0], &[2]);
        let err = gradcheck(|_, v| v[0].exp(), &[x], &GradcheckOptions::default()).unwrap_err();
        assert_eq!(err, GradcheckError::NotScalar { shape: vec![2] });
    }
}
