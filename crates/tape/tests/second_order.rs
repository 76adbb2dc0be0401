//! Second order on the tape: `gradgradcheck` passes on every primitive op that is twice
//! differentiable (default options: eps 1e-6, atol 1e-5, rtol 1e-3), on random shapes
//! and values inside each op's domain; a dual tape computes exactly the real tape's
//! values and gradients; Hessians are symmetric and agree with known closed forms.
//!
//! Each op's output `y` is turned into a scalar by `sum(w y) + sum(y^2) / 2` with fixed
//! weights `w`: the square term makes the Hessian of a linear op (transpose, sum,
//! broadcast, ...) non-zero, so the tangents of its backward rule are checked too.

use proptest::collection::vec;
use proptest::prelude::*;
use tape::ops::Binary;
use tape::{
    gradgradcheck, hessian, hvp, Dual, Float, GradcheckOptions, ScalarFunction, Tape, Tensor, Var,
};

type Dims = Vec<usize>;

/// The primitive ops under test, with their parameters.
#[derive(Clone, Debug)]
enum Prim {
    Neg,
    Exp,
    Ln,
    Sqrt,
    Tanh,
    Sigmoid,
    Relu,
    Abs,
    Clamp(f64, f64),
    Powi(i32),
    Powf(f64),
    AddConst(f64),
    MulConst(f64),
    DivConst(f64),
    ConstSub(f64),
    ConstDiv(f64),
    Binary(Binary),
    MatMul,
    Transpose,
    Reshape(Dims),
    BroadcastTo(Dims),
    Sum,
    Mean,
    Max,
    SumAxis(isize, bool),
    MeanAxis(isize, bool),
    MaxAxis(isize, bool),
    Pick(Vec<usize>),
    Concat(isize),
}

impl Prim {
    fn apply<'t, T: Float>(&self, v: &[Var<'t, T>]) -> Var<'t, T> {
        let c = |x: f64| T::from_f64(x);
        let x = v[0];
        match self {
            Prim::Neg => -x,
            Prim::Exp => x.exp(),
            Prim::Ln => x.ln(),
            Prim::Sqrt => x.sqrt(),
            Prim::Tanh => x.tanh(),
            Prim::Sigmoid => x.sigmoid(),
            Prim::Relu => x.relu(),
            Prim::Abs => x.abs(),
            Prim::Clamp(lo, hi) => x.clamp(c(*lo), c(*hi)),
            Prim::Powi(n) => x.powi(*n),
            Prim::Powf(p) => x.powf(c(*p)),
            Prim::AddConst(k) => x + c(*k),
            Prim::MulConst(k) => x * c(*k),
            Prim::DivConst(k) => x / c(*k),
            Prim::ConstSub(k) => x.tape().constant_scalar(c(*k)) - x,
            Prim::ConstDiv(k) => x.tape().constant_scalar(c(*k)) / x,
            Prim::Binary(kind) => x.binary(v[1], *kind),
            Prim::MatMul => x.matmul(v[1]),
            Prim::Transpose => x.t(),
            Prim::Reshape(dims) => x.reshape(dims),
            Prim::BroadcastTo(dims) => x.broadcast_to(dims),
            Prim::Sum => x.sum(),
            Prim::Mean => x.mean(),
            Prim::Max => x.max(),
            Prim::SumAxis(axis, keep) => x.sum_axis(*axis, *keep),
            Prim::MeanAxis(axis, keep) => x.mean_axis(*axis, *keep),
            Prim::MaxAxis(axis, keep) => x.max_axis(*axis, *keep),
            Prim::Pick(labels) => x.pick(labels),
            Prim::Concat(axis) => Var::concat(v, *axis),
        }
    }
}

/// `sum(w y) + sum(y^2) / 2` for `y` the op's output.
struct Probe(Prim);

