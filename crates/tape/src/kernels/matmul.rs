//! Matrix products with one small side: the products of softmax regression.
//!
//! With `k` classes (10 for MNIST) and a batch `X` of `n` rows of `d` features, a training
//! step makes three kinds of product, each a stream over the big matrix:
//!
//! | product                       | shapes             | kernel              |
//! |-------------------------------|--------------------|---------------------|
//! | logits `O = X W^T`            | `[n, d] x [d, k]`  | [`dot_rows`]        |
//! | weight gradient `dW = dO^T X` | `[k, n] x [n, d]`  | [`outer_products`]  |
//! | input gradient `dX = dO W`    | `[n, k] x [k, d]`  | [`combine_rows`]    |
//!
//! The small operand (`W`, 31 KB for MNIST) stays in L1 cache while the rows of `X` stream
//! past once, read where they are (a minibatch is a [`MatRef::gathered`] view). A packing
//! GEMM, built for square products, would first copy `X` into a buffer of its own.
//!
//! The kernels are written once, generically, on small arrays of `L` lanes (`[S; L]`),
//! which the compiler turns into SIMD registers, and compiled three times: for AVX-512,
//! for AVX2 (both with fused multiply-add), and for the baseline instruction set; the
//! best the processor has is chosen at run time. On AVX-512, `dot_rows` and
//! `outer_products` are also written with intrinsics ([`super::avx512`]), which compute
//! the same sums in the same order, bit for bit, but keep every accumulator in a register
//! where LLVM spills the generic ones for small blocks of classes.
//!
//! Large products are split over the cores ([`crate::parallel`]) into parts that write
//! disjoint outputs, each computed the same way whichever thread runs it, so results do
//! not depend on the number of threads.

use super::avx512;
use crate::float::Float;
use crate::matrix::MatRef;
use crate::parallel;
use std::cell::RefCell;
use std::ops::Range;
use std::sync::OnceLock;

/// A side of at most this many elements is small: its operand is kept in cache (and
/// re-laid in a scratch buffer if its layout does not suit the kernel).
pub(crate) const SMALL: usize = 16;

/// Classes handled together by one pass over a row: their accumulators stay in
/// registers (10 on AVX-512 and AVX2 leave room for the operands).
pub(crate) const CLASS_BLOCK: usize = 10;

/// The blocks of at most `CLASS_BLOCK` of `count` classes: `(first, count)` pairs.
pub(crate) fn class_blocks(count: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..count)
        .step_by(CLASS_BLOCK)
        .map(move |first| (first, CLASS_BLOCK.min(count - first)))
}

/// Rows of `X` read together by [`outer_products`]: the accumulators are loaded and
/// stored once per block of rows rather than once per row. With 4 rows, those loads and
/// stores cost about as much as the multiply-adds; with 32, a batch of 256 MNIST rows
/// takes 10.8 µs instead of 20 µs on two cores (`cargo bench -p tape --bench matmul`),
/// and a full MNIST gradient in `f64` 22 ms instead of 27.
pub(crate) const ROW_BLOCK: usize = 32;

/// Products with fewer multiply-adds than this run on one thread: handing work to
/// another core costs about a microsecond.
const PARALLEL_WORK: usize = 1 << 18;

/// The instruction sets the kernels are compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    /// 512-bit vectors with fused multiply-add.
    Avx512,
    /// 256-bit vectors with fused multiply-add.
    Avx2,
    /// Whatever the compilation target guarantees (SSE2 on x86-64), without fusing.
    Portable,
}

impl Isa {
    /// The best instruction set this processor has.
    pub(crate) fn best() -> Isa {
        static BEST: OnceLock<Isa> = OnceLock::new();
        *BEST.get_or_init(|| {
            Isa::all()
                .into_iter()
                .find(|isa| isa.is_available())
                .unwrap_or(Isa::Portable)
        })
    }

    /// Every instruction set, best first.
    pub(crate) fn all() -> [Isa; 3] {
        [Isa::Avx512, Isa::Avx2, Isa::Portable]
    }

    /// True if this processor can run the kernels compiled for `self`.
    pub(crate) fn is_available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            Isa::Portable => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }
}

/// The element types with SIMD kernels: `f32` and `f64`.
pub(crate) trait Element: Float + avx512::Lanes512 {
    /// `self * a + b` with one rounding.
    fn fused_mul_add(self, a: Self, b: Self) -> Self;
    /// Runs `f` with this thread's scratch buffers.
    fn with_scratch<R>(f: impl FnOnce(&mut Scratch<Self>) -> R) -> R;
    /// Computes part `part` (`range` of the rows it splits) of `product` with the
    /// kernels compiled for `isa`.
    ///
    /// # Safety
    /// `isa` must be available on this processor.
    unsafe fn run_part(isa: Isa, product: &Product<'_, Self>, part: usize, range: Range<usize>);
}

/// Which kernel a product goes to, with its small operand laid out as the kernel reads it.
#[derive(Clone, Copy)]
enum Plan<'a, S> {
    /// `c[i, j] = a_i . bt_j`: few columns; `bt` is `B^T`, `[n, k]` row-major.
    DotRows { a: MatRef<'a, S>, bt: &'a [S] },
    /// `c = sum_p g_p^T b_p`: few rows; `g` is `A^T`, `[k, m]` row-major.
    OuterProducts { g: &'a [S], b: MatRef<'a, S> },
    /// `c_i = sum_p a[i, p] b_p`: a short inner dimension; `b` is `[k, n]` row-major.
    CombineRows { a: MatRef<'a, S>, b: &'a [S] },
}

