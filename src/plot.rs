//! Loss and accuracy curves of a training run as SVG, drawn with `plotters`, for
//! `tapegrad train --plot`.
//!
//! Text is written as SVG `<text>` elements, so no font library is needed to draw and any
//! SVG viewer renders the labels with its own sans-serif font.

use nn::train::History;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Size of the image in pixels.
const SIZE: (u32, u32) = (1000, 440);

/// One curve: a name for the legend, a colour and `(epoch, value)` points.
struct Curve {
    name: String,
    color: RGBColor,
    points: Vec<(f64, f64)>,
}

/// The SVG text of two panels, loss and accuracy against epochs, each with the training
/// curve and the `evaluation` curve (`test` or `validation`), under the title `title`.
pub fn render_svg(history: &History, evaluation: &str, title: &str) -> Result<String, String> {
    let curves = |train: fn(&nn::train::EpochReport) -> f64,
                  eval: fn(&nn::train::EpochReport) -> Option<f64>| {
        let points = |value: &dyn Fn(&nn::train::EpochReport) -> Option<f64>| {
            history
                .epochs
                .iter()
                .filter_map(|r| {
                    value(r)
                        .filter(|v| v.is_finite())
                        .map(|v| (r.epoch as f64, v))
                })
                .collect()
        };
        [
            Curve {
                name: "train".into(),
                color: BLUE,
                points: points(&|r| Some(train(r))),
            },
            Curve {
                name: evaluation.into(),
                color: RED,
                points: points(&eval),
            },
        ]
    };
    let loss = curves(|r| r.train_loss, |r| r.validation_loss);
    let accuracy = curves(|r| r.train_metric, |r| r.validation_metric);
    let epochs = history.epochs.len().max(1) as f64;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let root = root
            .titled(title, ("sans-serif", 22))
            .map_err(|e| e.to_string())?;
        let (left, right) = root.split_horizontally(SIZE.0 / 2);
        let max_loss = loss
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.1))
            .fold(0.0f64, f64::max);
        draw_panel(
            &left,
            "cross-entropy loss",
            &loss,
            epochs,
            (0.0, nice_top(max_loss)),
            SeriesLabelPosition::UpperRight,
        )?;
        let min_accuracy = accuracy
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.1))
            .fold(1.0f64, f64::min);
        let bottom = ((min_accuracy - 0.02) * 20.0).floor().max(0.0) / 20.0;
        draw_panel(
            &right,
            "accuracy",
            &accuracy,
            epochs,
            (bottom, 1.0),
            SeriesLabelPosition::LowerRight,
        )?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// A round upper limit a little above `max` (at least 0.1).
fn nice_top(max: f64) -> f64 {
    let top = (max * 1.05).max(0.1);
    let step = 10f64.powf(top.log10().floor()) / 2.0;
    (top / step).ceil() * step
}

/// One panel: axes with a caption, the curves and their legend at `legend`.
fn draw_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    caption: &str,
    curves: &[Curve],
    epochs: f64,
    (y_min, y_max): (f64, f64),
    legend: SeriesLabelPosition,
) -> Result<(), String> {
    let error = |e: DrawingAreaErrorKind<std::io::Error>| e.to_string();
    let x_max = epochs.max(2.0);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(1.0..x_max, y_min..y_max)
        .map_err(error)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_labels(x_max.min(10.0) as usize)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .draw()
        .map_err(error)?;
    for curve in curves {
        let color = curve.color;
        chart
            .draw_series(LineSeries::new(
                curve.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(error)?
            .label(curve.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(legend)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nn::train::EpochReport;

    #[test]
    fn draws_curves_axes_and_text() {
        let history = History {
            epochs: (1..=5)
                .map(|epoch| EpochReport {
                    epoch,
                    train_loss: 1.0 / epoch as f64,
                    train_metric: 0.8 + 0.03 * epoch as f64,
                    validation_loss: Some(1.2 / epoch as f64),
                    validation_metric: Some(0.78 + 0.03 * epoch as f64),
                    learning_rate: 0.1,
                    steps: 10 * epoch,
                })
                .collect(),
            best_epoch: Some(5),
            stopped_early: false,
        };
        let svg = render_svg(&history, "test", "iris").unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..100]);
        for text in [
            "iris",
            "accuracy",
            "cross-entropy loss",
            "epoch",
            "\ntrain\n",
            "\ntest\n",
        ] {
            assert!(svg.contains(text), "no {text} in the SVG");
        }
        assert!(svg.contains("<polyline"));
    }

    #[test]
    fn a_single_epoch_or_none_still_draws() {
        let mut history = History::default();
        assert!(render_svg(&history, "test", "empty").is_ok());
        history.epochs.push(EpochReport {
            epoch: 1,
            train_loss: 0.5,
            train_metric: 0.9,
            validation_loss: None,
            validation_metric: None,
            learning_rate: 0.1,
            steps: 3,
        });
        assert!(render_svg(&history, "test", "one").is_ok());
    }

    #[test]
    fn nice_tops() {
        assert_eq!(nice_top(0.0), 0.1);
        assert_eq!(nice_top(1.0), 1.5);
        assert_eq!(nice_top(2.3), 2.5);
    }
}
