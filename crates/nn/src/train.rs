//! The training loop shared by the models: minibatches, a schedule, an optimizer,
//! L2 regularisation, per-epoch evaluation, early stopping and a progress hook.
//!
//! One step is: clear the tape, record the parameters and one batch, record the loss,
//! sweep backward, and let the optimizer move the parameters at the schedule's rate.
//! The tape, the gradient store and the batch buffers are reused, so a step allocates
//! only the GEMM crate's packing buffers.

use crate::functions::l2_penalty;
use crate::linear::{Init, Linear};
use crate::optim::OptimizerConfig;
use crate::sampling::{BatchSampler, Sampling};
use crate::schedule::Schedule;
use data::display::float;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::ControlFlow;
use tape::{Float, Grads, Tape, Tensor, Var};

mod early_stopping;
use early_stopping::EarlyStopper;
pub use early_stopping::EarlyStopping;

/// How to train a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Passes over the training data.
    pub epochs: usize,
    /// Full batch, single-example SGD, or shuffled minibatches.
    pub sampling: Sampling,
    /// Learning rate as a function of the step.
    pub schedule: Schedule,
    /// The update rule.
    pub optimizer: OptimizerConfig,
    /// L2 penalty `lambda/2 ||W||^2` on the weights (not the bias).
    pub l2: f64,
    /// Optional early stopping on the validation loss.
    pub early_stopping: Option<EarlyStopping>,
    /// Standardise features with statistics of the training data (stored in the model).
    pub standardize: bool,
    /// Weight initialisation.
    pub init: Init,
    /// Seed of initialisation and sampling: equal seeds give equal models.
    pub seed: u64,
    /// Stop with [`TrainError::RanAway`] when, after an epoch, the training loss is more
    /// than this many times that of a model that knows nothing (`ln k` for cross-entropy):
    /// the weights have run away though the loss stayed finite. `None` (the default) lets
    /// such a run finish, to be looked at; the command line uses [`RUNAWAY_FACTOR`].
    #[serde(default)]
    pub runaway_factor: Option<f64>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 50,
            sampling: Sampling::Minibatch { batch_size: 32 },
            schedule: Schedule::Constant { rate: 0.1 },
            optimizer: OptimizerConfig::sgd(),
            l2: 0.0,
            early_stopping: None,
            standardize: true,
            init: Init::Zeros,
            seed: 0,
            runaway_factor: None,
        }
    }
}

/// What one epoch achieved, measured on the whole training and validation sets after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Mean data loss on the training set (without the L2 term).
    pub train_loss: f64,
    /// Accuracy (classification) or RMSE (regression) on the training set.
    pub train_metric: f64,
    /// Mean loss on the validation set, if there is one.
    pub validation_loss: Option<f64>,
    /// Accuracy or RMSE on the validation set.
    pub validation_metric: Option<f64>,
    /// Learning rate of the epoch's last step.
    pub learning_rate: f64,
    /// Optimizer steps taken so far.
    pub steps: usize,
}

/// The per-epoch record of a training run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One report per completed epoch.
    pub epochs: Vec<EpochReport>,
    /// The epoch whose parameters the model holds (the best one under early stopping).
    pub best_epoch: Option<usize>,
    /// True if early stopping or the progress hook ended training before `epochs`.
    pub stopped_early: bool,
}

impl History {
    /// The last epoch's report.
    pub fn last(&self) -> Option<&EpochReport> {
        self.epochs.last()
    }
}

/// An event of a training run, passed to the progress hook.
#[derive(Clone, Copy, Debug)]
pub enum Progress<'a> {
    /// An optimizer step finished.
    Step {
        /// Epoch number, from 1.
        epoch: usize,
        /// Step within the epoch, from 1.
        step: usize,
        /// Steps in this epoch.
        steps_per_epoch: usize,
        /// The batch's loss (with the L2 term) before the update.
        loss: f64,
    },
    /// An epoch finished and was evaluated.
    Epoch(&'a EpochReport),
}

