//! Slice-level compute shared by [`Tensor`](crate::Tensor) methods and the tape's ops:
//! broadcast iteration, axis reductions, transposition, and ([`matmul`]) matrix products
//! with one small side.
//!
//! Kernels write into a caller's output slice and never allocate, so the tape can run
//! them straight into its arena.

/// Calls `$body` with `$name` a constant equal to `$count` (1 to `CLASS_BLOCK`), so
/// that the accumulators of a block are an array of known size, kept in registers.
macro_rules! with_const {
    ($count:expr, $name:ident => $body:expr) => {
        match $count {
            1 => {
                const $name: usize = 1;
                $body
            }
            2 => {
                const $name: usize = 2;
                $body
            }
            3 => {
                const $name: usize = 3;
                $body
            }
            4 => {
                const $name: usize = 4;
                $body
            }
            5 => {
                const $name: usize = 5;
                $body
            }
            6 => {
                const $name: usize = 6;
                $body
            }
            7 => {
                const $name: usize = 7;
                $body
            }
            8 => {
                const $name: usize = 8;
                $body
            }
            9 => {
                const $name: usize = 9;
                $body
            }
            10 => {
                const $name: usize = 10;
                $body
            }
            other => unreachable!("a block of {other} classes"),
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod avx512;
/// Elsewhere there are no AVX-512 kernels, and every type has the nothing they need.
#[cfg(not(target_arch = "x86_64"))]
mod avx512 {
    pub(crate) trait Lanes512 {}
    impl<T> Lanes512 for T {}
}
pub(crate) mod exp;
pub(crate) mod matmul;

use crate::float::Float;
use crate::matrix::MatRef;
use crate::parallel::for_each_chunk_mut;
use crate::shape::{broadcast_strides, numel, split_at_axis, Shape};

/// Rows shorter than this are spread several at a time (see [`Spread::map`]).
const SHORT_ROW: usize = 128;

/// How two operands of an elementwise op meet, when one of them has the output's shape
/// and the other is the same shape, a scalar, a row `[.., c]` repeated down a matrix, or a
/// column `[.., r, 1]` repeated across it: the cases whose output rows can be computed
/// independently, a block of rows per thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Spread {
    /// True if `a` has the output's shape (else `b` has).
    pub full_is_a: bool,
    /// How the other operand spreads.
    pub kind: SpreadKind,
    /// The output's last dimension (its row length).
    pub row_len: usize,
}

/// How the smaller operand of a [`Spread`] reaches each output element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpreadKind {
    Same,
    Scalar,
    Row,
    Column,
}

impl Spread {
    /// The spread of `a` and `b` onto `out`, if it is one of the simple ones.
    pub(crate) fn of(out: &[usize], a: &[usize], b: &[usize]) -> Option<Spread> {
        let n = numel(out);
        let row_len = out.last().copied().unwrap_or(1);
        let rows = n.checked_div(row_len).unwrap_or(0);
        let (na, nb) = (numel(a), numel(b));
        let full_is_a = na == n;
        let other = match (full_is_a, nb == n) {
            (true, true) => {
                return Some(Spread {
                    full_is_a,
                    kind: SpreadKind::Same,
                    row_len,
                })
            }
            (true, false) => b,
            (false, true) => a,
            (false, false) => return None,
        };
        let len = numel(other);
        let nd = out.len();
        let kind = if len == 1 {
            SpreadKind::Scalar
        } else if len == row_len && other.last() == Some(&row_len) {
            SpreadKind::Row
        } else if len == rows
            && other.len() == nd
            && other[nd - 1] == 1
            && other[..nd - 1] == out[..nd - 1]
        {
            SpreadKind::Column
        } else {
            return None;
        };
        Some(Spread {
            full_is_a,
            kind,
            row_len,
        })
    }

    /// `out[o] = f(a[i], b[j])` for the output elements `range` (whole rows; `out` holds
    /// just those), as slices zipped row by row: loops without indices or bounds checks,
    /// which the compiler vectorises.
    #[inline(always)]
    pub(crate) fn map<T: Copy>(
        self,
        range: std::ops::Range<usize>,
        a: &[T],
        b: &[T],
        out: &mut [T],
        f: impl Fn(T, T) -> T,
    ) {
        if self.full_is_a {
            self.map_full_other(range, a, b, out, f)
        } else {
            self.map_full_other(range, b, a, out, |x, y| f(y, x))
        }
    }

    /// [`Spread::map`] with `full` the operand of the output's shape and `f(full, other)`.
    #[inline(always)]
    fn map_full_other<T: Copy>(
        self,
        range: std::ops::Range<usize>,
        full: &[T],
        other: &[T],
        out: &mut [T],
        f: impl Fn(T, T) -> T,
    ) {
        let row_len = self.row_len.max(1);
        let first_row = range.start / row_len;
        let full = &full[range.clone()];
        match self.kind {
            SpreadKind::Same => {
                for ((o, &x), &y) in out.iter_mut().zip(full).zip(&other[range]) {
                    *o = f(x, y);
                }
            }
            SpreadKind::Scalar => {
                let y = other[0];
                for (o, &x) in out.iter_mut().zip(full) {
                    *o = f(x, y);
                }
            }
            SpreadKind::Row if row_len < SHORT_ROW && !other.is_empty() => {
                // Short rows (a bias over 10 classes) as long loops: `other` repeated
                // over several rows, zipped with as many rows at a time.
                let reps = SHORT_ROW / row_len;
                let mut tile = [other[0]; SHORT_ROW];
                for (t, &y) in tile.iter_mut().zip(other.iter().cycle()) {
                    *t = y;
                }
                let tile = &tile[..reps * row_len];
                for (o_rows, x_rows) in out.chunks_mut(tile.len()).zip(full.chunks(tile.len())) {
                    for ((o, &x), &y) in o_rows.iter_mut().zip(x_rows).zip(tile) {
                        *o = f(x, y);
                    }
                }
            }
            SpreadKind::Row => {
                for (o_row, x_row) in out.chunks_mut(row_len).zip(full.chunks(row_len)) {
                    for ((o, &x), &y) in o_row.iter_mut().zip(x_row).zip(other) {
                        *o = f(x, y);
                    }
                }
            }
            SpreadKind::Column if row_len < SHORT_ROW && !full.is_empty() => {
                // Short rows as long loops: each row's value repeated along it in a tile
                // of several rows, zipped with those rows.
                let reps = SHORT_ROW / row_len;
                let mut tile = [full[0]; SHORT_ROW];
                let rows = out
                    .chunks_mut(reps * row_len)
                    .zip(full.chunks(reps * row_len));
                for ((o_rows, x_rows), ys) in rows.zip(other[first_row..].chunks(reps)) {
                    for (t, &y) in tile.chunks_exact_mut(row_len).zip(ys) {
                        t.fill(y);
                    }
                    for ((o, &x), &y) in o_rows.iter_mut().zip(x_rows).zip(&tile) {
                        *o = f(x, y);
                    }
                }
            }
            SpreadKind::Column => {
                let rows = out.chunks_mut(row_len).zip(full.chunks(row_len));
                for ((o_row, x_row), &y) in rows.zip(&other[first_row..]) {
                    for (o, &x) in o_row.iter_mut().zip(x_row) {
                        *o = f(x, y);
                    }
                }
            }
        }
    }

    /// Calls `f(out_index, a_index, b_index)` for the output elements `range` (whole rows).
    #[inline(always)]
    pub(crate) fn for_each(
        self,
        range: std::ops::Range<usize>,
        mut f: impl FnMut(usize, usize, usize),
    ) {
        let row_len = self.row_len.max(1);
        let mut call = |o: usize, k: usize| {
            if self.full_is_a {
                f(o, o, k)
            } else {
                f(o, k, o)
            }
        };
        match self.kind {
            SpreadKind::Same => range.for_each(|o| call(o, o)),
            SpreadKind::Scalar => range.for_each(|o| call(o, 0)),
            SpreadKind::Row => {
                for r in range.start / row_len..range.end.div_ceil(row_len) {
                    for j in 0..row_len {
                        call(r * row_len + j, j);
                    }
                }
            }
            SpreadKind::Column => {
                for r in range.start / row_len..range.end.div_ceil(row_len) {
                    for j in 0..row_len {
                        call(r * row_len + j, r);
                    }
                }
            }
        }
    }
}

/// Calls `f(out_index, a_index, b_index)` for every element of the broadcast shape
/// `out`, where `a` and `b` broadcast to `out`. Elements are visited in row-major order.
#[inline]
pub(crate) fn for_each_broadcast(
    out: &[usize],
    a: &[usize],
    b: &[usize],
    mut f: impl FnMut(usize, usize, usize),
) {
    let n = numel(out);
    let (na, nb) = (numel(a), numel(b));
    // The common cases first: equal shapes, and a scalar against anything.
    if na == n && nb == n {
        (0..n).for_each(|i| f(i, i, i));
        return;
    }
    if na == 1 && nb == n {
        (0..n).for_each(|i| f(i, 0, i));
        return;
    }
    if nb == 1 && na == n {
        (0..n).for_each(|i| f(i, i, 0));
        return;
    }
    if n == 0 {
        return;
    }
    // A full operand against a row `[.., c]` or a column `[.., r, 1]` of a matrix (a bias
    // added to every row, a maximum subtracted from its row): two plain loops.
    let nd = out.len();
    let inner = out[nd - 1];
    let rows = n / inner.max(1);
    let is_row = |d: &[usize], len: usize| len == inner && d.last() == Some(&inner);
    let is_column = |d: &[usize], len: usize| {
        len == rows && d.len() == nd && d[nd - 1] == 1 && d[..nd - 1] == out[..nd - 1]
    };
    if inner > 0 && (na == n || nb == n) {
        let (full_a, other, other_len) = if na == n {
            (true, b, nb)
        } else {
            (false, a, na)
        };
        let pair = |o: usize, k: usize| if full_a { (o, k) } else { (k, o) };
        // The other operand is indexed by the output's column (a row) or row (a column).
        let row = is_row(other, other_len);
        if row || is_column(other, other_len) {
            for r in 0..rows {
                for j in 0..inner {
                    let o = r * inner + j;
                    let (i, k) = pair(o, if row { j } else { r });
                    f(o, i, k);
                }
            }
            return;
        }
    }
    let (sa, sb) = (broadcast_strides(a, out), broadcast_strides(b, out));
    let (step_a, step_b) = (sa[nd - 1], sb[nd - 1]);
    let mut index: Shape = smallvec::smallvec![0; nd];
    let (mut base_a, mut base_b, mut o) = (0, 0, 0);
    loop {
        for j in 0..inner {
            f(o, base_a + j * step_a, base_b + j * step_b);
            o += 1;
        }
        // Advance the odometer over the outer axes.
        let mut axis = nd - 1;
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            index[axis] += 1;
            base_a += sa[axis];
            base_b += sb[axis];
            if index[axis] < out[axis] {
                break;
            }
            base_a -= sa[axis] * out[axis];
            base_b -= sb[axis] * out[axis];
            index[axis] = 0;
        }
    }
}

