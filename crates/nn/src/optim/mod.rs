//! Optimizers: how a gradient becomes a parameter update.
//!
//! Every optimizer implements [`Optimizer::step`]: given the parameter tensors, their
//! gradients and a learning rate `eta` (from a [`Schedule`](crate::schedule::Schedule)),
//! it updates every parameter in place. The rules follow PyTorch's `torch.optim`
//! definitions exactly (with dampening 0 for SGD), so numbers can be compared with it:
//!
//! | optimizer   | per-parameter state                                   |
//! |-------------|-------------------------------------------------------|
//! | [`Sgd`]     | momentum buffer `b` (only with momentum)              |
//! | [`AdaGrad`] | running sum of squared gradients `G`                  |
//! | [`RmsProp`] | running mean of squared gradients `s`                 |
//! | [`Adam`]    | first moment `m`, second moment `v`, step count `t`   |
//!
//! All arithmetic is elementwise; `g^2`, `sqrt` and `/` act on each element.
//!
//! ## State is created on the first step
//!
//! An optimizer does not know the parameters until it sees them, so its buffers are
//! allocated on the first [`step`](Optimizer::step), sized like the parameters; every
//! later step allocates nothing. The parameter list is then fixed: a later step with a
//! different number of tensors or different sizes is a programming error and panics with
//! a message saying what changed. [`reset`](Optimizer::reset) forgets everything, after
//! which any parameter list is accepted again.
//!
//! ## Why Adam corrects its moments for bias
//!
//! Adam keeps exponential moving averages `m <- beta1 m + (1 - beta1) g` and
//! `v <- beta2 v + (1 - beta2) g^2`, started at zero. After `t` steps of a constant
//! gradient `g`, `m = (1 - beta1^t) g`: the average is pulled towards its zero start, by
//! a factor that is far from 1 early on (`0.1` after one step for `beta1 = 0.9`, and
//! `0.001` for `v` with `beta2 = 0.999`). Dividing by `1 - beta^t` removes exactly this
//! factor, so `m_hat = m / (1 - beta1^t)` and `v_hat = v / (1 - beta2^t)` are unbiased
//! estimates of `E[g]` and `E[g^2]` from the first step on (for a stationary gradient
//! distribution). Without the correction the first step would use
//! `m / sqrt(v) = 0.1 g / (sqrt(0.001) |g|) ~ 3.2 sign(g)`, a step about three times too
//! large, and the distortion would keep changing with `t` until both averages warm up.
//!
//! ## Naming an optimizer
//!
//! Each optimizer's file also holds its hyperparameters as a config type (`SgdConfig`,
//! `AdamConfig`, ...), with the one validation its builders and every other caller use,
//! and the names it can be asked for by. The registry at the end of this file lists them
//! once; from it come [`OptimizerConfig`] (serializable, for the command line and model
//! files), its parser and printer (`adam`, `adam:beta1=0.8,weight_decay=0.01`), the
//! command line's help and the README's list (a test keeps it in step).
//! [`OptimizerConfig::build`] turns a config into a boxed [`Optimizer`].
//!
//! ## Adding an optimizer
//!
//! Write `optim/name.rs` with the optimizer (implementing [`Optimizer`]) and its config
//! type (implementing [`OptimizerKind`]: presets, `validate`, `build`), then register it
//! at the end of this file: `mod`, `pub use`, and one line in `register_optimizers!`.
//! The parser, the printer, JSON and the command line's help then know it; the README's
//! `--optimizer` list gets its name by hand (a test fails until it does).
//!
//! ```
//! use nn::optim::{Adam, Optimizer, OptimizerConfig};
//! use tape::Tensor;
//!
//! let mut w = Tensor::from_vec(vec![1.0_f64, -2.0], &[2]);
//! let mut adam = Adam::new();
//! adam.step(&mut [&mut w], &[&[0.5, -1.0]], 0.1);
//! // The first Adam step moves each weight by about eta against the gradient's sign.
//! assert!((w.data()[0] - 0.9).abs() < 1e-6 && (w.data()[1] + 1.9).abs() < 1e-6);
//!
//! let config: OptimizerConfig = "nesterov".parse().unwrap();
//! let mut optimizer = config.build::<f32>();
//! let mut v = Tensor::from_vec(vec![0.0_f32; 3], &[3]);
//! optimizer.step(&mut [&mut v], &[&[1.0, 1.0, 1.0]], 0.1);
//! ```

mod config;

pub use config::{OptimizerKind, Preset};

use data::display::float;
use tape::{Float, Tensor};

/// Updates parameters from their gradients.
pub trait Optimizer<T: Float> {
    /// One update of every parameter from its gradient, at learning rate `learning_rate`.
    /// `params[i]` and `grads[i]` correspond and have equal lengths.
    ///
    /// # Panics
    /// If `params` and `grads` differ in number or in the lengths of corresponding
    /// entries, or if the number or sizes of the parameters differ from those of the
    /// first step since construction or the last [`reset`](Optimizer::reset).
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T);

    /// Forget all per-parameter state (moments, step count).
    fn reset(&mut self);
}

/// The sizes of the parameters seen on the first step, against which later steps are
/// checked.
#[derive(Clone, Debug, Default)]
struct ParamLayout {
    lengths: Option<Vec<usize>>,
}

