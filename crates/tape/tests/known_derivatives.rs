//! Derivatives worked out by hand, in `f32` and `f64`: every check is a generic function
//! over `T: Float`, run for both types with tolerances to match.

use tape::{Float, Tape, Tensor};

/// Tolerances for one element type.
trait Tolerance: Float {
    /// Relative tolerance of a few roundings.
    const RTOL: f64;
}

impl Tolerance for f32 {
    const RTOL: f64 = 1e-5;
}

impl Tolerance for f64 {
    const RTOL: f64 = 1e-13;
}

fn t<T: Float>(x: f64) -> T {
    T::from_f64(x)
}

/// `|got - want| <= RTOL * max(1, |want|)`.
#[track_caller]
fn assert_close<T: Tolerance>(got: T, want: f64, what: &str) {
    let got = got.to_f64();
    let tol = T::RTOL * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (tolerance {tol}, {})",
        std::any::type_name::<T>()
    );
}

#[track_caller]
fn assert_all_close<T: Tolerance>(got: &[T], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert_close(g, w, &format!("{what}[{i}]"));
    }
}

fn tensor<T: Float>(data: &[f64], dims: &[usize]) -> Tensor<T> {
    Tensor::from_vec(data.iter().map(|&x| t(x)).collect(), dims)
}

fn polynomial<T: Tolerance>() {
    // d/dx (x^3 + 2x) = 3x^2 + 2 = 29 at x = 3, exactly: every step is an exact integer.
    let tape = Tape::<T>::new();
    let x = tape.var_scalar(t(3.0));
    let y = x * x * x + x * t::<T>(2.0);
    assert_eq!(y.item(), t(33.0));
    let grads = y.backward();
    assert_eq!(grads.item(x), t(29.0));

    // The same through powi, and through the scalar-on-the-left operator forms.
    let tape = Tape::<T>::new();
    let x = tape.var_scalar(t(3.0));
    let y = x.powi(3) + x * t::<T>(2.0);
    assert_eq!(y.backward().item(x), t(29.0));
}

fn tanh<T: Tolerance>() {
    for x0 in [-2.5, -0.7, 0.0, 0.3, 1.9] {
        let tape = Tape::<T>::new();
        let x = tape.var_scalar(t(x0));
        let y = x.tanh();
        let th = f64::tanh(x0);
        assert_close(y.item(), th, "tanh");
        assert_close(y.backward().item(x), 1.0 - th * th, "d tanh");
    }
}

fn ln<T: Tolerance>() {
    for x0 in [0.1, 0.5, 1.0, 2.0, 7.5] {
        let tape = Tape::<T>::new();
        let x = tape.var_scalar(t(x0));
        assert_close(x.ln().backward().item(x), 1.0 / x0, "d ln");
    }
}

fn sigmoid<T: Tolerance>() {
    for x0 in [-8.0, -1.0, 0.0, 0.4, 3.0] {
        let tape = Tape::<T>::new();
        let x = tape.var_scalar(t(x0));
        let y = x.sigmoid();
        let s = 1.0 / (1.0 + f64::exp(-x0));
        assert_close(y.item(), s, "sigmoid");
        assert_close(y.backward().item(x), s * (1.0 - s), "d sigmoid");
    }
}

fn exp<T: Tolerance>() {
    for x0 in [-3.0, -0.5, 0.0, 1.0, 2.5] {
        let tape = Tape::<T>::new();
        let x = tape.var_scalar(t(x0));
        assert_close(x.exp().backward().item(x), f64::exp(x0), "d exp");
    }
}

fn sqrt_abs_relu_powers<T: Tolerance>() {
    let tape = Tape::<T>::new();
    let x = tape.var_scalar(t(2.25));
    assert_close(x.sqrt().backward().item(x), 1.0 / 3.0, "d sqrt at 2.25");
    assert_close(
        x.powf(t(1.5)).backward().item(x),
        1.5 * 1.5,
        "d x^1.5 at 2.25",
    );
    assert_close(
        x.powi(-2).backward().item(x),
        -2.0 / 2.25f64.powi(3),
        "d x^-2",
    );
    let y = tape.var_scalar(t(-1.5));
    assert_eq!(y.abs().backward().item(y), t(-1.0));
    assert_eq!(y.relu().backward().item(y), t(0.0));
    assert_eq!(x.relu().backward().item(x), t(1.0));
    assert_eq!((-y).backward().item(y), t(-1.0));
    // NaN passes through relu (as in PyTorch), on the scalar lane and on a tensor; the
    // derivative there is 0, as PyTorch's.
    let nan = tape.var_scalar(T::from_f64(f64::NAN));
    assert!(nan.relu().value().item().is_nan());
    assert_eq!(nan.relu().backward().item(nan), t(0.0));
    let v = tape.var(&tape::Tensor::from_vec(
        vec![T::from_f64(f64::NAN), t(-0.0), t(2.0)],
        &[3],
    ));
    let r = v.relu().value();
    assert!(r.data()[0].is_nan() && r.data()[1] == t(0.0) && r.data()[2] == t(2.0));
}