/// `out[o] = sum_i x[o, i, r]` over `axis` of `x` (shape `dims`).
pub(crate) fn sum_axis<T: Float>(x: &[T], dims: &[usize], axis: usize, out: &mut [T]) {
    let (outer, len, inner) = split_at_axis(dims, axis);
    if inner == 1 {
        // The last axis: each output is the sum of one contiguous row (a block of rows
        // per thread when there are many).
        for_each_chunk_mut(out, 1, &|rows, out| {
            let x = &x[rows.start * len..rows.end * len];
            fold_rows(x, len, out, T::ZERO, |s, v| s + v);
        });
        return;
    }
    out.iter_mut().for_each(|v| *v = T::ZERO);
    for o in 0..outer {
        let dst = &mut out[o * inner..(o + 1) * inner];
        for i in 0..len {
            let src = &x[(o * len + i) * inner..][..inner];
            dst.iter_mut().zip(src).for_each(|(d, &s)| *d += s);
        }
    }
}

/// `out[o, r] = max_i x[o, i, r]`; `-inf` for an empty axis.
pub(crate) fn max_axis<T: Float>(x: &[T], dims: &[usize], axis: usize, out: &mut [T]) {
    let (outer, len, inner) = split_at_axis(dims, axis);
    if inner == 1 && len > 0 {
        // The last axis: each output is the maximum of one contiguous row.
        for_each_chunk_mut(out, 1, &|rows, out| {
            let x = &x[rows.start * len..rows.end * len];
            if len < SHORT_MAX {
                // The left-to-right scan `max_all` reproduces, several rows at once.
                fold_rows(x, len, out, T::NEG_INFINITY, |m, v| {
                    if v > m || v.is_nan() {
                        v
                    } else {
                        m
                    }
                });
            } else {
                for (o, row) in out.iter_mut().zip(x.chunks_exact(len)) {
                    *o = max_all(row);
                }
            }
        });
        return;
    }
    out.iter_mut().for_each(|v| *v = T::NEG_INFINITY);
    for o in 0..outer {
        let dst = &mut out[o * inner..(o + 1) * inner];
        for i in 0..len {
            let src = &x[(o * len + i) * inner..][..inner];
            dst.iter_mut().zip(src).for_each(|(d, &s)| {
                if s > *d || s.is_nan() {
                    *d = s
                }
            });
        }
    }
}

