//! For every primitive op, a proptest property that its gradient passes `tape::gradcheck`
//! (default options: eps 1e-6, atol 1e-5, rtol 1e-3) on random shapes (0-d tensors,
//! size-1 axes, broadcast pairs) and random values inside the op's domain.
//!
//! A non-scalar output is contracted with a random weight tensor of its own shape,
//! `(op(x) * w).sum()`: a plain `.sum()` would hide an error that is the same for every
//! element (a missing transpose of a uniform gradient, say).

use proptest::collection::vec;
use proptest::prelude::*;
use tape::{gradcheck, gradcheck_fast, GradcheckOptions, Tape, Tensor, Var};

type Dims = Vec<usize>;

fn numel(dims: &[usize]) -> usize {
    dims.iter().product()
}

fn tensor(dims: &[usize], data: Vec<f64>) -> Tensor<f64> {
    Tensor::from_vec(data, dims)
}

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

/// A shape of rank `min_rank..=max_rank` with dims `1..=4`.
fn dims(min_rank: usize, max_rank: usize) -> impl Strategy<Value = Dims> {
    vec(1usize..=4, min_rank..=max_rank)
}

/// Any value where every op is smooth.
fn any_val() -> BoxedStrategy<f64> {
    (-3.0..3.0f64).boxed()
}

/// Inside the domain of `ln`, `sqrt`, `powf` and a denominator.
fn positive() -> BoxedStrategy<f64> {
    (0.1..3.0f64).boxed()
}

/// At least 0.01 away from the kink of `abs` and `relu`, either sign.
fn away_from_zero() -> BoxedStrategy<f64> {
    (0.01..3.0f64, any::<bool>())
        .prop_map(|(m, negative)| if negative { -m } else { m })
        .boxed()
}

/// Values on the grid `0.1 k + [0, 0.02)`, shifted by `offset`. Two operands drawn
/// with offsets 0 and 0.05 are always at least 0.03 apart, whatever broadcasting pairs.
fn grid(offset: f64) -> BoxedStrategy<f64> {
    (-30i32..30, 0.0..0.02f64)
        .prop_map(move |(k, u)| f64::from(k) * 0.1 + u + offset)
        .boxed()
}

/// Weights of the contraction that makes an op's output a scalar.
fn weight() -> BoxedStrategy<f64> {
    (-2.0..2.0f64).boxed()
}

/// A tensor of shape `dims` with elements drawn from `vals`.
fn values(dims: Dims, vals: BoxedStrategy<f64>) -> impl Strategy<Value = Tensor<f64>> {
    vec(vals, numel(&dims)).prop_map(move |data| tensor(&dims, data))
}

/// A tensor of shape `dims` whose elements are pairwise at least 0.08 apart (a shuffled
/// ladder plus noise), so every max is unique and stays so under a 1e-6 nudge.
fn distinct(dims: Dims) -> impl Strategy<Value = Tensor<f64>> {
    let n = numel(&dims);
    (
        Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        vec(0.0..0.02f64, n),
    )
        .prop_map(move |(perm, noise)| {
            let data = perm
                .iter()
                .zip(noise)
                .map(|(&p, u)| (p as f64 - n as f64 / 2.0) * 0.1 + u)
                .collect();
            tensor(&dims, data)
        })
}

/// An input of a random shape (rank 0..=3) and a weight of the same shape.
fn unary_case(vals: BoxedStrategy<f64>) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>)> {
    dims(0, 3).prop_flat_map(move |d| (values(d.clone(), vals.clone()), values(d, weight())))
}

/// A shape that broadcasts to `out`: some leading axes dropped, some axes set to 1.
fn operand_of(out: &[usize]) -> impl Strategy<Value = Dims> {
    let out = out.to_vec();
    let rank = out.len();
    let drop = prop_oneof![Just(0), 0..=rank];
    (drop, vec(prop::bool::weighted(0.3), rank)).prop_map(move |(drop, ones)| {
        (drop..rank)
            .map(|i| if ones[i] { 1 } else { out[i] })
            .collect()
    })
}

/// Two shapes that broadcast together (to an output of rank 0..=3, dims 1..=4).
fn broadcast_pair() -> impl Strategy<Value = (Dims, Dims)> {
    dims(0, 3).prop_flat_map(|out| (operand_of(&out), operand_of(&out)))
}

