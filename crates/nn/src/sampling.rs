//! Which examples each optimizer step sees: full batch, single-example SGD, or shuffled
//! minibatches, deterministic from a seed.
//!
//! An **epoch** is the unit of work after which training evaluates the model; its
//! meaning depends on the regime:
//!
//! - [`Sampling::FullBatch`]: one step on the whole data set (`0..n` in order), so an
//!   epoch is one step of (deterministic) gradient descent.
//! - [`Sampling::Sgd`]: `n` steps on one example each, every index drawn uniformly at
//!   random **with** replacement. This is the textbook stochastic gradient: each draw
//!   is independent, so the per-example gradient is an unbiased estimate of the
//!   full-batch gradient, `E_i[grad L_i(w)] = (1/n) sum_i grad L_i(w) = grad L(w)`. Some
//!   examples are seen several times in an epoch and others (about `1/e` of them) not
//!   at all.
//! - [`Sampling::Minibatch`]: a fresh random permutation of `0..n` cut into consecutive
//!   batches of `batch_size` (the last may be smaller), so each example is seen exactly
//!   once per epoch (sampling **without** replacement, "random reshuffling").
//!
//! ```
//! use nn::sampling::{BatchSampler, Sampling};
//! let mut sampler = BatchSampler::new(Sampling::Minibatch { batch_size: 4 }, 10, 42);
//! let batches = sampler.epoch();
//! assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
//! let mut seen: Vec<usize> = batches.concat();
//! seen.sort();
//! assert_eq!(seen, (0..10).collect::<Vec<_>>());
//! ```

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the examples of an epoch are grouped into optimizer steps; see the
/// [module documentation](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sampling {
    /// One batch per epoch: every example, in order.
    FullBatch,
    /// `n` single-example batches per epoch, drawn uniformly with replacement.
    Sgd,
    /// A fresh shuffle per epoch, cut into batches of `batch_size` (without replacement).
    Minibatch {
        /// Examples per batch (at least 1); the last batch of an epoch may be smaller.
        batch_size: usize,
    },
}

impl Sampling {
    /// The number of batches (optimizer steps) in an epoch over `n` examples.
    pub fn steps_per_epoch(&self, n: usize) -> usize {
        match *self {
            Sampling::FullBatch => usize::from(n > 0),
            Sampling::Sgd => n,
            Sampling::Minibatch { batch_size } => n.div_ceil(batch_size.max(1)),
        }
    }
}

impl FromStr for Sampling {
    type Err = String;

    /// Parses `full` (or `full_batch`, `full-batch`), `sgd`, or `minibatch:B` (or just
    /// `B`) for batches of `B >= 1` examples.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        let batch_size = match s.as_str() {
            "full" | "full_batch" | "full-batch" | "fullbatch" => return Ok(Sampling::FullBatch),
            "sgd" => return Ok(Sampling::Sgd),
            other => other.strip_prefix("minibatch:").unwrap_or(other),
        };
        match batch_size.trim().parse::<usize>() {
            Ok(batch_size) if batch_size > 0 => Ok(Sampling::Minibatch { batch_size }),
            Ok(_) => Err("minibatch sampling: the batch size must be at least 1".to_string()),
            Err(_) => Err(format!(
                "unknown sampling `{s}`; expected `full`, `sgd` or `minibatch:BATCH_SIZE`"
            )),
        }
    }
}

impl fmt::Display for Sampling {
    /// `full`, `sgd` or `minibatch:B`, as [`FromStr`] reads them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sampling::FullBatch => write!(f, "full"),
            Sampling::Sgd => write!(f, "sgd"),
            Sampling::Minibatch { batch_size } => write!(f, "minibatch:{batch_size}"),
        }
    }
}

/// Produces the batches of successive epochs over `n` examples, deterministically from
/// a seed: two samplers built with equal arguments give equal epochs.
///
/// [`epoch`](BatchSampler::epoch) returns owned batches;
/// [`next_epoch`](BatchSampler::next_epoch) lends them from a buffer the sampler reuses,
/// so a training loop allocates nothing per epoch.
#[derive(Clone, Debug)]
pub struct BatchSampler {
    sampling: Sampling,
    n: usize,
    rng: StdRng,
    /// The indices of the current epoch in order; the batches are consecutive chunks.
    order: Vec<usize>,
}

impl BatchSampler {
    /// A sampler for `n` examples whose random choices come from a generator seeded
    /// with `seed`.
    ///
    /// # Panics
    /// If `sampling` is a minibatch regime with `batch_size = 0`.
    pub fn new(sampling: Sampling, n: usize, seed: u64) -> Self {
        if let Sampling::Minibatch { batch_size } = sampling {
            assert!(
                batch_size > 0,
                "BatchSampler::new: the minibatch size must be at least 1"
            );
        }
        BatchSampler {
            sampling,
            n,
            rng: StdRng::seed_from_u64(seed),
            order: (0..n).collect(),
        }
    }

    /// The sampling regime.
    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// The number of examples.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True if there are no examples (every epoch is then empty).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The number of batches in each epoch: 1 for full batch (0 if there are no
    /// examples), `n` for SGD, `ceil(n / batch_size)` for minibatches.
    pub fn steps_per_epoch(&self) -> usize {
        self.sampling.steps_per_epoch(self.n)
    }

    /// Indices of the batches of one epoch: FullBatch -> one batch `0..n` in order;
    /// Sgd -> `n` batches of ONE index each, drawn uniformly at random WITH replacement;
    /// Minibatch -> a fresh shuffle of `0..n` cut into batches of `batch_size` (the last
    /// may be smaller), WITHOUT replacement.
    pub fn epoch(&mut self) -> Vec<Vec<usize>> {
        self.next_epoch().map(<[usize]>::to_vec).collect()
    }

    /// Draws the next epoch (exactly as [`epoch`](BatchSampler::epoch) would) into the
    /// sampler's buffer and returns its batches as slices, allocating nothing.
    pub fn next_epoch(&mut self) -> std::slice::Chunks<'_, usize> {
        let n = self.n;
        let batch_size = match self.sampling {
            Sampling::FullBatch => {
                // The buffer already holds 0..n and is never disturbed in this regime.
                n
            }
            Sampling::Sgd => {
                for index in self.order.iter_mut() {
                    *index = self.rng.random_range(0..n);
                }
                1
            }
            Sampling::Minibatch { batch_size } => {
                // Shuffle from the identity so an epoch depends only on the generator.
                for (position, index) in self.order.iter_mut().enumerate() {
                    *index = position;
                }
                self.order.shuffle(&mut self.rng);
                batch_size
            }
        };
        self.order.chunks(batch_size.max(1))
    }
}