/// Rows shorter than this take their maxima by a plain scan, [`fold_rows`] at a time.
const SHORT_MAX: usize = 16;

/// `out[r] = step(..step(step(init, x_r[0]), x_r[1]).., x_r[len - 1])` for the rows `x_r`
/// of `x` (`len` elements each), folded in order within each row. Eight rows are folded
/// side by side: the steps of one row wait on each other, those of different rows do not.
#[inline(always)]
fn fold_rows<T: Copy>(x: &[T], len: usize, out: &mut [T], init: T, step: impl Fn(T, T) -> T) {
    const ROWS: usize = 8;
    if len == 0 {
        out.fill(init);
        return;
    }
    let mut blocks = out.chunks_exact_mut(ROWS);
    let mut row_blocks = x.chunks_exact(ROWS * len);
    for (out, x) in (&mut blocks).zip(&mut row_blocks) {
        // Each row as its own slice, so that indexing it by `j < len` needs no check.
        let row: [&[T]; ROWS] = std::array::from_fn(|r| &x[r * len..][..len]);
        let mut acc = [init; ROWS];
        for j in 0..len {
            for (acc, row) in acc.iter_mut().zip(&row) {
                *acc = step(*acc, row[j]);
            }
        }
        out.copy_from_slice(&acc);
    }
    let rest = row_blocks.remainder().chunks_exact(len);
    for (o, row) in blocks.into_remainder().iter_mut().zip(rest) {
        *o = row.iter().fold(init, |s, &v| step(s, v));
    }
}

