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

use tape::Tape;

/// The same function on plain numbers, for the finite difference.
fn f(x: f64, y: f64) -> f64 {
    (x * y + x.exp()).ln()
}

/// Panics unless `a` and `b` agree to `tol`; the example exits non-zero if a claim fails.
fn check(what: &str, a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{what}: {a} != {b}");
}

fn main() {
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

    // Backward: one sweep from the output, in reverse tape order.
    let grads = out.backward();
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
    // ... and a central finite difference, whose error is O(h^2).
    let h = 1e-6;
    let dx_fd = (f(x0 + h, y0) - f(x0 - h, y0)) / (2.0 * h);
    let dy_fd = (f(x0, y0 + h) - f(x0, y0 - h)) / (2.0 * h);
    println!("\n          tape        by hand     finite difference");
    println!("df/dx  {:.10}  {dx_hand:.10}  {dx_fd:.10}", g(x));
    println!("df/dy  {:.10}  {dy_hand:.10}  {dy_fd:.10}", g(y));
    check("df/dx by hand", g(x), dx_hand, 1e-14);
    check("df/dy by hand", g(y), dy_hand, 1e-14);
    check("df/dx numeric", g(x), dx_fd, 1e-8);
    check("df/dy numeric", g(y), dy_fd, 1e-8);

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
}
