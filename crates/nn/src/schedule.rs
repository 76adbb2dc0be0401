//! Learning-rate schedules: the rate `eta(t)` of optimizer step `t`, counted from 0.
//!
//! A large rate makes fast early progress; a small one lets the iterates settle (with
//! stochastic gradients, the noise of each step is proportional to the rate, so a
//! constant rate leaves the iterates wandering around the minimum). Schedules start
//! large and shrink:
//!
//! | schedule                   | `eta(t)`                                               |
//! |----------------------------|--------------------------------------------------------|
//! | [`Constant`]               | `eta`                                                  |
//! | [`Piecewise`]              | `eta_i` while `t <= t_i`; `eta_last` after the last    |
//! | [`Exponential`]            | `eta0 exp(-lambda t)`                                  |
//! | [`StepDecay`]              | `eta0 gamma^floor(t / every)`                          |
//! | [`InverseTime`]            | `eta0 / (1 + lambda t)`                                |
//! | [`Cosine`]                 | linear warm-up, then `eta_min + (eta0 - eta_min) (1 + cos(pi p)) / 2` |
//!
//! [`Constant`]: Schedule::Constant
//! [`Piecewise`]: Schedule::Piecewise
//! [`Exponential`]: Schedule::Exponential
//! [`StepDecay`]: Schedule::StepDecay
//! [`InverseTime`]: Schedule::InverseTime
//! [`Cosine`]: Schedule::Cosine
//!
//! ## Command-line syntax
//!
//! [`Schedule`] parses from (and [displays](std::fmt::Display) as) a compact form,
//! `kind:arguments` with comma-separated arguments:
//!
//! | text                                | schedule                                         |
//! |-------------------------------------|--------------------------------------------------|
//! | `constant:0.1` or just `0.1`        | `Constant { rate: 0.1 }`                         |
//! | `piecewise:0.5@100,0.1@200,0.01`    | 0.5 for `t <= 100`, 0.1 for `t <= 200`, then 0.01 |
//! | `exponential:0.5,0.001`             | `Exponential { initial: 0.5, decay: 0.001 }`     |
//! | `step:0.5,0.5,10`                   | `StepDecay { initial: 0.5, gamma: 0.5, every: 10 }` |
//! | `inverse:0.5,0.01`                  | `InverseTime { initial: 0.5, decay: 0.01 }`      |
//! | `cosine:0.5,0.0,1000,100`           | `Cosine { initial: 0.5, min: 0.0, total_steps: 1000, warmup_steps: 100 }` |
//! | `cosine:0.5,0.0,1000`               | the same without warm-up                         |
//!
//! `step_decay` and `inverse_time` are accepted as well; parsing also
//! [validates](Schedule::validate).
//!
//! ```
//! use nn::schedule::Schedule;
//! let schedule: Schedule = "step:0.5,0.5,10".parse().unwrap();
//! assert_eq!(schedule.rate(9), 0.5);
//! assert_eq!(schedule.rate(10), 0.25);
//! assert_eq!(schedule.to_string(), "step:0.5,0.5,10");
//! ```

