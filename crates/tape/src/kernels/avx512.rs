//! [`dot_rows`] and [`outer_products`] written with AVX-512 intrinsics, for `f32` and
//! `f64`.
//!
//! The generic kernels in [`super::matmul`] do the same sums in the same order, on arrays
//! of lanes that LLVM turns into vectors. With 5 or more classes in a block they make
//! clean 512-bit code; with 1 to 4 LLVM splits the arrays into 128-bit pieces and spills
//! them. A product of 426 x 30 rows by 2 classes (logistic regression on a small data
//! set: every Newton-CG step there) took 4.2 µs for 25.5k multiply-adds. Here:
//!
//! - each accumulator is one register, and the lanes past the end of a row are left out
//!   by masked loads and stores (which neither read nor fault on them), so there is no
//!   separate tail loop;
//! - `dot_rows` sums the lanes of a block's accumulators together, a transposition at a
//!   time, instead of one vector after another;
//! - `outer_products` keeps a tile of up to four vectors of every output row in registers
//!   while the rows of `b` stream past, rather than two.
//!
//! The results are bit for bit those of the generic kernels compiled for AVX-512 (a test
//! in `matmul` checks it): every dot product adds its lanes with fused multiply-adds in
//! the order of `p`, then sums the lanes by the same tree as `sum_lanes` (lane `l` with
//! `l + L/2`, then with `l + L/4`, ...); every outer-product element adds its terms in
//! order, fused.
//!
//! Vectors are only handled inside `#[inline(always)]` functions and plain loops, never
//! in closures such as `array::from_fn`'s: a closure does not inherit the caller's
//! AVX-512, and the intrinsics in it would become calls.

use super::matmul::{class_blocks, prefetch, stored_row_clamped, Element, CLASS_BLOCK, ROW_BLOCK};
use crate::matrix::MatRef;
use std::arch::x86_64::*;
use std::ops::Range;

/// A float type's 512-bit vector and the handful of operations the kernels need.
///
/// # Safety
/// Every method needs AVX-512F on the processor; callers are compiled with it enabled.
pub(crate) trait Lanes512: Copy {
    /// The vector of `LANES` elements.
    type Vector: Copy;
    /// Elements per vector.
    const LANES: usize;
    unsafe fn zero() -> Self::Vector;
    /// `x` in every lane.
    unsafe fn splat(x: Self) -> Self::Vector;
    /// `LANES` elements from `p`, unaligned.
    unsafe fn load(p: *const Self) -> Self::Vector;
    /// The lanes of `mask` from `p`, zeros in the others, which are not read (a masked
    /// load neither touches nor faults on them: `p` may point past the data).
    unsafe fn load_masked(mask: u32, p: *const Self) -> Self::Vector;
    /// `x * y + acc`, rounded once.
    unsafe fn mul_add(x: Self::Vector, y: Self::Vector, acc: Self::Vector) -> Self::Vector;
    /// Stores the vector at `p`, unaligned.
    unsafe fn store(p: *mut Self, v: Self::Vector);
    /// Stores the lanes of `mask` at `p`, leaving the other elements alone.
    unsafe fn store_masked(mask: u32, p: *mut Self, v: Self::Vector);
    /// The lane sums of up to `LANES` vectors, `sums[j]` for `acc[j]`, each by the tree of
    /// `sum_lanes`: a transposition at each level halves the vectors still to add.
    unsafe fn sums(acc: &[Self::Vector]) -> Self::Vector;
}

/// One level of the summing tree: lane `l` of `x` plus lane `l + half` (within each group
/// of `2 half` lanes), packed with the same for `y`, a group of `x` then one of `y`.
///
/// For groups of 256 or 128 bits the halves are whole 128-bit blocks, moved by
/// `shuffle_f64x2`; `IMM_LO` and `IMM_HI` pick the low and high half of each group.
#[inline(always)]
unsafe fn fold_blocks_f64<const IMM_LO: i32, const IMM_HI: i32>(x: __m512d, y: __m512d) -> __m512d {
    _mm512_add_pd(
        _mm512_shuffle_f64x2::<IMM_LO>(x, y),
        _mm512_shuffle_f64x2::<IMM_HI>(x, y),
    )
}

#[inline(always)]
unsafe fn fold_blocks_f32<const IMM_LO: i32, const IMM_HI: i32>(x: __m512, y: __m512) -> __m512 {
    _mm512_add_ps(
        _mm512_shuffle_f32x4::<IMM_LO>(x, y),
        _mm512_shuffle_f32x4::<IMM_HI>(x, y),
    )
}

/// `shuffle_*x2`/`*x4` immediates: blocks `[x.a, x.b, y.a, y.b]`.
const fn blocks(a: i32, b: i32) -> i32 {
    a | b << 2 | a << 4 | b << 6
}

