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

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
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

/// Stochastic gradient descent, optionally with momentum (heavy ball or Nesterov) and
/// L2 weight decay; PyTorch's `torch.optim.SGD` with dampening 0.
///
/// With learning rate `eta`, momentum `mu` and weight decay `lambda`, each step is
///
/// ```text
/// g <- g + lambda w                      (weight decay, if lambda != 0)
/// b <- mu b + g      (b <- g on the first step; only if mu != 0)
/// d <- g + mu b      (Nesterov)   or   d <- b   (heavy ball)   or   d <- g   (mu = 0)
/// w <- w - eta d
/// ```
///
/// so plain SGD is `w <- w - eta g` and Nesterov is `v <- mu v + g; w <- w - eta (g + mu v)`.
#[derive(Clone, Debug)]
pub struct Sgd<T> {
    momentum: T,
    nesterov: bool,
    weight_decay: T,
    momentum_buffers: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> Sgd<T> {
    /// Plain SGD: `w <- w - eta g`. No state.
    pub fn new() -> Self {
        Sgd {
            momentum: T::ZERO,
            nesterov: false,
            weight_decay: T::ZERO,
            momentum_buffers: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// SGD with heavy-ball momentum `momentum`: `b <- mu b + g; w <- w - eta b`.
    ///
    /// # Panics
    /// If `momentum` is negative or not finite.
    pub fn with_momentum(momentum: T) -> Self {
        assert_finite_nonnegative("Sgd: momentum", momentum);
        Sgd {
            momentum,
            ..Self::new()
        }
    }

    /// SGD with Nesterov momentum: `b <- mu b + g; w <- w - eta (g + mu b)`.
    ///
    /// # Panics
    /// If `momentum` is not positive and finite (Nesterov needs momentum).
    pub fn nesterov(momentum: T) -> Self {
        assert!(
            momentum.is_finite() && momentum > T::ZERO,
            "Sgd: Nesterov momentum must be positive and finite, got {momentum}"
        );
        Sgd {
            momentum,
            nesterov: true,
            ..Self::new()
        }
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        assert_finite_nonnegative("Sgd: weight decay", weight_decay);
        self.weight_decay = weight_decay;
        self
    }

    /// The momentum coefficient `mu` (0 for plain SGD).
    pub fn momentum(&self) -> T {
        self.momentum
    }

    /// The momentum buffer `b` of parameter `index`, once the first step has created it
    /// (never for plain SGD).
    pub fn momentum_buffer(&self, index: usize) -> Option<&[T]> {
        self.momentum_buffers.get(index).map(Vec::as_slice)
    }
}

impl<T: Float> Default for Sgd<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T) {
        let first_step = self.layout.check("Sgd", params, grads);
        let (mu, nesterov, eta) = (self.momentum, self.nesterov, learning_rate);
        if mu == T::ZERO {
            for_each_element(params, grads, self.weight_decay, [], |w, g, []| {
                *w -= eta * g
            });
            return;
        }
        if first_step {
            self.momentum_buffers = zeroed_like(params);
        }
        let buffers = [&mut self.momentum_buffers];
        for_each_element(params, grads, self.weight_decay, buffers, |w, g, [b]| {
            *b = if first_step { g } else { mu * *b + g };
            *w -= eta * if nesterov { g + mu * *b } else { *b };
        });
    }

    fn reset(&mut self) {
        self.momentum_buffers.clear();
        self.layout.reset();
    }
}

/// AdaGrad (`torch.optim.Adagrad` without learning-rate decay): each coordinate's step
/// shrinks with the total squared gradient it has seen.
///
/// ```text
/// g <- g + lambda w                      (weight decay, if lambda != 0)
/// G <- G + g^2                           (G starts at 0)
/// w <- w - eta g / (sqrt(G) + eps)       (eps = 1e-10 by default)
/// ```
#[derive(Clone, Debug)]
pub struct AdaGrad<T> {
    eps: T,
    weight_decay: T,
    sum_of_squares: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> AdaGrad<T> {
    /// The default `eps` of PyTorch.
    pub const DEFAULT_EPS: f64 = 1e-10;

    /// AdaGrad with `eps = 1e-10` and no weight decay.
    pub fn new() -> Self {
        AdaGrad {
            eps: T::from_f64(Self::DEFAULT_EPS),
            weight_decay: T::ZERO,
            sum_of_squares: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// Sets `eps`, added to `sqrt(G)` to avoid dividing by zero.
    ///
    /// # Panics
    /// If `eps` is negative or not finite.
    pub fn eps(mut self, eps: T) -> Self {
        assert_finite_nonnegative("AdaGrad: eps", eps);
        self.eps = eps;
        self
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        assert_finite_nonnegative("AdaGrad: weight decay", weight_decay);
        self.weight_decay = weight_decay;
        self
    }

    /// The accumulated `G = sum of g^2` of parameter `index`, once the first step has
    /// created it.
    pub fn sum_of_squares(&self, index: usize) -> Option<&[T]> {
        self.sum_of_squares.get(index).map(Vec::as_slice)
    }
}

impl<T: Float> Default for AdaGrad<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Optimizer<T> for AdaGrad<T> {
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T) {
        if self.layout.check("AdaGrad", params, grads) {
            self.sum_of_squares = zeroed_like(params);
        }
        let (eps, eta) = (self.eps, learning_rate);
        let sums = [&mut self.sum_of_squares];
        for_each_element(params, grads, self.weight_decay, sums, |w, g, [big_g]| {
            *big_g += g * g;
            *w -= eta * g / (big_g.sqrt() + eps);
        });
    }

    fn reset(&mut self) {
        self.sum_of_squares.clear();
        self.layout.reset();
    }
}

/// RMSProp (`torch.optim.RMSprop`, not centred, without momentum): AdaGrad with a
/// forgetting running mean instead of a sum.
///
/// ```text
/// g <- g + lambda w                      (weight decay, if lambda != 0)
/// s <- rho s + (1 - rho) g^2             (s starts at 0; rho = 0.99 by default)
/// w <- w - eta g / (sqrt(s) + eps)       (eps = 1e-8 by default)
/// ```
#[derive(Clone, Debug)]
pub struct RmsProp<T> {
    rho: T,
    eps: T,
    weight_decay: T,
    mean_square: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> RmsProp<T> {
    /// The default decay `rho` of the running mean (PyTorch's `alpha`).
    pub const DEFAULT_RHO: f64 = 0.99;
    /// The default `eps`.
    pub const DEFAULT_EPS: f64 = 1e-8;

    /// RMSProp with `rho = 0.99`, `eps = 1e-8` and no weight decay.
    pub fn new() -> Self {
        RmsProp {
            rho: T::from_f64(Self::DEFAULT_RHO),
            eps: T::from_f64(Self::DEFAULT_EPS),
            weight_decay: T::ZERO,
            mean_square: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// Sets the decay `rho` of the running mean of `g^2`.
    ///
    /// # Panics
    /// Unless `0 <= rho < 1`.
    pub fn rho(mut self, rho: T) -> Self {
        assert_unit_interval("RmsProp: rho", rho);
        self.rho = rho;
        self
    }

    /// Sets `eps`, added to `sqrt(s)` to avoid dividing by zero.
    ///
    /// # Panics
    /// If `eps` is negative or not finite.
    pub fn eps(mut self, eps: T) -> Self {
        assert_finite_nonnegative("RmsProp: eps", eps);
        self.eps = eps;
        self
    }

    /// Adds L2 weight decay: `weight_decay * w` is added to the gradient.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        assert_finite_nonnegative("RmsProp: weight decay", weight_decay);
        self.weight_decay = weight_decay;
        self
    }

    /// The running mean `s` of `g^2` of parameter `index`, once the first step has
    /// created it.
    pub fn mean_square(&self, index: usize) -> Option<&[T]> {
        self.mean_square.get(index).map(Vec::as_slice)
    }
}

impl<T: Float> Default for RmsProp<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Optimizer<T> for RmsProp<T> {
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T) {
        if self.layout.check("RmsProp", params, grads) {
            self.mean_square = zeroed_like(params);
        }
        let (rho, eps, eta) = (self.rho, self.eps, learning_rate);
        let means = [&mut self.mean_square];
        for_each_element(params, grads, self.weight_decay, means, |w, g, [s]| {
            *s = rho * *s + (T::ONE - rho) * g * g;
            *w -= eta * g / (s.sqrt() + eps);
        });
    }

    fn reset(&mut self) {
        self.mean_square.clear();
        self.layout.reset();
    }
}

/// Adam (`torch.optim.Adam`) and, with decoupled weight decay, AdamW
/// (`torch.optim.AdamW`).
///
/// With step count `t` (1 on the first step), learning rate `eta`, weight decay
/// `lambda`:
///
/// ```text
/// g <- g + lambda w                 (Adam: L2 weight decay, if lambda != 0)
/// w <- w - eta lambda w             (AdamW: decoupled weight decay, before the Adam step)
/// m <- beta1 m + (1 - beta1) g      (first moment, starts at 0)
/// v <- beta2 v + (1 - beta2) g^2    (second moment, starts at 0)
/// m_hat = m / (1 - beta1^t)         (bias corrections; see the module docs)
/// v_hat = v / (1 - beta2^t)
/// w <- w - eta m_hat / (sqrt(v_hat) + eps)
/// ```
///
/// Defaults: `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`; weight decay 0 for Adam and
/// 0.01 for AdamW. As in PyTorch, the decoupled decay is applied as `w <- w (1 - eta lambda)`
/// and the last line as `w <- w - (eta / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`.
#[derive(Clone, Debug)]
pub struct Adam<T> {
    beta1: T,
    beta2: T,
    eps: T,
    weight_decay: T,
    decoupled: bool,
    step_count: u64,
    first_moment: Vec<Vec<T>>,
    second_moment: Vec<Vec<T>>,
    layout: ParamLayout,
}

impl<T: Float> Adam<T> {
    /// The default `beta1`.
    pub const DEFAULT_BETA1: f64 = 0.9;
    /// The default `beta2`.
    pub const DEFAULT_BETA2: f64 = 0.999;
    /// The default `eps`.
    pub const DEFAULT_EPS: f64 = 1e-8;
    /// The default weight decay of AdamW (Adam's is 0).
    pub const DEFAULT_ADAMW_WEIGHT_DECAY: f64 = 0.01;

    /// Adam with `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8` and no weight decay.
    pub fn new() -> Self {
        Adam {
            beta1: T::from_f64(Self::DEFAULT_BETA1),
            beta2: T::from_f64(Self::DEFAULT_BETA2),
            eps: T::from_f64(Self::DEFAULT_EPS),
            weight_decay: T::ZERO,
            decoupled: false,
            step_count: 0,
            first_moment: Vec::new(),
            second_moment: Vec::new(),
            layout: ParamLayout::default(),
        }
    }

    /// AdamW: Adam's defaults with decoupled weight decay 0.01.
    pub fn adamw() -> Self {
        Adam {
            weight_decay: T::from_f64(Self::DEFAULT_ADAMW_WEIGHT_DECAY),
            decoupled: true,
            ..Self::new()
        }
    }

    /// Sets the decay rates of the first and second moments.
    ///
    /// # Panics
    /// Unless both lie in `[0, 1)`.
    pub fn betas(mut self, beta1: T, beta2: T) -> Self {
        assert_unit_interval("Adam: beta1", beta1);
        assert_unit_interval("Adam: beta2", beta2);
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// Sets `eps`, added to `sqrt(v_hat)` to avoid dividing by zero.
    ///
    /// # Panics
    /// If `eps` is negative or not finite.
    pub fn eps(mut self, eps: T) -> Self {
        assert_finite_nonnegative("Adam: eps", eps);
        self.eps = eps;
        self
    }

    /// Sets the weight decay: L2 (added to the gradient) for Adam, decoupled for AdamW.
    ///
    /// # Panics
    /// If `weight_decay` is negative or not finite.
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        assert_finite_nonnegative("Adam: weight decay", weight_decay);
        self.weight_decay = weight_decay;
        self
    }

    /// True for AdamW (decoupled weight decay), false for Adam (L2 weight decay).
    pub fn is_decoupled(&self) -> bool {
        self.decoupled
    }

    /// The number of steps taken since construction or the last reset (`t`).
    pub fn step_count(&self) -> u64 {
        self.step_count
    }

    /// The first moment `m` of parameter `index`, once the first step has created it.
    pub fn first_moment(&self, index: usize) -> Option<&[T]> {
        self.first_moment.get(index).map(Vec::as_slice)
    }

    /// The second moment `v` of parameter `index`, once the first step has created it.
    pub fn second_moment(&self, index: usize) -> Option<&[T]> {
        self.second_moment.get(index).map(Vec::as_slice)
    }
}

impl<T: Float> Default for Adam<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn step(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]], learning_rate: T) {
        let name = if self.decoupled { "AdamW" } else { "Adam" };
        if self.layout.check(name, params, grads) {
            self.first_moment = zeroed_like(params);
            self.second_moment = zeroed_like(params);
        }
        self.step_count += 1;
        let t = i32::try_from(self.step_count).unwrap_or(i32::MAX);
        let (beta1, beta2, eps, eta) = (self.beta1, self.beta2, self.eps, learning_rate);
        let bias_correction1 = T::ONE - beta1.powi(t);
        let bias_correction2_sqrt = (T::ONE - beta2.powi(t)).sqrt();
        let step_size = eta / bias_correction1;
        // Adam adds the decay to the gradient (L2); AdamW shrinks the weight directly.
        let (l2_decay, decoupled_factor) = if self.decoupled {
            (T::ZERO, T::ONE - eta * self.weight_decay)
        } else {
            (self.weight_decay, T::ONE)
        };
        let moments = [&mut self.first_moment, &mut self.second_moment];
        for_each_element(params, grads, l2_decay, moments, |w, g, [m, v]| {
            if decoupled_factor != T::ONE {
                *w *= decoupled_factor;
            }
            *m = beta1 * *m + (T::ONE - beta1) * g;
            *v = beta2 * *v + (T::ONE - beta2) * g * g;
            *w -= step_size * *m / (v.sqrt() / bias_correction2_sqrt + eps);
        });
    }

