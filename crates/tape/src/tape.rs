//! The [`Tape`] (a Wengert list in an arena), the [`Var`] handle, and the reverse sweep.
//!
//! Every op appends one [`Node`] and its output values to growing buffers, so the order
//! of the tape *is* a topological order: the reverse sweep is a plain backward loop, with
//! no sort, no recursion and no visited set. Clearing the tape keeps the buffers'
//! capacity, so a training step that records the same computation again allocates
//! nothing.
//!
//! ## Borrowed constants
//!
//! A training step reads its batch: copying it into the arena would double the bytes the
//! step moves. [`Tape::constant_borrowed`] and [`Tape::constant_rows`] record a constant
//! whose values stay where they are (a whole matrix, or chosen rows of it). Matrix
//! products read such rows in place; any other op that uses them has them copied into the
//! arena first. Their values are read only while they are alive:
//!
//! - the borrow lasts as long as the var's lifetime `'t`, and every var computed from a
//!   var has no longer a lifetime (ops take both operands with one lifetime);
//! - the reverse sweep visits only nodes reachable from its output (a node is *reached*
//!   when a consumer asks for its adjoint), so a sweep from an output that does not
//!   depend on the borrowed values never reads them;
//! - listing a tape (`Display`) never reads borrowed values.

use crate::arena_cell::ArenaCell;
use crate::float::Float;
use crate::grads::Grads;
use crate::ops::{Adjoints, NodeId, Op, OutShape, Output, PackedUnary, Recorded, Unary};
use crate::shape::{numel, Dims};
use crate::tensor::Tensor;
use crate::var::Var;
use std::sync::atomic::{AtomicU64, Ordering};

/// One recorded op: what it was, where its output lives in the value arena, its shape.
///
/// Offsets are `u32` (a tape holds at most 2^32 values): a long scalar tape is mostly
/// nodes, and the reverse sweep reads them all, so their size is memory traffic.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub op: Op,
    /// Offset of the output in the value (and adjoint) arena.
    start: u32,
    /// Number of output elements.
    len: u32,
    /// Offset of the shape in the dims arena.
    pub dims_start: u32,
    pub ndim: u8,
    /// False for constants and everything computed only from constants: the reverse
    /// sweep skips such nodes.
    pub requires_grad: bool,
}

#[cold]
#[inline(never)]
fn too_many_values() -> ! {
    panic!("a tape holds at most 2^32 values and 2^32 nodes")
}

impl Node {
    /// A node whose output is `len` values from `start`, shaped by `ndim` dims from
    /// `dims_start`.
    ///
    /// # Panics
    /// If the value arena outgrows `u32` offsets.
    #[inline(always)]
    pub fn new(
        op: Op,
        start: usize,
        len: usize,
        dims_start: usize,
        ndim: usize,
        requires_grad: bool,
    ) -> Self {
        let fits = |x: usize| u32::try_from(x).expect("a tape holds at most 2^32 values and dims");
        Node {
            op,
            start: fits(start),
            len: fits(len),
            dims_start: fits(dims_start),
            ndim: u8::try_from(ndim).expect("tensors have at most 255 dimensions"),
            requires_grad,
        }
    }

    /// A 0-d node whose value sits at `start`, which the caller checked fits in `u32`.
    #[inline(always)]
    pub fn scalar(op: Op, start: usize, requires_grad: bool) -> Self {
        debug_assert!(start <= u32::MAX as usize);
        Node {
            op,
            start: start as u32,
            len: 1,
            dims_start: 0,
            ndim: 0,
            requires_grad,
        }
    }

    /// Offset of the output in the value (and adjoint) arena.
    #[inline(always)]
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// Number of output elements.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// The output's values (or adjoints) in an arena-sized buffer.
    #[inline(always)]
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start()..self.start() + self.len()
    }

    /// Moves the output to `start` (when rows read in place are copied into the arena).
    pub fn set_start(&mut self, start: usize) {
        self.start = u32::try_from(start).expect("a tape holds at most 2^32 values");
    }
}