/// Buffers a thread keeps for its products, so that a product allocates nothing once
/// warm.
#[derive(Default)]
pub(crate) struct Scratch<S> {
    /// The small operand, re-laid as its kernel reads it.
    small: Vec<S>,
    /// The partial sums of the parts of an [`outer_products`] product after the first.
    partials: Vec<S>,
}

/// A product `c (+)= a b` ready to be computed in parts.
pub(crate) struct Product<'a, S> {
    plan: Plan<'a, S>,
    m: usize,
    k: usize,
    n: usize,
    c: SharedOutput<S>,
    /// `m * n` elements per part after the first, for `OuterProducts`.
    partials: SharedOutput<S>,
    accumulate: bool,
}

impl<'a, S> Product<'a, S> {
    /// `c (+)= a b` as `plan` has it, `[m, k] x [k, n]`, with room in `partials` for the
    /// parts of an outer-products plan after the first.
    fn new(
        plan: Plan<'a, S>,
        (m, k, n): (usize, usize, usize),
        c: &mut [S],
        partials: &mut [S],
        accumulate: bool,
    ) -> Self {
        // The parts write through raw pointers, bounded by these lengths.
        assert!(c.len() >= m * n, "matmul: the output is too short");
        Product {
            plan,
            m,
            k,
            n,
            c: SharedOutput {
                ptr: c.as_mut_ptr(),
                len: m * n,
            },
            partials: SharedOutput {
                ptr: partials.as_mut_ptr(),
                len: partials.len(),
            },
            accumulate,
        }
    }
}

/// The output matrix, written by several threads at once, each in its own part.
struct SharedOutput<S> {
    ptr: *mut S,
    len: usize,
}

// SAFETY: the parts of a product write disjoint elements (rows of the output for
// `DotRows` and `CombineRows`; their own block of partial sums, or the output for the
// first part, for `OuterProducts`), and `S` is `Send + Sync`.
unsafe impl<S: Send> Sync for SharedOutput<S> {}

impl<S> SharedOutput<S> {
    /// The elements `range` of the output.
    ///
    /// # Safety
    /// No other live reference may overlap `range`.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)] // the point of a shared output: see `Sync` above
    unsafe fn slice(&self, range: Range<usize>) -> &mut [S] {
        assert!(range.start <= range.end && range.end <= self.len);
        std::slice::from_raw_parts_mut(self.ptr.add(range.start), range.end - range.start)
    }
}

/// Computes `c = a b` (or `c += a b` if `accumulate`) with a small-side kernel if one
/// side of the product is small, and returns false otherwise (for a GEMM to do it).
///
/// # Panics
/// If the shapes do not fit.
pub(crate) fn matmul<S: Element>(
    a: MatRef<'_, S>,
    b: MatRef<'_, S>,
    c: &mut [S],
    accumulate: bool,
) -> bool {
    matmul_with(Isa::best(), a, b, c, accumulate)
}

/// [`matmul`] with the kernels compiled for `isa`.
///
/// # Panics
/// If `isa` is not available on this processor, or the shapes do not fit.
pub(crate) fn matmul_with<S: Element>(
    isa: Isa,
    a: MatRef<'_, S>,
    b: MatRef<'_, S>,
    c: &mut [S],
    accumulate: bool,
) -> bool {
    assert!(isa.is_available(), "matmul: {isa:?} is not available here");
    let ((m, k), (k2, n)) = (a.shape(), b.shape());
    assert_eq!(k, k2, "matmul: inner dimensions {k} and {k2} differ");
    assert!(c.len() >= m * n, "matmul: the output is too short");
    if m == 0 || n == 0 {
        return true; // an empty output: nothing to compute
    }
    let kind = if n <= SMALL && !a.is_transposed() {
        0
    } else if m <= SMALL && !b.is_transposed() {
        1
    } else if k <= SMALL && !a.is_transposed() {
        2
    } else {
        return false;
    };
    S::with_scratch(|scratch| {
        let Scratch { small, partials } = scratch;
        let plan = match kind {
            0 => Plan::DotRows {
                a,
                bt: row_major(b.t(), small),
            },
            1 => Plan::OuterProducts {
                g: row_major(a.t(), small),
                b,
            },
            _ => Plan::CombineRows {
                a,
                b: row_major(b, small),
            },
        };
        // `DotRows` and `CombineRows` split the rows of the output. `OuterProducts`, whose
        // output has few rows, splits the rows of `b` (its terms): each part sums its own
        // terms, and the parts' sums are added in order at the end. (Splitting its columns
        // instead would make two cores write the cache lines where output rows meet.)
        let extent = match plan {
            Plan::OuterProducts { .. } => k,
            _ => m,
        };
        let parts = if m * k * n >= PARALLEL_WORK {
            parallel::threads().min(extent).max(1)
        } else {
            1
        };
        // Each part after the first overwrites its block before reading it, so the buffer
        // is only grown, never cleared: zeroing it here would move its cache lines to this
        // core just before another core writes them.
        let needed = match plan {
            Plan::OuterProducts { .. } => (parts - 1) * m * n,
            _ => 0,
        };
        if partials.len() < needed {
            partials.resize(needed, S::ZERO);
        }
        let partials = &mut partials[..needed];
        let product = Product::new(plan, (m, k, n), c, partials, accumulate);
        let run = |part: usize| {
            let range = extent * part / parts..extent * (part + 1) / parts;
            // SAFETY: `isa` was checked to be available above.
            unsafe { S::run_part(isa, &product, part, range) }
        };
        parallel::for_each_part(parts, &run);
        if let (Plan::OuterProducts { .. }, 1..) = (plan, m * n) {
            for partial in partials.chunks_exact(m * n) {
                c.iter_mut().zip(partial).for_each(|(c, &p)| *c += p);
            }
        }
    });
    true
}