    fn reset(&mut self) {
        self.step_count = 0;
        self.first_moment.clear();
        self.second_moment.clear();
        self.layout.reset();
    }
}

/// A serializable description of an optimizer and its hyperparameters, for the command
/// line and model files.
///
/// In JSON the variant is named by a `kind` field, spelt like the names [`FromStr`]
/// accepts (`sgd`, `adagrad`, `rmsprop`, `adam`, `adamw`):
/// `{"kind":"adam","beta1":0.9,"beta2":0.999,"eps":1e-8,"weight_decay":0.0}`.
/// [`FromStr`] accepts a bare name with default hyperparameters (see
/// [`OptimizerConfig::NAMES`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerConfig {
    /// [`Sgd`]: plain, heavy-ball momentum, or Nesterov, with L2 weight decay.
    Sgd {
        /// Momentum `mu` (0 for plain SGD).
        momentum: f64,
        /// Nesterov momentum (needs `momentum > 0`).
        nesterov: bool,
        /// L2 weight decay added to the gradient.
        weight_decay: f64,
    },
    /// [`AdaGrad`].
    #[serde(rename = "adagrad", alias = "ada_grad")]
    AdaGrad {
        /// Added to `sqrt(G)`.
        eps: f64,
    },
    /// [`RmsProp`].
    #[serde(rename = "rmsprop", alias = "rms_prop")]
    RmsProp {
        /// Decay of the running mean of `g^2`.
        rho: f64,
        /// Added to `sqrt(s)`.
        eps: f64,
    },
    /// [`Adam`] with L2 weight decay.
    Adam {
        /// Decay of the first moment.
        beta1: f64,
        /// Decay of the second moment.
        beta2: f64,
        /// Added to `sqrt(v_hat)`.
        eps: f64,
        /// L2 weight decay added to the gradient.
        weight_decay: f64,
    },
    /// [`Adam`] with decoupled weight decay (AdamW).
    #[serde(rename = "adamw", alias = "adam_w")]
    AdamW {
        /// Decay of the first moment.
        beta1: f64,
        /// Decay of the second moment.
        beta2: f64,
        /// Added to `sqrt(v_hat)`.
        eps: f64,
        /// Decoupled weight decay: `w <- w - eta weight_decay w`.
        weight_decay: f64,
    },
}

