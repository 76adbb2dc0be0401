//! Full-batch solvers for smooth objectives: [`lbfgs`] and [`newton_cg`].
//!
//! Both minimise a [`Differentiable`] function of a flat parameter vector by line
//! searches along descent directions; they differ in how they pick the direction:
//!
//! - **L-BFGS** (scikit-learn's default solver) builds a model of the inverse Hessian
//!   from the last few steps `s` and gradient changes `y` (the two-loop recursion), using
//!   gradients only.
//! - **Newton-CG** solves the Newton system `H p = -g` by conjugate gradients, each CG
//!   iteration asking the tape for one Hessian-vector product `H d`
//!   ([`tape::hvp`](tape::hvp())): the Hessian is never formed. The system is solved
//!   only as accurately as the gradient is small (a truncated Newton method), so early
//!   steps are cheap and late ones are nearly exact, and convergence is quadratic near
//!   the minimum.
//!
//! Steps are accepted by a line search that satisfies the strong Wolfe conditions. A run
//! stops when the largest gradient component is at most the gradient tolerance, when a
//! step no longer decreases the objective measurably, or at the iteration cap; its
//! [`SolveReport`] keeps the objective after every iteration with the time taken.
//!
//! These are solvers, not [`Optimizer`](crate::optim::Optimizer)s: they need the full
//! batch (a line search compares exact objective values), and the models run them
//! through [`SoftmaxRegression::solve`](crate::models::SoftmaxRegression::solve) and
//! [`LinearRegression::solve`](crate::models::LinearRegression::solve).

mod lbfgs;
mod line_search;
mod newton_cg;
mod objective;
mod problem;

pub use lbfgs::{lbfgs, LbfgsOptions, PAIRS_BUDGET};
pub use newton_cg::{newton_cg, NewtonCgOptions};
pub use objective::{LinearObjective, LinearProblem};
pub use problem::{Differentiable, TapeProblem, TwiceDifferentiable};

use line_search::{dot, strong_wolfe, Point, Wolfe};
use std::fmt;
use std::time::Instant;

/// Why a solver stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The largest gradient component fell to the gradient tolerance.
    GradientTolerance,
    /// A step decreased the objective by less than the value tolerance (relative).
    NoProgress,
    /// No step along the direction (nor along the negative gradient) decreased the
    /// objective: the limit of floating-point precision.
    LineSearchFailed,
    /// The iteration cap was reached first.
    MaxIterations,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::GradientTolerance => "gradient tolerance reached",
            Stop::NoProgress => "no further decrease",
            Stop::LineSearchFailed => "line search found no decrease",
            Stop::MaxIterations => "iteration cap reached",
        })
    }
}

/// The state after one iteration (iteration 0 is the starting point).
#[derive(Clone, Debug, PartialEq)]
pub struct IterationRecord {
    /// Iteration number.
    pub iteration: usize,
    /// The objective.
    pub value: f64,
    /// The largest gradient component, `max_i |g_i|`.
    pub gradient_max: f64,
    /// Objective-and-gradient evaluations so far.
    pub evaluations: usize,
    /// Hessian-vector products so far.
    pub hvps: usize,
    /// Seconds since the solver started.
    pub seconds: f64,
}

/// The outcome of a solver run.
#[derive(Clone, Debug, PartialEq)]
pub struct SolveReport {
    /// The parameters found.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// The largest gradient component there.
    pub gradient_max: f64,
    /// Iterations taken.
    pub iterations: usize,
    /// Objective-and-gradient evaluations (line searches included).
    pub evaluations: usize,
    /// Hessian-vector products (Newton-CG only).
    pub hvps: usize,
    /// Why it stopped.
    pub stop: Stop,
    /// One record per iteration, from the starting point on.
    pub history: Vec<IterationRecord>,
}

impl SolveReport {
    /// Seconds the whole run took.
    pub fn seconds(&self) -> f64 {
        self.history.last().map_or(0.0, |r| r.seconds)
    }
}

/// Why a solver could not run.
#[derive(Clone, Debug, PartialEq)]
pub enum SolveError {
    /// The starting point has the wrong number of parameters.
    Dimension {
        /// What the problem has.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// The objective or its gradient is NaN or infinite at the starting point.
    NonFinite {
        /// The objective there.
        value: f64,
    },
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolveError::Dimension { expected, got } => write!(
                f,
                "the starting point has {got} parameters, the problem {expected}"
            ),
            SolveError::NonFinite { value } => write!(
                f,
                "the objective ({}) or its gradient is not finite at the starting point",
                data::display::float(*value)
            ),
        }
    }
}

impl std::error::Error for SolveError {}

/// A solver with its settings, as the models' `solve` methods take it.
///
/// Reads `lbfgs` or `newton-cg` (also `newton_cg`, `newtoncg`), case-insensitive:
///
/// ```
/// use nn::solver::Solver;
/// assert_eq!("newton-cg".parse::<Solver>().unwrap().name(), "newton-cg");
/// assert!("bfgs".parse::<Solver>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Solver {
    /// [`lbfgs`].
    Lbfgs(LbfgsOptions),
    /// [`newton_cg`].
    NewtonCg(NewtonCgOptions),
}

