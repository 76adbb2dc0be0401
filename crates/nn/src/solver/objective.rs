//! The models' objectives for the solvers, written once over [`Float`]:
//! `L(W, b) = (1/n) sum_i loss(W x_i + b, y_i) + lambda/2 ||W||^2`, with the softmax
//! cross-entropy (classification) or half the squared error (regression) as the loss.
//!
//! [`LinearObjective`] is a [`ScalarFunction`] of `(W, b)`, so the tape gives its
//! gradient on `f64` and its Hessian-vector products on dual numbers.
//! [`LinearProblem`] lays `(W, b)` end to end for the solvers and evaluates the gradient
//! in row blocks spread over the cores: each block's rows are read once from memory and
//! stay in cache for the block's forward and backward products.

use super::problem::{Differentiable, TwiceDifferentiable};
use crate::functions::{cross_entropy, l2_penalty, squared_loss};
use std::any::Any;
use std::ops::Range;
use std::sync::Mutex;
use tape::{Dual, Float, Grads, ScalarFunction, Tape, Tensor, Var};

/// What the rows are fitted to.
#[derive(Clone, Copy, Debug)]
enum Targets<'a, S: Float> {
    /// Class labels, for the softmax cross-entropy over `classes` outputs.
    Labels { labels: &'a [usize], classes: usize },
    /// Real targets, for half the squared error of one output.
    Values(&'a [S]),
}

/// `(1/n) sum_i loss(W x_i + b, y_i) + lambda/2 ||W||^2` for rows `x_i` of a feature
/// matrix stored in any element type `S` (put on each tape with
/// [`Tape::constant_cast`]). The bias is not penalised, as in scikit-learn.
///
/// ```
/// use nn::solver::LinearObjective;
/// use tape::{hvp, Tensor};
/// let x = Tensor::from_vec(vec![1.0f32, 2.0, -1.0, 0.5], &[2, 2]);
/// let objective = LinearObjective::softmax(&x, &[0, 1], 2, 0.1);
/// let (w, b) = (Tensor::<f64>::zeros(&[2, 2]), Tensor::zeros(&[2]));
/// let out = hvp(&objective, &[w.clone(), b.clone()], &[Tensor::ones(&[2, 2]), b]);
/// assert!((out.value - 2f64.ln()).abs() < 1e-15); // uniform probabilities at zero
/// // moving every weight equally changes no probability: only the penalty curves
/// assert!(out.hvp[0].data().iter().all(|h| (h - 0.1).abs() < 1e-15));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LinearObjective<'a, S: Float> {
    x: &'a Tensor<S>,
    targets: Targets<'a, S>,
    l2: f64,
}

impl<'a, S: Float> LinearObjective<'a, S> {
    /// Softmax regression: mean cross-entropy of `X W^T + b` against `labels`, `W` of
    /// shape `[classes, d]`, plus `l2/2 ||W||^2`. scikit-learn's `LogisticRegression(C)`
    /// is `l2 = 1 / (C n)`.
    ///
    /// # Panics
    /// If `x` is not `[n, d]` with one label per row, or a label is not below `classes`.
    pub fn softmax(x: &'a Tensor<S>, labels: &'a [usize], classes: usize, l2: f64) -> Self {
        assert!(
            x.ndim() == 2 && x.shape()[0] == labels.len(),
            "softmax objective: features {:?} and {} labels",
            x.shape(),
            labels.len()
        );
        assert!(
            labels.iter().all(|&y| y < classes),
            "softmax objective: a label is not below {classes}"
        );
        let targets = Targets::Labels { labels, classes };
        LinearObjective { x, targets, l2 }
    }

    /// Least squares: half the mean squared error of `X w^T + b` (`w` of shape `[1, d]`)
    /// against `y`, plus `l2/2 ||w||^2`.
    ///
    /// # Panics
    /// If `x` is not `[n, d]` with one target per row.
    pub fn least_squares(x: &'a Tensor<S>, y: &'a [S], l2: f64) -> Self {
        assert!(
            x.ndim() == 2 && x.shape()[0] == y.len(),
            "least squares objective: features {:?} and {} targets",
            x.shape(),
            y.len()
        );
        LinearObjective {
            x,
            targets: Targets::Values(y),
            l2,
        }
    }

    /// Number of rows `n`.
    pub fn rows(&self) -> usize {
        self.x.shape()[0]
    }

    /// The shapes of `W` (`[k, d]`) and `b` (`[k]`).
    pub fn parameter_shapes(&self) -> ([usize; 2], [usize; 1]) {
        let k = match self.targets {
            Targets::Labels { classes, .. } => classes,
            Targets::Values(_) => 1,
        };
        ([k, self.x.shape()[1]], [k])
    }