impl ScalarFunction for Probe {
    fn eval<'t, T: Float>(&self, tape: &'t Tape<T>, inputs: &[Var<'t, T>]) -> Var<'t, T> {
        let y = self.0.apply(inputs);
        let w: Vec<f64> = (0..y.len())
            .map(|i| (i as f64 * 0.731 + 0.3).sin() * 1.5)
            .collect();
        let w = tape.constant_cast(&w, &y.shape());
        (y * w).sum() + (y * y).sum() * T::from_f64(0.5)
    }
}

fn check(prim: Prim, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError> {
    match gradgradcheck(&Probe(prim.clone()), inputs, &GradcheckOptions::default()) {
        Ok(report) => {
            let elements: usize = inputs.iter().map(Tensor::len).sum();
            prop_assert_eq!(report.checked, elements);
            Ok(())
        }
        Err(e) => Err(TestCaseError::fail(format!(
            "{prim:?}: {e} (inputs {inputs:?})"
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

fn shape(min_rank: usize, max_rank: usize) -> impl Strategy<Value = Dims> {
    vec(1usize..=4, min_rank..=max_rank)
}

fn filled(dims: Dims, range: std::ops::Range<f64>) -> impl Strategy<Value = Tensor<f64>> {
    let n: usize = dims.iter().product();
    vec(range, n).prop_map(move |data| Tensor::from_vec(data, &dims))
}

/// At least 0.05 from zero, either sign (the kinks of abs and relu).
fn away_from_zero(dims: Dims) -> impl Strategy<Value = Tensor<f64>> {
    filled(dims, 0.05..2.0).prop_flat_map(|t| {
        vec(any::<bool>(), t.len()).prop_map(move |signs| {
            let data = t.data().iter().zip(&signs);
            let flipped = data.map(|(&x, &s)| if s { -x } else { x }).collect();
            Tensor::from_vec(flipped, t.shape())
        })
    })
}

/// Pairwise at least 0.1 apart (a shuffled ladder), so maxima are unique under a nudge.
fn distinct(dims: Dims) -> impl Strategy<Value = Tensor<f64>> {
    let n: usize = dims.iter().product();
    Just((0..n).collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(move |perm| {
            let data = perm.iter().map(|&p| (p as f64 - n as f64 / 2.0) * 0.1);
            Tensor::from_vec(data.collect(), &dims)
        })
}

// ---------------------------------------------------------------------------------------
// Elementwise
// ---------------------------------------------------------------------------------------

/// Smooth on all of `(-2, 2)`.
fn smooth_anywhere() -> impl Strategy<Value = Prim> {
    prop_oneof![
        Just(Prim::Neg),
        Just(Prim::Exp),
        Just(Prim::Tanh),
        Just(Prim::Sigmoid),
        (0i32..5).prop_map(Prim::Powi),
        (-2.0..2.0f64).prop_map(Prim::AddConst),
        (-2.0..2.0f64).prop_map(Prim::MulConst),
        (0.5..2.0f64).prop_map(Prim::DivConst),
        (-2.0..2.0f64).prop_map(Prim::ConstSub),
    ]
}

/// Smooth for positive arguments.
fn smooth_on_positives() -> impl Strategy<Value = Prim> {
    prop_oneof![
        Just(Prim::Ln),
        Just(Prim::Sqrt),
        (-3i32..0).prop_map(Prim::Powi),
        (-2.0..3.0f64).prop_map(Prim::Powf),
        (-2.0..2.0f64).prop_map(Prim::ConstDiv),
    ]
}

proptest! {
    #[test]
    fn elementwise_ops_smooth_everywhere(prim in smooth_anywhere(), x in shape(0, 3).prop_flat_map(|d| filled(d, -2.0..2.0))) {
        check(prim, &[x])?;
    }

    #[test]
    fn elementwise_ops_on_positive_arguments(prim in smooth_on_positives(), x in shape(0, 3).prop_flat_map(|d| filled(d, 0.2..3.0))) {
        check(prim, &[x])?;
    }

    #[test]
    fn abs_and_relu_away_from_their_kink(relu in any::<bool>(), x in shape(0, 3).prop_flat_map(away_from_zero)) {
        check(if relu { Prim::Relu } else { Prim::Abs }, &[x])?;
    }

    #[test]
    fn clamp_away_from_its_ends(below in any::<bool>(), x in shape(0, 3).prop_flat_map(away_from_zero)) {
        // One end at the kink `away_from_zero` avoids, the other out of reach.
        check(if below { Prim::Clamp(0.0, 10.0) } else { Prim::Clamp(-10.0, 0.0) }, &[x])?;
    }

    #[test]
    fn arithmetic_with_broadcasting(
        kind in prop_oneof![Just(Binary::Add), Just(Binary::Sub), Just(Binary::Mul), Just(Binary::Div)],
        (a, b) in broadcast_operands(),
    ) {
        // b in [0.2, 3): a safe denominator
        check(Prim::Binary(kind), &[a, b])?;
    }

    #[test]
    fn maximum_and_minimum_of_distinct_operands(maximum in any::<bool>(), dims in shape(0, 3)) {
        let n: usize = dims.iter().product();
        // interleaved ladders: a and b are at least 0.05 apart everywhere
        let a = Tensor::from_fn(&dims, |i| (i as f64 - n as f64 / 2.0) * 0.1);
        let b = Tensor::from_fn(&dims, |i| ((n - 1 - i) as f64 - n as f64 / 2.0) * 0.1 + 0.05);
        let kind = if maximum { Binary::Maximum } else { Binary::Minimum };
        check(Prim::Binary(kind), &[a, b])?;
    }
}

/// Two operands whose shapes broadcast (one may have fewer axes or axes of size 1).
fn broadcast_operands() -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    (shape(1, 3), vec(any::<bool>(), 3), 0usize..2).prop_flat_map(|(out, ones, drop)| {
        let drop = drop.min(out.len() - 1);
        let b_dims: Dims = out[drop..]
            .iter()
            .zip(&ones)
            .map(|(&d, &one)| if one { 1 } else { d })
            .collect();
        (filled(out, -2.0..2.0), filled(b_dims, 0.2..3.0))
    })
}

// ---------------------------------------------------------------------------------------
// Matrix product, layout, reductions, indexing
// ---------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn matmul((a, b) in (1usize..5, 1usize..5, 1usize..5).prop_flat_map(|(m, k, n)| (filled(vec![m, k], -2.0..2.0), filled(vec![k, n], -2.0..2.0)))) {
        check(Prim::MatMul, &[a, b])?;
    }

    #[test]
    fn transpose_and_reshape(x in shape(2, 2).prop_flat_map(|d| filled(d, -2.0..2.0)), flatten in any::<bool>()) {
        let prim = if flatten { Prim::Reshape(vec![x.len()]) } else { Prim::Transpose };
        check(prim, &[x])?;
    }

    #[test]
    fn broadcast_to((x, rows) in (shape(1, 2), 1usize..4).prop_flat_map(|(d, r)| (filled(d, -2.0..2.0), Just(r)))) {
        let mut to = vec![rows];
        to.extend_from_slice(x.shape());
        check(Prim::BroadcastTo(to), &[x])?;
    }

    #[test]
    fn reductions_over_everything(kind in 0..3, x in shape(0, 3).prop_flat_map(distinct)) {
        check([Prim::Sum, Prim::Mean, Prim::Max][kind as usize].clone(), &[x])?;
    }

    #[test]
    fn reductions_along_an_axis(
        kind in 0..3,
        (x, axis, keep) in shape(1, 3).prop_flat_map(|d| {
            let rank = d.len() as isize;
            (distinct(d), -rank..rank, any::<bool>())
        }),
    ) {
        let prim = match kind {
            0 => Prim::SumAxis(axis, keep),
            1 => Prim::MeanAxis(axis, keep),
            _ => Prim::MaxAxis(axis, keep),
        };
        check(prim, &[x])?;
    }

    #[test]
    fn pick_one_per_row((x, labels) in (1usize..5, 1usize..5).prop_flat_map(|(n, k)| (filled(vec![n, k], -2.0..2.0), vec(0..k, n)))) {
        check(Prim::Pick(labels), &[x])?;
    }

    #[test]
    fn concat_along_an_axis((a, b, axis) in (1usize..4, 1usize..4, 1usize..4, 0isize..2).prop_flat_map(|(r, c1, c2, axis)| {
        let (da, db) = if axis == 0 { (vec![c1, r], vec![c2, r]) } else { (vec![r, c1], vec![r, c2]) };
        (filled(da, -2.0..2.0), filled(db, -2.0..2.0), Just(axis))
    })) {
        check(Prim::Concat(axis), &[a, b])?;
    }
}

// ---------------------------------------------------------------------------------------
// The dual tape itself
// ---------------------------------------------------------------------------------------

/// A composition of many ops: `sum(tanh(X W) * sigmoid(X W)) / (1 + |b|^2) + max(W)`.
struct Composite;

impl ScalarFunction for Composite {
    fn eval<'t, T: Float>(&self, tape: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
        let x = tape.constant_cast(&[0.3, -1.2, 0.8, 0.5, 2.0, -0.7], &[3, 2]);
        let xw = x.matmul(v[0]);
        let smooth = (xw.tanh() * xw.sigmoid()).sum();
        smooth / (v[1].powi(2).sum() + T::ONE) + v[0].max()
    }
}

proptest! {
    /// The dual numbers' values are the real computation's, bit for bit: comparisons
    /// see the value only, and a dual GEMM's value is the real GEMM.
    #[test]
    fn a_dual_tape_computes_the_real_value_and_gradient(
        w in filled(vec![2, 4], -2.0..2.0),
        b in filled(vec![3], -2.0..2.0),
        v in filled(vec![2, 4], -1.0..1.0),
    ) {
        let inputs = [w, b.clone()];
        let (value, gradient) = tape::value_and_grad(&Composite, &inputs);
        let out = hvp(&Composite, &inputs, &[v, Tensor::zeros(b.shape())]);
        prop_assert_eq!(out.value.to_bits(), value.to_bits());
        prop_assert_eq!(out.gradient, gradient);
    }

    #[test]
    fn hessians_are_symmetric(w in filled(vec![2, 4], -2.0..2.0), b in filled(vec![3], -2.0..2.0)) {
        let h = hessian(&Composite, &[w, b]);
        let n = h.shape()[0];
        prop_assert_eq!(n, 11);
        for i in 0..n {
            for j in 0..i {
                let (a, c) = (h.data()[i * n + j], h.data()[j * n + i]);
                prop_assert!((a - c).abs() <= 1e-12 * (1.0 + a.abs()), "H[{},{}] = {} vs {}", i, j, a, c);
            }
        }
    }
}

/// f32 and f64 tapes, and a dual of f32, all run the same definition.
#[test]
fn one_definition_serves_every_element_type() {
    let w = Tensor::from_vec(vec![0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8], &[2, 4]);
    let b = Tensor::from_vec(vec![0.5, -1.0, 0.25], &[3]);
    let (v64, g64) = tape::value_and_grad(&Composite, &[w.clone(), b.clone()]);
    let (v32, g32) = tape::value_and_grad(&Composite, &[w.cast::<f32>(), b.cast::<f32>()]);
    assert!((f64::from(v32) - v64).abs() < 1e-6);
    assert!(g32[0].cast::<f64>().max_abs_diff(&g64[0]) < 1e-5);
    let out = hvp(
        &Composite,
        &[w.cast::<f32>(), b.cast::<f32>()],
        &[w.cast(), b.cast()],
    );
    let exact = hvp(&Composite, &[w.clone(), b.clone()], &[w, b]);
    assert!(out.hvp[1].cast::<f64>().max_abs_diff(&exact.hvp[1]) < 1e-4);
}

/// `f(x) = sum(x^4) / 4 + (sum x)^2 / 2`: `H = diag(3 x^2) + 1 1^T`.
#[test]
fn hessian_of_a_known_function() {
    struct F;
    impl ScalarFunction for F {
        fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
            v[0].powi(4).sum() * T::from_f64(0.25) + v[0].sum().powi(2) * T::from_f64(0.5)
        }
    }
    let x = [1.0, -2.0, 0.5];
    let h = hessian(&F, &[Tensor::from_vec(x.to_vec(), &[3])]);
    for (i, xi) in x.iter().enumerate() {
        for j in 0..3 {
            let want = 1.0 + if i == j { 3.0 * xi * xi } else { 0.0 };
            assert_eq!(h.data()[i * 3 + j], want, "H[{i},{j}]");
        }
    }
}

/// Powers at zero, where `n x^(n-1)` and `p x^(p-1)` have singular pieces: the second
/// derivatives are `n (n-1) 0^(n-2)`: 0 for n = 1 and 3, 2 for n = 2.
#[test]
fn powers_at_zero_have_the_right_curvature() {
    struct P(i32, bool);
    impl ScalarFunction for P {
        fn eval<'t, T: Float>(&self, _: &'t Tape<T>, v: &[Var<'t, T>]) -> Var<'t, T> {
            if self.1 {
                v[0].powf(T::from_f64(f64::from(self.0))).sum()
            } else {
                v[0].powi(self.0).sum()
            }
        }
    }
    for real_exponent in [false, true] {
        for (n, want) in [(0, 0.0), (1, 0.0), (2, 2.0), (3, 0.0)] {
            let out = hvp(
                &P(n, real_exponent),
                &[Tensor::scalar(0.0)],
                &[Tensor::scalar(1.0)],
            );
            assert_eq!(out.hvp[0].item(), want, "x^{n} (powf: {real_exponent})");
        }
    }
}

/// `sum(tanh(y))` for a product `y` of data `x` (`[m, k]`) and a var `w` on a dual tape,
/// the data lent as reals or converted into dual constants: the loss and `w`'s gradient,
/// as the bits of their values and tangents. `layout` picks the product: `x w`, `x w^T`,
/// `w x`, `x^T w`, or `x w` plus an op (exp) that has the data converted into the tape.
fn borrowed_or_cast(
    layout: usize,
    x: &[f64],
    (m, k): (usize, usize),
    w: &[Dual<f64>],
    w_dims: &[usize],
    borrowed: bool,
) -> (Vec<u64>, Vec<u64>) {
    let tape = Tape::<Dual<f64>>::new();
    let xv = if borrowed {
        tape.constant_borrowed_real(x, &[m, k])
    } else {
        tape.constant_cast(x, &[m, k])
    };
    let wv = tape.var_from_slice(w, w_dims);
    let y = match layout {
        0 => xv.matmul(wv),
        1 => xv.matmul(wv.t()),
        2 => wv.matmul(xv),
        3 => xv.t().matmul(wv),
        _ => xv.matmul(wv) + xv.exp().sum(),
    };
    let loss = y.tanh().sum();
    let grads = loss.backward();
    let bits = |d: &[Dual<f64>]| -> Vec<u64> {
        d.iter()
            .flat_map(|d| [d.value.to_bits(), d.tangent.to_bits()])
            .collect()
    };
    (bits(&[loss.item()]), bits(grads.wrt(wv)))
}

proptest! {
    /// Data lent to a dual tape as reals (`constant_borrowed_real`) computes, bit for bit,
    /// what the same data does as dual constants: on either side of a product, used
    /// transposed or not, and converted into the tape for other ops.
    #[test]
    fn borrowed_reals_act_as_dual_constants(
        (m, k, n) in (1usize..6, 1usize..6, 1usize..6),
        layout in 0usize..5,
        seed in 0u64..1000,
    ) {
        let x: Vec<f64> = (0..m * k).map(|i| ((i as u64 * 7919 + seed) % 97) as f64 / 24.0 - 2.0).collect();
        let w_dims = match layout {
            1 => [n, k],
            2 => [n, m],
            3 => [m, n],
            _ => [k, n],
        };
        let w: Vec<Dual<f64>> = (0..w_dims[0] * w_dims[1])
            .map(|i| {
                let t = (i as u64 * 31 + seed) % 13;
                Dual::new(t as f64 / 6.0 - 1.0, (t % 5) as f64 / 4.0 - 0.5)
            })
            .collect();
        let lent = borrowed_or_cast(layout, &x, (m, k), &w, &w_dims, true);
        let cast = borrowed_or_cast(layout, &x, (m, k), &w, &w_dims, false);
        prop_assert_eq!(lent, cast);
    }
}

#[test]
fn borrowed_reals_read_back_as_constants() {
    let data = [1.5, -2.0, 0.25, 4.0];
    let tape = Tape::<Dual<f64>>::new();
    let x = tape.constant_borrowed_real(&data, &[2, 2]);
    let expected: Vec<Dual<f64>> = data.iter().map(|&v| Dual::constant(v)).collect();
    assert_eq!(x.value().data(), &expected[..]);
    assert!(x.value().data().iter().all(|d| d.tangent == 0.0));
    // On a real tape it is `constant_borrowed`.
    let real = Tape::<f64>::new();
    let y = real.constant_borrowed_real(&data, &[4]);
    assert_eq!(y.value().data(), &data);
    assert!(real.to_string().contains("borrowed"));
}