/// NumPy's broadcast shape of two shapes known to broadcast.
fn broadcast(a: &[usize], b: &[usize]) -> Dims {
    let n = a.len().max(b.len());
    let at = |d: &[usize], i: usize| {
        if i + d.len() >= n {
            d[i + d.len() - n]
        } else {
            1
        }
    };
    (0..n)
        .map(|i| {
            let (x, y) = (at(a, i), at(b, i));
            assert!(
                x == y || x == 1 || y == 1,
                "{a:?} and {b:?} do not broadcast"
            );
            x.max(y)
        })
        .collect()
}

/// Two operands of broadcasting shapes and a weight of their broadcast shape.
fn binary_case(
    va: BoxedStrategy<f64>,
    vb: BoxedStrategy<f64>,
) -> impl Strategy<Value = (Tensor<f64>, Tensor<f64>, Tensor<f64>)> {
    broadcast_pair().prop_flat_map(move |(da, db)| {
        let out = broadcast(&da, &db);
        (
            values(da, va.clone()),
            values(db, vb.clone()),
            values(out, weight()),
        )
    })
}

/// A shape of rank 1..=3, an axis (possibly negative), and keepdim.
fn axis_case() -> impl Strategy<Value = (Dims, isize, bool)> {
    dims(1, 3).prop_flat_map(|d| {
        let rank = d.len() as isize;
        (Just(d), -rank..rank, any::<bool>())
    })
}

/// The shape left after reducing `axis` of `dims`.
fn reduced(dims: &[usize], axis: isize, keepdim: bool) -> Dims {
    let axis = axis.rem_euclid(dims.len() as isize) as usize;
    let mut out = dims.to_vec();
    if keepdim {
        out[axis] = 1;
    } else {
        out.remove(axis);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// `(y * w).sum()`, after checking that `y` has the shape the test expects (a wrongly
/// shaped `y` would otherwise broadcast against `w` silently).
fn contract<'t>(y: Var<'t, f64>, w: &Tensor<f64>) -> Var<'t, f64> {
    assert_eq!(&y.shape()[..], w.shape(), "shape of the op's output");
    (y * y.tape().constant(w)).sum()
}

/// Runs `gradcheck` with the default options; checks every element was compared.
fn check<F>(f: F, inputs: &[Tensor<f64>]) -> Result<(), TestCaseError>
where
    F: for<'t> Fn(&'t Tape<f64>, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    match gradcheck(f, inputs, &GradcheckOptions::default()) {
        Ok(report) => {
            let elements: usize = inputs.iter().map(Tensor::len).sum();
            prop_assert_eq!(report.checked, elements);
            Ok(())
        }
        Err(e) => Err(TestCaseError::fail(format!("{e} (inputs {inputs:?})"))),
    }
}

// ---------------------------------------------------------------------------------------
// Unary elementwise ops and the scalar-with-var operator forms
// ---------------------------------------------------------------------------------------

macro_rules! unary_gradcheck {
    ($($name:ident: $vals:expr, |$x:ident| $body:expr;)*) => {
        proptest! {
            $(
                #[test]
                fn $name(case in unary_case($vals)) {
                    let (input, w) = case;
                    check(|_, v| {
                        let $x = v[0];
                        contract($body, &w)
                    }, &[input])?;
                }
            )*
        }
    };
}

unary_gradcheck! {
    neg: any_val(), |x| -x;
    exp: any_val(), |x| x.exp();
    ln: positive(), |x| x.ln();
    sqrt: positive(), |x| x.sqrt();
    tanh: any_val(), |x| x.tanh();
    sigmoid: (-6.0..6.0f64).boxed(), |x| x.sigmoid();
    relu: away_from_zero(), |x| x.relu();
    abs: away_from_zero(), |x| x.abs();
    clamp_min: away_from_zero(), |x| x.clamp_min(0.0);
    clamp_max: away_from_zero(), |x| x.clamp_max(0.0);
    clamp_from_below: away_from_zero(), |x| x.clamp(0.0, 10.0);
    clamp_from_above: away_from_zero(), |x| x.clamp(-10.0, 0.0);
    var_plus_scalar: any_val(), |x| x + 2.0;
    scalar_plus_var: any_val(), |x| 2.0 + x;
    var_minus_scalar: any_val(), |x| x - 2.0;
    scalar_minus_var: any_val(), |x| 2.0 - x;
    var_times_scalar: any_val(), |x| x * 2.5;
    scalar_times_var: any_val(), |x| 2.5 * x;
    var_over_scalar: any_val(), |x| x / 3.0;
    scalar_over_var: positive(), |x| 3.0 / x;
}