/// Index of the first maximum along `axis` for every (outer, inner) position, where NaN
/// is the largest value (as NumPy and PyTorch have it: no index is chosen over a NaN).
/// `out` is empty if the axis is.
pub(crate) fn argmax_axis<T: Float>(x: &[T], dims: &[usize], axis: usize, out: &mut [usize]) {
    let (outer, len, inner) = split_at_axis(dims, axis);
    if len == 0 {
        return;
    }
    for o in 0..outer {
        for r in 0..inner {
            let at = |i: usize| x[(o * len + i) * inner + r];
            out[o * inner + r] =
                (1..len).fold(0, |best, i| if beats(at(i), at(best)) { i } else { best });
        }
    }
}

/// True if `x` takes the place of `best` as the maximum in a left-to-right scan that
/// keeps the first maximum and treats NaN as the largest value.
pub(crate) fn beats<T: Float>(x: T, best: T) -> bool {
    !best.is_nan() && (x > best || x.is_nan())
}

/// The maximum of a slice (`-inf` if empty; NaN if any element is NaN: the last one).
pub(crate) fn max_all<T: Float>(x: &[T]) -> T {
    // Four running maxima, so that four compare-and-select chains overlap; one chain
    // waits on each compare. Selects rather than branches: where the maximum lies is
    // unpredictable. The maximum of numbers does not depend on the order it is taken in,
    // but for the sign of a zero and for NaN, which are settled after the loop as a
    // left-to-right scan would settle them.
    let mut max = [T::NEG_INFINITY; 4];
    let mut nan = false;
    let mut take = |lane: usize, v: T| {
        max[lane] = if v > max[lane] { v } else { max[lane] };
        nan |= v.is_nan();
    };
    let quads = x.chunks_exact(4);
    let rest = quads.remainder();
    for quad in quads {
        (0..4).for_each(|lane| take(lane, quad[lane]));
    }
    rest.iter().enumerate().for_each(|(lane, &v)| take(lane, v));
    if nan {
        // The scan keeps the last NaN it meets.
        return x
            .iter()
            .copied()
            .filter(|v| v.is_nan())
            .last()
            .unwrap_or(max[0]);
    }
    let pick = |a: T, b: T| if b > a { b } else { a };
    let max = pick(pick(max[0], max[1]), pick(max[2], max[3]));
    if max == T::ZERO {
        // The scan keeps the first zero, of either sign.
        return x.iter().copied().find(|&v| v == T::ZERO).unwrap_or(max);
    }
    max
}