use data::display::float;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A learning-rate schedule; see the [module documentation](self) for the formulas and
/// the command-line syntax.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// `eta(t) = rate`.
    Constant {
        /// The rate of every step.
        rate: f64,
    },
    /// Piecewise constant: `rates[i]` while `t <= boundaries[i]` (the first such `i`),
    /// and the last rate after the last boundary.
    Piecewise {
        /// Strictly increasing last steps `t_1 < t_2 < ...` of each piece but the last.
        boundaries: Vec<usize>,
        /// One rate per piece: `boundaries.len() + 1` of them.
        rates: Vec<f64>,
    },
    /// `eta(t) = initial * exp(-decay * t)`.
    Exponential {
        /// `eta(0)`.
        initial: f64,
        /// The decay constant `lambda >= 0`.
        decay: f64,
    },
    /// `eta(t) = initial * gamma^floor(t / every)`.
    StepDecay {
        /// `eta(0)`.
        initial: f64,
        /// The factor applied every `every` steps, in `(0, 1]`.
        gamma: f64,
        /// Steps between decays (at least 1).
        every: usize,
    },
    /// `eta(t) = initial / (1 + decay * t)`.
    InverseTime {
        /// `eta(0)`.
        initial: f64,
        /// The decay constant `lambda >= 0`.
        decay: f64,
    },
    /// Cosine annealing from `initial` to `min` over `total_steps`, after an optional
    /// linear warm-up:
    ///
    /// ```text
    /// eta(t) = initial (t + 1) / warmup_steps                        t < warmup_steps
    /// eta(t) = min + (initial - min) (1 + cos(pi p)) / 2,            warmup_steps <= t < total_steps
    ///          with p = (t - warmup_steps) / (total_steps - warmup_steps)
    /// eta(t) = min                                                   t >= total_steps
    /// ```
    ///
    /// The warm-up rises linearly from `initial / warmup_steps` and reaches `initial` at
    /// its last step `warmup_steps - 1`; the cosine starts at `initial` and reaches `min`
    /// at step `total_steps`, where it stays.
    Cosine {
        /// The peak rate `eta0`.
        initial: f64,
        /// The final rate `eta_min`, `0 <= min <= initial`.
        min: f64,
        /// The step at which the rate reaches `min` (positive).
        total_steps: usize,
        /// Length of the linear warm-up (0 for none), at most `total_steps`.
        warmup_steps: usize,
    },
}

impl Schedule {
    /// The learning rate of step `step` (counted from 0).
    ///
    /// # Panics
    /// For the invalid schedules that have no rate at all: a piecewise schedule without
    /// rates, or step decay with `every = 0`. Other invalid parameters give meaningless
    /// numbers; call [`validate`](Schedule::validate) on untrusted input.
    pub fn rate(&self, step: usize) -> f64 {
        let t = step as f64;
        match *self {
            Schedule::Constant { rate } => rate,
            Schedule::Piecewise {
                ref boundaries,
                ref rates,
            } => {
                assert!(
                    !rates.is_empty(),
                    "Schedule::rate: piecewise schedule without rates"
                );
                // The first piece whose boundary t_i satisfies step <= t_i.
                let piece = boundaries.partition_point(|&boundary| boundary < step);
                rates[piece.min(rates.len() - 1)]
            }
            Schedule::Exponential { initial, decay } => initial * (-decay * t).exp(),
            Schedule::StepDecay {
                initial,
                gamma,
                every,
            } => {
                assert!(every > 0, "Schedule::rate: step decay with every = 0");
                initial * gamma.powf((step / every) as f64)
            }
            Schedule::InverseTime { initial, decay } => initial / (1.0 + decay * t),
            Schedule::Cosine {
                initial,
                min,
                total_steps,
                warmup_steps,
            } => {
                if step < warmup_steps {
                    initial * (t + 1.0) / warmup_steps as f64
                } else if step >= total_steps {
                    min
                } else {
                    let progress =
                        (step - warmup_steps) as f64 / (total_steps - warmup_steps) as f64;
                    min + 0.5 * (initial - min) * (1.0 + (std::f64::consts::PI * progress).cos())
                }
            }
        }
    }