proptest! {
    #[test]
    fn powi(case in (-3i32..=3).prop_flat_map(|n| {
        // A negative power needs a base away from 0; a positive one takes any sign.
        (Just(n), unary_case(if n < 0 { positive() } else { any_val() }))
    })) {
        let (n, (input, w)) = case;
        check(|_, v| contract(v[0].powi(n), &w), &[input])?;
    }

    #[test]
    fn powf(case in (-2.0..3.0f64, unary_case(positive()))) {
        let (p, (input, w)) = case;
        check(|_, v| contract(v[0].powf(p), &w), &[input])?;
    }
}

// ---------------------------------------------------------------------------------------
// Binary elementwise ops, with broadcasting
// ---------------------------------------------------------------------------------------

macro_rules! binary_gradcheck {
    ($($name:ident: $va:expr, $vb:expr, |$a:ident, $b:ident| $body:expr;)*) => {
        proptest! {
            $(
                #[test]
                fn $name(case in binary_case($va, $vb)) {
                    let (a, b, w) = case;
                    check(|_, v| {
                        let ($a, $b) = (v[0], v[1]);
                        contract($body, &w)
                    }, &[a, b])?;
                }
            )*
        }
    };
}

binary_gradcheck! {
    add: any_val(), any_val(), |a, b| a + b;
    sub: any_val(), any_val(), |a, b| a - b;
    mul: any_val(), any_val(), |a, b| a * b;
    div: any_val(), positive(), |a, b| a / b;
    maximum: grid(0.0), grid(0.05), |a, b| a.maximum(b);
    minimum: grid(0.0), grid(0.05), |a, b| a.minimum(b);
    // The same ops with the operands swapped, so each side's broadcast rule runs both as
    // `a` and as `b`.
    div_swapped: positive(), any_val(), |a, b| b / a;
    maximum_swapped: grid(0.05), grid(0.0), |a, b| b.maximum(a);
}

/// The element of `x` (shape `dims`) that output multi-index `index` reads under NumPy
/// broadcasting: axes aligned on the right, size-1 axes repeated.
fn broadcast_element(x: &Tensor<f64>, index: &[usize]) -> f64 {
    let dims = x.shape();
    let skip = index.len() - dims.len();
    let flat = dims.iter().enumerate().fold(0, |flat, (axis, &d)| {
        flat * d + if d == 1 { 0 } else { index[skip + axis] }
    });
    x.data()[flat]
}

proptest! {
    /// The values of broadcast binary ops, element by element against index arithmetic,
    /// with non-commutative ops both ways round (each spread runs as `a` and as `b`).
    #[test]
    fn binary_values_follow_numpy_broadcasting(case in binary_case(any_val(), positive())) {
        let (a, b, w) = case;
        let out_dims = w.shape().to_vec();
        let tape = Tape::<f64>::new();
        let (x, y) = (tape.constant(&a), tape.constant(&b));
        let results = [(x - y).value(), (y - x).value(), (x / y).value(), (x * y + y).value()];
        let rank = out_dims.len();
        for o in 0..w.data().len() {
            let mut index = vec![0; rank];
            let mut rest = o;
            for axis in (0..rank).rev() {
                index[axis] = rest % out_dims[axis];
                rest /= out_dims[axis];
            }
            let (u, v) = (broadcast_element(&a, &index), broadcast_element(&b, &index));
            let want = [u - v, v - u, u / v, u * v + v];
            for (got, want) in results.iter().zip(want) {
                prop_assert_eq!(got.data()[o].to_bits(), want.to_bits(), "at {:?}", index);
            }
        }
    }
}

proptest! {
    /// `x op x`: the two adjoint passes of a binary op land on the same node.
    #[test]
    fn binary_with_itself(case in unary_case(positive())) {
        let (input, w) = case;
        check(|_, v| contract(v[0] * v[0] + v[0] / v[0] - (v[0] - v[0]), &w), &[input])?;
    }
}

// ---------------------------------------------------------------------------------------
// Linear algebra and layout
// ---------------------------------------------------------------------------------------

