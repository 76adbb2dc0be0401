//! Learning-rate schedules at chosen steps, computed by hand, and their text and JSON
//! forms.

use nn::schedule::Schedule;
use proptest::prelude::*;
use std::f64::consts::PI;

#[track_caller]
fn assert_rate(schedule: &Schedule, step: usize, expected: f64) {
    let rate = schedule.rate(step);
    assert!(
        (rate - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "{schedule}: rate({step}) = {rate}, expected {expected}"
    );
}

#[test]
fn constant() {
    let schedule = Schedule::Constant { rate: 0.1 };
    for step in [0, 1, 1000, usize::MAX] {
        assert_rate(&schedule, step, 0.1);
    }
}

#[test]
fn piecewise_boundaries_are_inclusive() {
    // 0.5 while t <= 100, 0.1 while t <= 200, then 0.01.
    let schedule = Schedule::Piecewise {
        boundaries: vec![100, 200],
        rates: vec![0.5, 0.1, 0.01],
    };
    for (step, expected) in [
        (0, 0.5),
        (99, 0.5),
        (100, 0.5),
        (101, 0.1),
        (200, 0.1),
        (201, 0.01),
        (1_000_000, 0.01),
    ] {
        assert_rate(&schedule, step, expected);
    }
    // A boundary at 0 covers step 0 alone.
    let first_only = Schedule::Piecewise {
        boundaries: vec![0],
        rates: vec![1.0, 2.0],
    };
    assert_rate(&first_only, 0, 1.0);
    assert_rate(&first_only, 1, 2.0);
    // No boundaries: one piece.
    let single = Schedule::Piecewise {
        boundaries: vec![],
        rates: vec![0.3],
    };
    assert_rate(&single, 0, 0.3);
    assert_rate(&single, 10_000, 0.3);
}

#[test]
fn exponential() {
    // 0.5 exp(-0.001 t)
    let schedule = Schedule::Exponential {
        initial: 0.5,
        decay: 0.001,
    };
    assert_rate(&schedule, 0, 0.5);
    assert_rate(&schedule, 1, 0.5 * (-0.001f64).exp());
    assert_rate(&schedule, 1000, 0.5 / std::f64::consts::E);
    assert_rate(
        &schedule,
        2000,
        0.5 / (std::f64::consts::E * std::f64::consts::E),
    );
}

#[test]
fn step_decay() {
    // 0.5 * 0.5^floor(t / 10)
    let schedule = Schedule::StepDecay {
        initial: 0.5,
        gamma: 0.5,
        every: 10,
    };
    for (step, expected) in [
        (0, 0.5),
        (9, 0.5),
        (10, 0.25),
        (19, 0.25),
        (20, 0.125),
        (35, 0.0625),
    ] {
        assert_rate(&schedule, step, expected);
    }
}

#[test]
fn inverse_time() {
    // 0.5 / (1 + 0.01 t)
    let schedule = Schedule::InverseTime {
        initial: 0.5,
        decay: 0.01,
    };
    for (step, expected) in [(0, 0.5), (1, 0.5 / 1.01), (100, 0.25), (300, 0.125)] {
        assert_rate(&schedule, step, expected);
    }
}

#[test]
fn cosine_without_warmup() {
    // 0.1 + 0.2 (1 + cos(pi t / 100)) for t < 100, then 0.1
    let schedule = Schedule::Cosine {
        initial: 0.5,
        min: 0.1,
        total_steps: 100,
        warmup_steps: 0,
    };
    assert_rate(&schedule, 0, 0.5);
    assert_rate(&schedule, 25, 0.1 + 0.2 * (1.0 + (PI / 4.0).cos()));
    assert_rate(&schedule, 50, 0.3);
    assert_rate(&schedule, 75, 0.1 + 0.2 * (1.0 - (PI / 4.0).cos()));
    assert_rate(&schedule, 100, 0.1);
    assert_rate(&schedule, 10_000, 0.1);
}

#[test]
fn cosine_warmup_is_linear_and_peaks_at_its_end() {
    let schedule = Schedule::Cosine {
        initial: 0.5,
        min: 0.0,
        total_steps: 1000,
        warmup_steps: 100,
    };
    // Warm-up: 0.5 (t + 1) / 100, from 0.005 at step 0 to 0.5 at step 99.
    assert_rate(&schedule, 0, 0.005);
    assert_rate(&schedule, 49, 0.25);
    assert_rate(&schedule, 99, 0.5);
    for step in 1..100 {
        let increment = schedule.rate(step) - schedule.rate(step - 1);
        assert!(
            (increment - 0.005).abs() < 1e-12,
            "step {step}: {increment}"
        );
    }
    // The peak is eta0, reached at the end of the warm-up; the cosine then starts there.
    let peak = (0..2000).map(|t| schedule.rate(t)).fold(f64::MIN, f64::max);
    assert_eq!(peak, 0.5);
    assert_rate(&schedule, 100, 0.5);
    // Halfway through the cosine part (step 100 + 450) the rate is halfway down.
    assert_rate(&schedule, 550, 0.25);
    for step in 101..=1000 {
        assert!(
            schedule.rate(step) <= schedule.rate(step - 1),
            "step {step}"
        );
    }
    // eta_min at total_steps and after.
    assert_rate(&schedule, 1000, 0.0);
    assert_rate(&schedule, 5000, 0.0);
    // Every rate before total_steps is positive.
    assert!((0..1000).all(|t| schedule.rate(t) > 0.0));
}

#[test]
fn cosine_whose_warmup_fills_all_steps() {
    let schedule = Schedule::Cosine {
        initial: 1.0,
        min: 0.25,
        total_steps: 4,
        warmup_steps: 4,
    };
    assert_eq!(schedule.validate(), Ok(()));
    let rates: Vec<f64> = (0..6).map(|t| schedule.rate(t)).collect();
    assert_eq!(rates, [0.25, 0.5, 0.75, 1.0, 0.25, 0.25]);
}

fn valid_schedules() -> Vec<Schedule> {
    vec![
        Schedule::Constant { rate: 0.1 },
        Schedule::Piecewise {
            boundaries: vec![100, 200],
            rates: vec![0.5, 0.1, 0.01],
        },
        Schedule::Exponential {
            initial: 0.5,
            decay: 0.001,
        },
        Schedule::StepDecay {
            initial: 0.5,
            gamma: 0.5,
            every: 1000,
        },
        Schedule::InverseTime {
            initial: 0.5,
            decay: 0.01,
        },
        Schedule::Cosine {
            initial: 0.5,
            min: 0.001,
            total_steps: 1000,
            warmup_steps: 100,
        },
    ]
}

#[test]
fn rates_are_positive_and_finite() {
    for schedule in valid_schedules() {
        assert_eq!(schedule.validate(), Ok(()), "{schedule:?}");
        // (Far enough out, exp(-lambda t) underflows to 0: these are the steps of a run.)
        for step in 0..20_000 {
            let rate = schedule.rate(step);
            assert!(
                rate.is_finite() && rate > 0.0,
                "{schedule}: rate({step}) = {rate}"
            );
        }
    }
}

#[test]
fn validate_names_what_is_wrong() {
    let cases = [
        (Schedule::Constant { rate: 0.0 }, "positive"),
        (Schedule::Constant { rate: f64::NAN }, "positive"),
        (
            Schedule::Piecewise {
                boundaries: vec![100, 200],
                rates: vec![0.5, 0.1],
            },
            "2 boundaries need 3 rates, got 2",
        ),
        (
            Schedule::Piecewise {
                boundaries: vec![200, 100],
                rates: vec![0.5, 0.1, 0.01],
            },
            "increase strictly",
        ),
        (
            Schedule::Piecewise {
                boundaries: vec![100, 100],
                rates: vec![0.5, 0.1, 0.01],
            },
            "increase strictly",
        ),
        (
            Schedule::Piecewise {
                boundaries: vec![100],
                rates: vec![0.5, -0.1],
            },
            "rate 2",
        ),
        (
            Schedule::Exponential {
                initial: 0.5,
                decay: -1.0,
            },
            "decay",
        ),
        (
            Schedule::StepDecay {
                initial: 0.5,
                gamma: 0.5,
                every: 0,
            },
            "every",
        ),
        (
            Schedule::StepDecay {
                initial: 0.5,
                gamma: 1.5,
                every: 10,
            },
            "gamma",
        ),
        (
            Schedule::InverseTime {
                initial: -0.5,
                decay: 0.1,
            },
            "initial",
        ),
        (
            Schedule::Cosine {
                initial: 0.5,
                min: 0.0,
                total_steps: 0,
                warmup_steps: 0,
            },
            "total_steps",
        ),
        (
            Schedule::Cosine {
                initial: 0.5,
                min: 0.0,
                total_steps: 10,
                warmup_steps: 20,
            },
            "warm-up",
        ),
        (
            Schedule::Cosine {
                initial: 0.5,
                min: 0.6,
                total_steps: 10,
                warmup_steps: 0,
            },
            "minimum",
        ),
    ];
    for (schedule, reason) in cases {
        let error = schedule.validate().unwrap_err();
        assert!(
            error.contains(reason),
            "`{error}` should mention `{reason}`"
        );
    }
}

#[test]
fn compact_syntax_parses_to_the_documented_schedules() {
    let cases = [
        ("constant:0.1", Schedule::Constant { rate: 0.1 }),
        ("0.1", Schedule::Constant { rate: 0.1 }),
        (
            "exponential:0.5,0.001",
            Schedule::Exponential {
                initial: 0.5,
                decay: 0.001,
            },
        ),
        (
            "step:0.5,0.5,10",
            Schedule::StepDecay {
                initial: 0.5,
                gamma: 0.5,
                every: 10,
            },
        ),
        (
            "step_decay:0.5,0.5,10",
            Schedule::StepDecay {
                initial: 0.5,
                gamma: 0.5,
                every: 10,
            },
        ),
        (
            "inverse:0.5,0.01",
            Schedule::InverseTime {
                initial: 0.5,
                decay: 0.01,
            },
        ),
        (
            "cosine:0.5,0.0,1000,100",
            Schedule::Cosine {
                initial: 0.5,
                min: 0.0,
                total_steps: 1000,
                warmup_steps: 100,
            },
        ),
        (
            " Cosine: 0.5, 0.0, 1000 ",
            Schedule::Cosine {
                initial: 0.5,
                min: 0.0,
                total_steps: 1000,
                warmup_steps: 0,
            },
        ),
        (
            "piecewise:0.5@100,0.1@200,0.01",
            Schedule::Piecewise {
                boundaries: vec![100, 200],
                rates: vec![0.5, 0.1, 0.01],
            },
        ),
        (
            "piecewise:0.01",
            Schedule::Piecewise {
                boundaries: vec![],
                rates: vec![0.01],
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(text.parse::<Schedule>(), Ok(expected), "{text}");
    }
}

#[test]
fn display_and_from_str_round_trip() {
    let mut schedules = valid_schedules();
    schedules.push(Schedule::Cosine {
        initial: 1e-3,
        min: 1e-7,
        total_steps: 5,
        warmup_steps: 0,
    });
    for schedule in schedules {
        let text = schedule.to_string();
        assert_eq!(text.parse::<Schedule>(), Ok(schedule), "{text}");
    }
    assert_eq!(
        Schedule::Piecewise {
            boundaries: vec![100, 200],
            rates: vec![0.5, 0.1, 0.01]
        }
        .to_string(),
        "piecewise:0.5@100,0.1@200,0.01"
    );
}

#[test]
fn garbage_is_rejected_with_a_message() {
    let cases = [
        ("", "cannot read the schedule"),
        ("fast", "expected `kind:arguments`"),
        ("warp:0.1", "unknown schedule kind `warp`"),
        ("constant:", "the rate `` is not a valid number"),
        ("constant:abc", "the rate `abc` is not a valid number"),
        ("constant:0.1,0.2", "takes `constant:RATE`, got 2 arguments"),
        (
            "exponential:0.5",
            "takes `exponential:INITIAL,DECAY`, got 1 argument",
        ),
        ("exponential:0.5,x", "the decay `x`"),
        ("exponential:-0.5,0.1", "initial rate must be positive"),
        (
            "step:0.5,0.5,2.5",
            "`every` (a whole number of steps) `2.5`",
        ),
        ("step:0.5,0.5,0", "`every` must be at least 1"),
        ("inverse:0.5", "inverse:INITIAL,DECAY"),
        (
            "cosine:0.5,0.0",
            "cosine:INITIAL,MIN,TOTAL_STEPS[,WARMUP_STEPS]",
        ),
        ("cosine:0.5,0.0,100,200", "warm-up steps exceed"),
        ("cosine:0.5,0.0,-5", "total_steps (a whole number) `-5`"),
        (
            "piecewise:0.5,0.1",
            "piece 1 `0.5` should read RATE@LAST_STEP",
        ),
        (
            "piecewise:0.5@100,0.1@200",
            "the last piece `0.1@200` is the final rate",
        ),
        ("piecewise:0.5@x,0.1", "boundary 1"),
        ("piecewise:0.5@200,0.1@100,0.01", "increase strictly"),
        ("0", "positive"),
    ];
    for (text, message) in cases {
        let error = text.parse::<Schedule>().unwrap_err();
        assert!(
            error.contains(message),
            "`{text}`: error `{error}` should contain `{message}`"
        );
    }
}

#[test]
fn json_uses_a_kind_tag_and_round_trips() {
    let schedule = Schedule::StepDecay {
        initial: 0.5,
        gamma: 0.5,
        every: 10,
    };
    let json = serde_json::to_string(&schedule).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"step_decay","initial":0.5,"gamma":0.5,"every":10}"#
    );
    for schedule in valid_schedules() {
        let json = serde_json::to_string(&schedule).unwrap();
        assert_eq!(
            serde_json::from_str::<Schedule>(&json).unwrap(),
            schedule,
            "{json}"
        );
    }
    let cosine: Schedule = serde_json::from_str(
        r#"{"kind":"cosine","initial":0.5,"min":0.0,"total_steps":1000,"warmup_steps":100}"#,
    )
    .unwrap();
    assert_eq!(cosine, "cosine:0.5,0,1000,100".parse().unwrap());
}

proptest! {
    #[test]
    fn exponential_and_inverse_time_never_increase(
        initial in 1e-6f64..10.0,
        decay in 0.0f64..1.0,
        step in 0usize..10_000_000,
    ) {
        let exponential = Schedule::Exponential { initial, decay };
        let inverse = Schedule::InverseTime { initial, decay };
        prop_assert!(exponential.rate(step + 1) <= exponential.rate(step));
        prop_assert!(inverse.rate(step + 1) <= inverse.rate(step));
        prop_assert!(inverse.rate(step) > 0.0 && inverse.rate(step).is_finite());
        prop_assert!(exponential.rate(step) >= 0.0 && exponential.rate(step) <= initial);
    }

    #[test]
    fn cosine_never_increases_after_warmup_and_stays_in_range(
        initial in 1e-4f64..10.0,
        min_fraction in 0.0f64..1.0,
        total_steps in 1usize..5_000,
        warmup_fraction in 0.0f64..1.0,
        step in 0usize..10_000,
    ) {
        let warmup_steps = (warmup_fraction * total_steps as f64) as usize;
        let min = initial * min_fraction;
        let schedule = Schedule::Cosine { initial, min, total_steps, warmup_steps };
        prop_assert_eq!(schedule.validate(), Ok(()));
        let rate = schedule.rate(step);
        prop_assert!(rate <= initial * (1.0 + 1e-12));
        if step >= warmup_steps {
            prop_assert!(rate >= min * (1.0 - 1e-12));
            prop_assert!(schedule.rate(step + 1) <= rate);
        } else {
            prop_assert!(schedule.rate(step + 1) >= rate);
        }
    }

    #[test]
    fn display_round_trips_through_from_str(
        initial in 1e-8f64..100.0,
        decay in 0.0f64..10.0,
        gamma in 1e-3f64..=1.0,
        every in 1usize..100_000,
        first in 0usize..1000,
        gap in 1usize..1000,
    ) {
        for schedule in [
            Schedule::Constant { rate: initial },
            Schedule::Exponential { initial, decay },
            Schedule::StepDecay { initial, gamma, every },
            Schedule::InverseTime { initial, decay },
            Schedule::Piecewise { boundaries: vec![first, first + gap], rates: vec![initial, gamma, decay + 1.0] },
            Schedule::Cosine { initial, min: initial * gamma, total_steps: every, warmup_steps: every / 2 },
        ] {
            prop_assert_eq!(schedule.to_string().parse::<Schedule>(), Ok(schedule));
        }
    }
}
