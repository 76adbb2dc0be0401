//! Operator overloading, so `a * b + c` records what it reads like, and `y += x * w`
//! records `y + x * w` and points `y` at the result.

use crate::float::Float;
use crate::ops::{Binary, Unary};
use crate::var::Var;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

macro_rules! var_operator {
    ($trait:ident, $method:ident, $kind:ident, $with_const:expr, $const_with:expr) => {
        /// Elementwise, with NumPy broadcasting.
        ///
        /// # Panics
        /// If the shapes do not broadcast, or the vars are on different tapes.
        impl<'t, T: Float> $trait for Var<'t, T> {
            type Output = Var<'t, T>;
            #[inline]
            fn $method(self, rhs: Self) -> Self {
                self.binary(rhs, Binary::$kind)
            }
        }

        /// With a plain number on the right.
        impl<'t, T: Float> $trait<T> for Var<'t, T> {
            type Output = Var<'t, T>;
            #[inline]
            fn $method(self, rhs: T) -> Self {
                let unary: fn(T) -> Unary<T> = $with_const;
                self.unary(unary(rhs))
            }
        }

        var_operator!(@scalar_lhs f32, $trait, $method, $const_with);
        var_operator!(@scalar_lhs f64, $trait, $method, $const_with);
    };
    (@scalar_lhs $t:ty, $trait:ident, $method:ident, $const_with:expr) => {
        /// With a plain number on the left.
        impl<'t> $trait<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[inline]
            fn $method(self, rhs: Var<'t, $t>) -> Var<'t, $t> {
                let unary: fn($t) -> Unary<$t> = $const_with;
                rhs.unary(unary(self))
            }
        }
    };
}

var_operator!(Add, add, Add, Unary::AddConst, Unary::AddConst);
var_operator!(Sub, sub, Sub, |c| Unary::AddConst(-c), Unary::ConstSub);
var_operator!(Mul, mul, Mul, Unary::MulConst, Unary::MulConst);
var_operator!(Div, div, Div, Unary::DivConst, Unary::ConstDiv);

// `var op= rhs` is `var = var op rhs`: a new node is recorded and the handle moves to it.
// The old node stays on the tape (a `Var` is a handle, not storage).
macro_rules! var_assign_operator {
    ($trait:ident, $method:ident, $op:tt) => {
        /// Records `self op rhs` and points `self` at it (see [`Var`]).
        impl<'t, T: Float> $trait for Var<'t, T> {
            #[inline]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }

        /// With a plain number on the right.
        impl<'t, T: Float> $trait<T> for Var<'t, T> {
            #[inline]
            fn $method(&mut self, rhs: T) {
                *self = *self $op rhs;
            }
        }
    };
}

var_assign_operator!(AddAssign, add_assign, +);
var_assign_operator!(SubAssign, sub_assign, -);
var_assign_operator!(MulAssign, mul_assign, *);
var_assign_operator!(DivAssign, div_assign, /);

impl<'t, T: Float> Neg for Var<'t, T> {
    type Output = Var<'t, T>;
    #[inline]
    fn neg(self) -> Self {
        self.unary(Unary::Neg)
    }
}