proptest! {
    /// `[m, k] x [k, n]`, with both operands vars, or only one (the other a constant).
    #[test]
    fn matmul(case in (1usize..=4, 1usize..=4, 1usize..=4, 0u8..3).prop_flat_map(|(m, k, n, vars)| (
        values(vec![m, k], any_val()),
        values(vec![k, n], any_val()),
        values(vec![m, n], weight()),
        Just(vars),
    ))) {
        let (a, b, w, vars) = case;
        match vars {
            0 => check(|_, v| contract(v[0].matmul(v[1]), &w), &[a, b])?,
            1 => check(|t, v| contract(v[0].matmul(t.constant(&b)), &w), &[a])?,
            _ => check(|t, v| contract(t.constant(&a).matmul(v[0]), &w), &[b])?,
        }
    }

    /// `[m, k] x [n, k]^T` without recording the transpose; both operands vars, and the
    /// left one itself a transpose (read in place too). Its value and gradients are
    /// those of `matmul` with `t()`, bit for bit.
    #[test]
    fn matmul_transposed(case in (1usize..=4, 1usize..=4, 1usize..=4).prop_flat_map(|(m, k, n)| (
        values(vec![m, k], any_val()),
        values(vec![n, k], any_val()),
        values(vec![k, m], any_val()),
        values(vec![m, n], weight()),
    ))) {
        let (a, b, a_stored_transposed, w) = case;
        check(|_, v| contract(v[0].matmul_transposed(v[1]), &w), &[a.clone(), b.clone()])?;
        check(
            |_, v| contract(v[0].t().matmul_transposed(v[1]), &w),
            &[a_stored_transposed, b.clone()],
        )?;
        let tape = Tape::<f64>::new();
        let (x, y) = (tape.var(&a), tape.var(&b));
        let (ours, theirs) = (x.matmul_transposed(y), x.matmul(y.t()));
        prop_assert_eq!(ours.value(), theirs.value());
        let (g1, g2) = ((ours * tape.constant(&w)).sum().backward(), (theirs * tape.constant(&w)).sum().backward());
        prop_assert_eq!(g1.wrt(x), g2.wrt(x));
        prop_assert_eq!(g1.wrt(y), g2.wrt(y));
    }

    /// Transpose of a 2-d var (0-d and 1-d vars pass through).
    #[test]
    fn transpose(case in dims(0, 2).prop_flat_map(|d| {
        let out: Dims = d.iter().rev().copied().collect();
        (values(d, any_val()), values(out, weight()))
    })) {
        let (input, w) = case;
        check(|_, v| contract(v[0].t(), &w), &[input])?;
    }

    /// Reshape to a shuffled shape, possibly with two axes merged and a 1 inserted.
    #[test]
    fn reshape(case in dims(0, 3).prop_flat_map(|d| {
        let rank = d.len();
        (
            values(d.clone(), any_val()),
            Just(d).prop_shuffle(),
            any::<bool>(),
            proptest::option::of(0..=rank),
        )
    }).prop_flat_map(|(input, mut target, merge, insert_one)| {
        if merge && target.len() >= 2 {
            let last = target.pop().unwrap();
            *target.last_mut().unwrap() *= last;
        }
        if let Some(at) = insert_one {
            target.insert(at.min(target.len()), 1);
        }
        (Just(input), Just(target.clone()), values(target, weight()))
    })) {
        let (input, target, w) = case;
        check(|_, v| contract(v[0].reshape(&target), &w), &[input])?;
    }

    #[test]
    fn broadcast_to(case in dims(0, 3).prop_flat_map(|out| (operand_of(&out), Just(out)))
        .prop_flat_map(|(from, out)| (values(from, any_val()), Just(out.clone()), values(out, weight()))))
    {
        let (input, out, w) = case;
        check(|_, v| contract(v[0].broadcast_to(&out), &w), &[input])?;
    }

    /// Two or three parts joined along a random (possibly negative) axis.
    #[test]
    fn concat(case in (dims(1, 3), vec(1usize..=4, 2..=3), any::<bool>()).prop_flat_map(|(base, sizes, negative)| {
        let rank = base.len();
        (Just(base), Just(sizes), 0..rank, Just(negative))
    }).prop_flat_map(|(base, sizes, axis, negative)| {
        let parts: Vec<_> = sizes.iter().map(|&s| {
            let mut d = base.clone();
            d[axis] = s;
            values(d, any_val())
        }).collect();
        let mut out = base.clone();
        out[axis] = sizes.iter().sum();
        let axis = if negative { axis as isize - base.len() as isize } else { axis as isize };
        (parts, Just(axis), values(out, weight()))
    })) {
        let (parts, axis, w) = case;
        check(|_, v| contract(Var::concat(v, axis), &w), &parts)?;
    }
}

// ---------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------

