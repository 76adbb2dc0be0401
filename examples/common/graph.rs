//! A Graphviz DOT graph laid out and drawn as SVG by the `layout-rs` crate, in pure
//! Rust: no system Graphviz needed.

use layout::backends::svg::SVGWriter;
use layout::gv::{DotParser, GraphBuilder};

/// The SVG picture of the DOT text `dot`.
pub fn dot_to_svg(dot: &str) -> Result<String, String> {
    let mut parser = DotParser::new(dot);
    let graph = parser.process()?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&graph);
    let mut visual = builder.get();
    let mut svg = SVGWriter::new();
    visual.do_it(false, false, false, &mut svg);
    // layout-rs sets every label in Times; the examples' figures use sans-serif.
    Ok(svg
        .finalize()
        .replace("font-family: Times, serif", "font-family: sans-serif"))
}
