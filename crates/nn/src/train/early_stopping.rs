//! Early stopping: the rule ([`EarlyStopping`]) and the watcher that applies it epoch by
//! epoch ([`EarlyStopper`]), keeping the parameters of the best epoch.

use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

/// Stop when the validation loss has not improved by `min_delta` for `patience` epochs,
/// and restore the parameters of the best epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// Epochs to wait for an improvement.
    pub patience: usize,
    /// Smallest decrease of the validation loss that counts as an improvement.
    pub min_delta: f64,
}

/// Applies an [`EarlyStopping`] rule to the validation losses of successive epochs,
/// keeping a copy of the parameters `P` of the best one.
#[derive(Clone, Debug)]
pub(crate) struct EarlyStopper<P> {
    rule: EarlyStopping,
    /// The best validation loss so far, its epoch and the parameters it was reached with.
    best: Option<(f64, usize, P)>,
    /// Epochs since the best one.
    since_best: usize,
}

impl<P: Clone> EarlyStopper<P> {
    /// A watcher that has seen no epoch yet.
    pub(crate) fn new(rule: EarlyStopping) -> Self {
        EarlyStopper {
            rule,
            best: None,
            since_best: 0,
        }
    }

    /// Records epoch `epoch`'s validation loss and the parameters it was reached with:
    /// `Break` once `patience` epochs in a row have not improved on the best loss by
    /// more than `min_delta`. The first epoch is always an improvement.
    pub(crate) fn observe(&mut self, epoch: usize, loss: f64, params: &P) -> ControlFlow<()> {
        let improved = self
            .best
            .as_ref()
            .is_none_or(|(best, _, _)| loss < best - self.rule.min_delta);
        if improved {
            self.best = Some((loss, epoch, params.clone()));
            self.since_best = 0;
            return ControlFlow::Continue(());
        }
        self.since_best += 1;
        if self.since_best > self.rule.patience {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// The best epoch and its parameters, once an epoch has been observed.
    pub(crate) fn into_best(self) -> Option<(usize, P)> {
        self.best.map(|(_, epoch, params)| (epoch, params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `losses` (epochs from 1, the parameters being the epoch number) and returns
    /// the epoch that stopped training, if any, and the best epoch.
    fn run(patience: usize, min_delta: f64, losses: &[f64]) -> (Option<usize>, Option<usize>) {
        let mut stopper = EarlyStopper::new(EarlyStopping {
            patience,
            min_delta,
        });
        let stopped = (1..=losses.len())
            .find(|&epoch| stopper.observe(epoch, losses[epoch - 1], &epoch).is_break());
        let best = stopper.into_best().map(|(epoch, params)| {
            assert_eq!(epoch, params, "the parameters are the best epoch's");
            epoch
        });
        (stopped, best)
    }

    #[test]
    fn stops_after_patience_epochs_without_improvement() {
        // Best at epoch 2; epochs 3 and 4 are worse; with patience 2, epoch 5 stops.
        assert_eq!(
            run(2, 0.0, &[1.0, 0.5, 0.6, 0.7, 0.8, 0.1]),
            (Some(5), Some(2))
        );
        // Patience 0 stops at the first epoch that does not improve.
        assert_eq!(run(0, 0.0, &[1.0, 0.5, 0.5]), (Some(3), Some(2)));
        // Steady improvement never stops.
        assert_eq!(run(1, 0.0, &[3.0, 2.0, 1.0]), (None, Some(3)));
    }

    #[test]
    fn an_improvement_smaller_than_min_delta_does_not_count() {
        // 0.95 beats 1.0 by less than 0.1: not an improvement, so epoch 1 stays the best.
        assert_eq!(run(1, 0.1, &[1.0, 0.95, 0.93]), (Some(3), Some(1)));
        // A later real improvement resets the count.
        assert_eq!(
            run(1, 0.1, &[1.0, 0.95, 0.8, 0.79, 0.78]),
            (Some(5), Some(3))
        );
    }

    #[test]
    fn no_epoch_no_best() {
        assert_eq!(run(3, 0.0, &[]), (None, None));
    }
}