/// Sum of a slice, pairwise for accuracy: the error grows like `log n` rather than `n`.
/// A block of up to 128 elements is summed in eight running sums (element `i` to sum
/// `i % 8`), added by a fixed tree: eight chains of additions overlap where one would
/// wait on each addition, and the order, so the result, is the same on every machine.
pub(crate) fn sum_all<T: Float>(x: &[T]) -> T {
    const BLOCK: usize = 128;
    if x.len() <= BLOCK {
        let mut lanes = [T::ZERO; 8];
        let chunks = x.chunks_exact(8);
        let rest = chunks.remainder();
        for chunk in chunks {
            lanes.iter_mut().zip(chunk).for_each(|(s, &v)| *s += v);
        }
        lanes.iter_mut().zip(rest).for_each(|(s, &v)| *s += v);
        let [a, b, c, d, e, f, g, h] = lanes;
        ((a + e) + (c + g)) + ((b + f) + (d + h))
    } else {
        let mid = x.len() / 2;
        sum_all(&x[..mid]) + sum_all(&x[mid..])
    }
}

/// `out = x^T` for a row-major `rows x cols` matrix `x`.
pub(crate) fn transpose2<T: Float>(x: &[T], rows: usize, cols: usize, out: &mut [T]) {
    for i in 0..rows {
        for j in 0..cols {
            out[j * rows + i] = x[i * cols + j];
        }
    }
}

