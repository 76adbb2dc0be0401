//! # nn: softmax regression built from tape primitives
//!
//! Everything differentiable here is a composition of [`tape`] ops: there is no
//! hand-written gradient on the path from data to loss. The tape differentiates
//! [`functions::cross_entropy`] and arrives at the closed form `(softmax(o) - y) / n`,
//! which the property tests check element by element.
//!
//! - [`linear`]: the affine map `o = W x + b` and its initialisers
//! - [`functions`]: log-sum-exp, (log-)softmax, cross-entropy, squared loss, L2 penalty
//! - [`optim`]: SGD (momentum, Nesterov, weight decay), AdaGrad, RMSProp, Adam, AdamW
//! - [`schedule`]: learning-rate schedules (constant, piecewise, exponential, step,
//!   inverse time, cosine with warm-up)
//! - [`sampling`]: full batch, single-example SGD, shuffled minibatches
//! - [`train`]: the training loop, its configuration and history
//! - [`solver`]: full-batch L-BFGS and Newton-CG (on the tape's Hessian-vector products)
//! - [`models`]: [`SoftmaxRegression`](models::SoftmaxRegression) and
//!   [`LinearRegression`](models::LinearRegression)
//! - [`metrics`], [`model_file`]: accuracy and friends; versioned JSON model files
//!
//! ```
//! use nn::{models::SoftmaxRegression, train::TrainConfig};
//! let wine = data::bundled::wine();
//! let (train, test) = data::train_test_split_stratified(&wine, 0.25, 7);
//! let mut model = SoftmaxRegression::<f32>::for_dataset(&train);
//! model.fit(&train, None, &TrainConfig { epochs: 20, ..TrainConfig::default() }).unwrap();
//! assert!(model.score(&test).unwrap() > 0.9);
//! ```

#![warn(missing_docs)]

pub mod functions;
pub mod linear;
pub mod metrics;
pub mod model_file;
pub mod models;
pub mod optim;
pub mod sampling;
pub mod schedule;
pub mod solver;
pub mod train;

/// The README's code blocks, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
