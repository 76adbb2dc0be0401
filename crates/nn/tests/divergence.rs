//! Divergence that never reaches NaN: cross-entropy's max shift keeps the loss finite for
//! any logits, so a far too large learning rate makes the weights run away while the loss
//! stays a (huge) finite number. With `runaway_factor` set, training ends with an error,
//! not a model; without it (the default) the run finishes, to be looked at.

use nn::models::SoftmaxRegression;
use nn::schedule::Schedule;
use nn::train::{TrainConfig, TrainError, RUNAWAY_FACTOR};

fn config(rate: f64) -> TrainConfig {
    TrainConfig {
        epochs: 5,
        schedule: Schedule::Constant { rate },
        runaway_factor: Some(RUNAWAY_FACTOR),
        ..TrainConfig::default()
    }
}

#[test]
fn a_runaway_loss_is_an_error_naming_the_epoch() {
    let iris = data::bundled::iris();
    let mut model = SoftmaxRegression::<f32>::for_dataset(&iris);
    let err = model.fit(&iris, None, &config(1e9)).unwrap_err();
    match err {
        TrainError::RanAway {
            epoch,
            loss,
            baseline,
            ..
        } => {
            assert_eq!(epoch, 1);
            assert!(
                loss.is_finite() && loss > RUNAWAY_FACTOR * baseline,
                "{loss}"
            );
            assert_eq!(baseline, 3f64.ln());
        }
        other => panic!("expected RanAway, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with("training diverged: after epoch 1 the training loss is"),
        "{message}"
    );
    assert!(
        message.ends_with("try a smaller learning rate"),
        "{message}"
    );
}

#[test]
fn without_a_factor_the_run_finishes_to_be_looked_at() {
    let iris = data::bundled::iris();
    let mut model = SoftmaxRegression::<f32>::for_dataset(&iris);
    let config = TrainConfig {
        runaway_factor: None,
        ..config(1e9)
    };
    let history = model.fit(&iris, None, &config).unwrap();
    let worst = history
        .epochs
        .iter()
        .map(|r| r.train_loss)
        .fold(0.0, f64::max);
    assert!(worst > RUNAWAY_FACTOR * 3f64.ln(), "{worst}");
}

#[test]
fn large_but_sane_rates_still_train() {
    // Standardised iris at rate 10: the loss swings but comes down; no false alarm.
    let iris = data::bundled::iris();
    let mut model = SoftmaxRegression::<f32>::for_dataset(&iris);
    let history = model.fit(&iris, None, &config(10.0)).unwrap();
    assert!(history.last().unwrap().train_loss < 3f64.ln());
}