/// The small operand `x` as a contiguous row-major slice: its own storage if it has that
/// layout, else a copy in `scratch`.
fn row_major<'s, S: Element>(x: MatRef<'s, S>, scratch: &'s mut Vec<S>) -> &'s [S] {
    if !x.is_transposed() {
        if let Some(data) = x.contiguous() {
            return data;
        }
    }
    let (rows, cols) = x.shape();
    scratch.clear();
    scratch.extend((0..rows).flat_map(|i| (0..cols).map(move |j| x.get(i, j))));
    scratch
}

/// Runs part `part` of a product: rows `range` of the output for `DotRows` and
/// `CombineRows`, rows `range` of `b` for `OuterProducts`. With `INTRINSICS` (the AVX-512
/// build), `DotRows` and `OuterProducts` go to the kernels of [`avx512`], which compute
/// the same sums.
#[inline(always)]
fn run_part<
    S: Element,
    const L: usize,
    const R: usize,
    const FUSED: bool,
    const INTRINSICS: bool,
>(
    product: &Product<'_, S>,
    part: usize,
    range: Range<usize>,
) {
    let Product {
        plan,
        m,
        k,
        n,
        ref c,
        ref partials,
        accumulate,
    } = *product;
    match plan {
        Plan::DotRows { a, bt } => {
            // SAFETY: this part owns the output rows `range`.
            let c = unsafe { c.slice(range.start * n..range.end * n) };
            #[cfg(target_arch = "x86_64")]
            if INTRINSICS {
                // SAFETY: `INTRINSICS` is only set in the build for AVX-512.
                return unsafe { avx512::dot_rows(&a, bt, k, n, range, c, accumulate) };
            }
            dot_rows::<S, L, R, FUSED>(&a, bt, k, n, range, c, accumulate)
        }
        Plan::CombineRows { a, b } => {
            // SAFETY: this part owns the output rows `range`.
            let c = unsafe { c.slice(range.start * n..range.end * n) };
            combine_rows::<S, L, FUSED>(&a, b, k, n, range, c, accumulate)
        }
        Plan::OuterProducts { g, b } => {
            // SAFETY: the first part owns the output, each other part its own partials.
            let (out, accumulate) = if part == 0 {
                (unsafe { c.slice(0..m * n) }, accumulate)
            } else {
                (
                    unsafe { partials.slice((part - 1) * m * n..part * m * n) },
                    false,
                )
            };
            #[cfg(target_arch = "x86_64")]
            if INTRINSICS {
                // SAFETY: as above.
                return unsafe { avx512::outer_products(g, m, &b, n, range, out, accumulate) };
            }
            outer_products::<S, L, R, FUSED>(g, m, &b, n, range, out, accumulate)
        }
    }
}

/// `c[r, j] (+)= a_i . bt_j` for the rows `i` of `rows` (`r` counting from 0) and every
/// column `j < n`: each row of `a` meets the `n` rows of `bt` (`[n, k]`) while it is in
/// registers, `CLASS_BLOCK` of them at a time, and `R` rows of `a` share each vector of
/// `bt` they load.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dot_rows<S: Element, const L: usize, const R: usize, const FUSED: bool>(
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
        with_const!(count, CB => dot_rows_block::<S, L, R, FUSED, CB>(a, block, k, n, first, rows, c, accumulate));
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dot_rows_block<
    S: Element,
    const L: usize,
    const R: usize,
    const FUSED: bool,
    const CB: usize,