impl OptimizerConfig {
    /// The names [`FromStr`] accepts, each meaning that optimizer with its defaults.
    pub const NAMES: [&'static str; 7] = [
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw",
    ];

    /// Momentum used by the names `momentum` and `nesterov`.
    pub const DEFAULT_MOMENTUM: f64 = 0.9;

    /// Plain SGD.
    pub fn sgd() -> Self {
        OptimizerConfig::Sgd {
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        }
    }

    /// SGD with heavy-ball momentum `momentum`.
    pub fn momentum(momentum: f64) -> Self {
        OptimizerConfig::Sgd {
            momentum,
            nesterov: false,
            weight_decay: 0.0,
        }
    }

    /// SGD with Nesterov momentum `momentum`.
    pub fn nesterov(momentum: f64) -> Self {
        OptimizerConfig::Sgd {
            momentum,
            nesterov: true,
            weight_decay: 0.0,
        }
    }

    /// AdaGrad with `eps = 1e-10`.
    pub fn adagrad() -> Self {
        OptimizerConfig::AdaGrad {
            eps: AdaGrad::<f64>::DEFAULT_EPS,
        }
    }

    /// RMSProp with `rho = 0.99`, `eps = 1e-8`.
    pub fn rmsprop() -> Self {
        OptimizerConfig::RmsProp {
            rho: RmsProp::<f64>::DEFAULT_RHO,
            eps: RmsProp::<f64>::DEFAULT_EPS,
        }
    }