    /// The data term of rows `rows`, whose features `x` are on the tape, divided by the
    /// total number of rows `n`, so that the blocks of a partition add up to the mean loss.
    fn data_term<'t, T: Float>(
        &self,
        tape: &'t Tape<T>,
        (w, b): (Var<'t, T>, Var<'t, T>),
        x: Var<'t, T>,
        rows: Range<usize>,
    ) -> Var<'t, T> {
        let block = rows.len();
        let outputs = x.matmul_transposed(w) + b;
        let mean = match self.targets {
            Targets::Labels { labels, .. } => cross_entropy(outputs, &labels[rows]),
            Targets::Values(y) => {
                let y = tape.constant_cast(&y[rows], &[block]);
                squared_loss(outputs.reshape(&[block]), y)
            }
        };
        mean * T::from_f64(block as f64 / self.rows() as f64)
    }

    /// The objective over `blocks` of rows (the first one also carrying the penalty) at
    /// the parameters `(W, b)` laid end to end as the tape's elements, on the workspace's
    /// tape reused block after block: its share of the value, and of the part `read` of
    /// the gradient (on an `f64` tape, the gradient; on a dual tape whose parameters move
    /// along a direction, the Hessian-vector product).
    fn blocks_evaluate<T: Float<Real = f64>>(
        &self,
        parameters: &[T],
        blocks: &[Range<usize>],
        penalty: bool,
        read: fn(T) -> f64,
        workspace: &mut BlockWorkspace<T>,
    ) {
        let BlockWorkspace {
            tape,
            grads,
            features,
            out,
            value,
        } = workspace;
        let ([k, d], b_dims) = self.parameter_shapes();
        out.clear();
        out.resize(parameters.len(), 0.0);
        *value = 0.0;
        for (i, rows) in blocks.iter().enumerate() {
            tape.clear();
            let wv = tape.var_from_slice(&parameters[..k * d], &[k, d]);
            let bv = tape.var_from_slice(&parameters[k * d..], &b_dims);
            // The block's features are borrowed by the tape as reals, not copied into it
            // (nor, on a dual tape, turned into duals): data already in `f64` is read
            // where it is, other data is converted into a buffer reused from block to
            // block, and the tape's buffers stay the size of the block's small nodes.
            let block: &[f64] = match (self.x as &dyn Any).downcast_ref::<Tensor<f64>>() {
                Some(x) => rows_of(x, rows),
                None => {
                    features.clear();
                    features.extend(rows_of(self.x, rows).iter().map(|v| v.to_f64()));
                    features
                }
            };
            let x = tape.constant_borrowed_real(block, &[rows.len(), d]);
            let mut loss = self.data_term(tape, (wv, bv), x, rows.clone());
            if penalty && i == 0 {
                loss = self.penalty(loss, wv);
            }
            tape.backward_into(loss, grads);
            *value += loss.item().to_f64();
            let (gw, gb) = (grads.wrt(wv), grads.wrt(bv));
            out.iter_mut()
                .zip(gw.iter().chain(gb))
                .for_each(|(o, &g)| *o += read(g));
        }
    }

    fn penalty<'t, T: Float>(&self, loss: Var<'t, T>, w: Var<'t, T>) -> Var<'t, T> {
        if self.l2 > 0.0 {
            loss + l2_penalty(w, T::from_f64(self.l2))
        } else {
            loss
        }
    }
}

/// Inputs `[W, b]`.
impl<S: Float> ScalarFunction for LinearObjective<'_, S> {
    fn eval<'t, T: Float>(&self, tape: &'t Tape<T>, inputs: &[Var<'t, T>]) -> Var<'t, T> {
        let (w, b) = (inputs[0], inputs[1]);
        let rows = 0..self.rows();
        let x = tape.constant_cast(rows_of(self.x, &rows), &[rows.len(), self.x.shape()[1]]);
        self.penalty(self.data_term(tape, (w, b), x, rows), w)
    }
}

/// Rows per block of a gradient evaluation: a block of 784 `f64` features is 3 MiB, and
/// stays in cache between the forward and the backward product.
const BLOCK_ROWS: usize = 512;

/// The rows `rows` of the matrix `x`, row-major.
fn rows_of<'x, T: Float>(x: &'x Tensor<T>, rows: &Range<usize>) -> &'x [T] {
    let d = x.shape()[1];
    &x.data()[rows.start * d..rows.end * d]
}

/// Below this many feature values, one part on one core (threads would cost more).
const PARALLEL_FROM: usize = 1 << 18;

/// What one part of an evaluation reuses from one evaluation to the next: its tape
/// (whose buffers would otherwise be allocated, and their pages zeroed by the kernel, at
/// every evaluation), its gradients, and its share of the sum. `T` is `f64` for
/// gradients and `Dual<f64>` for Hessian-vector products.
#[derive(Default)]
struct BlockWorkspace<T: Float> {
    tape: Tape<T>,
    grads: Grads<T>,
    /// The current block's features converted to `f64` (unless they are `f64` already).
    features: Vec<f64>,
    /// This part's share of the gradient (or of the Hessian-vector product), laid out as
    /// `(W, b)`.
    out: Vec<f64>,
    /// This part's share of the value.
    value: f64,
}

