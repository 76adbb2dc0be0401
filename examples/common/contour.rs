//! Contour lines of a quadratic loss in two parameters, for drawing optimisation paths.
//!
//! Near a minimum `w*` every smooth loss is a quadratic, and the squared loss of linear
//! regression is one exactly: `f(w) = f* + 1/2 (w - w*)^T H (w - w*)`. Its level set
//! `f = c` is an ellipse, `w = w* + sqrt(2 (c - f*)) H^(-1/2) u` for unit vectors `u`,
//! with axes along the eigenvectors of `H` and half-lengths `sqrt(2 (c - f*) / lambda_i)`:
//! long where the curvature is small. No marching squares needed.

use super::plot::{Series, GREY};

/// `f(w) = f* + 1/2 (w - w*)^T H (w - w*)` for a symmetric positive definite 2x2 `H`.
#[derive(Clone, Copy, Debug)]
pub struct Quadratic {
    pub hessian: [[f64; 2]; 2],
    pub minimum: [f64; 2],
    pub min_value: f64,
}

impl Quadratic {
    /// The value at `w`.
    pub fn value(&self, w: [f64; 2]) -> f64 {
        let d = [w[0] - self.minimum[0], w[1] - self.minimum[1]];
        let h = self.hessian;
        self.min_value
            + 0.5 * (h[0][0] * d[0] * d[0] + 2.0 * h[0][1] * d[0] * d[1] + h[1][1] * d[1] * d[1])
    }

    /// Eigenvalues (ascending) and unit eigenvectors of `H`.
    pub fn eigen(&self) -> ([f64; 2], [[f64; 2]; 2]) {
        let [[a, b], [_, d]] = self.hessian;
        let mean = (a + d) / 2.0;
        let radius = (((a - d) / 2.0).powi(2) + b * b).sqrt();
        let values = [mean - radius, mean + radius];
        let vector = |lambda: f64| {
            let v = if b.abs() > 1e-300 {
                [b, lambda - a]
            } else if (lambda - a).abs() < (lambda - d).abs() {
                [1.0, 0.0]
            } else {
                [0.0, 1.0]
            };
            let n = (v[0] * v[0] + v[1] * v[1]).sqrt();
            [v[0] / n, v[1] / n]
        };
        (values, [vector(values[0]), vector(values[1])])
    }

    /// The ellipse `f = level` as a closed polyline of `points` points.
    pub fn level_set(&self, level: f64, points: usize) -> Vec<(f64, f64)> {
        let excess = (level - self.min_value).max(0.0);
        let (values, vectors) = self.eigen();
        let radii = [
            (2.0 * excess / values[0]).sqrt(),
            (2.0 * excess / values[1]).sqrt(),
        ];
        (0..=points)
            .map(|i| {
                let t = std::f64::consts::TAU * i as f64 / points as f64;
                let (c, s) = (radii[0] * t.cos(), radii[1] * t.sin());
                (
                    self.minimum[0] + c * vectors[0][0] + s * vectors[1][0],
                    self.minimum[1] + c * vectors[0][1] + s * vectors[1][1],
                )
            })
            .collect()
    }

    /// Grey contour lines at `levels` (values of f), the first one named in the legend.
    pub fn contours(&self, levels: &[f64]) -> Vec<Series> {
        levels
            .iter()
            .enumerate()
            .map(|(i, &level)| {
                let series = Series::new("loss contours", 0, self.level_set(level, 160))
                    .color(GREY)
                    .width(1);
                if i == 0 {
                    series
                } else {
                    series.unlisted()
                }
            })
            .collect()
    }

    /// `count` levels spaced geometrically in `f - f*` between `from` and `to` above f*.
    pub fn geometric_levels(&self, from: f64, to: f64, count: usize) -> Vec<f64> {
        (0..count)
            .map(|i| {
                let t = i as f64 / (count - 1).max(1) as f64;
                self.min_value + from * (to / from).powf(t)
            })
            .collect()
    }
}