impl ParamLayout {
    /// Checks that `params` and `grads` match each other and the first step's layout.
    /// Returns true on the first step (when the caller must allocate its state).
    fn check<T: Float>(
        &mut self,
        optimizer: &str,
        params: &[&mut Tensor<T>],
        grads: &[&[T]],
    ) -> bool {
        assert_eq!(
            params.len(),
            grads.len(),
            "{optimizer}::step: {} parameter tensors but {} gradients",
            params.len(),
            grads.len()
        );
        for (i, (param, grad)) in params.iter().zip(grads).enumerate() {
            assert_eq!(
                param.len(),
                grad.len(),
                "{optimizer}::step: parameter {i} has {} elements but its gradient has {}",
                param.len(),
                grad.len()
            );
        }
        match &self.lengths {
            None => {
                self.lengths = Some(params.iter().map(|p| p.len()).collect());
                true
            }
            Some(lengths) => {
                assert_eq!(
                    lengths.len(),
                    params.len(),
                    "{optimizer}::step: the first step had {} parameter tensors, this one has {} \
                     (call reset() before optimizing different parameters)",
                    lengths.len(),
                    params.len()
                );
                for (i, (&expected, param)) in lengths.iter().zip(params).enumerate() {
                    assert_eq!(
                        expected,
                        param.len(),
                        "{optimizer}::step: parameter {i} had {expected} elements on the first \
                         step, now {} (call reset() before optimizing different parameters)",
                        param.len()
                    );
                }
                false
            }
        }
    }

    fn reset(&mut self) {
        self.lengths = None;
    }
}

/// One zeroed buffer per parameter tensor, sized like it.
fn zeroed_like<T: Float>(params: &[&mut Tensor<T>]) -> Vec<Vec<T>> {
    params.iter().map(|p| vec![T::ZERO; p.len()]).collect()
}

/// Visits every parameter element `w` with its gradient `g` (plus the L2 term
/// `weight_decay * w` when that is non-zero) and its slot in each per-parameter state,
/// so that each optimizer's `step` is only its update rule.
fn for_each_element<T: Float, const S: usize>(
    params: &mut [&mut Tensor<T>],
    grads: &[&[T]],
    weight_decay: T,
    states: [&mut Vec<Vec<T>>; S],
    update: impl FnMut(&mut T, T, [&mut T; S]),
) {
    // The decay's test taken once, outside the loops, so that they vectorise.
    if weight_decay == T::ZERO {
        update_elements(params, grads, states, |_, g| g, update)
    } else {
        update_elements(params, grads, states, |w, g| g + weight_decay * w, update)
    }
}

/// [`for_each_element`] with the gradient `gradient(w, g)`.
#[inline(always)]
fn update_elements<T: Float, const S: usize>(
    params: &mut [&mut Tensor<T>],
    grads: &[&[T]],
    mut states: [&mut Vec<Vec<T>>; S],
    gradient: impl Fn(T, T) -> T,
    mut update: impl FnMut(&mut T, T, [&mut T; S]),
) {
    for (i, (param, grad)) in params.iter_mut().zip(grads).enumerate() {
        let w = param.data_mut();
        let n = w.len().min(grad.len());
        let (w, grad) = (&mut w[..n], &grad[..n]);
        // Every state's slice cut to `n`, so that indexing it by `j < n` needs no check.
        let mut state = states.each_mut().map(|state| &mut state[i][..n]);
        for j in 0..n {
            let g = gradient(w[j], grad[j]);
            update(&mut w[j], g, state.each_mut().map(|state| &mut state[j]));
        }
    }
}

/// The check of a divisor's guard such as Adam's `eps`: with 0, a parameter whose
/// gradient is always 0 (a constant feature) divides 0 by 0.
fn finite_positive(what: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(format!(
            "{what} must be finite and positive, got {}",
            float(value)
        ))
    }
}

/// The check of hyperparameters such as momentum and weight decay.
fn finite_nonnegative(what: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "{what} must be finite and non-negative, got {}",
            float(value)
        ))
    }
}

/// The check of decay rates such as Adam's betas and RMSProp's rho.
fn unit_interval(what: &str, value: f64) -> Result<(), String> {
    if (0.0..1.0).contains(&value) {
        Ok(())
    } else {
        Err(format!("{what} must lie in [0, 1), got {}", float(value)))
    }
}

/// Panics with `optimizer: reason` unless `config` is valid: the builders' one check.
fn validated<C: OptimizerKind>(optimizer: &str, config: C) -> C {
    if let Err(reason) = config.validate() {
        panic!("{optimizer}: {reason}");
    }
    config
}

// ---------------------------------------------------------------------------------------
// The registry: every step-wise optimizer, once. The parser, the printer, the command
// line's help and the README's list follow it.

mod adagrad;
mod adam;
mod rmsprop;
mod sgd;

pub use adagrad::{AdaGrad, AdaGradConfig};
pub use adam::{Adam, AdamConfig, AdamWConfig};
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use sgd::{Sgd, SgdConfig};

config::register_optimizers! {
    /// [`Sgd`]: plain, heavy-ball momentum, or Nesterov, with L2 weight decay.
    Sgd(SgdConfig) = "sgd",
    /// [`AdaGrad`], with L2 weight decay.
    AdaGrad(AdaGradConfig) = "adagrad" | "ada_grad",
    /// [`RmsProp`], with L2 weight decay.
    RmsProp(RmsPropConfig) = "rmsprop" | "rms_prop",
    /// [`Adam`] with L2 weight decay.
    Adam(AdamConfig) = "adam",
    /// [`Adam`] with decoupled weight decay (AdamW).
    AdamW(AdamWConfig) = "adamw" | "adam_w",
}