/// `out = a b` for row-major `a: m x k` and `b: k x n`.
pub(crate) fn matmul_row_major<T: Float>(
    a: &[T],
    b: &[T],
    m: usize,
    k: usize,
    n: usize,
    out: &mut [T],
) {
    T::matmul(
        MatRef::row_major(a, m, k),
        MatRef::row_major(b, k, n),
        out,
        false,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row or a column spread over short rows, several rows at a time, gives what the
    /// element by element definition gives, for either operand order, rows shorter than,
    /// as long as and longer than the tile, and a block of rows that starts inside the
    /// output.
    #[test]
    fn spreads_match_the_definition() {
        for kind in [SpreadKind::Row, SpreadKind::Column] {
            for row_len in [1, 3, 10, 127, 128, 200] {
                for rows in [0, 1, 13] {
                    spread_case(kind, row_len, rows);
                }
            }
        }
    }

    fn spread_case(kind: SpreadKind, row_len: usize, rows: usize) {
        let n = rows * row_len;
        let full: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
        let other_len = if kind == SpreadKind::Row {
            row_len
        } else {
            rows
        };
        let other: Vec<f64> = (0..other_len).map(|j| 1000.0 * j as f64).collect();
        let first = rows.min(2) * row_len;
        for full_is_a in [true, false] {
            let spread = Spread {
                full_is_a,
                kind,
                row_len,
            };
            let mut out = vec![f64::NAN; n - first];
            let (a, b) = if full_is_a {
                (&full, &other)
            } else {
                (&other, &full)
            };
            spread.map(first..n, a, b, &mut out, |x, y| x - 2.0 * y);
            for (o, &got) in (first..n).zip(&out) {
                let j = if kind == SpreadKind::Row {
                    o % row_len
                } else {
                    o / row_len
                };
                let (x, y) = (full[o], other[j]);
                let want = if full_is_a { x - 2.0 * y } else { y - 2.0 * x };
                assert_eq!(
                    got, want,
                    "{kind:?} row_len {row_len} rows {rows} element {o}"
                );
            }
        }
    }

    /// The sums and maxima of rows, eight folded side by side, are to the bit those of one
    /// row at a time: sums in order, maxima as `max_all` takes them (NaN, signed zeros and
    /// infinities included), for row counts that are and are not multiples of eight.
    #[test]
    fn rows_folded_side_by_side_match_one_row_at_a_time() {
        let specials = [f32::NAN, -0.0, 0.0, f32::INFINITY, f32::NEG_INFINITY, 1e-30];
        for len in [0, 1, 3, 10, 15, 16, 40] {
            for rows in [0, 1, 7, 8, 9, 27] {
                let x: Vec<f32> = (0..rows * len)
                    .map(|i| match i * 7919 % 23 {
                        k @ 0..=5 if i % 3 == 0 => specials[k],
                        k => (k as f32 - 11.0) * 10f32.powi(i as i32 % 9 - 4),
                    })
                    .collect();
                let (mut sums, mut maxima) = (vec![f32::NAN; rows], vec![f32::NAN; rows]);
                sum_axis(&x, &[rows, len], 1, &mut sums);
                max_axis(&x, &[rows, len], 1, &mut maxima);
                for r in 0..rows {
                    let row = &x[r * len..(r + 1) * len];
                    let sum = row.iter().fold(0.0f32, |s, &v| s + v);
                    assert_eq!(sums[r].to_bits(), sum.to_bits(), "sum: {row:?}");
                    assert_eq!(maxima[r].to_bits(), max_all(row).to_bits(), "max: {row:?}");
                }
            }
        }
    }

    #[test]
    fn broadcast_iteration_visits_the_right_pairs() {
        let mut seen = Vec::new();
        for_each_broadcast(&[2, 3], &[2, 1], &[3], |o, a, b| seen.push((o, a, b)));
        assert_eq!(
            seen,
            vec![
                (0, 0, 0),
                (1, 0, 1),
                (2, 0, 2),
                (3, 1, 0),
                (4, 1, 1),
                (5, 1, 2)
            ]
        );
    }

    #[test]
    fn reductions_along_the_middle_axis() {
        let x: Vec<f64> = (0..24).map(|v| v as f64).collect();
        let mut out = vec![0.0; 8];
        sum_axis(&x, &[2, 3, 4], 1, &mut out);
        assert_eq!(out[0], 0.0 + 4.0 + 8.0);
        assert_eq!(out[7], 15.0 + 19.0 + 23.0);
        max_axis(&x, &[2, 3, 4], 1, &mut out);
        assert_eq!(out[0], 8.0);
        let mut arg = vec![9; 8];
        argmax_axis(&x, &[2, 3, 4], 1, &mut arg);
        assert!(arg.iter().all(|&i| i == 2));
    }

    /// `max_all` keeps four running maxima; it must still return what one left-to-right
    /// scan returns, bits included: the first of several zeros of either sign, the last
    /// NaN (payload and all), `-inf` for an empty slice.
    #[test]
    fn max_all_returns_what_a_left_to_right_scan_returns() {
        let scan = |x: &[f64]| {
            let (mut max, mut nan) = (f64::NEG_INFINITY, None);
            for &v in x {
                if v > max {
                    max = v;
                }
                if v.is_nan() {
                    nan = Some(v);
                }
            }
            nan.unwrap_or(max)
        };
        let quiet = f64::from_bits(0x7ff8_0000_0000_0001);
        let pool = [
            0.0,
            -0.0,
            1.5,
            -2.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            quiet,
            -1.5,
        ];
        // 5,000 slices of each length from 0 to 11, drawn from the pool by a fixed
        // generator: every lane of the four and every remainder, with ties and NaNs.
        let mut state = 7u64;
        for len in 0..12 {
            for _ in 0..5_000 {
                let x: Vec<f64> = (0..len)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        pool[(state >> 33) as usize % pool.len()]
                    })
                    .collect();
                assert_eq!(max_all(&x).to_bits(), scan(&x).to_bits(), "{x:?}");
            }
        }
    }

    /// A block is summed as its definition says: element `i` into running sum `i % 8`, the
    /// sums added by the tree `((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7))`; a longer
    /// slice is the sum of its halves. Values of mixed magnitudes, so that another order
    /// shows in the bits.
    #[test]
    fn sums_add_in_their_stated_order() {
        fn by_definition(x: &[f32]) -> f32 {
            if x.len() > 128 {
                let mid = x.len() / 2;
                return by_definition(&x[..mid]) + by_definition(&x[mid..]);
            }
            let mut s = [0.0f32; 8];
            for (i, &v) in x.iter().enumerate() {
                s[i % 8] += v;
            }
            ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
        }
        for len in (0..=140usize).chain([255, 256, 1000]) {
            let x: Vec<f32> = (0..len)
                .map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 10f32.powi(i as i32 % 9 - 4))
                .collect();
            assert_eq!(sum_all(&x).to_bits(), by_definition(&x).to_bits(), "{len}");
        }
    }

    #[test]
    fn pairwise_sum_is_accurate() {
        let x = vec![0.1f32; 1_000_000];
        let naive: f32 = x.iter().sum();
        let pairwise = sum_all(&x);
        assert!((pairwise - 100_000.0).abs() < (naive - 100_000.0).abs());
        assert!((pairwise - 100_000.0).abs() < 1.0);
    }
}