/// `clamp` keeps values inside `[lo, hi]` with gradient 1, ends included (PyTorch's
/// convention), moves values outside onto the ends with gradient 0, keeps NaN (gradient 0),
/// and makes everything `hi` when `lo > hi`; on the scalar lane and on a tensor alike.
fn clamp<T: Tolerance>() {
    let tape = Tape::<T>::new();
    let values = [-2.0, -1.0, 0.25, 1.0, 3.0, f64::NAN];
    let want_values = [-1.0, -1.0, 0.25, 1.0, 1.0, f64::NAN];
    let want_grads = [0.0, 1.0, 1.0, 1.0, 0.0, 0.0];
    let v = tape.var(&tape::Tensor::from_vec(
        values.iter().map(|&x| T::from_f64(x)).collect(),
        &[6],
    ));
    let clamped = v.clamp(t(-1.0), t(1.0));
    let grads = clamped.sum().backward();
    for i in 0..6 {
        let (got, want) = (clamped.value().data()[i], want_values[i]);
        assert!(
            got == t(want) || (got.is_nan() && want.is_nan()),
            "clamp({})",
            values[i]
        );
        assert_eq!(
            grads.wrt(v)[i],
            t(want_grads[i]),
            "d clamp at {}",
            values[i]
        );
        let x = tape.var_scalar(T::from_f64(values[i]));
        let y = x.clamp(t(-1.0), t(1.0));
        assert!(y.item() == t(want) || (y.item().is_nan() && want.is_nan()));
        assert_eq!(
            y.backward().item(x),
            t(want_grads[i]),
            "scalar lane at {}",
            values[i]
        );
    }
    let x = tape.var_scalar(t(0.0));
    assert_eq!(x.clamp(t(2.0), t(1.0)).item(), t(1.0));
    assert_eq!(x.clamp_min(t(0.5)).backward().item(x), t(0.0));
    assert_eq!(x.clamp_max(t(0.5)).backward().item(x), t(1.0));
}

/// `x^0 = 1` for every `x`, so its derivative is 0 everywhere, at 0 too (not `0 * 0^-1`).
fn zeroth_power_at_zero<T: Tolerance>() {
    let tape = Tape::<T>::new();
    let x = tape.var_scalar(t(0.0));
    assert_eq!(x.powi(0).item(), t(1.0));
    assert_eq!(x.powi(0).backward().item(x), t(0.0));
    assert_eq!(x.powf(t(0.0)).backward().item(x), t(0.0));
    assert_eq!(x.powi(1).backward().item(x), t(1.0));
}

fn product_and_quotient_rules<T: Tolerance>() {
    // Two variables: d(xy) = (y, x); d(x/y) = (1/y, -x/y^2).
    let tape = Tape::<T>::new();
    let (x0, y0) = (1.5, -0.8);
    let x = tape.var_scalar(t(x0));
    let y = tape.var_scalar(t(y0));
    let g = (x * y).backward();
    assert_close(g.item(x), y0, "d(xy)/dx");
    assert_close(g.item(y), x0, "d(xy)/dy");
    let g = (x / y).backward();
    assert_close(g.item(x), 1.0 / y0, "d(x/y)/dx");
    assert_close(g.item(y), -x0 / (y0 * y0), "d(x/y)/dy");

    // One variable: (e^x ln x)' = e^x ln x + e^x / x.
    let x0 = 1.7;
    let x = tape.var_scalar(t(x0));
    let want = x0.exp() * x0.ln() + x0.exp() / x0;
    assert_close((x.exp() * x.ln()).backward().item(x), want, "product rule");
    // ((x^2 + 1) / (x + 2))' = (2x (x + 2) - (x^2 + 1)) / (x + 2)^2.
    let want = (2.0 * x0 * (x0 + 2.0) - (x0 * x0 + 1.0)) / ((x0 + 2.0) * (x0 + 2.0));
    let q = (x * x + t::<T>(1.0)) / (x + t::<T>(2.0));
    assert_close(q.backward().item(x), want, "quotient rule");
}

fn matmul<T: Tolerance>() {
    // d sum(A B) / dA[i, p] = sum_j B[p, j] (row sums of B);
    // d sum(A B) / dB[p, j] = sum_i A[i, p] (column sums of A).
    let (m, k, n) = (3, 4, 2);
    let a_data: Vec<f64> = (0..m * k).map(|i| (i as f64 * 0.37).sin()).collect();
    let b_data: Vec<f64> = (0..k * n).map(|i| (i as f64 * 0.91).cos()).collect();
    let tape = Tape::<T>::new();
    let a = tape.var(&tensor(&a_data, &[m, k]));
    let b = tape.var(&tensor(&b_data, &[k, n]));
    let grads = a.matmul(b).sum().backward();
    let da = grads.wrt(a);
    let db = grads.wrt(b);
    for i in 0..m {
        for p in 0..k {
            let row_sum_b: f64 = (0..n).map(|j| b_data[p * n + j]).sum();
            assert_close(da[i * k + p], row_sum_b, &format!("dA[{i}, {p}]"));
        }
    }
    for p in 0..k {
        for j in 0..n {
            let col_sum_a: f64 = (0..m).map(|i| a_data[i * k + p]).sum();
            assert_close(db[p * n + j], col_sum_a, &format!("dB[{p}, {j}]"));
        }
    }
}