>(
    a: &MatRef<'_, S>,
    block: &[S],
    k: usize,
    n: usize,
    first: usize,
    rows: Range<usize>,
    c: &mut [S],
    accumulate: bool,
) {
    const { assert!(R == 1 || R == 2) };
    let w: [&[S]; CB] = std::array::from_fn(|j| &block[j * k..(j + 1) * k]);
    let full = k - k % L;
    let row = |i: usize| stored_row_clamped(a, i, rows.end);
    // The last `k % L` elements of each row of `w`, padded: the same for every row of
    // `a`, so they are gathered once (a short copy per row costs more than the product
    // when `k` is small).
    let w_tail: [[S; L]; CB] = std::array::from_fn(|j| load_partial::<S, L>(&w[j][full..]));
    let mut i = rows.start;
    while i < rows.end {
        // Two rows at a time when `R` is 2 (the second repeats the first at the end).
        // The accumulators are two separate arrays, each `CB` vectors: LLVM keeps arrays
        // of that shape in registers, where a three-level array ends up on the stack.
        let (x0, x1) = (row(i), row(i + R - 1));
        // Rows read in place come from anywhere in memory: fetch the next ones while
        // these are used, a vector at a time.
        let (next0, next1) = (row(i + R), row(i + 2 * R - 1));
        let mut acc0 = [[S::ZERO; L]; CB];
        let mut acc1 = [[S::ZERO; L]; CB];
        let mut p = 0;
        while p < full {
            prefetch(&next0[p..]);
            if R == 2 {
                prefetch(&next1[p..]);
            }
            // SAFETY: p + L <= full <= k, and every row of `a` and of `w` has k elements.
            let (xv0, xv1) = unsafe { (load_at::<S, L>(x0, p), load_at::<S, L>(x1, p)) };
            for j in 0..CB {
                // SAFETY: as above.
                let wv = unsafe { load_at::<S, L>(w[j], p) };
                mul_add::<S, L, FUSED>(&mut acc0[j], xv0, wv);
                if R == 2 {
                    mul_add::<S, L, FUSED>(&mut acc1[j], xv1, wv);
                }
            }
            p += L;
        }
        if full < k {
            let (xv0, xv1) = (load_partial::<S, L>(&x0[full..]), load_partial(&x1[full..]));
            for (j, &wv) in w_tail.iter().enumerate() {
                mul_add::<S, L, FUSED>(&mut acc0[j], xv0, wv);
                if R == 2 {
                    mul_add::<S, L, FUSED>(&mut acc1[j], xv1, wv);
                }
            }
        }
        let mut write = |r: usize, acc: [[S; L]; CB]| {
            let out = &mut c[(i - rows.start + r) * n + first..][..CB];
            for (o, lanes) in out.iter_mut().zip(acc) {
                let dot = sum_lanes(lanes);
                *o = if accumulate { *o + dot } else { dot };
            }
        };
        write(0, acc0);
        if R == 2 && i + 1 < rows.end {
            write(1, acc1);
        }
        i += R;
    }
}

/// Stored row `i` of `a`, or its row `end - 1` if `i` is past it.
#[inline(always)]
pub(crate) fn stored_row_clamped<'a, S: Element>(
    a: &MatRef<'a, S>,
    i: usize,
    end: usize,
) -> &'a [S] {
    a.stored_row(i.min(end - 1))
}

/// `c[i, j] (+)= sum_p g[p, i] b[p, j]` over the rows `p` of `terms`, for every row
/// `i < m` and column `j < n`: the rows `b_p` stream past once, `ROW_BLOCK` at a time,
/// and each adds `g_p^T b_p` (an outer product) to the accumulators of a chunk of `c`.
/// Every element sums its terms in order of `p`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn outer_products<S: Element, const L: usize, const R: usize, const FUSED: bool>(
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
        with_const!(count, CB => outer_products_block::<S, L, R, FUSED, CB>(g, m, first, b, n, terms, out, accumulate));
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn outer_products_block<
    S: Element,
    const L: usize,
    const R: usize,
    const FUSED: bool,
    const CB: usize,
