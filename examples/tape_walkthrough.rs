//! How a tape records a computation and how the reverse sweep turns it into gradients.
//!
//! ```text
//! cargo run --release --example tape_walkthrough
//! ```
//!
//! We record `f(x, y) = ln(x y + e^x)` at `x = 2, y = 3` and print the tape: a *Wengert
//! list* whose nodes are written in order as the values flow forward. Then `backward`
//! walks the list in reverse. Each node's *adjoint* `df/d(node)` is the sum, over the
//! nodes that consumed it, of `consumer's adjoint x local partial derivative`; every
//! consumer comes later on the tape, so its adjoint is complete by the time we get
//! there. We print every adjoint in reverse order next to that chain-rule step, compare
//! `df/dx` and `df/dy` with the derivative worked out by hand and with a central finite
//! difference, and check that calling backward twice gives the same numbers.
//!
//! Figures: the tape drawn as a graph (`Tape::dot`, laid out by `layout-rs`), once after
//! the forward pass with every node's value, and once after the reverse sweep with every
//! node's adjoint as well, like micrograd's `draw_dot`; and the tape of one step of
//! softmax regression, where tensors show their shape and a summary of their values.

mod common;

use common::figures::Figures;
use common::graph::dot_to_svg;
use nn::functions::cross_entropy;
use tape::{Tape, Tensor};

/// The same function on plain numbers, for the finite difference.
fn f(x: f64, y: f64) -> f64 {
    (x * y + x.exp()).ln()
}