/// A [`LinearObjective`] as a function of `(W, b)` laid end to end (`W` row-major
/// first): the form the solvers take.
pub struct LinearProblem<'a, S: Float> {
    objective: LinearObjective<'a, S>,
    /// The blocks of rows an evaluation goes through: one for small data, else blocks
    /// that stay in cache.
    blocks: Vec<Range<usize>>,
    /// One workspace per part of a gradient evaluation (a part per thread).
    workspaces: Vec<Mutex<BlockWorkspace<f64>>>,
    /// The same for Hessian-vector products, on dual tapes.
    hvp_workspaces: Vec<Mutex<BlockWorkspace<Dual<f64>>>>,
    /// The parameters moving along the direction of a Hessian-vector product.
    seeded: Vec<Dual<f64>>,
}

impl<'a, S: Float> LinearProblem<'a, S> {
    /// The objective as a problem for [`lbfgs`](super::lbfgs) and
    /// [`newton_cg`](super::newton_cg).
    pub fn new(objective: LinearObjective<'a, S>) -> Self {
        let n = objective.rows();
        let (blocks, parts) = if objective.x.len() < PARALLEL_FROM {
            (std::iter::once(0..n).collect(), 1)
        } else {
            let blocks = (0..n)
                .step_by(BLOCK_ROWS)
                .map(|start| start..(start + BLOCK_ROWS).min(n))
                .collect();
            (blocks, tape::parallel::threads())
        };
        LinearProblem {
            objective,
            blocks,
            workspaces: (0..parts).map(|_| Mutex::default()).collect(),
            hvp_workspaces: (0..parts).map(|_| Mutex::default()).collect(),
            seeded: Vec::new(),
        }
    }

    /// `(W, b)` as tensors from the flat vector.
    pub fn unflatten(&self, x: &[f64]) -> (Tensor<f64>, Tensor<f64>) {
        let (w_dims, b_dims) = self.objective.parameter_shapes();
        let split = w_dims[0] * w_dims[1];
        let w = Tensor::from_vec(x[..split].to_vec(), &w_dims);
        let b = Tensor::from_vec(x[split..].to_vec(), &b_dims);
        (w, b)
    }
}

/// The objective and the part `read` of its gradient at `parameters` (`(W, b)` laid
/// end to end as the tapes' elements), into `out`: the blocks in runs, one run per
/// workspace, on the tape's threads. The runs are added in order, so the sum is the same
/// whichever thread ran a run.
fn evaluate<S: Float, T: Float<Real = f64>>(
    objective: &LinearObjective<'_, S>,
    blocks: &[Range<usize>],
    parameters: &[T],
    workspaces: &mut [Mutex<BlockWorkspace<T>>],
    read: fn(T) -> f64,
    out: &mut [f64],
) -> f64 {
    let per_part = blocks.len().div_ceil(workspaces.len());
    let shared = &*workspaces;
    tape::parallel::for_each_part(shared.len(), &|part| {
        let run = blocks.chunks(per_part).nth(part).unwrap_or(&[]);
        let mut workspace = shared[part].lock().unwrap_or_else(|e| e.into_inner());
        objective.blocks_evaluate(parameters, run, part == 0, read, &mut workspace);
    });
    out.iter_mut().for_each(|o| *o = 0.0);
    let mut value = 0.0;
    for workspace in workspaces {
        // A panicking part was re-raised by `for_each_part`: none is poisoned here.
        let workspace = workspace.get_mut().unwrap_or_else(|e| e.into_inner());
        value += workspace.value;
        out.iter_mut()
            .zip(&workspace.out)
            .for_each(|(o, p)| *o += p);
    }
    value
}

impl<S: Float> Differentiable for LinearProblem<'_, S> {
    fn dim(&self) -> usize {
        let (w, b) = self.objective.parameter_shapes();
        w[0] * w[1] + b[0]
    }

    fn value_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> f64 {
        let workspaces = &mut self.workspaces;
        evaluate(&self.objective, &self.blocks, x, workspaces, |g| g, grad)
    }
}

impl<S: Float> TwiceDifferentiable for LinearProblem<'_, S> {
    /// Forward-over-reverse, block by block as the gradient: the parameters move along
    /// `v` (their tangents), and the tangents of their adjoints are `H v`.
    fn hvp(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        self.seeded.clear();
        self.seeded
            .extend(x.iter().zip(v).map(|(&x, &v)| Dual::new(x, v)));
        let workspaces = &mut self.hvp_workspaces;
        let tangent = |d: Dual<f64>| d.tangent;
        evaluate(
            &self.objective,
            &self.blocks,
            &self.seeded,
            workspaces,
            tangent,
            hv,
        );
    }
}