    /// Adam with `beta1 = 0.9`, `beta2 = 0.999`, `eps = 1e-8`, no weight decay.
    pub fn adam() -> Self {
        OptimizerConfig::Adam {
            beta1: Adam::<f64>::DEFAULT_BETA1,
            beta2: Adam::<f64>::DEFAULT_BETA2,
            eps: Adam::<f64>::DEFAULT_EPS,
            weight_decay: 0.0,
        }
    }

    /// AdamW with Adam's defaults and decoupled weight decay 0.01.
    pub fn adamw() -> Self {
        OptimizerConfig::AdamW {
            beta1: Adam::<f64>::DEFAULT_BETA1,
            beta2: Adam::<f64>::DEFAULT_BETA2,
            eps: Adam::<f64>::DEFAULT_EPS,
            weight_decay: Adam::<f64>::DEFAULT_ADAMW_WEIGHT_DECAY,
        }
    }

    /// A short name of the optimizer (one of [`OptimizerConfig::NAMES`]).
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::Sgd { nesterov: true, .. } => "nesterov",
            OptimizerConfig::Sgd { momentum, .. } if *momentum != 0.0 => "momentum",
            OptimizerConfig::Sgd { .. } => "sgd",
            OptimizerConfig::AdaGrad { .. } => "adagrad",
            OptimizerConfig::RmsProp { .. } => "rmsprop",
            OptimizerConfig::Adam { .. } => "adam",
            OptimizerConfig::AdamW { .. } => "adamw",
        }
    }

    /// Checks the hyperparameters: decay rates in `[0, 1)`, non-negative finite momentum,
    /// eps and weight decay, and positive momentum for Nesterov.
    pub fn validate(&self) -> Result<(), String> {
        let non_negative = |what: &str, x: f64| {
            if x.is_finite() && x >= 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{}: {what} must be finite and non-negative, got {x}",
                    self.name()
                ))
            }
        };
        let unit = |what: &str, x: f64| {
            if (0.0..1.0).contains(&x) {
                Ok(())
            } else {
                Err(format!(
                    "{}: {what} must lie in [0, 1), got {x}",
                    self.name()
                ))
            }
        };
        match *self {
            OptimizerConfig::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => {
                non_negative("momentum", momentum)?;
                non_negative("weight_decay", weight_decay)?;
                if nesterov && momentum <= 0.0 {
                    return Err("nesterov: Nesterov momentum needs momentum > 0".to_string());
                }
                Ok(())
            }
            OptimizerConfig::AdaGrad { eps } => non_negative("eps", eps),
            OptimizerConfig::RmsProp { rho, eps } => {
                unit("rho", rho)?;
                non_negative("eps", eps)
            }
            OptimizerConfig::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
            }
            | OptimizerConfig::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => {
                unit("beta1", beta1)?;
                unit("beta2", beta2)?;
                non_negative("eps", eps)?;
                non_negative("weight_decay", weight_decay)
            }
        }
    }

    /// A fresh optimizer (no state) with these hyperparameters.
    ///
    /// # Panics
    /// If [`validate`](OptimizerConfig::validate) fails; the message says why.
    pub fn build<T: Float>(&self) -> Box<dyn Optimizer<T>> {
        if let Err(message) = self.validate() {
            panic!("OptimizerConfig::build: {message}");
        }
        let t = T::from_f64;
        match *self {
            OptimizerConfig::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => {
                let sgd = if nesterov {
                    Sgd::nesterov(t(momentum))
                } else {
                    Sgd::with_momentum(t(momentum))
                };
                Box::new(sgd.weight_decay(t(weight_decay)))
            }
            OptimizerConfig::AdaGrad { eps } => Box::new(AdaGrad::new().eps(t(eps))),
            OptimizerConfig::RmsProp { rho, eps } => {
                Box::new(RmsProp::new().rho(t(rho)).eps(t(eps)))
            }
            OptimizerConfig::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => Box::new(
                Adam::new()
                    .betas(t(beta1), t(beta2))
                    .eps(t(eps))
                    .weight_decay(t(weight_decay)),
            ),
            OptimizerConfig::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => Box::new(
                Adam::adamw()
                    .betas(t(beta1), t(beta2))
                    .eps(t(eps))
                    .weight_decay(t(weight_decay)),
            ),
        }
    }
}