/// Panics unless `a` and `b` agree to `tol`; the example exits non-zero if a claim fails.
fn check(what: &str, a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{what}: {a} != {b}");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let figures = Figures::new("tape_walkthrough")?;
    let tape = Tape::<f64>::new();
    let (x0, y0) = (2.0, 3.0);

    // Forward: every line appends one node to the tape, with its value.
    let x = tape.var_scalar(x0);
    let y = tape.var_scalar(y0);
    let a = x * y; // a = x y
    let b = x.exp(); // b = e^x
    let s = a + b; // s = a + b
    let out = s.ln(); // f = ln s
    println!("f(x, y) = ln(x y + e^x) at x = {x0}, y = {y0}\n");
    println!("The tape (a Wengert list, written forward):");
    print!("{tape}");
    println!("(x = #0, y = #1, a = x y = #2, b = e^x = #3, s = a + b = #4, f = ln s = #5)");
    let names = [(x, "x"), (y, "y"), (a, "a"), (b, "b"), (s, "s"), (out, "f")];
    let forward = tape.dot().names(&names).to_string();
    println!("\nThe same tape as a Graphviz DOT graph (Tape::dot), one node per op:\n{forward}");
    figures.save(
        "forward",
        &dot_to_svg(&forward)?,
        "the tape as a graph after the forward pass: op, shape, value",
    )?;

    // Backward: one sweep from the output, in reverse tape order.
    let grads = out.backward();
    figures.save(
        "backward",
        &dot_to_svg(&tape.dot().names(&names).with_grads(&grads).to_string())?,
        "the same graph after the reverse sweep, with every node's adjoint df/dnode",
    )?;
    let g = |v| grads.item(v);
    let (bv, sv) = (b.item(), s.item());

    println!(
        "\nThe reverse sweep, v_bar = df/dv (adjoint = sum over consumers of consumer adjoint x local partial):"
    );
    let steps = [
        (out, "f", "seed: df/df = 1".to_string(), 1.0),
        (
            s,
            "s",
            format!("f_bar * d(ln s)/ds = 1 * 1/s = 1 / {sv:.4}"),
            g(out) / sv,
        ),
        (b, "b", "s_bar * d(a + b)/db = s_bar * 1".to_string(), g(s)),
        (a, "a", "s_bar * d(a + b)/da = s_bar * 1".to_string(), g(s)),
        (
            y,
            "y",
            format!("a_bar * d(xy)/dy = a_bar * x = {:.4} * {x0}", g(a)),
            g(a) * x0,
        ),
        (
            x,
            "x",
            // x feeds two nodes (a = xy and b = e^x): its adjoint is the sum of both paths.
            format!(
                "a_bar * y + b_bar * e^x = {:.4} * {y0} + {:.4} * {bv:.4}",
                g(a),
                g(b)
            ),
            g(a) * y0 + g(b) * bv,
        ),
    ];
    for (var, name, rule, by_hand) in steps {
        println!("  #{} {name}_bar = {:>9.6}   {rule}", var.index(), g(var));
        check(name, g(var), by_hand, 1e-12);
    }

    // Against the derivative by hand: df/dx = (y + e^x) / s, df/dy = x / s.
    let s_hand = x0 * y0 + x0.exp();
    let (dx_hand, dy_hand) = ((y0 + x0.exp()) / s_hand, x0 / s_hand);
    // ... and a central finite difference. Its error has two parts: truncation,
    // h^2 |f^(3)| / 6, and rounding, about u |f| / h (u = 2.2e-16, the spacing of f64
    // near 1): f(x + h) and f(x - h) each carry a rounding error of about u |f|, and
    // their difference is divided by 2h. At h = 1e-6 truncation is ~1e-13 and rounding
    // ~1e-10, so what we see is rounding (gradient_check draws both as h varies).
    let h = 1e-6;
    let dx_fd = (f(x0 + h, y0) - f(x0 - h, y0)) / (2.0 * h);
    let dy_fd = (f(x0, y0 + h) - f(x0, y0 - h)) / (2.0 * h);
    println!("\n       tape          by hand       finite difference, h = {h:e}   |fd - tape|");
    for (name, tape_value, hand, fd) in [
        ("df/dx", g(x), dx_hand, dx_fd),
        ("df/dy", g(y), dy_hand, dy_fd),
    ] {
        println!(
            "{name}  {tape_value:.10}  {hand:.10}  {fd:.10}                  {:.0e}",
            (fd - tape_value).abs()
        );
    }
    let rounding = f64::EPSILON * f(x0, y0).abs() / h;
    println!(
        "rounding estimate u |f| / h = {rounding:.0e}: the finite difference has about 10 correct digits, the tape all 16"
    );
    check("df/dx by hand", g(x), dx_hand, 1e-14);
    check("df/dy by hand", g(y), dy_hand, 1e-14);
    check("df/dx numeric", g(x), dx_fd, 10.0 * rounding);
    check("df/dy numeric", g(y), dy_fd, 10.0 * rounding);

    // Backward returns a fresh Grads each time instead of adding into the vars, so
    // there is nothing to zero and a second call gives exactly the same numbers.
    let again = out.backward();
    println!(
        "\nbackward again: df/dx = {:.10}, df/dy = {:.10} (identical: nothing accumulates between calls)",
        again.item(x),
        again.item(y)
    );
    assert_eq!((again.item(x), again.item(y)), (g(x), g(y)));

    // A var used twice in one expression gets both contributions: d(z z)/dz = z + z.
    let z = tape.var_scalar(5.0);
    let sq = z * z;
    println!(
        "z = 5 used twice in z * z: dz = {} (= 5 from the left operand + 5 from the right)",
        sq.backward().item(z)
    );
    assert_eq!(sq.backward().item(z), 10.0);

    // Tensors live on the same kind of tape: one step of softmax regression, 2 features,
    // 3 classes, a batch of 4. Cross-entropy is composed of primitives (max, detach,
    // exp, sum, ln, pick, mean), and every one of them is a node.
    let tape = Tape::<f64>::new();
    let w = tape.var(&Tensor::from_vec(
        vec![0.5, -0.2, 0.1, 0.3, -0.4, 0.2],
        &[3, 2],
    ));
    let b = tape.var(&Tensor::zeros(&[3]));
    let x = tape.constant(&Tensor::from_vec(
        vec![1.0, 2.0, -1.0, 0.5, 0.3, -1.5, 2.0, 1.0],
        &[4, 2],
    ));
    let logits = x.matmul(w.t()) + b;
    let loss = cross_entropy(logits, &[0, 2, 1, 0]);
    let grads = loss.backward();
    let names = [(w, "W"), (b, "b"), (x, "X"), (logits, "o"), (loss, "L")];
    println!(
        "\nsoftmax regression, one step: {} nodes; L = {:.4}, dL/db = {:.4?}",
        tape.len(),
        loss.item(),
        grads.wrt(b)
    );
    // The three classes' adjoints of b sum to 0: softmax(o) - y sums to 0 in every row.
    assert!(grads.wrt(b).iter().sum::<f64>().abs() < 1e-12);
    figures.save(
        "tensors",
        &dot_to_svg(
            &tape
                .dot()
                .names(&names)
                .with_grads(&grads)
                .top_to_bottom()
                .to_string(),
        )?,
        "the tape of one softmax-regression step, with shapes, values and adjoints",
    )?;
    Ok(())
}