>(
    g: &[S],
    m: usize,
    first: usize,
    b: &MatRef<'_, S>,
    n: usize,
    terms: Range<usize>,
    c: &mut [S],
    accumulate: bool,
) {
    let mut out: [&mut [S]; CB] = {
        let mut rows = c.chunks_exact_mut(n);
        std::array::from_fn(|_| rows.next().expect("CB rows of n"))
    };
    if terms.is_empty() {
        if !accumulate {
            out.iter_mut().for_each(|row| row.fill(S::ZERO));
        }
        return;
    }
    let full = n - n % L;
    let last = terms.end - 1;
    for p0 in terms.clone().step_by(ROW_BLOCK) {
        let count = ROW_BLOCK.min(terms.end - p0);
        let x: [&[S]; ROW_BLOCK] =
            std::array::from_fn(|r| stored_row_clamped(b, p0 + r, terms.end));
        // The next block's rows, fetched while this block is used.
        let next: [&[S]; ROW_BLOCK] =
            std::array::from_fn(|r| stored_row_clamped(b, p0 + ROW_BLOCK + r, terms.end));
        let weights: [[S; CB]; ROW_BLOCK] =
            std::array::from_fn(|r| std::array::from_fn(|i| g[(p0 + r).min(last) * m + first + i]));
        let fresh = p0 == terms.start && !accumulate;
        let mut chunk = 0;
        // With `R` = 2, two chunks at a time: each weight, broadcast once, serves two
        // multiply-adds, which halves the loads per multiply-add (the loads, not the
        // arithmetic, bound the one-chunk loop). Two separate arrays of `CB` vectors, as
        // in `dot_rows_block`, stay in registers.
        while R == 2 && chunk + 2 * L <= full {
            // SAFETY: chunk + 2 L <= full <= n, the length of every row of `out` and `x`.
            let (mut acc0, mut acc1): ([[S; L]; CB], [[S; L]; CB]) = if fresh {
                ([[S::ZERO; L]; CB], [[S::ZERO; L]; CB])
            } else {
                (
                    std::array::from_fn(|i| unsafe { load_at(out[i], chunk) }),
                    std::array::from_fn(|i| unsafe { load_at(out[i], chunk + L) }),
                )
            };
            for r in 0..count {
                prefetch(&next[r][chunk..]);
                prefetch(&next[r][chunk + L..]);
                // SAFETY: as above.
                let (xv0, xv1) = unsafe {
                    (
                        load_at::<S, L>(x[r], chunk),
                        load_at::<S, L>(x[r], chunk + L),
                    )
                };
                for i in 0..CB {
                    scale_add::<S, L, FUSED>(&mut acc0[i], weights[r][i], xv0);
                    scale_add::<S, L, FUSED>(&mut acc1[i], weights[r][i], xv1);
                }
            }
            for i in 0..CB {
                // SAFETY: as above.
                unsafe {
                    store_at(out[i], chunk, acc0[i]);
                    store_at(out[i], chunk + L, acc1[i]);
                }
            }
            chunk += 2 * L;
        }
        while chunk < full {
            // SAFETY: chunk + L <= full <= n, the length of every row of `out` and `x`.
            let mut acc: [[S; L]; CB] = if fresh {
                [[S::ZERO; L]; CB]
            } else {
                std::array::from_fn(|i| unsafe { load_at(out[i], chunk) })
            };
            for r in 0..count {
                prefetch(&next[r][chunk..]);
                // SAFETY: as above.
                let xv = unsafe { load_at::<S, L>(x[r], chunk) };
                for i in 0..CB {
                    scale_add::<S, L, FUSED>(&mut acc[i], weights[r][i], xv);
                }
            }
            for i in 0..CB {
                // SAFETY: as above.
                unsafe { store_at(out[i], chunk, acc[i]) };
            }
            chunk += L;
        }
        if full < n {
            let mut acc: [[S; L]; CB] = if fresh {
                [[S::ZERO; L]; CB]
            } else {
                std::array::from_fn(|i| load_partial(&out[i][full..]))
            };
            for r in 0..count {
                let xv = load_partial::<S, L>(&x[r][full..]);
                for i in 0..CB {
                    scale_add::<S, L, FUSED>(&mut acc[i], weights[r][i], xv);
                }
            }
            for i in 0..CB {
                out[i][full..].copy_from_slice(&acc[i][..n - full]);
            }
        }
    }
}

/// `c[r, j] (+)= sum_p a[i, p] b[p, j]` for the rows `i` of `rows`: each output row is a
/// combination of the few rows of `b` (`[k, n]`), built a chunk at a time in registers.
#[inline(always)]
fn combine_rows<S: Element, const L: usize, const FUSED: bool>(
    a: &MatRef<'_, S>,
    b: &[S],
    k: usize,
    n: usize,
    rows: Range<usize>,
    c: &mut [S],
    accumulate: bool,
) {
    let full = n - n % L;
    for (r, i) in rows.enumerate() {
        let weights = a.stored_row(i);
        let out = &mut c[r * n..(r + 1) * n];
        let mut chunk = 0;
        while chunk < full {
            let mut acc = [S::ZERO; L];
            for (p, &weight) in weights.iter().enumerate().take(k) {
                // SAFETY: chunk + L <= full <= n, and row p of `b` has n elements.
                let bv = unsafe { load_at::<S, L>(&b[p * n..(p + 1) * n], chunk) };
                scale_add::<S, L, FUSED>(&mut acc, weight, bv);
            }
            if accumulate {
                // SAFETY: as above.
                let before = unsafe { load_at::<S, L>(out, chunk) };
                acc.iter_mut().zip(before).for_each(|(a, o)| *a = o + *a);
            }
            // SAFETY: as above.
            unsafe { store_at(out, chunk, acc) };
            chunk += L;
        }
        if full < n {
            let mut acc = [S::ZERO; L];
            for (p, &weight) in weights.iter().enumerate().take(k) {
                scale_add::<S, L, FUSED>(
                    &mut acc,
                    weight,
                    load_partial(&b[p * n + full..(p + 1) * n]),
                );
            }
            for (o, &v) in out[full..].iter_mut().zip(&acc) {
                *o = if accumulate { *o + v } else { v };
            }
        }
    }
}

/// Asks the processor to bring `x[0]`'s cache line closer (a hint: never faults).
#[inline(always)]
pub(crate) fn prefetch<S>(x: &[S]) {
    #[cfg(target_arch = "x86_64")]
    if !x.is_empty() {
        // SAFETY: a prefetch has no effect on memory and cannot fault; SSE is part of
        // the x86-64 baseline.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(x.as_ptr().cast())
        }
    }
}

/// The `L` elements of `x` from `at` as a vector, without a bounds check.
///
/// # Safety
/// `at + L <= x.len()`.
#[inline(always)]
unsafe fn load_at<S: Element, const L: usize>(x: &[S], at: usize) -> [S; L] {
    debug_assert!(at + L <= x.len());
    std::ptr::read_unaligned(x.as_ptr().add(at).cast::<[S; L]>())
}