impl Default for OptimizerConfig {
    /// Plain SGD.
    fn default() -> Self {
        Self::sgd()
    }
}

impl FromStr for OptimizerConfig {
    type Err = String;

    /// Parses one of [`OptimizerConfig::NAMES`] (case-insensitive), giving that optimizer
    /// with default hyperparameters: `sgd` (plain), `momentum` and `nesterov` (momentum
    /// 0.9), `adagrad`, `rmsprop`, `adam`, `adamw`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sgd" => Ok(Self::sgd()),
            "momentum" => Ok(Self::momentum(Self::DEFAULT_MOMENTUM)),
            "nesterov" => Ok(Self::nesterov(Self::DEFAULT_MOMENTUM)),
            "adagrad" => Ok(Self::adagrad()),
            "rmsprop" => Ok(Self::rmsprop()),
            "adam" => Ok(Self::adam()),
            "adamw" => Ok(Self::adamw()),
            _ => Err(format!(
                "unknown optimizer `{s}`; expected one of: {}",
                Self::NAMES.join(", ")
            )),
        }
    }
}

impl fmt::Display for OptimizerConfig {
    /// The name and hyperparameters, e.g. `adam (beta1 0.9, beta2 0.999, eps 0.00000001,
    /// weight decay 0)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        match *self {
            OptimizerConfig::Sgd {
                momentum,
                weight_decay,
                ..
            } => write!(f, " (momentum {momentum}, weight decay {weight_decay})"),
            OptimizerConfig::AdaGrad { eps } => write!(f, " (eps {eps})"),
            OptimizerConfig::RmsProp { rho, eps } => write!(f, " (rho {rho}, eps {eps})"),
            OptimizerConfig::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
            }
            | OptimizerConfig::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
            } => write!(
                f,
                " (beta1 {beta1}, beta2 {beta2}, eps {eps}, weight decay {weight_decay})"
            ),
        }
    }
}