/// The buffers of a tape. Values and adjoints share one layout, so a node's adjoint
/// lives at the same offset as its value.
#[derive(Default, Debug)]
pub(crate) struct Arena<T> {
    pub nodes: Vec<Node>,
    pub values: Vec<T>,
    pub dims: Vec<usize>,
    /// Integer side data of ops: picked labels, concatenated inputs, gathered rows.
    pub indices: Vec<usize>,
    /// The float parameters of unary ops (the `c` of `x + c`), kept out of the nodes.
    pub params: Vec<T>,
    /// Constants whose values live outside the arena ([`Op::Borrowed`]).
    pub borrowed: Vec<Borrowed<T>>,
    /// How much of `values`' allocation holds values written before (by an earlier
    /// recording, since `clear` keeps the buffer), and the capacity it was measured at:
    /// a new node's output there needs no zeroing before its op overwrites it.
    written: (usize, usize),
    /// The most elements a node that needs no gradient (a constant) holds: `Grads` keeps
    /// that many zeros for their gradients.
    pub largest_constant: usize,
}

/// Values recorded without copying: a slice the caller lends for the lifetime of the
/// vars that use it (see the module documentation for why it is read only then).
pub(crate) struct Borrowed<T> {
    /// The first element (a `T::Real` if `real`, cast).
    data: *const T,
    len: usize,
    /// The data are reals ([`Float::Real`]) on a tape of another type (a dual tape):
    /// matrix products read them as reals, other ops have them converted first.
    real: bool,
    /// Chosen rows of `data` (a row-major matrix with `row_len` columns): their indices
    /// sit at `indices[start..start + count]`.
    pub(crate) rows: Option<(usize, usize)>,
    pub(crate) row_len: usize,
}

// SAFETY: a `Borrowed` is a shared reference in all but lifetime, and `&[T]` is `Send`
// for `T: Sync`.
unsafe impl<T: Sync> Send for Borrowed<T> {}

impl<T> std::fmt::Debug for Borrowed<T> {
    // Never reads the values: they may be gone once the vars that use them are.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Borrowed({} elements at {:p}, rows {:?})",
            self.len, self.data, self.rows
        )
    }
}

impl<T: Float> Borrowed<T> {
    /// The lent slice.
    ///
    /// # Panics
    /// If the data are reals of another type.
    pub(crate) fn data(&self) -> &[T] {
        assert!(
            !self.real,
            "borrowed reals are not values of the tape's type"
        );
        // SAFETY: `data` and `len` come from a live `&[T]` when recorded (`real` is
        // false), and it is read only while a var that uses it is alive (module
        // documentation).
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }

    /// The lent slice of reals, if the data are reals of another type.
    pub(crate) fn real_data(&self) -> Option<&[T::Real]> {
        // SAFETY: as `data`, from a live `&[T::Real]` when `real` is true.
        self.real
            .then(|| unsafe { std::slice::from_raw_parts(self.data.cast::<T::Real>(), self.len) })
    }

    /// The values of lent reals of another type, converted (constants, for a dual).
    pub(crate) fn real_values(&self) -> Option<impl Iterator<Item = T> + '_> {
        Some(self.real_data()?.iter().map(|&x| T::from_real(x)))
    }
}

/// Data a borrowed constant reads: values of the tape's type, or reals.
enum Lent<'a, T: Float> {
    Values(&'a [T]),
    Reals(&'a [T::Real]),
}

/// Lengthens `values` to `len` for a node's output, which its op then overwrites: within
/// what earlier recordings wrote into this allocation the old values stay (no pass over
/// them); beyond it, zeros.
fn grow_values<T: Float>(values: &mut Vec<T>, written: &mut (usize, usize), len: usize) {
    // A reallocation since the last measure keeps only the elements then in use.
    let trusted = if written.1 == values.capacity() {
        written.0.max(values.len())
    } else {
        values.len()
    };
    if len <= trusted {
        // SAFETY: `len` is within the capacity, and every element below `trusted` was
        // written before in this allocation (floats, whose old bits are valid values).
        unsafe { values.set_len(len) };
    } else {
        values.resize(len, T::ZERO);
    }
    *written = (trusted.max(len), values.capacity());
}

static NEXT_TAPE_ID: AtomicU64 = AtomicU64::new(1);

/// A tape of recorded operations over `T` (`f64` unless stated).
///
/// Record a computation through [`Var`]s, then call [`Var::backward`] for the gradient
/// of a scalar with respect to every var on the tape.
///
/// ```
/// use tape::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.var_scalar(3.0);
/// let y = x * x * x + x * 2.0; // x^3 + 2x
/// let grads = y.backward();
/// assert_eq!(grads.item(x), 29.0); // 3x^2 + 2 at x = 3
/// ```
pub struct Tape<T: Float = f64> {
    arena: ArenaCell<Arena<T>>,
    id: u64,
    generation: u64,
}

/// The size of a tape's buffers, to check that reuse does not grow them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TapeCapacity {
    /// Capacity of the node buffer.
    pub nodes: usize,
    /// Capacity of the value buffer, in elements.
    pub values: usize,
    /// Capacity of the shape buffer.
    pub dims: usize,
    /// Capacity of the index buffer.
    pub indices: usize,
}