/// Stores `v` at `x[at..at + L]`, without a bounds check.
///
/// # Safety
/// `at + L <= x.len()`.
#[inline(always)]
unsafe fn store_at<S: Element, const L: usize>(x: &mut [S], at: usize, v: [S; L]) {
    debug_assert!(at + L <= x.len());
    std::ptr::write_unaligned(x.as_mut_ptr().add(at).cast::<[S; L]>(), v)
}

/// Up to `L` elements of `x`, padded with zeros.
#[inline(always)]
fn load_partial<S: Element, const L: usize>(x: &[S]) -> [S; L] {
    // Lane by lane over a constant count, not a copy of `x.len()` elements, which would
    // be a call to `memcpy` for a handful of bytes.
    std::array::from_fn(|l| x.get(l).copied().unwrap_or(S::ZERO))
}

/// `acc += x * y`, lane by lane.
#[inline(always)]
fn mul_add<S: Element, const L: usize, const FUSED: bool>(acc: &mut [S; L], x: [S; L], y: [S; L]) {
    for l in 0..L {
        acc[l] = if FUSED {
            x[l].fused_mul_add(y[l], acc[l])
        } else {
            x[l] * y[l] + acc[l]
        };
    }
}

/// `acc += s * x`, lane by lane.
#[inline(always)]
fn scale_add<S: Element, const L: usize, const FUSED: bool>(acc: &mut [S; L], s: S, x: [S; L]) {
    mul_add::<S, L, FUSED>(acc, [s; L], x)
}

/// The sum of the lanes, halving the vector each time (a tree, as SIMD adds it). The
/// halving steps have constant lengths, so each is one vector addition.
#[inline(always)]
fn sum_lanes<S: Element, const L: usize>(mut v: [S; L]) -> S {
    const { assert!(L.is_power_of_two() && L <= 16) };
    if L >= 16 {
        for l in 0..8 {
            v[l] += v[l + 8];
        }
    }
    if L >= 8 {
        for l in 0..4 {
            v[l] += v[l + 4];
        }
    }
    if L >= 4 {
        for l in 0..2 {
            v[l] += v[l + 2];
        }
    }
    if L >= 2 {
        v[0] += v[1];
    }
    v[0]
}

/// Implements [`Element`] for a float type: its scratch buffer and one entry point per
/// instruction set, each compiling the generic kernels with that set enabled.
macro_rules! element {
    ($t:ident, $avx512_lanes:literal, $avx2_lanes:literal, $portable_lanes:literal) => {
        impl Element for $t {
            #[inline(always)]
            fn fused_mul_add(self, a: Self, b: Self) -> Self {
                $t::mul_add(self, a, b)
            }

            fn with_scratch<R>(f: impl FnOnce(&mut Scratch<Self>) -> R) -> R {
                thread_local! {
                    static SCRATCH: RefCell<Scratch<$t>> = RefCell::new(Scratch::default());
                }
                SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
                    Ok(mut scratch) => f(&mut scratch),
                    Err(_) => f(&mut Scratch::default()),
                })
            }

            unsafe fn run_part(
                isa: Isa,
                product: &Product<'_, Self>,
                part: usize,
                range: Range<usize>,
            ) {
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx512f,fma")]
                unsafe fn avx512(product: &Product<'_, $t>, part: usize, range: Range<usize>) {
                    run_part::<$t, $avx512_lanes, 2, true, true>(product, part, range)
                }
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx2,fma")]
                unsafe fn avx2(product: &Product<'_, $t>, part: usize, range: Range<usize>) {
                    run_part::<$t, $avx2_lanes, 1, true, false>(product, part, range)
                }
                match isa {
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => avx512(product, part, range),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => avx2(product, part, range),
                    _ => run_part::<$t, $portable_lanes, 1, false, false>(product, part, range),
                }
            }
        }
    };
}

