//! A line search satisfying the strong Wolfe conditions (Nocedal and Wright, *Numerical
//! Optimization*, algorithms 3.5 and 3.6), with cubic interpolation in the zoom.
//!
//! Along a descent direction `p` from `x`, with `phi(a) = f(x + a p)`, a step `a` is
//! accepted when it decreases `f` enough and leaves a flatter slope behind:
//!
//! ```text
//! phi(a) <= phi(0) + c1 a phi'(0)        (sufficient decrease)
//! |phi'(a)| <= c2 |phi'(0)|               (curvature, strong form)
//! ```
//!
//! The second condition keeps `s^T y > 0` for the next quasi-Newton update.

use super::problem::Differentiable;

/// A point with its value and gradient.
#[derive(Clone, Debug)]
pub(crate) struct Point {
    pub x: Vec<f64>,
    pub value: f64,
    pub grad: Vec<f64>,
}

impl Point {
    /// Evaluates `f` at `x`.
    pub fn at(problem: &mut impl Differentiable, x: Vec<f64>) -> Self {
        let mut grad = vec![0.0; x.len()];
        let value = problem.value_and_grad(&x, &mut grad);
        Point { x, value, grad }
    }
}

/// A step tried along the direction: `a`, `phi(a)`, `phi'(a)` and the point itself.
struct Trial {
    step: f64,
    value: f64,
    slope: f64,
    point: Option<Point>,
}

/// The constants of the Wolfe conditions and the evaluation budget.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Wolfe {
    pub c1: f64,
    pub c2: f64,
    pub max_evaluations: usize,
}

impl Default for Wolfe {
    fn default() -> Self {
        Wolfe {
            c1: 1e-4,
            c2: 0.9,
            max_evaluations: 40,
        }
    }
}

/// The accepted point and the number of evaluations spent; `None` if no step satisfying
/// the conditions was found within the budget (at the limit of floating-point
/// precision, typically, where `f` no longer changes measurably along `p`).
pub(crate) fn strong_wolfe(
    problem: &mut impl Differentiable,
    from: &Point,
    direction: &[f64],
    initial_step: f64,
    wolfe: Wolfe,
) -> (Option<Point>, usize) {
    let slope0 = dot(&from.grad, direction);
    debug_assert!(slope0 < 0.0, "not a descent direction");
    let evaluations = std::cell::Cell::new(0);
    let mut evaluate = |step: f64| {
        evaluations.set(evaluations.get() + 1);
        let x = from
            .x
            .iter()
            .zip(direction)
            .map(|(x, p)| x + step * p)
            .collect();
        let point = Point::at(problem, x);
        Trial {
            step,
            value: point.value,
            slope: dot(&point.grad, direction),
            point: Some(point),
        }
    };
    let sufficient = |t: &Trial| t.value <= from.value + wolfe.c1 * t.step * slope0;
    let flat = |t: &Trial| t.slope.abs() <= -wolfe.c2 * slope0;

    let mut previous = Trial {
        step: 0.0,
        value: from.value,
        slope: slope0,
        point: None,
    };
    let mut step = initial_step;
    // Bracketing: grow the step until it overshoots, then zoom into the bracket.
    let (mut low, mut high) = loop {
        let trial = evaluate(step);
        if !trial.value.is_finite()
            || !sufficient(&trial)
            || (previous.step > 0.0 && trial.value >= previous.value)
        {
            break (previous, trial);
        }
        if flat(&trial) {
            return (trial.point, evaluations.get());
        }
        if trial.slope >= 0.0 {
            break (trial, previous);
        }
        if evaluations.get() >= wolfe.max_evaluations {
            return (None, evaluations.get());
        }
        step = 2.0 * trial.step;
        previous = trial;
    };
    // Zoom: `low` satisfies sufficient decrease with the lowest value so far, and the
    // minimiser lies between `low` and `high`.
    while evaluations.get() < wolfe.max_evaluations {
        let width = high.step - low.step;
        if width.abs() <= 1e-16 * low.step.abs().max(1e-300) {
            break;
        }
        let step = cubic_minimiser(&low, &high)
            .filter(|s| {
                let (a, b) = (low.step.min(high.step), low.step.max(high.step));
                let margin = 0.1 * (b - a);
                *s >= a + margin && *s <= b - margin
            })
            .unwrap_or(low.step + 0.5 * width);
        let trial = evaluate(step);
        if !trial.value.is_finite() || !sufficient(&trial) || trial.value >= low.value {
            high = trial;
        } else {
            if flat(&trial) {
                return (trial.point, evaluations.get());
            }
            if trial.slope * (high.step - low.step) >= 0.0 {
                high = low;
            }
            low = trial;
        }
    }
    // Out of budget: the best sufficient-decrease point, if it moved at all.
    (
        low.point.filter(|p| p.value < from.value),
        evaluations.get(),
    )
}

/// The minimiser of the cubic through two trials' values and slopes, if it exists.
fn cubic_minimiser(a: &Trial, b: &Trial) -> Option<f64> {
    let d1 = a.slope + b.slope - 3.0 * (a.value - b.value) / (a.step - b.step);
    let discriminant = d1 * d1 - a.slope * b.slope;
    // (NaN fails too)
    if discriminant.is_nan() || discriminant < 0.0 {
        return None;
    }
    let d2 = (b.step - a.step).signum() * discriminant.sqrt();
    let step = b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2.0 * d2);
    step.is_finite().then_some(step)
}

/// `sum_i a_i b_i`.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f(x) = sum_i (i + 1) x_i^2 / 2 + x_0^4`.
    struct Bowl;
    impl Differentiable for Bowl {
        fn dim(&self) -> usize {
            3
        }
        fn value_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
            let mut f = x[0].powi(4);
            for (i, (g, &v)) in grad.iter_mut().zip(x).enumerate() {
                *g = (i + 1) as f64 * v;
                f += 0.5 * (i + 1) as f64 * v * v;
            }
            grad[0] += 4.0 * x[0].powi(3);
            f
        }
    }

    #[test]
    fn accepted_steps_satisfy_the_strong_wolfe_conditions() {
        let wolfe = Wolfe::default();
        for initial_step in [1e-3, 0.1, 1.0, 10.0, 1e3] {
            let from = Point::at(&mut Bowl, vec![1.0, -2.0, 0.5]);
            let direction: Vec<f64> = from.grad.iter().map(|g| -g).collect();
            let slope0 = dot(&from.grad, &direction);
            let (point, evaluations) =
                strong_wolfe(&mut Bowl, &from, &direction, initial_step, wolfe);
            let point = point.expect("a step is found");
            let step = (point.x[1] - from.x[1]) / direction[1];
            assert!(
                point.value <= from.value + wolfe.c1 * step * slope0,
                "step {initial_step}"
            );
            assert!(
                dot(&point.grad, &direction).abs() <= -wolfe.c2 * slope0,
                "step {initial_step}"
            );
            assert!(evaluations <= wolfe.max_evaluations);
        }
    }
}