    /// Checks that the schedule gives positive (or, for a cosine's `min`, non-negative)
    /// finite rates: rates and initial rates positive and finite, decay constants finite
    /// and non-negative, `gamma` in `(0, 1]`, `every >= 1`, piecewise boundaries strictly
    /// increasing with one more rate than boundaries, and for the cosine
    /// `0 <= min <= initial`, `total_steps > 0` and `warmup_steps <= total_steps`.
    pub fn validate(&self) -> Result<(), String> {
        fn positive(kind: &str, what: &str, x: f64) -> Result<(), String> {
            if x.is_finite() && x > 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{kind} schedule: {what} must be positive and finite, got {}",
                    float(x)
                ))
            }
        }
        fn non_negative(kind: &str, what: &str, x: f64) -> Result<(), String> {
            if x.is_finite() && x >= 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "{kind} schedule: {what} must be non-negative and finite, got {}",
                    float(x)
                ))
            }
        }
        match *self {
            Schedule::Constant { rate } => positive("constant", "the rate", rate),
            Schedule::Piecewise {
                ref boundaries,
                ref rates,
            } => {
                if rates.len() != boundaries.len() + 1 {
                    return Err(format!(
                        "piecewise schedule: {} boundaries need {} rates, got {}",
                        boundaries.len(),
                        boundaries.len() + 1,
                        rates.len()
                    ));
                }
                if let Some(pair) = boundaries.windows(2).find(|pair| pair[0] >= pair[1]) {
                    return Err(format!(
                        "piecewise schedule: boundaries must increase strictly, got {} then {}",
                        pair[0], pair[1]
                    ));
                }
                rates.iter().enumerate().try_for_each(|(i, &rate)| {
                    positive("piecewise", &format!("rate {}", i + 1), rate)
                })
            }
            Schedule::Exponential { initial, decay } => {
                positive("exponential", "the initial rate", initial)?;
                non_negative("exponential", "the decay", decay)
            }
            Schedule::StepDecay {
                initial,
                gamma,
                every,
            } => {
                positive("step decay", "the initial rate", initial)?;
                if !(gamma > 0.0 && gamma <= 1.0) {
                    return Err(format!(
                        "step decay schedule: gamma must lie in (0, 1], got {}",
                        float(gamma)
                    ));
                }
                if every == 0 {
                    return Err("step decay schedule: `every` must be at least 1 step".to_string());
                }
                Ok(())
            }
            Schedule::InverseTime { initial, decay } => {
                positive("inverse time", "the initial rate", initial)?;
                non_negative("inverse time", "the decay", decay)
            }
            Schedule::Cosine {
                initial,
                min,
                total_steps,
                warmup_steps,
            } => {
                positive("cosine", "the initial rate", initial)?;
                non_negative("cosine", "the minimum rate", min)?;
                if min > initial {
                    return Err(format!(
                        "cosine schedule: the minimum rate {} exceeds the initial rate {}",
                        float(min),
                        float(initial)
                    ));
                }
                if total_steps == 0 {
                    return Err("cosine schedule: total_steps must be positive".to_string());
                }
                if warmup_steps > total_steps {
                    return Err(format!(
                        "cosine schedule: {warmup_steps} warm-up steps exceed total_steps {total_steps}"
                    ));
                }
                Ok(())
            }
        }
    }
}

impl Default for Schedule {
    /// A constant rate of 0.1.
    fn default() -> Self {
        Schedule::Constant { rate: 0.1 }
    }
}

/// Parses one number of a schedule, naming it in the error.
fn parse_number<T: FromStr>(kind: &str, what: &str, text: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "{kind} schedule: {what} `{}` is not a valid number",
            text.trim()
        )
    })
}

/// Checks the argument count of a schedule.
fn expect_args(
    kind: &str,
    usage: &str,
    args: &[&str],
    counts: std::ops::RangeInclusive<usize>,
) -> Result<(), String> {
    if counts.contains(&args.len()) {
        Ok(())
    } else {
        Err(format!(
            "{kind} schedule takes `{usage}`, got {} argument{}",
            args.len(),
            if args.len() == 1 { "" } else { "s" }
        ))
    }
}

impl FromStr for Schedule {
    type Err = String;

