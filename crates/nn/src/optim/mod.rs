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
//! [`OptimizerConfig`] is the serializable description used by the command line and by
//! model files; [`OptimizerConfig::build`] turns it into a boxed [`Optimizer`].
//!
//! ```
//! use nn::optim::{Adam, Optimizer, OptimizerConfig};
//! use tape::Tensor;
//!
//! let mut w = Tensor::from_vec(vec![1.0_f64, -2.0], &[2]).unwrap();
//! let mut adam = Adam::new();
//! adam.step(&mut [&mut w], &[&[0.5, -1.0]], 0.1);
//! // The first Adam step moves each weight by about eta against the gradient's sign.
//! assert!((w.data()[0] - 0.9).abs() < 1e-6 && (w.data()[1] + 1.9).abs() < 1e-6);
//!
//! let config: OptimizerConfig = "nesterov".parse().unwrap();
//! let mut optimizer = config.build::<f32>();
//! let mut v = Tensor::from_vec(vec![0.0_f32; 3], &[3]).unwrap();
//! optimizer.step(&mut [&mut v], &[&[1.0, 1.0, 1.0]], 0.1);
//! ```

mod adagrad;
mod adam;
mod config;
mod rmsprop;
mod sgd;

pub use adagrad::AdaGrad;
pub use adam::Adam;
pub use config::OptimizerConfig;
pub use rmsprop::RmsProp;
pub use sgd::Sgd;

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
    mut states: [&mut Vec<Vec<T>>; S],
    mut update: impl FnMut(&mut T, T, [&mut T; S]),
) {
    for (i, (param, grad)) in params.iter_mut().zip(grads).enumerate() {
        for (j, (w, &g)) in param.data_mut().iter_mut().zip(grad.iter()).enumerate() {
            let g = if weight_decay != T::ZERO {
                g + weight_decay * *w
            } else {
                g
            };
            update(w, g, states.each_mut().map(|state| &mut state[i][j]));
        }
    }
}

fn assert_finite_nonnegative<T: Float>(what: &str, value: T) {
    assert!(
        value.is_finite() && value >= T::ZERO,
        "{what} must be finite and non-negative, got {value}"
    );
}

fn assert_unit_interval<T: Float>(what: &str, value: T) {
    assert!(
        value >= T::ZERO && value < T::ONE,
        "{what} must lie in [0, 1), got {value}"
    );
}