impl Lanes512 for f64 {
    type Vector = __m512d;
    const LANES: usize = 8;

    #[inline(always)]
    unsafe fn zero() -> __m512d {
        _mm512_setzero_pd()
    }

    #[inline(always)]
    unsafe fn load(p: *const f64) -> __m512d {
        _mm512_loadu_pd(p)
    }

    #[inline(always)]
    unsafe fn splat(x: f64) -> __m512d {
        _mm512_set1_pd(x)
    }

    #[inline(always)]
    unsafe fn load_masked(mask: u32, p: *const f64) -> __m512d {
        _mm512_maskz_loadu_pd(mask as __mmask8, p)
    }

    #[inline(always)]
    unsafe fn mul_add(x: __m512d, y: __m512d, acc: __m512d) -> __m512d {
        _mm512_fmadd_pd(x, y, acc)
    }

    #[inline(always)]
    unsafe fn store(p: *mut f64, v: __m512d) {
        _mm512_storeu_pd(p, v)
    }

    #[inline(always)]
    unsafe fn store_masked(mask: u32, p: *mut f64, v: __m512d) {
        _mm512_mask_storeu_pd(p, mask as __mmask8, v)
    }

    #[inline(always)]
    unsafe fn sums(acc: &[__m512d]) -> __m512d {
        debug_assert!(acc.len() <= 8);
        // Lane `2 i + t` of the result comes out of input `4 t + i`: feed `acc[2 i + t]`
        // there, so that the sums land in order.
        let mut input = [_mm512_setzero_pd(); 8];
        for (slot, v) in input.iter_mut().enumerate() {
            if let Some(&a) = acc.get(2 * (slot % 4) + slot / 4) {
                *v = a;
            }
        }
        // Lanes l + 4 (256-bit halves), then l + 2 (128-bit blocks), then l + 1. (Plain
        // loops, not `array::from_fn`: a closure would not inherit AVX-512, and the
        // intrinsics in it would become calls.)
        let mut z = [_mm512_setzero_pd(); 4];
        for (j, z) in z.iter_mut().enumerate() {
            *z = fold_blocks_f64::<{ blocks(0, 1) }, { blocks(2, 3) }>(
                input[2 * j],
                input[2 * j + 1],
            );
        }
        let mut w = [_mm512_setzero_pd(); 2];
        for (m, w) in w.iter_mut().enumerate() {
            *w = fold_blocks_f64::<{ blocks(0, 2) }, { blocks(1, 3) }>(z[2 * m], z[2 * m + 1]);
        }
        _mm512_add_pd(
            _mm512_unpacklo_pd(w[0], w[1]),
            _mm512_unpackhi_pd(w[0], w[1]),
        )
    }
}

impl Lanes512 for f32 {
    type Vector = __m512;
    const LANES: usize = 16;

    #[inline(always)]
    unsafe fn zero() -> __m512 {
        _mm512_setzero_ps()
    }

    #[inline(always)]
    unsafe fn load(p: *const f32) -> __m512 {
        _mm512_loadu_ps(p)
    }

    #[inline(always)]
    unsafe fn splat(x: f32) -> __m512 {
        _mm512_set1_ps(x)
    }

    #[inline(always)]
    unsafe fn load_masked(mask: u32, p: *const f32) -> __m512 {
        _mm512_maskz_loadu_ps(mask as __mmask16, p)
    }

    #[inline(always)]
    unsafe fn mul_add(x: __m512, y: __m512, acc: __m512) -> __m512 {
        _mm512_fmadd_ps(x, y, acc)
    }

    #[inline(always)]
    unsafe fn store(p: *mut f32, v: __m512) {
        _mm512_storeu_ps(p, v)
    }

    #[inline(always)]
    unsafe fn store_masked(mask: u32, p: *mut f32, v: __m512) {
        _mm512_mask_storeu_ps(p, mask as __mmask16, v)
    }

    #[inline(always)]
    unsafe fn sums(acc: &[__m512]) -> __m512 {
        debug_assert!(acc.len() <= 16);
        // Lane `4 i + t` of the result comes out of input `4 t + i`: a 4 x 4 transposition.
        let mut input = [_mm512_setzero_ps(); 16];
        for (slot, v) in input.iter_mut().enumerate() {
            if let Some(&a) = acc.get(4 * (slot % 4) + slot / 4) {
                *v = a;
            }
        }
        // Lanes l + 8 (256-bit halves), l + 4 (128-bit blocks), then l + 2 and l + 1
        // within each block.
        let mut z = [_mm512_setzero_ps(); 8];
        for (j, z) in z.iter_mut().enumerate() {
            *z = fold_blocks_f32::<{ blocks(0, 1) }, { blocks(2, 3) }>(
                input[2 * j],
                input[2 * j + 1],
            );
        }
        let mut w = [_mm512_setzero_ps(); 4];
        for (m, w) in w.iter_mut().enumerate() {
            *w = fold_blocks_f32::<{ blocks(0, 2) }, { blocks(1, 3) }>(z[2 * m], z[2 * m + 1]);
        }
        let mut t = [_mm512_setzero_ps(); 2];
        for (r, t) in t.iter_mut().enumerate() {
            let (x, y) = (w[2 * r], w[2 * r + 1]);
            *t = _mm512_add_ps(
                _mm512_shuffle_ps::<0b01_00_01_00>(x, y),
                _mm512_shuffle_ps::<0b11_10_11_10>(x, y),
            );
        }
        _mm512_add_ps(
            _mm512_shuffle_ps::<0b10_00_10_00>(t[0], t[1]),
            _mm512_shuffle_ps::<0b11_01_11_01>(t[0], t[1]),
        )
    }
}