fn transpose<T: Tolerance>() {
    // d sum(W^T * G) / dW = G^T, for a non-square W.
    let tape = Tape::<T>::new();
    let w = tape.var(&tensor(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]));
    let g = tape.constant(&tensor(&[10.0, 20.0, 30.0, 40.0, 50.0, 60.0], &[3, 2]));
    let wt = w.t();
    assert_eq!(&wt.shape()[..], &[3, 2]);
    let grads = (wt * g).sum().backward();
    assert_all_close(grads.wrt(w), &[10.0, 30.0, 50.0, 20.0, 40.0, 60.0], "dW");
}

fn bias_broadcast<T: Tolerance>() {
    // y = X + b with X [4, 3] and b [3]; L = sum(G * y). dL/db = column sums of G;
    // dL/dX = G.
    let (rows, cols) = (4, 3);
    let x_data: Vec<f64> = (0..rows * cols).map(|i| i as f64 * 0.25 - 1.0).collect();
    let g_data: Vec<f64> = (0..rows * cols)
        .map(|i| ((i * 7) % 5) as f64 - 2.0)
        .collect();
    let tape = Tape::<T>::new();
    let x = tape.var(&tensor(&x_data, &[rows, cols]));
    let b = tape.var(&tensor(&[0.5, -1.0, 2.0], &[cols]));
    let g = tape.constant(&tensor(&g_data, &[rows, cols]));
    let grads = ((x + b) * g).sum().backward();
    let col_sums: Vec<f64> = (0..cols)
        .map(|j| (0..rows).map(|i| g_data[i * cols + j]).sum())
        .collect();
    assert_all_close(grads.wrt(b), &col_sums, "db");
    assert_all_close(grads.wrt(x), &g_data, "dX");
    // Broadcast the other way: a column [4, 1] against [4, 3] takes the row sums.
    let c = tape.var(&tensor(&[1.0, 2.0, 3.0, 4.0], &[rows, 1]));
    let grads = ((x * c) * g).sum().backward();
    let want: Vec<f64> = (0..rows)
        .map(|i| {
            (0..cols)
                .map(|j| g_data[i * cols + j] * x_data[i * cols + j])
                .sum()
        })
        .collect();
    assert_all_close(grads.wrt(c), &want, "dc");
}

fn reductions<T: Tolerance>() {
    let data = [1.0, 9.0, 3.0, 7.0, 5.0, 6.0];
    let tape = Tape::<T>::new();
    let x = tape.var(&tensor(&data, &[2, 3]));
    assert_all_close(x.mean().backward().wrt(x), &[1.0 / 6.0; 6], "d mean");
    assert_all_close(
        x.max().backward().wrt(x),
        &[0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        "d max",
    );
    assert_all_close(
        x.max_axis(-1, false).sum().backward().wrt(x),
        &[0.0, 1.0, 0.0, 1.0, 0.0, 0.0],
        "d max_axis",
    );
    assert_all_close(
        x.mean_axis(0, true).sum().backward().wrt(x),
        &[0.5; 6],
        "d mean_axis",
    );
    let picked = x.pick(&[2, 0]);
    assert_all_close(picked.value().data(), &[3.0, 7.0], "pick");
    assert_all_close(
        picked.sum().backward().wrt(x),
        &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0],
        "d pick",
    );
}

macro_rules! for_both_types {
    ($($name:ident),* $(,)?) => {
        mod f32_checks {
            $( #[test] fn $name() { super::$name::<f32>() } )*
        }
        mod f64_checks {
            $( #[test] fn $name() { super::$name::<f64>() } )*
        }
    };
}

for_both_types!(
    polynomial,
    tanh,
    ln,
    sigmoid,
    exp,
    sqrt_abs_relu_powers,
    clamp,
    zeroth_power_at_zero,
    product_and_quotient_rules,
    matmul,
    transpose,
    bias_broadcast,
    reductions,
);

/// The operator forms with the plain number on the left exist for concrete types.
#[test]
fn scalar_on_the_left_f32_and_f64() {
    let tape = Tape::<f64>::new();
    let x = tape.var_scalar(2.0);
    assert_eq!((3.0 / x).backward().item(x), -0.75);
    assert_eq!((2.0 - x).backward().item(x), -1.0);
    assert_eq!((2.5 * x + 1.0).backward().item(x), 2.5);
    assert_eq!((x / 4.0 - 1.0).backward().item(x), 0.25);
    let tape = Tape::<f32>::new();
    let x = tape.var_scalar(2.0f32);
    assert_eq!((3.0f32 / x).backward().item(x), -0.75);
    assert_eq!((2.0f32 - x).backward().item(x), -1.0);
    assert_eq!((2.5f32 * x + 1.0).backward().item(x), 2.5);
    assert_eq!((x / 4.0f32 - 1.0).backward().item(x), 0.25);
}