/// Why training failed.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// The loss became NaN or infinite.
    Diverged {
        /// Epoch number, from 1.
        epoch: usize,
        /// Step within the epoch, from 1.
        step: usize,
        /// The offending loss.
        loss: f64,
        /// The learning rate at that step.
        learning_rate: f64,
    },
    /// The loss stayed finite but ran away: after an epoch the training loss is more than
    /// [`TrainConfig::runaway_factor`] times that of an uninformed model (for
    /// cross-entropy, `ln k`: every class equally likely). Cross-entropy's max shift keeps
    /// it finite for any logits, so a too-large learning rate shows as this, not as NaN.
    RanAway {
        /// Epoch number, from 1.
        epoch: usize,
        /// The training loss after that epoch.
        loss: f64,
        /// The loss of an uninformed model.
        baseline: f64,
        /// The factor it exceeded.
        factor: f64,
        /// The learning rate of the epoch's last step.
        learning_rate: f64,
    },
    /// The data or the configuration cannot be trained on.
    Invalid(String),
}

/// A [`TrainConfig::runaway_factor`] for runs that should stop when they diverge: a model
/// whose cross-entropy is 100 times `ln k` gives the true class, on average, a probability
/// below `k^-100`: its weights have run away.
pub const RUNAWAY_FACTOR: f64 = 100.0;

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Diverged {
                epoch,
                step,
                loss,
                learning_rate,
            } => write!(
                f,
                "training diverged: the loss is {} at epoch {epoch}, step {step} \
                 (learning rate {}); try a smaller learning rate",
                float(*loss),
                float(*learning_rate)
            ),
            TrainError::RanAway {
                epoch,
                loss,
                baseline,
                factor,
                learning_rate,
            } => write!(
                f,
                "training diverged: after epoch {epoch} the training loss is {loss:.4e}, more \
                 than {} times the {baseline:.4} of a model that knows nothing \
                 (learning rate {}); try a smaller learning rate",
                float(*factor),
                float(*learning_rate)
            ),
            TrainError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for TrainError {}

/// Examples as a row-major feature matrix `[n, d]` (`n` the number of targets) and one
/// target per row. The features are borrowed: training reads its batches from them in
/// place.
pub(crate) struct Examples<'a, T: Float, Y> {
    pub x: &'a [T],
    pub d: usize,
    pub y: &'a [Y],
}

/// A model's loss and metric, over the outputs of its linear layer.
pub(crate) trait Objective<T: Float> {
    /// A label (`usize`) or a real target (`T`).
    type Target: Copy;
    /// The mean data loss of a batch, recorded on the tape.
    fn loss<'t>(&self, outputs: Var<'t, T>, targets: &[Self::Target]) -> Var<'t, T>;
    /// Accuracy or RMSE of outputs against targets.
    fn metric(&self, outputs: &Tensor<T>, targets: &[Self::Target]) -> f64;
    /// The loss of a model with `outputs` outputs that knows nothing, if the objective has
    /// such a scale (`ln k` for cross-entropy): see [`TrainError::RanAway`].
    fn baseline_loss(&self, _outputs: usize) -> Option<f64> {
        None
    }
}

/// Mean loss and metric of the layer on a whole data set.
pub(crate) fn evaluate<T: Float, O: Objective<T>>(
    linear: &Linear<T>,
    objective: &O,
    data: &Examples<'_, T, O::Target>,
) -> (f64, f64) {
    let outputs = linear.apply_rows(data.x);
    let tape = Tape::new();
    let loss = objective
        .loss(
            tape.constant_borrowed(outputs.data(), outputs.shape()),
            data.y,
        )
        .item()
        .to_f64();
    (loss, objective.metric(&outputs, data.y))
}