    /// Parses the compact syntax of the [module documentation](self) and validates the
    /// result. Errors name the schedule kind and the argument that was wrong.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let Some((kind, rest)) = s.split_once(':') else {
            if let Ok(rate) = s.parse::<f64>() {
                let schedule = Schedule::Constant { rate };
                schedule.validate()?;
                return Ok(schedule);
            }
            return Err(format!(
                "cannot read the schedule `{s}`: expected `kind:arguments` with kind one of \
                 constant, piecewise, exponential, step, inverse, cosine (e.g. `cosine:0.5,0.0,1000,100`), \
                 or a bare rate"
            ));
        };
        let args: Vec<&str> = rest.split(',').map(str::trim).collect();
        let kind = kind.trim().to_ascii_lowercase();
        let schedule = match kind.as_str() {
            "constant" => {
                expect_args("constant", "constant:RATE", &args, 1..=1)?;
                Schedule::Constant {
                    rate: parse_number("constant", "the rate", args[0])?,
                }
            }
            "exponential" => {
                expect_args("exponential", "exponential:INITIAL,DECAY", &args, 2..=2)?;
                Schedule::Exponential {
                    initial: parse_number("exponential", "the initial rate", args[0])?,
                    decay: parse_number("exponential", "the decay", args[1])?,
                }
            }
            "step" | "step_decay" => {
                expect_args("step decay", "step:INITIAL,GAMMA,EVERY", &args, 3..=3)?;
                Schedule::StepDecay {
                    initial: parse_number("step decay", "the initial rate", args[0])?,
                    gamma: parse_number("step decay", "gamma", args[1])?,
                    every: parse_number(
                        "step decay",
                        "`every` (a whole number of steps)",
                        args[2],
                    )?,
                }
            }
            "inverse" | "inverse_time" => {
                expect_args("inverse time", "inverse:INITIAL,DECAY", &args, 2..=2)?;
                Schedule::InverseTime {
                    initial: parse_number("inverse time", "the initial rate", args[0])?,
                    decay: parse_number("inverse time", "the decay", args[1])?,
                }
            }
            "cosine" => {
                expect_args(
                    "cosine",
                    "cosine:INITIAL,MIN,TOTAL_STEPS[,WARMUP_STEPS]",
                    &args,
                    3..=4,
                )?;
                Schedule::Cosine {
                    initial: parse_number("cosine", "the initial rate", args[0])?,
                    min: parse_number("cosine", "the minimum rate", args[1])?,
                    total_steps: parse_number("cosine", "total_steps (a whole number)", args[2])?,
                    warmup_steps: match args.get(3) {
                        Some(text) => {
                            parse_number("cosine", "warmup_steps (a whole number)", text)?
                        }
                        None => 0,
                    },
                }
            }
            "piecewise" => {
                let (last, pieces) = args.split_last().expect("split yields at least one part");
                let mut boundaries = Vec::with_capacity(pieces.len());
                let mut rates = Vec::with_capacity(args.len());
                for (i, piece) in pieces.iter().enumerate() {
                    let Some((rate, boundary)) = piece.split_once('@') else {
                        return Err(format!(
                            "piecewise schedule: piece {} `{piece}` should read RATE@LAST_STEP \
                             (only the last piece has no @)",
                            i + 1
                        ));
                    };
                    rates.push(parse_number("piecewise", &format!("rate {}", i + 1), rate)?);
                    boundaries.push(parse_number(
                        "piecewise",
                        &format!("boundary {} (a whole number of steps)", i + 1),
                        boundary,
                    )?);
                }
                if last.contains('@') {
                    return Err(format!(
                        "piecewise schedule: the last piece `{last}` is the final rate and takes no @"
                    ));
                }
                rates.push(parse_number("piecewise", "the final rate", last)?);
                Schedule::Piecewise { boundaries, rates }
            }
            other => {
                return Err(format!(
                    "unknown schedule kind `{other}`; expected one of constant, piecewise, \
                     exponential, step, inverse, cosine"
                ))
            }
        };
        schedule.validate()?;
        Ok(schedule)
    }
}

impl fmt::Display for Schedule {
    /// The compact syntax that [`FromStr`] reads back to an equal schedule.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::Constant { rate } => write!(f, "constant:{}", float(*rate)),
            Schedule::Piecewise { boundaries, rates } => {
                write!(f, "piecewise:")?;
                for (rate, boundary) in rates.iter().zip(boundaries) {
                    write!(f, "{}@{boundary},", float(*rate))?;
                }
                match rates.get(boundaries.len()) {
                    Some(last) => write!(f, "{}", float(*last)),
                    None => Ok(()),
                }
            }
            Schedule::Exponential { initial, decay } => {
                write!(f, "exponential:{},{}", float(*initial), float(*decay))
            }
            Schedule::StepDecay {
                initial,
                gamma,
                every,
            } => write!(f, "step:{},{},{every}", float(*initial), float(*gamma)),
            Schedule::InverseTime { initial, decay } => {
                write!(f, "inverse:{},{}", float(*initial), float(*decay))
            }
            Schedule::Cosine {
                initial,
                min,
                total_steps,
                warmup_steps,
            } => write!(
                f,
                "cosine:{},{},{total_steps},{warmup_steps}",
                float(*initial),
                float(*min)
            ),
        }
    }
}