impl Solver {
    /// `lbfgs` or `newton-cg`.
    pub fn name(&self) -> &'static str {
        match self {
            Solver::Lbfgs(_) => "lbfgs",
            Solver::NewtonCg(_) => "newton-cg",
        }
    }

    /// Runs the solver on `problem` from `x0`.
    pub fn minimise<P: TwiceDifferentiable>(
        &self,
        problem: &mut P,
        x0: &[f64],
    ) -> Result<SolveReport, SolveError> {
        match self {
            Solver::Lbfgs(options) => lbfgs(problem, x0, options),
            Solver::NewtonCg(options) => newton_cg(problem, x0, options),
        }
    }

    /// The iteration cap, whichever the solver.
    pub fn max_iterations(&self) -> usize {
        match self {
            Solver::Lbfgs(o) => o.max_iterations,
            Solver::NewtonCg(o) => o.max_iterations,
        }
    }

    /// The same solver with another iteration cap.
    pub fn with_max_iterations(mut self, cap: usize) -> Self {
        match &mut self {
            Solver::Lbfgs(o) => o.max_iterations = cap,
            Solver::NewtonCg(o) => o.max_iterations = cap,
        }
        self
    }
}

impl std::str::FromStr for Solver {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "lbfgs" | "l-bfgs" => Ok(Solver::Lbfgs(LbfgsOptions::default())),
            "newton-cg" | "newton_cg" | "newtoncg" => {
                Ok(Solver::NewtonCg(NewtonCgOptions::default()))
            }
            _ => Err("expected lbfgs or newton-cg".into()),
        }
    }
}

/// How a model is fitted by a solver: the solver, the L2 penalty `l2/2 ||W||^2` (on the
/// weights, not the bias) and whether to standardise features (classification only).
///
/// scikit-learn's `LogisticRegression(C=c)` minimises the same objective with
/// `l2 = 1 / (c n)` for `n` training rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolveConfig {
    /// The solver and its settings.
    pub solver: Solver,
    /// The L2 penalty coefficient `lambda`.
    pub l2: f64,
    /// Standardise features with statistics of the training data (stored in the model).
    pub standardize: bool,
}

impl SolveConfig {
    /// scikit-learn's `LogisticRegression(C=c)` objective for `n` training rows, with
    /// standardised features.
    pub fn logistic_regression(solver: Solver, c: f64, n: usize) -> Self {
        SolveConfig {
            solver,
            l2: 1.0 / (c * n as f64),
            standardize: true,
        }
    }
}

/// When to stop, shared by the solvers.
#[derive(Clone, Copy, Debug)]
struct Stopping {
    max_iterations: usize,
    gradient_tolerance: f64,
    value_tolerance: f64,
}

/// How a solver picks its direction; the line search and the bookkeeping are shared.
trait Method<P> {
    /// A descent direction at `point` and the first step to try along it.
    fn direction(&mut self, problem: &mut P, point: &Point) -> (Vec<f64>, f64);
    /// Learns from an accepted step.
    fn accepted(&mut self, from: &Point, to: &Point);
    /// Forgets what it learnt (after a direction that was not one of descent).
    fn reset(&mut self);
    /// Hessian-vector products asked for so far.
    fn hvps(&self) -> usize;
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// The shared loop: direction, strong Wolfe line search, stopping tests, history.
fn run<P: Differentiable, M: Method<P>>(
    problem: &mut P,
    x0: &[f64],
    method: &mut M,
    stopping: Stopping,
) -> Result<SolveReport, SolveError> {
    if x0.len() != problem.dim() {
        return Err(SolveError::Dimension {
            expected: problem.dim(),
            got: x0.len(),
        });
    }
    let start = Instant::now();
    let mut point = Point::at(problem, x0.to_vec());
    if !point.value.is_finite() || point.grad.iter().any(|g| !g.is_finite()) {
        return Err(SolveError::NonFinite { value: point.value });
    }
    let mut evaluations = 1;
    let record = |iteration, point: &Point, evaluations, hvps| IterationRecord {
        iteration,
        value: point.value,
        gradient_max: max_abs(&point.grad),
        evaluations,
        hvps,
        seconds: start.elapsed().as_secs_f64(),
    };
    let mut history = vec![record(0, &point, evaluations, 0)];
    let mut stop = Stop::MaxIterations;
    for iteration in 1..=stopping.max_iterations {
        if max_abs(&point.grad) <= stopping.gradient_tolerance {
            stop = Stop::GradientTolerance;
            break;
        }
        let (mut direction, mut step) = method.direction(problem, &point);
        let slope = dot(&direction, &point.grad);
        if slope.is_nan() || slope >= 0.0 {
            method.reset();
            (direction, step) = steepest_descent(&point);
        }
        let (mut next, spent) = strong_wolfe(problem, &point, &direction, step, Wolfe::default());
        evaluations += spent;
        if next.is_none() {
            // One more try along the negative gradient, with the memory cleared.
            method.reset();
            (direction, step) = steepest_descent(&point);
            let (retry, spent) = strong_wolfe(problem, &point, &direction, step, Wolfe::default());
            evaluations += spent;
            next = retry;
        }
        let Some(next) = next else {
            stop = Stop::LineSearchFailed;
            break;
        };
        method.accepted(&point, &next);
        let decrease = point.value - next.value;
        let scale = point.value.abs().max(next.value.abs()).max(1.0);
        point = next;
        history.push(record(iteration, &point, evaluations, method.hvps()));
        if decrease <= stopping.value_tolerance * scale {
            stop = Stop::NoProgress;
            break;
        }
    }
    if stop == Stop::MaxIterations && max_abs(&point.grad) <= stopping.gradient_tolerance {
        stop = Stop::GradientTolerance;
    }
    Ok(SolveReport {
        gradient_max: max_abs(&point.grad),
        value: point.value,
        x: point.x,
        iterations: history.len() - 1,
        evaluations,
        hvps: method.hvps(),
        stop,
        history,
    })
}

/// `-g`, with a first step of length 1 at most.
fn steepest_descent(point: &Point) -> (Vec<f64>, f64) {
    let norm = dot(&point.grad, &point.grad).sqrt();
    let direction = point.grad.iter().map(|g| -g).collect();
    (direction, (1.0 / norm).min(1.0))
}
