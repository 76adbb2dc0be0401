//! A second-order gradient checker: [`hvp`](crate::hvp()) against central differences of
//! the tape's own gradient, in `f64`.
//!
//! With `u` a random direction (`N(0, 1)` per element, seeded by
//! [`GradcheckOptions::seed`]), every element `i` of the Hessian-vector product `(H u)_i`
//! that the dual tape computes is compared with
//! `(grad_i f(x + eps u) - grad_i f(x - eps u)) / (2 eps)`, the derivative of the real
//! tape's gradient along `u`, by `|analytic - numeric| <= atol + rtol |numeric|`. This
//! is PyTorch's `gradgradcheck`: the first derivatives are trusted to
//! [`gradcheck`](crate::gradcheck()), and their derivative (the reverse sweep
//! differentiated by the dual numbers, through every backward rule) is checked against
//! finite differences of them. A random `u` mixes every column of `H`, so a wrong entry
//! passes only by a measure-zero accident of the direction.

use crate::gradcheck::{compare, finite_scalar, GradcheckError, GradcheckOptions, GradcheckReport};
use crate::second_order::{value_and_grad, HvpTape, ScalarFunction};
use crate::tape::Tape;
use crate::tensor::Tensor;
use rand::SeedableRng;

/// Checks the Hessian-vector product of the scalar function `f` at `inputs` against
/// central differences of its gradient, element by element, and reports the worst
/// disagreement on failure (the input and element of the gradient).
///
/// ```
/// use tape::{gradgradcheck, ScalarFunction, Float, GradcheckOptions, Tape, Tensor, Var};
/// struct SoftPlus;
/// impl ScalarFunction for SoftPlus {
///     fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
///         (v[0].exp() + T::ONE).ln().sum()
///     }
/// }
/// let x = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]);
/// let report = gradgradcheck(&SoftPlus, &[x], &GradcheckOptions::default()).unwrap();
/// assert_eq!(report.checked, 3);
/// ```
pub fn gradgradcheck<F: ScalarFunction + ?Sized>(
    f: &F,
    inputs: &[Tensor<f64>],
    options: &GradcheckOptions,
) -> Result<GradcheckReport, GradcheckError> {
    check_value(f, inputs)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(options.seed);
    let directions: Vec<Tensor<f64>> = inputs
        .iter()
        .map(|x| Tensor::random_normal(x.shape(), 0.0, 1.0, &mut rng))
        .collect();
    let analytic = HvpTape::new().hvp(f, inputs, &directions).hvp;
    let step = |sign: f64| -> Vec<Tensor<f64>> {
        let moved = inputs
            .iter()
            .zip(&directions)
            .map(|(x, u)| x.zip_with(u, "gradgradcheck", |a, b| a + sign * options.eps * b));
        value_and_grad(f, &moved.collect::<Vec<_>>()).1
    };
    let (plus, minus) = (step(1.0), step(-1.0));

    // The numeric second derivative along `u`: central differences of the gradient.
    let numeric: Vec<Tensor<f64>> = plus
        .iter()
        .zip(&minus)
        .map(|(p, m)| p.zip_with(m, "gradgradcheck", |p, m| (p - m) / (2.0 * options.eps)))
        .collect();
    compare(analytic, numeric, options)
}

/// The errors a check reports before comparing anything: a result that is not a single
/// finite number.
fn check_value<F: ScalarFunction + ?Sized>(
    f: &F,
    inputs: &[Tensor<f64>],
) -> Result<(), GradcheckError> {
    let tape = Tape::<f64>::new();
    let vars: Vec<_> = inputs.iter().map(|x| tape.constant(x)).collect();
    finite_scalar(f.eval(&tape, &vars)).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::float::Float;
    use crate::var::Var;

    /// `sum x^3` with a right value and gradient but a tangent lost on the way, as a
    /// backward rule that left `Float` (through `to_f64`) would lose it: the gradient
    /// `3 x^2` is recorded as `1.5 x^2` plus `1.5 c` with `c = x^2` lifted from the
    /// value as a constant. The real tape recomputes `c` at every point, so its gradient
    /// and the finite differences of it are right (`6 x u`); the dual tape's `c` has no
    /// tangent, so its `H u` is half of that.
    struct LostTangent;
    impl ScalarFunction for LostTangent {
        fn eval<'t, T: Float>(&self, tape: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
            let x = v[0];
            let squares = x.value().map(|a| T::from_f64(a.to_f64().powi(2)));
            let c = tape.constant(&squares);
            let varying = x.powi(3) * T::from_f64(0.5);
            let frozen = x * c * T::from_f64(1.5);
            let value_fix = (x.powi(3) - varying - frozen).detach();
            (varying + frozen + value_fix).sum()
        }
    }

    #[test]
    fn a_lost_tangent_is_caught_while_gradcheck_passes() {
        let x = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]);
        let options = GradcheckOptions::default();
        crate::gradcheck(
            |t, v| LostTangent.eval(t, v),
            std::slice::from_ref(&x),
            &options,
        )
        .unwrap();
        let err = gradgradcheck(&LostTangent, &[x], &options).unwrap_err();
        match &err {
            GradcheckError::Mismatch {
                input: Some(0),
                index,
                analytic,
                numeric,
                ..
            } => {
                assert_eq!(index.len(), 1);
                assert!((numeric / analytic - 2.0).abs() < 1e-4, "{err}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("input 0 element ["), "{err}");
    }

    #[test]
    fn a_non_scalar_or_non_finite_result_is_an_error() {
        struct Vector;
        impl ScalarFunction for Vector {
            fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
                v[0].exp()
            }
        }
        struct LogOfNegative;
        impl ScalarFunction for LogOfNegative {
            fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
                v[0].ln().sum()
            }
        }
        let x = Tensor::from_vec(vec![-1.0, 2.0], &[2]);
        let options = GradcheckOptions::default();
        assert_eq!(
            gradgradcheck(&Vector, std::slice::from_ref(&x), &options),
            Err(GradcheckError::NotScalar { shape: vec![2] })
        );
        assert!(matches!(
            gradgradcheck(&LogOfNegative, &[x], &options),
            Err(GradcheckError::NonFinite { .. })
        ));
    }
}
