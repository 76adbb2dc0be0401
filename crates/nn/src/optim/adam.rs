//! Adam and AdamW: bias-corrected moment estimates.

use super::{
    assert_finite_nonnegative, assert_unit_interval, for_each_element, zeroed_like, Optimizer,
    ParamLayout,
};
use tape::{Float, Tensor};

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