/// Trains `linear` on `train` under `config`, evaluating on `validation` after every epoch.
pub(crate) fn fit<T: Float, O: Objective<T>>(
    linear: &mut Linear<T>,
    objective: &O,
    train: &Examples<'_, T, O::Target>,
    validation: Option<&Examples<'_, T, O::Target>>,
    config: &TrainConfig,
    progress: &mut dyn FnMut(Progress<'_>) -> ControlFlow<()>,
) -> Result<History, TrainError> {
    let (n, d) = (train.y.len(), train.d);
    if n == 0 {
        return Err(TrainError::Invalid(
            "cannot train on an empty data set".into(),
        ));
    }
    if let Sampling::Minibatch { batch_size: 0 } = config.sampling {
        return Err(TrainError::Invalid(
            "the batch size must be at least 1".into(),
        ));
    }
    config.schedule.validate().map_err(TrainError::Invalid)?;
    if config.early_stopping.is_some() && validation.is_none() {
        return Err(TrainError::Invalid(
            "early stopping needs validation data".into(),
        ));
    }

    let mut optimizer = config.optimizer.build::<T>();
    let mut sampler = BatchSampler::new(config.sampling, n, config.seed);
    let mut tape = Tape::<T>::new();
    let mut grads = Grads::new();
    let mut batch_y = Vec::new();
    let l2 = T::from_f64(config.l2);
    let mut history = History::default();
    let mut early_stopping = config.early_stopping.map(EarlyStopper::new);
    let mut step = 0;

    'epochs: for epoch in 1..=config.epochs {
        let batches = sampler.next_epoch();
        let steps_per_epoch = batches.len();
        let mut learning_rate = config.schedule.rate(step);
        for (i, batch) in batches.enumerate() {
            batch_y.clear();
            batch_y.extend(batch.iter().map(|&row| train.y[row]));
            learning_rate = config.schedule.rate(step);

            tape.clear();
            let params = linear.on_tape(&tape);
            let x = tape.constant_rows(train.x, d, batch);
            let mut loss = objective.loss(params.forward(x), &batch_y);
            if config.l2 > 0.0 {
                loss += l2_penalty(params.weight, l2);
            }
            let loss_value = loss.item().to_f64();
            if !loss_value.is_finite() {
                return Err(TrainError::Diverged {
                    epoch,
                    step: i + 1,
                    loss: loss_value,
                    learning_rate,
                });
            }
            tape.backward_into(loss, &mut grads);
            let (dw, db) = (grads.wrt(params.weight), grads.wrt(params.bias));
            optimizer.step(
                &mut linear.params_mut(),
                &[dw, db],
                T::from_f64(learning_rate),
            );
            step += 1;
            let event = Progress::Step {
                epoch,
                step: i + 1,
                steps_per_epoch,
                loss: loss_value,
            };
            if progress(event).is_break() {
                history.stopped_early = true;
                break 'epochs;
            }
        }

        let (train_loss, train_metric) = evaluate(linear, objective, train);
        let (validation_loss, validation_metric) =
            match validation.map(|v| evaluate(linear, objective, v)) {
                Some((loss, metric)) => (Some(loss), Some(metric)),
                None => (None, None),
            };
        if !train_loss.is_finite() {
            return Err(TrainError::Diverged {
                epoch,
                step: steps_per_epoch,
                loss: train_loss,
                learning_rate,
            });
        }
        let baseline = objective.baseline_loss(linear.outputs());
        if let (Some(factor), Some(baseline)) = (config.runaway_factor, baseline) {
            if train_loss > factor * baseline {
                return Err(TrainError::RanAway {
                    epoch,
                    loss: train_loss,
                    baseline,
                    factor,
                    learning_rate,
                });
            }
        }
        let report = EpochReport {
            epoch,
            train_loss,
            train_metric,
            validation_loss,
            validation_metric,
            learning_rate,
            steps: step,
        };
        history.epochs.push(report.clone());
        history.best_epoch = Some(epoch);
        let stop_requested = progress(Progress::Epoch(&report)).is_break();

        if let (Some(stopper), Some(loss)) = (early_stopping.as_mut(), validation_loss) {
            if stopper.observe(epoch, loss, linear).is_break() {
                history.stopped_early = true;
                break;
            }
        }
        if stop_requested {
            history.stopped_early = true;
            break;
        }
    }

    if let Some((best_epoch, best_linear)) = early_stopping.and_then(EarlyStopper::into_best) {
        *linear = best_linear;
        history.best_epoch = Some(best_epoch);
    }
    Ok(history)
}
