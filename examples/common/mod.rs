//! Shared by the teaching examples: where figures go and how they are drawn.
//!
//! - [`figures`]: the output folder (`figures/`, or `$TAPEGRAD_FIGURES`) and atomic writes;
//! - [`plot`]: line, scatter and bar charts with labelled axes and legends (`plotters`);
//! - [`contour`]: contour lines of a quadratic loss, for optimisation paths;
//! - [`pixels`]: images (MNIST digits, weight templates) as compact SVG;
//! - [`graph`]: a Graphviz DOT graph laid out and drawn as SVG (`layout-rs`).

// Each example uses only some of these helpers.
#![allow(dead_code)]

pub mod contour;
pub mod figures;
pub mod graph;
pub mod pixels;
pub mod plot;