element!(f32, 16, 8, 4);
element!(f64, 8, 4, 2);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{gemm_fallback, MatrixLayout};

    /// A deterministic pseudo-random matrix of small integers and halves (exact sums).
    fn matrix(len: usize, seed: u64) -> Vec<f64> {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 33) % 17) as f64 * 0.5 - 4.0
            })
            .collect()
    }

    /// The reference: gather, then the generic triple loop.
    fn reference(a: MatRef<'_, f64>, b: MatRef<'_, f64>, c: &mut [f64], accumulate: bool) {
        let ((m, k), (_, n)) = (a.shape(), b.shape());
        let (mut ab, mut bb) = (Vec::new(), Vec::new());
        let (ad, al) = crate::matrix::gemm_operand(&a, &mut ab);
        let (bd, bl) = crate::matrix::gemm_operand(&b, &mut bb);
        gemm_fallback(m, k, n, ad, al, bd, bl, c, accumulate);
    }

    fn operand<'a>(
        gather: bool,
        data: &'a [f64],
        rows: usize,
        cols: usize,
        index: &'a [usize],
    ) -> MatRef<'a, f64> {
        if gather {
            MatRef::gathered(data, cols, index)
        } else {
            MatRef::row_major(data, rows, cols)
        }
    }

    /// Every kernel, every instruction set here, every transposition and gathering, on
    /// awkward shapes (one row, one column, lengths off the vector width, empty), against
    /// the generic fallback. The operands are small integers and halves, so the sums are
    /// exact in any order and must agree bit for bit.
    #[test]
    fn kernels_match_the_generic_fallback_on_awkward_shapes() {
        let shapes = [
            (1, 1, 1),
            (1, 7, 1),
            (3, 0, 2),
            (0, 5, 3),
            // An empty output with a transposed left operand (a small-side kernel once
            // panicked on it, found by the property test below).
            (1, 0, 0),
            (2, 5, 0),
            (5, 17, 10),
            (33, 100, 3),
            (2, 784, 10),
            (300, 37, 16),
            (10, 300, 257),
            (257, 3, 129),
            (16, 1, 16),
            (9, 65, 1),
            // Outer products of two chunks at a time, then one chunk, then a part chunk.
            (4, 50, 29),
            (16, 9, 41),
        ];
        let mut tried = 0;
        for isa in Isa::all().into_iter().filter(|isa| isa.is_available()) {
            for &shape in &shapes {
                for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                    for gather in [false, true] {
                        for accumulate in [false, true] {
                            tried += usize::from(kernel_matches_fallback(
                                isa,
                                shape,
                                (ta, tb),
                                gather,
                                accumulate,
                            ));
                        }
                    }
                }
            }
        }
        assert!(
            tried > 100,
            "only {tried} products took a small-side kernel"
        );
    }

    /// `c (+)= op(a) op(b)` by the kernels for `isa` against the generic fallback, bit for
    /// bit, with stored operands (`op` transposes where asked) whose rows are read through
    /// a reversing index if `gather`. Returns whether a small-side kernel took the product.
    fn kernel_matches_fallback(
        isa: Isa,
        (m, k, n): (usize, usize, usize),
        (ta, tb): (bool, bool),
        gather: bool,
        accumulate: bool,
    ) -> bool {
        let (ar, ac) = if ta { (k, m) } else { (m, k) };
        let (br, bc) = if tb { (n, k) } else { (k, n) };
        let a_data = matrix(ar * ac, 1 + m as u64);
        let b_data = matrix(br * bc, 2 + n as u64);
        let a_rows: Vec<usize> = (0..ar).rev().collect();
        let b_rows: Vec<usize> = (0..br).rev().collect();
        let mut a = operand(gather, &a_data, ar, ac, &a_rows);
        let mut b = operand(gather, &b_data, br, bc, &b_rows);
        if ta {
            a = a.t();
        }
        if tb {
            b = b.t();
        }
        let start = matrix(m * n, 7);
        let (mut got, mut want) = (start.clone(), start);
        reference(a, b, &mut want, accumulate);
        let took = matmul_with(isa, a, b, &mut got, accumulate);
        if took {
            assert_eq!(
                got, want,
                "{isa:?} {m}x{k}x{n} ta {ta} tb {tb} gather {gather} accumulate {accumulate}"
            );
        }
        took
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// The same on random shapes with one small side (up to 16: the outputs, the
        /// inner dimension or the terms), the other two up to a few hundred, and every
        /// instruction set here.
        #[test]
        fn kernels_match_the_generic_fallback_on_random_shapes(
            small in 0usize..=16,
            large in 0usize..300,
            other in 0usize..120,
            small_side in 0usize..3,
            transposed in proptest::prelude::any::<(bool, bool)>(),
            gather in proptest::prelude::any::<bool>(),
            accumulate in proptest::prelude::any::<bool>(),
        ) {
            let shape = match small_side {
                0 => (small, other, large),
                1 => (large, other, small),
                _ => (large, small, other),
            };
            for isa in Isa::all().into_iter().filter(|isa| isa.is_available()) {
                kernel_matches_fallback(isa, shape, transposed, gather, accumulate);
            }
        }
    }

    #[test]
    fn f32_kernels_agree_with_the_fallback_within_rounding() {
        // The logits of an MNIST batch, and a weight gradient wide enough for every path
        // of the outer products (two 16-lane chunks, one chunk, a part chunk).
        f32_case((64, 784, 10), false);
        f32_case((10, 200, 61), true);
    }

    fn f32_case((m, k, n): (usize, usize, usize), outer: bool) {
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 37 % 101) as f32 / 101.0).sin())
            .collect();
        let b: Vec<f32> = (0..n * k)
            .map(|i| ((i * 11 % 29) as f32 / 29.0).cos())
            .collect();
        let mut want = vec![0.0f32; m * n];
        gemm_fallback(
            m,
            k,
            n,
            &a,
            MatrixLayout::row_major(k),
            &b,
            MatrixLayout::transposed(k),
            &mut want,
            false,
        );
        for isa in Isa::all().into_iter().filter(|isa| isa.is_available()) {
            let mut got = vec![0.0f32; m * n];
            let (ar, br) = (MatRef::row_major(&a, m, k), MatRef::row_major(&b, n, k).t());
            // The same product with `b` stored as `[k, n]`, which takes the outer products.
            let b_stored: Vec<f32> = (0..k * n).map(|i| b[(i % n) * k + i / n]).collect();
            let br = if outer {
                MatRef::row_major(&b_stored, k, n)
            } else {
                br
            };
            assert!(matmul_with(isa, ar, br, &mut got, false));
            for (x, y) in got.iter().zip(&want) {
                assert!(
                    (x - y).abs() <= 1e-4 * (1.0 + y.abs()),
                    "{isa:?}: {x} vs {y}"
                );
            }
        }
    }

    /// The generic kernels compiled for AVX-512, bypassing the hand-written ones.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    unsafe fn generic_avx512<S: Element, const L: usize>(
        product: &Product<'_, S>,
        rows: Range<usize>,
    ) {
        run_part::<S, L, 2, true, false>(product, 0, rows)
    }

    /// `c (+)= a b` as one part by the kernels for AVX-512, planned as `plan` (`generic`
    /// picks the generic kernels over the hand-written ones).
    #[cfg(target_arch = "x86_64")]
    fn run_avx512<S: Element, const L: usize>(
        plan: Plan<'_, S>,
        (m, k, n): (usize, usize, usize),
        c: &mut [S],
        accumulate: bool,
        generic: bool,
    ) {
        let product = Product::new(plan, (m, k, n), c, &mut [], accumulate);
        let rows = match plan {
            Plan::OuterProducts { .. } => 0..k,
            _ => 0..m,
        };
        // SAFETY: the callers check that AVX-512 is available.
        unsafe {
            if generic {
                generic_avx512::<S, L>(&product, rows)
            } else {
                S::run_part(Isa::Avx512, &product, 0, rows)
            }
        }
    }

    /// The hand-written AVX-512 kernels add in the generic kernels' order: on values whose
    /// sums round (unlike the exact integers above), both give the same bits, in `f64` and
    /// `f32`, for every class-block size, row length off the vector width, gathered rows,
    /// and accumulation.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn hand_written_avx512_kernels_round_as_the_generic_ones_do() {
        if !Isa::Avx512.is_available() {
            return;
        }
        /// `x` is `[rows, long]`, `small` is `[classes, long]` (`dot_rows`: `x small^T`) or
        /// `[rows, classes]` (`outer_products`: `small^T x`).
        fn case<S: Element, const L: usize>(
            (rows, long, classes): (usize, usize, usize),
            outer: bool,
            gather: bool,
            accumulate: bool,
        ) {
            let value = |i: usize, seed: usize| {
                S::from_f64(((i * 7919 + seed * 104_729) % 1013) as f64 / 97.3 - 5.1)
            };
            let x: Vec<S> = (0..rows * long).map(|i| value(i, 1)).collect();
            let small: Vec<S> = (0..classes * long.max(rows)).map(|i| value(i, 2)).collect();
            let index: Vec<usize> = (0..rows).rev().collect();
            let x = if gather {
                MatRef::gathered(&x, long, &index)
            } else {
                MatRef::row_major(&x, rows, long)
            };
            let (plan, shape) = if outer {
                (
                    Plan::OuterProducts { g: &small, b: x },
                    (classes, rows, long),
                )
            } else {
                (Plan::DotRows { a: x, bt: &small }, (rows, long, classes))
            };
            let start: Vec<S> = (0..rows.max(long) * classes).map(|i| value(i, 3)).collect();
            let (mut hand, mut generic) = (start.clone(), start);
            run_avx512::<S, L>(plan, shape, &mut hand, accumulate, false);
            run_avx512::<S, L>(plan, shape, &mut generic, accumulate, true);
            let bits = |v: &[S]| v.iter().map(|x| x.to_f64().to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&hand),
                bits(&generic),
                "{shape:?} outer {outer} gather {gather} accumulate {accumulate}"
            );
        }
        let sizes = [
            (1, 1),
            (2, 7),
            (3, 8),
            (5, 30),
            (6, 17),
            (7, 64),
            (40, 100),
            (3, 784),
            (70, 33),
        ];
        for (rows, long) in sizes {
            for classes in 1..=16 {
                for outer in [false, true] {
                    for (gather, accumulate) in [(false, false), (true, true), (false, true)] {
                        let shape = (rows, long, classes);
                        case::<f64, 8>(shape, outer, gather, accumulate);
                        case::<f32, 16>(shape, outer, gather, accumulate);
                    }
                }
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_the_split() {
        // Big enough to be split over threads; compare with one part by hand.
        let (m, k, n) = (600, 784, 10);
        let x = matrix(m * k, 3);
        let w = matrix(n * k, 4);
        let xr = MatRef::row_major(&x, m, k);
        let wt = MatRef::row_major(&w, n, k).t();
        let mut split = vec![0.0; m * n];
        assert!(matmul(xr, wt, &mut split, false));
        let mut whole = vec![0.0; m * n];
        let plan = Plan::DotRows { a: xr, bt: &w };
        let product = Product::new(plan, (m, k, n), &mut whole, &mut [], false);
        // SAFETY: the best ISA is available by definition.
        unsafe { f64::run_part(Isa::best(), &product, 0, 0..m) };
        assert_eq!(split, whole);
    }
}