/// `c[r, j] (+)= a_i . bt_j` for the rows `i` of `rows` (`r` counting from 0) and every
/// column `j < n`, as [`super::matmul`]'s generic `dot_rows` with two rows at a time.
///
/// # Safety
/// AVX-512F and FMA must be available; the caller is compiled with them enabled.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn dot_rows<S: Element>(
    a: &MatRef<'_, S>,
    bt: &[S],
    k: usize,
    n: usize,
    rows: Range<usize>,
    c: &mut [S],
    accumulate: bool,
) {
    for (first, count) in class_blocks(n) {
        let (block, rows) = (&bt[first * k..(first + count) * k], rows.clone());
        with_const!(count, CB => dot_rows_block::<S, CB>(a, block, k, n, first, rows, c, accumulate));
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn dot_rows_block<S: Element, const CB: usize>(
    a: &MatRef<'_, S>,
    block: &[S],
    k: usize,
    n: usize,
    first: usize,
    rows: Range<usize>,
    c: &mut [S],
    accumulate: bool,
) {
    let lanes = S::LANES;
    assert!(block.len() == CB * k && c.len() >= rows.len() * n && first + CB <= n);
    let w: [*const S; CB] = std::array::from_fn(|j| block[j * k..].as_ptr());
    let (full, tail) = (k - k % lanes, lanes_mask(k % lanes));
    let mut w_tail = [S::zero(); CB];
    for (v, &w) in w_tail.iter_mut().zip(&w) {
        *v = S::load_masked(tail, w.wrapping_add(full));
    }
    let row = |i: usize| stored_row_clamped(a, i, rows.end);
    let mut i = rows.start;
    while i < rows.end {
        // Two rows at a time (the second repeats the first at the end).
        let (x0, x1) = (row(i).as_ptr(), row(i + 1).as_ptr());
        let (next0, next1) = (row(i + 2), row(i + 3));
        let mut acc = [[S::zero(); CB]; 2];
        let mut p = 0;
        while p < full {
            prefetch(&next0[p..]);
            prefetch(&next1[p..]);
            let (xv0, xv1) = (S::load(x0.add(p)), S::load(x1.add(p)));
            for j in 0..CB {
                let wv = S::load(w[j].add(p));
                acc[0][j] = S::mul_add(xv0, wv, acc[0][j]);
                acc[1][j] = S::mul_add(xv1, wv, acc[1][j]);
            }
            p += lanes;
        }
        if tail != 0 {
            let (xv0, xv1) = (
                S::load_masked(tail, x0.wrapping_add(full)),
                S::load_masked(tail, x1.wrapping_add(full)),
            );
            for j in 0..CB {
                acc[0][j] = S::mul_add(xv0, w_tail[j], acc[0][j]);
                acc[1][j] = S::mul_add(xv1, w_tail[j], acc[1][j]);
            }
        }
        // The dot products of both rows, `CB` of row `i` then `CB` of row `i + 1`, summed
        // `LANES` vectors at a time.
        let all = acc.as_flattened();
        // Room for a whole vector stored at the last group's start.
        let mut dots = [S::ZERO; 2 * CLASS_BLOCK + 16];
        for (start, group) in (0..2 * CB).step_by(lanes).zip(all.chunks(lanes)) {
            S::store(dots.as_mut_ptr().add(start), S::sums(group));
        }
        let rows_here = if i + 1 < rows.end { 2 } else { 1 };
        for r in 0..rows_here {
            let out = &mut c[(i - rows.start + r) * n + first..][..CB];
            for (o, &dot) in out.iter_mut().zip(&dots[r * CB..(r + 1) * CB]) {
                *o = if accumulate { *o + dot } else { dot };
            }
        }
        i += 2;
    }
}

/// The mask of the first `count` lanes (all of them for `count >= 16`).
#[inline(always)]
fn lanes_mask(count: usize) -> u32 {
    if count >= 16 {
        0xffff
    } else {
        (1 << count) - 1
    }
}

/// `c[i, j] (+)= sum_p g[p, i] b[p, j]` over the rows `p` of `terms`, for every row
/// `i < m` and column `j < n`, as [`super::matmul`]'s generic `outer_products`: the rows
/// `b_p` stream past, `ROW_BLOCK` at a time, and each adds `g_p^T b_p` to a tile of the
/// output held in registers. Every element sums its terms in order of `p`.
///
/// # Safety
/// AVX-512F and FMA must be available; the caller is compiled with them enabled.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn outer_products<S: Element>(
    g: &[S],
    m: usize,
    b: &MatRef<'_, S>,
    n: usize,
    terms: Range<usize>,
    c: &mut [S],
    accumulate: bool,
) {
    for (first, count) in class_blocks(m) {
        let (terms, out) = (terms.clone(), &mut c[first * n..(first + count) * n]);
        // Tiles of 4 vectors for up to 5 classes, of 2 beyond: at most 20 accumulators,
        // which leaves registers for a tile of `b_p` and a weight.
        with_const!(count, CB => if CB <= 5 {
            outer_products_block::<S, CB, 4>(g, m, first, b, n, terms, out, accumulate)
        } else {
            outer_products_block::<S, CB, 2>(g, m, first, b, n, terms, out, accumulate)
        });
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn outer_products_block<S: Element, const CB: usize, const T: usize>(
    g: &[S],
    m: usize,
    first: usize,
    b: &MatRef<'_, S>,
    n: usize,
    terms: Range<usize>,
    c: &mut [S],
    accumulate: bool,
) {
    let lanes = S::LANES;
    assert!(c.len() == CB * n && g.len() >= terms.end * m && first + CB <= m);
    if terms.is_empty() {
        if !accumulate {
            c.fill(S::ZERO);
        }
        return;
    }
    let out: [*mut S; CB] = std::array::from_fn(|i| c[i * n..].as_mut_ptr());
    for p0 in terms.clone().step_by(ROW_BLOCK) {
        let count = ROW_BLOCK.min(terms.end - p0);
        let fresh = p0 == terms.start && !accumulate;
        // The block's rows, and the rows fetched ahead for the next block, looked up once
        // for all the tiles (a gathered row is an index lookup and a bounds check).
        let mut x = [std::ptr::null::<S>(); ROW_BLOCK];
        let mut ahead = [std::ptr::null::<S>(); ROW_BLOCK];
        for r in 0..count {
            x[r] = b.stored_row(p0 + r).as_ptr();
            ahead[r] = stored_row_clamped(b, p0 + r + ROW_BLOCK, terms.end).as_ptr();
        }
        // Row `r`'s weights `g[p0 + r, first..first + CB]` start at `r m` from here (in
        // bounds: `g` holds `terms.end` rows of `m`, checked above).
        let weights = g.as_ptr().add(p0 * m + first);
        let mut tile = 0;
        while tile < n {
            // Vector `t` of the tile covers columns `tile + t L ..`, masked to the row.
            let mut mask = [0u32; T];
            for (t, mask) in mask.iter_mut().enumerate() {
                *mask = lanes_mask(n.saturating_sub(tile + t * lanes));
            }
            let at = |t: usize| tile + t * lanes;
            let next_tile = tile + T * lanes;
            let mut acc = [[S::zero(); T]; CB];
            if !fresh {
                for (acc, &row) in acc.iter_mut().zip(&out) {
                    for t in 0..T {
                        acc[t] = S::load_masked(mask[t], row.wrapping_add(at(t)));
                    }
                }
            }
            for r in 0..count {
                let mut xv = [S::zero(); T];
                for t in 0..T {
                    // Fetched ahead, a block of rows before they are used: the part of
                    // this row the next tile reads (into L1, from L2 if the rows were just
                    // read by another product), and the next block's row (from memory).
                    // Hints, which never fault: past the row's end they are only wasted.
                    _mm_prefetch::<_MM_HINT_T0>(x[r].wrapping_add(next_tile + t * lanes).cast());
                    _mm_prefetch::<_MM_HINT_T0>(ahead[r].wrapping_add(at(t)).cast());
                    xv[t] = S::load_masked(mask[t], x[r].wrapping_add(at(t)));
                }
                let weights = weights.add(r * m);
                for (i, acc) in acc.iter_mut().enumerate() {
                    let weight = S::splat(*weights.add(i));
                    for t in 0..T {
                        acc[t] = S::mul_add(weight, xv[t], acc[t]);
                    }
                }
            }
            for (acc, &row) in acc.iter().zip(&out) {
                for t in 0..T {
                    S::store_masked(mask[t], row.wrapping_add(at(t)), acc[t]);
                }
            }
            tile += T * lanes;
        }
    }
}