proptest! {
    #[test]
    fn sum(case in (unary_case(any_val()), weight())) {
        let ((input, _), w) = case;
        check(|_, v| v[0].sum() * w, &[input])?;
    }

    #[test]
    fn mean(case in (unary_case(any_val()), weight())) {
        let ((input, _), w) = case;
        check(|_, v| v[0].mean() * w, &[input])?;
    }

    #[test]
    fn max_and_min(case in (dims(0, 3).prop_flat_map(distinct), weight())) {
        let (input, w) = case;
        check(|_, v| v[0].max() * w, std::slice::from_ref(&input))?;
        check(|_, v| v[0].min() * w, &[input])?;
    }

    #[test]
    fn sum_axis(case in axis_case().prop_flat_map(|(d, axis, keep)| {
        let out = reduced(&d, axis, keep);
        (values(d, any_val()), Just((axis, keep)), values(out, weight()))
    })) {
        let (input, (axis, keep), w) = case;
        check(|_, v| contract(v[0].sum_axis(axis, keep), &w), &[input])?;
    }

    #[test]
    fn mean_axis(case in axis_case().prop_flat_map(|(d, axis, keep)| {
        let out = reduced(&d, axis, keep);
        (values(d, any_val()), Just((axis, keep)), values(out, weight()))
    })) {
        let (input, (axis, keep), w) = case;
        check(|_, v| contract(v[0].mean_axis(axis, keep), &w), &[input])?;
    }

    #[test]
    fn max_axis_and_min_axis(case in axis_case().prop_flat_map(|(d, axis, keep)| {
        let out = reduced(&d, axis, keep);
        (distinct(d), Just((axis, keep)), values(out, weight()))
    })) {
        let (input, (axis, keep), w) = case;
        check(|_, v| contract(v[0].max_axis(axis, keep), &w), std::slice::from_ref(&input))?;
        check(|_, v| contract(v[0].min_axis(axis, keep), &w), &[input])?;
    }
}

// ---------------------------------------------------------------------------------------
// Indexing, detach, one-hot
// ---------------------------------------------------------------------------------------

proptest! {
    /// One element per row along the last axis, at random indices.
    #[test]
    fn pick(case in dims(1, 3).prop_flat_map(|d| {
        let (cols, rows) = (d[d.len() - 1], numel(&d[..d.len() - 1]));
        let out = d[..d.len() - 1].to_vec();
        (values(d, any_val()), vec(0..cols, rows), values(out, weight()))
    })) {
        let (input, indices, w) = case;
        check(|_, v| contract(v[0].pick(&indices), &w), &[input])?;
    }

    /// Through `x * detach(x)` only the undetached factor carries gradient: the gradient
    /// is `w * x`, not `2 w x`; and the detached copy itself wants no gradient.
    #[test]
    fn detach_stops_the_gradient(case in unary_case(any_val())) {
        let (input, w) = case;
        let tape = Tape::<f64>::new();
        let x = tape.var(&input);
        let d = x.detach();
        prop_assert!(!d.requires_grad());
        let grads = contract(x * d, &w).backward();
        let expected: Vec<f64> = w.data().iter().zip(input.data()).map(|(w, x)| w * x).collect();
        prop_assert_eq!(grads.wrt(x), &expected[..]);
        prop_assert!(grads.wrt(d).iter().all(|&g| g == 0.0));
        // ... which is the gradient of the function whose detached part is a constant.
        check(|t, v| contract(v[0] * t.constant(&input), &w), std::slice::from_ref(&input))?;
    }

    /// Where detach does not change the maths, the function passes gradcheck: the stable
    /// logsumexp `ln(sum(exp(x - m))) + m` with `m` a detached max, along a random axis.
    #[test]
    fn detach_in_stable_logsumexp(case in axis_case().prop_flat_map(|(d, axis, _)| {
        let out = reduced(&d, axis, true);
        (values(d, any_val()), Just(axis), values(out, weight()))
    })) {
        let (input, axis, w) = case;
        check(|_, v| {
            let m = v[0].max_axis(axis, true).detach();
            contract((v[0] - m).exp().sum_axis(axis, true).ln() + m, &w)
        }, &[input])?;
    }

    /// A one-hot constant selects one element per row.
    #[test]
    fn one_hot(case in (1usize..=4, 1usize..=4).prop_flat_map(|(n, k)| (
        values(vec![n, k], any_val()),
        vec(0..k, n),
        values(vec![n, k], weight()),
    ))) {
        let (input, labels, w) = case;
        let k = input.shape()[1];
        check(|t, v| contract(v[0] * t.one_hot(&labels, k), &w), std::slice::from_ref(&input))?;

        let tape = Tape::<f64>::new();
        let x = tape.var(&input);
        let hot = tape.one_hot(&labels, k);
        prop_assert!(!hot.requires_grad());
        let expected = Tensor::<f64>::one_hot(&labels, k);
        prop_assert_eq!(&hot.value(), &expected);
        let grads = (x * hot).sum().backward();
        prop_assert_eq!(grads.wrt(x), expected.data());
        prop_assert!(grads.wrt(hot).iter().all(|&g| g == 0.0));
    }
}