impl<T: Float> Default for Tape<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Float> Tape<T> {
    /// An empty tape.
    pub fn new() -> Self {
        Tape {
            arena: ArenaCell::new(Arena::default()),
            id: NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed),
            generation: 0,
        }
    }

    /// An empty tape with room for `nodes` nodes and `values` elements.
    pub fn with_capacity(nodes: usize, values: usize) -> Self {
        let tape = Self::new();
        {
            let mut arena = tape.arena.write();
            arena.nodes.reserve(nodes);
            arena.values.reserve(values);
        }
        tape
    }

    /// Forgets every recorded node but keeps the buffers, for the next training step.
    ///
    /// It takes `&mut self`, so no [`Var`] of the old recording can be used afterwards.
    pub fn clear(&mut self) {
        let arena = self.arena.get_mut();
        arena.nodes.clear();
        arena.values.clear();
        arena.dims.clear();
        arena.indices.clear();
        arena.borrowed.clear();
        arena.params.clear();
        arena.largest_constant = 0;
        self.generation += 1;
    }

    /// Number of recorded nodes (leaves included).
    pub fn len(&self) -> usize {
        self.arena.read().nodes.len()
    }

    /// True if nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of values held, summed over all nodes.
    pub fn value_len(&self) -> usize {
        self.arena.read().values.len()
    }

    /// The capacity of the tape's buffers.
    pub fn capacity(&self) -> TapeCapacity {
        let arena = self.arena.read();
        TapeCapacity {
            nodes: arena.nodes.capacity(),
            values: arena.values.capacity(),
            dims: arena.dims.capacity(),
            indices: arena.indices.capacity(),
        }
    }

    /// A trainable input: the gradient is taken with respect to it.
    pub fn var(&self, value: &Tensor<T>) -> Var<'_, T> {
        self.leaf(value.data(), value.shape(), true)
    }

    /// A trainable input from row-major data and a shape.
    ///
    /// # Panics
    /// If `data` does not fill `dims`.
    pub fn var_from_slice(&self, data: &[T], dims: &[usize]) -> Var<'_, T> {
        self.leaf(data, dims, true)
    }

    /// A trainable scalar input (the gradient is taken with respect to it);
    /// [`constant_scalar`](Tape::constant_scalar) records a constant one.
    #[inline]
    pub fn var_scalar(&self, value: T) -> Var<'_, T> {
        self.push_scalar(Op::Leaf, value, true)
    }

    /// The old name of [`var_scalar`](Tape::var_scalar).
    #[deprecated(
        since = "0.1.0",
        note = "renamed to `var_scalar`, which says that the scalar is trainable (`constant_scalar` records a constant)"
    )]
    pub fn scalar(&self, value: T) -> Var<'_, T> {
        self.var_scalar(value)
    }

    /// A constant: recorded so ops can use it, but no gradient flows into it.
    pub fn constant(&self, value: &Tensor<T>) -> Var<'_, T> {
        self.leaf(value.data(), value.shape(), false)
    }

    /// A constant from row-major data and a shape (for example one minibatch of inputs).
    ///
    /// # Panics
    /// If `data` does not fill `dims`.
    pub fn constant_from_slice(&self, data: &[T], dims: &[usize]) -> Var<'_, T> {
        self.leaf(data, dims, false)
    }

    /// A constant that reads `data` (row-major, shape `dims`) where it is, without
    /// copying it into the tape: a data set used whole (a full-batch step).
    ///
    /// The borrow lasts as long as the returned var can be used. It is a constant with no
    /// gradient kept: [`Grads::wrt`] panics for it. A 0-d value is copied.
    ///
    /// # Panics
    /// If `data` does not fill `dims`.
    ///
    /// ```
    /// use tape::Tape;
    /// let features = vec![1.0, 2.0, 3.0, 4.0]; // 2 examples of 2 features
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant_borrowed(&features, &[2, 2]);
    /// let w = tape.var_from_slice(&[0.5, -1.0], &[2, 1]);
    /// let loss = x.matmul(w).sum();
    /// assert_eq!(loss.backward().wrt(w), &[4.0, 6.0]);
    /// ```
    pub fn constant_borrowed<'t>(&'t self, data: &'t [T], dims: &[usize]) -> Var<'t, T> {
        assert_eq!(
            data.len(),
            numel(dims),
            "constant_borrowed: {} elements do not fill shape {}",
            data.len(),
            Dims(dims)
        );
        if dims.is_empty() {
            return self.leaf(data, dims, false);
        }
        self.record_borrowed(Lent::Values(data), dims, None)
    }

    /// A constant that reads real data (row-major, shape `dims`) where it is, as
    /// [`Tape::constant_borrowed`] does, on a tape of any element type: on `f32` and `f64`
    /// tapes the two are the same; on a [`Dual`](crate::Dual) tape the data are constants
    /// (zero tangents) that matrix products read as reals, so that a Hessian-vector product
    /// neither converts a block of features into duals nor splits them at each product.
    /// Any other op that uses them has them converted into the tape first.
    ///
    /// # Panics
    /// If `data` does not fill `dims`.
    ///
    /// ```
    /// use tape::{Dual, Tape};
    /// let features = vec![1.0, 2.0, 3.0, 4.0]; // 2 examples of 2 features
    /// let tape = Tape::<Dual<f64>>::new();
    /// let x = tape.constant_borrowed_real(&features, &[2, 2]);
    /// // w = (0.5, -1) moving along the direction (1, 0)
    /// let w = tape.var_from_slice(&[Dual::new(0.5, 1.0), Dual::new(-1.0, 0.0)], &[2, 1]);
    /// let y = x.matmul(w).value();
    /// assert_eq!(y.data(), &[Dual::new(-1.5, 1.0), Dual::new(-2.5, 3.0)]);
    /// ```
    pub fn constant_borrowed_real<'t>(&'t self, data: &'t [T::Real], dims: &[usize]) -> Var<'t, T> {
        assert_eq!(
            data.len(),
            numel(dims),
            "constant_borrowed_real: {} elements do not fill shape {}",
            data.len(),
            Dims(dims)
        );
        if std::any::TypeId::of::<T>() == std::any::TypeId::of::<T::Real>() {
            // SAFETY: `T` and `T::Real` are the same type (`f32` or `f64`).
            let data = unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<T>(), data.len()) };
            return self.constant_borrowed(data, dims);
        }
        if dims.is_empty() {
            return self.leaf(&[T::from_real(data[0])], dims, false);
        }
        self.record_borrowed(Lent::Reals(data), dims, None)
    }

    /// A constant `[rows.len(), row_len]` made of the chosen rows of a row-major matrix
    /// `source` (a minibatch), read where they are: matrix products stream them in place,
    /// and any other op that uses them has them copied into the tape first.
    ///
    /// The borrow lasts as long as the returned var can be used. It is a constant with no
    /// gradient kept: [`Grads::wrt`] panics for it.
    ///
    /// # Panics
    /// If `row_len` is 0 while `source` is not empty, or a row is out of range.
    ///
    /// ```
    /// use tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.constant_rows(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, &[2, 0]);
    /// assert_eq!(x.value().data(), &[5.0, 6.0, 1.0, 2.0]);
    /// ```
    pub fn constant_rows<'t>(
        &'t self,
        source: &'t [T],
        row_len: usize,
        rows: &[usize],
    ) -> Var<'t, T> {
        let available = source.len().checked_div(row_len).unwrap_or(0);
        if let Some(&row) = rows.iter().find(|&&row| row >= available && row_len > 0) {
            panic!("constant_rows: row {row} is out of range for {available} rows");
        }
        if row_len == 0 {
            return self.leaf(&[], &[rows.len(), 0], false);
        }
        self.record_borrowed(Lent::Values(source), &[rows.len(), row_len], Some(rows))
    }

    /// Records a constant whose values stay in `data` (all of it, or the rows `rows`).
    fn record_borrowed(
        &self,
        data: Lent<'_, T>,
        dims: &[usize],
        rows: Option<&[usize]>,
    ) -> Var<'_, T> {
        let mut arena = self.arena.write();
        let rows = rows.map(|rows| {
            let start = arena.indices.len();
            arena.indices.extend_from_slice(rows);
            (start, rows.len())
        });
        let slot = u32::try_from(arena.borrowed.len()).expect("at most 2^32 borrowed constants");
        let (data, len, real) = match data {
            Lent::Values(data) => (data.as_ptr(), data.len(), false),
            Lent::Reals(data) => (data.as_ptr().cast::<T>(), data.len(), true),
        };
        arena.borrowed.push(Borrowed {
            data,
            len,
            real,
            rows,
            row_len: dims[dims.len() - 1],
        });
        let dims_start = arena.dims.len();
        arena.dims.extend_from_slice(dims);
        let index = NodeId::try_from(arena.nodes.len()).expect("a tape holds at most 2^32 nodes");
        let start = arena.values.len();
        let node = Node::new(
            Op::Borrowed(slot),
            start,
            numel(dims),
            dims_start,
            dims.len(),
            false,
        );
        arena.nodes.push(node);
        Var { tape: self, index }
    }

    /// A constant scalar.
    #[inline]
    pub fn constant_scalar(&self, value: T) -> Var<'_, T> {
        self.push_scalar(Op::Leaf, value, false)
    }

    fn leaf(&self, data: &[T], dims: &[usize], requires_grad: bool) -> Var<'_, T> {
        assert_eq!(
            data.len(),
            numel(dims),
            "leaf: {} elements do not fill shape {}",
            data.len(),
            Dims(dims)
        );
        if let ([value], []) = (data, dims) {
            return self.push_scalar(Op::Leaf, *value, requires_grad);
        }
        self.record(
            Op::Leaf,
            OutShape::Dims(dims),
            requires_grad,
            |_, out| match data {
                [x] => out[0] = *x, // the scalar lane: no memcpy call
                _ => out.copy_from_slice(data),
            },
        )
    }

    /// Appends a node whose output is written by `compute`, which sees everything
    /// recorded so far. This is the one door through which ops enter the tape. A leaf
    /// wants a gradient if `leaf_requires_grad`; any other node if one of its inputs does.
    /// `compute` must write every element of its output: after [`Tape::clear`] the
    /// buffer it is given may hold an earlier recording's values.
    pub(crate) fn record(
        &self,
        op: Op,
        shape: OutShape<'_>,
        leaf_requires_grad: bool,
        compute: impl FnOnce(&Recorded<'_, T>, &mut [T]),
    ) -> Var<'_, T> {
        let mut arena = self.arena.write();
        if op.reads_contiguous_inputs() {
            arena.copy_rows_in(&op);
        }
        let Arena {
            nodes,
            values,
            dims,
            indices,
            borrowed,
            params,
            written,
            largest_constant,
        } = &mut *arena;
        let dims_start = dims.len();
        let (len, ndim) = match shape {
            OutShape::Dims(d) => {
                dims.extend_from_slice(d);
                (numel(d), d.len())
            }
            OutShape::SameAs(id) => {
                let n = &nodes[id as usize];
                dims.extend_from_within(
                    n.dims_start as usize..n.dims_start as usize + n.ndim as usize,
                );
                (n.len(), n.ndim as usize)
            }
        };
        assert!(
            ndim <= u8::MAX as usize,
            "tensors have at most 255 dimensions"
        );
        let start = values.len();
        grow_values(values, written, start + len);
        let (before, out) = values.split_at_mut(start);
        let recorded = Recorded {
            nodes,
            values: before,
            dims,
            indices,
            borrowed,
            params,
        };
        let requires_grad = match op {
            Op::Leaf => leaf_requires_grad,
            _ => op.any_input_requires_grad(&recorded),
        };
        compute(&recorded, out);
        if !requires_grad {
            *largest_constant = (*largest_constant).max(len);
        }
        let index = NodeId::try_from(nodes.len()).expect("a tape holds at most 2^32 nodes");
        nodes.push(Node::new(op, start, len, dims_start, ndim, requires_grad));
        Var { tape: self, index }
    }

    /// The scalar lane: if every input is 0-d, records `op` with the 0-d output
    /// `f(input values)` in a single borrow of the arena and returns it; otherwise `None`,
    /// and the caller takes the general path.
    #[inline(always)]
    pub(crate) fn record_scalar<const N: usize>(
        &self,
        op: Op,
        inputs: [NodeId; N],
        f: impl FnOnce([T; N]) -> T,
    ) -> Option<Var<'_, T>> {
        let mut arena = self.arena.write();
        let mut xs = [T::ZERO; N];
        let mut requires_grad = false;
        for (x, &id) in xs.iter_mut().zip(&inputs) {
            let node = &arena.nodes[id as usize];
            if node.ndim != 0 {
                return None;
            }
            *x = arena.values[node.start()];
            requires_grad |= node.requires_grad;
        }
        let index = arena.push_scalar(op, f(xs), requires_grad);
        Some(Var { tape: self, index })
    }

    /// Appends a 0-d node holding `value`.
    #[inline(always)]
    fn push_scalar(&self, op: Op, value: T, requires_grad: bool) -> Var<'_, T> {
        let index = self.arena.write().push_scalar(op, value, requires_grad);
        Var { tape: self, index }
    }

    /// A unary op as a node stores it, its float parameter (if any) kept in the tape.
    #[inline(always)]
    pub(crate) fn pack_unary(&self, kind: Unary<T>) -> PackedUnary {
        if kind.has_param() {
            kind.pack(&mut self.arena.write().params)
        } else {
            kind.pack(&mut Vec::new())
        }
    }

    /// Stores integer side data for an op and returns its range in the index arena.
    pub(crate) fn push_indices(&self, data: impl IntoIterator<Item = usize>) -> (u32, u32) {
        let mut arena = self.arena.write();
        let start = arena.indices.len();
        arena.indices.extend(data);
        (start as u32, (arena.indices.len() - start) as u32)
    }

    /// Runs crate code `f` on the recorded state (read only); `f` must not record.
    pub(crate) fn with_recorded<R>(&self, f: impl FnOnce(&Recorded<'_, T>) -> R) -> R {
        f(&self.arena.read().recorded())
    }

    /// [`with_recorded`](Tape::with_recorded) for `f` that runs user code (a closure of the
    /// user's, a formatter): recording from inside panics.
    pub(crate) fn lend_recorded<R>(&self, f: impl FnOnce(&Recorded<'_, T>) -> R) -> R {
        self.arena.lend(|arena| f(&arena.recorded()))
    }

    /// Vector-Jacobian product: the gradient of `sum(seed * output)` with respect to every
    /// var, for an output of any shape.
    ///
    /// # Panics
    /// If `seed` does not have the output's shape, or `output` is from another tape.
    pub fn vjp(&self, output: Var<'_, T>, seed: &Tensor<T>) -> Grads<T> {
        let mut grads = Grads::new();
        self.vjp_into(output, seed.data(), seed.shape(), &mut grads);
        grads
    }

    /// [`Var::backward`] into a caller's [`Grads`], reusing its buffer: a training loop
    /// that keeps one `Grads` makes no allocation here after the first step.
    pub fn backward_into(&self, output: Var<'_, T>, grads: &mut Grads<T>) {
        let out_dims = output.shape();
        assert_eq!(
            numel(&out_dims),
            1,
            "backward: output of shape {} is not a scalar; use Tape::vjp with a seed",
            Dims(&out_dims)
        );
        self.vjp_into(output, &[T::ONE], &out_dims, grads);
    }

    /// [`Tape::vjp`] into a caller's [`Grads`].
    pub fn vjp_into(
        &self,
        output: Var<'_, T>,
        seed: &[T],
        seed_dims: &[usize],
        grads: &mut Grads<T>,
    ) {
        assert!(
            std::ptr::eq(output.tape, self),
            "vjp: the output var belongs to another tape"
        );
        let arena = self.arena.read();
        let root = &arena.nodes[output.index as usize];
        let root_dims = &arena.dims[root.dims_start as usize..][..root.ndim as usize];
        assert_eq!(
            root_dims,
            seed_dims,
            "vjp: seed of shape {} does not match output of shape {}",
            Dims(seed_dims),
            Dims(root_dims)
        );
        let (adjoint_values, reached) = grads.reset(
            self.id,
            self.generation,
            (arena.values.len(), arena.largest_constant),
            arena.nodes.len(),
        );
        if !root.requires_grad {
            // A constant output: every gradient is zero, and nothing needs reading.
            adjoint_values.fill(T::ZERO);
            return;
        }
        adjoint_values[root.range()].copy_from_slice(seed);
        reached[output.index as usize] = true;
        // The buffer holds the previous sweep's adjoints: a node's adjoint is written when
        // the sweep first reaches it, and zeroed if it never does (or comes after the
        // output), so the buffer is written once, with no clearing pass before.
        // Constants (nodes that need no gradient) are never written by the sweep, and
        // `Grads::wrt` answers zeros for them from a buffer of its own: zeroing their
        // adjoints here would be a pass as large as the data they hold.
        let zero_if_unreached = |node: &Node, adjoints: &mut [T]| {
            if node.requires_grad && !matches!(node.op, Op::Borrowed(_)) {
                adjoints[node.range()].fill(T::ZERO);
            }
        };
        for node in &arena.nodes[output.index as usize + 1..] {
            zero_if_unreached(node, adjoint_values);
        }

        // The reverse sweep: tape order is topological order, so walking it backwards
        // visits every node after all of its consumers. Only nodes the output depends on
        // are reached; the rest are skipped.
        for (i, node) in arena.nodes[..=output.index as usize]
            .iter()
            .enumerate()
            .rev()
        {
            if !reached[i] {
                zero_if_unreached(node, adjoint_values);
                continue;
            }
            // Leaves have no inputs to pass the gradient to.
            if node.op.is_leaf() {
                continue;
            }
            // The scalar lane: a 0-d elementwise node of 0-d inputs.
            if node.ndim == 0
                && node
                    .op
                    .scalar_chain_rule(&arena, adjoint_values, reached, node.start())
            {
                continue;
            }
            let (before, after) = adjoint_values.split_at_mut(node.start());
            let recorded = Recorded {
                nodes: &arena.nodes,
                // All values, not only those before this node: borrowed data that a
                // later op had copied into the arena now lives past this node.
                values: &arena.values,
                dims: &arena.dims,
                indices: &arena.indices,
                borrowed: &arena.borrowed,
                params: &arena.params,
            };
            let out = Output {
                value: &arena.values[node.range()],
                adjoint: &after[..node.len()],
                dims: &arena.dims[node.dims_start as usize..][..node.ndim as usize],
            };
            let mut adjoints = Adjoints::new(before, &mut reached[..i]);
            node.op.backward(&recorded, &out, &mut adjoints);
        }
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of elements of a node's value.
    pub(crate) fn node_len(&self, index: NodeId) -> usize {
        self.arena.read().nodes[index as usize].len()
    }

    /// Where a node's adjoint lives.
    pub(crate) fn adjoint_of(&self, index: NodeId) -> Adjoint {
        let arena = self.arena.read();
        let n = &arena.nodes[index as usize];
        match n.op {
            Op::Borrowed(_) => Adjoint::None,
            _ if !n.requires_grad => Adjoint::Zero(n.len()),
            _ => Adjoint::Stored(n.start(), n.len()),
        }
    }
}

/// Where [`Grads`] finds a node's gradient.
pub(crate) enum Adjoint {
    /// In the adjoint buffer: start and length.
    Stored(usize, usize),
    /// Zero, of this length: the node is a constant, which no sweep writes.
    Zero(usize),
    /// Nowhere: a borrowed constant keeps no gradient.
    None,
}

impl<T: Float> Arena<T> {
    /// Read access to everything recorded.
    fn recorded(&self) -> Recorded<'_, T> {
        Recorded {
            nodes: &self.nodes,
            values: &self.values,
            dims: &self.dims,
            indices: &self.indices,
            borrowed: &self.borrowed,
            params: &self.params,
        }
    }

    /// Appends a 0-d node holding `value` and returns its id.
    #[inline(always)]
    fn push_scalar(&mut self, op: Op, value: T, requires_grad: bool) -> NodeId {
        let (start, index) = (self.values.len(), self.nodes.len());
        if start.max(index) >= u32::MAX as usize {
            too_many_values();
        }
        self.values.push(value);
        self.nodes.push(Node::scalar(op, start, requires_grad));
        if !requires_grad {
            self.largest_constant = self.largest_constant.max(1);
        }
        index as NodeId
    }

    /// Copies into the arena any rows read in place, or borrowed reals, that `op` uses,
    /// turning them into ordinary constants, for ops that read their inputs as
    /// contiguous slices of the tape's type.
    fn copy_rows_in(&mut self, op: &Op) {
        let mut inputs = smallvec::SmallVec::<[NodeId; 4]>::new();
        op.for_each_input(&self.indices, |id| inputs.push(id));
        for id in inputs {
            let Op::Borrowed(slot) = self.nodes[id as usize].op else {
                continue;
            };
            let borrowed = &self.borrowed[slot as usize];
            let start = self.values.len();
            if let Some(values) = borrowed.real_values() {
                self.values.extend(values);
            } else if let Some((first, count)) = borrowed.rows {
                for &row in &self.indices[first..first + count] {
                    let data = borrowed.data();
                    self.values
                        .extend_from_slice(&data[row * borrowed.row_len..][..borrowed.row_len]);
                }
            } else {
                continue;
            }
            let node = &mut self.nodes[id as usize];
            node.op = Op::Leaf;
            node.set_start(start);
        }
    }
}

/// Lists the tape node by node, as a Wengert list: index, op and inputs, shape, value
/// (the first few elements of a tensor). Leaves are marked `var` or `const`.
///
/// ```
/// use tape::Tape;
/// let tape = Tape::<f64>::new();
/// let x = tape.var_scalar(3.0);
/// let _y = x * x + 1.0;
/// let listing = tape.to_string();
/// assert!(listing.contains("mul(#0, #0)"));
/// ```
impl<T: Float> std::fmt::Display for Tape<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The formatter is the user's: the arena is lent, not just read.
        self.arena.lend(|arena| {
            for (i, node) in arena.nodes.iter().enumerate() {
                let op = match node.op {
                    Op::Leaf if node.requires_grad => "leaf (var)".to_string(),
                    Op::Leaf => "leaf (const)".to_string(),
                    Op::Borrowed(_) => "leaf (const, borrowed)".to_string(),
                    op => op.describe(&arena.indices, &arena.params),
                };
                let dims = &arena.dims[node.dims_start as usize..][..node.ndim as usize];
                if let Op::Borrowed(_) = node.op {
                    // Borrowed values may be gone by now: they are not read here.
                    writeln!(
                        f,
                        "#{i:<3} {op:<24} {:<10} = (not shown)",
                        Dims(dims).to_string()
                    )?;
                    continue;
                }
                let values = &arena.values[node.range()];
                let shown: Vec<String> = values.iter().take(4).map(|v| format!("{v:.6}")).collect();
                let more = if values.len() > 4 { ", ..." } else { "" };
                let value = if dims.is_empty() {
                    shown.join("")
                } else {
                    format!("[{}{more}]", shown.join(", "))
                };
                writeln!(
                    f,
                    "#{i:<3} {op:<24} {:<10} = {value}",
                    Dims(dims).to_string()
                )?;
            }
            Ok(())
        })
    }
}

/// A summary (no values: they may be borrowed from data that is gone).
impl<T: Float> std::fmt::Debug for Tape<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (nodes, values) = {
            let arena = self.arena.read();
            (arena.nodes.len(), arena.values.len())
        };
        f.debug_struct("Tape")
            .field("id", &self.id)
            .field("generation", &self.generation)
            .field("nodes", &nodes)
            .field("values", &values)
            .finish()
    }
}