// ---------------------------------------------------------------------------------------
// Selection: narrow, index_select, gather
// ---------------------------------------------------------------------------------------

/// A shape of rank 1..=3 and one of its axes, as a resolved index and as the (possibly
/// negative) form the caller passes.
fn shape_and_axis() -> impl Strategy<Value = (Dims, usize, isize)> {
    dims(1, 3).prop_flat_map(|d| {
        let rank = d.len();
        (Just(d), 0..rank, any::<bool>()).prop_map(move |(d, axis, negative)| {
            let passed = if negative {
                axis as isize - rank as isize
            } else {
                axis as isize
            };
            (d, axis, passed)
        })
    })
}

proptest! {
    /// A random range `start..start + len` (possibly empty) along a random axis.
    #[test]
    fn narrow(case in shape_and_axis().prop_flat_map(|(d, axis, passed)| {
        let size = d[axis];
        (Just((d, axis, passed)), 0..=size).prop_flat_map(move |(shape, start)| {
            (Just(shape), Just(start), 0..=size - start)
        })
    }).prop_flat_map(|((d, axis, passed), start, len)| {
        let mut out = d.clone();
        out[axis] = len;
        (values(d, any_val()), Just((passed, start, len)), values(out, weight()))
    })) {
        let (input, (axis, start, len), w) = case;
        check(|_, v| contract(v[0].narrow(axis, start, len), &w), &[input])?;
    }

    /// Random indices along a random axis, repeats included (their gradients add).
    #[test]
    fn index_select(case in shape_and_axis().prop_flat_map(|(d, axis, passed)| {
        let size = d[axis];
        (Just((d, axis, passed)), vec(0..size, 0..=6))
    }).prop_flat_map(|((d, axis, passed), indices)| {
        let mut out = d.clone();
        out[axis] = indices.len();
        (values(d, any_val()), Just((passed, indices)), values(out, weight()))
    })) {
        let (input, (axis, indices), w) = case;
        check(|_, v| contract(v[0].index_select(axis, &indices), &w), &[input])?;
    }

    /// An index no larger than the input off `axis` (as PyTorch allows), of any size along
    /// it, with random (repeating) entries.
    #[test]
    fn gather(case in shape_and_axis().prop_flat_map(|(d, axis, passed)| {
        let index_dims: Vec<_> = d.iter().enumerate()
            .map(|(i, &n)| if i == axis { (1usize..=5).boxed() } else { (1..=n).boxed() })
            .collect();
        (Just((d, axis, passed)), index_dims)
    }).prop_flat_map(|((d, axis, passed), index_dims)| {
        let size = d[axis];
        (
            values(d, any_val()),
            Just(passed),
            vec(0..size, numel(&index_dims)),
            values(index_dims.clone(), weight()),
            Just(index_dims),
        )
    })) {
        let (input, axis, index, w, index_dims) = case;
        check(|_, v| contract(v[0].gather(axis, &index, &index_dims), &w), &[input])?;
    }
}

// ---------------------------------------------------------------------------------------
// A composite, in fast mode
// ---------------------------------------------------------------------------------------

proptest! {
    /// `tanh(X W + b)` contracted with a weight, checked by one random projection.
    #[test]
    fn composite_fast(case in (1usize..=4, 1usize..=4, 1usize..=4).prop_flat_map(|(n, k, m)| (
        values(vec![n, k], any_val()),
        values(vec![k, m], any_val()),
        values(vec![m], any_val()),
        values(vec![n, m], weight()),
        any::<u64>(),
    ))) {
        let (x, w, b, out_w, seed) = case;
        let options = GradcheckOptions { seed, ..GradcheckOptions::default() };
        let report = gradcheck_fast(
            |_, v| contract((v[0].matmul(v[1]) + v[2]).tanh(), &out_w),
            &[x, w, b],
            &options,
        ).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(report.checked, 1);
    }
}
