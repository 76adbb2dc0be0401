//! `exp` over a slice of `f32` or `f64` with AVX-512, giving glibc's `exp`/`expf` bit for
//! bit.
//!
//! The scalar `exp` is a library call per element: 2,560 of them were a quarter of a
//! softmax's forward and backward on a batch of 256 rows of 10 classes. glibc's `expf` and
//! `exp` (Arm's optimized-routines) both split `x` as `k ln2 / N + r` with an integer `k`
//! and a small remainder `r`, then take
//!
//! - `2^(k/N)` from a table entry (`2^((k mod N)/N)`) whose exponent field is raised by
//!   `k / N`;
//! - `e^r` from a short polynomial in `r`.
//!
//! `expf` works in `f64` with `N = 32` and a cubic; `exp` with `N = 128`, a tail per table
//! entry, and a degree-5 polynomial. The vector code does the same operations, eight or
//! sixteen lanes at a time, with the fused multiply-adds that glibc's FMA builds contract
//! them into, and so gives the same numbers:
//!
//! - `f32`: a throwaway program compared all 2^32 inputs against glibc 2.36 on x86-64, and
//!   none differed; the test below compares 2^22 of them;
//! - `f64`: 276 million random inputs, uniform over `[-745, 655]` and log-uniform in
//!   magnitude from `2^-54` to `2^9`, gave no difference; the test compares 2^21.
//!
//! The lanes glibc sends down its special paths go to the scalar function instead:
//! `|x| >= 88` for `f32` (overflow, the subnormal range, infinities, NaN), `|x| >= 512` or
//! `|x| < 2^-54` for `f64`.

#[cfg(target_arch = "x86_64")]
use super::matmul::Isa;

/// Defines `$name`: `out[i] = xs[i].exp()` for `$t`, with the vector kernel of the same
/// name where the processor has AVX-512, else with the scalar `exp`.
macro_rules! exp_slice {
    ($name:ident, $t:ty) => {
        #[doc = concat!("`out[i] = xs[i].exp()` for `", stringify!($t), "`, vectorised where the processor has AVX-512.")]
        pub(crate) fn $name(xs: &[$t], out: &mut [$t]) {
            #[cfg(target_arch = "x86_64")]
            if Isa::best() == Isa::Avx512 {
                // SAFETY: the processor has AVX-512F and FMA.
                unsafe { avx512::$name(xs, out) };
                return;
            }
            out.iter_mut().zip(xs).for_each(|(y, &x)| *y = x.exp());
        }
    };
}

exp_slice!(exp_f32, f32);
exp_slice!(exp_f64, f64);

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use crate::float::Float;
    use std::arch::x86_64::*;

    /// `expf`'s table: `2^(i/32)` rounded to `f64`, minus `i << 47` in its bits, so that
    /// adding `k << 47` for any `k` with `k mod 32 = i` gives the bits of `2^(k/32)`.
    #[rustfmt::skip]
    const TABLE_32: [u64; 32] = [
        0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
        0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
        0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
        0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
        0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
        0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
        0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
        0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
    ];
    /// Entries in `expf`'s table.
    const N_32: f64 = 32.0;
    /// `N_32 / ln 2`.
    const INV_LN2_N_32: f64 = std::f64::consts::LOG2_E * N_32;
    /// `1.5 * 2^52`: adding it rounds to an integer, which lands in the low bits.
    const SHIFT: f64 = 6755399441055744.0;
    /// The cubic for `2^(r/N_32)`, highest power first.
    const CUBIC_32: [f64; 3] = [
        f64::from_bits(0x3fac6af84b912394) / (N_32 * N_32 * N_32),
        f64::from_bits(0x3fcebfce50fac4f3) / (N_32 * N_32),
        f64::from_bits(0x3fe62e42ff0c52d6) / N_32,
    ];
    /// The bits of `88.0f32`: from there on, glibc's `expf` takes its special cases.
    const SPECIAL_FROM: i32 = 0x42b0_0000;

    /// Overwrites the lanes set in `lanes` (bit `l` for element `l`) with the scalar `exp`:
    /// the inputs glibc sends down its special paths.
    #[inline(always)]
    fn scalar_exp_lanes<T: Float>(mut lanes: u32, xs: &[T], out: &mut [T]) {
        while lanes != 0 {
            let lane = lanes.trailing_zeros() as usize;
            out[lane] = xs[lane].exp();
            lanes &= lanes - 1;
        }
    }

    /// `exp` of eight doubles (each an `f32` widened), rounded to `f32`.
    #[inline(always)]
    unsafe fn expf8(xd: __m512d, table: [__m512i; 4]) -> __m256 {
        let shift = _mm512_set1_pd(SHIFT);
        let inv = _mm512_set1_pd(INV_LN2_N_32);
        let kd = _mm512_fmadd_pd(inv, xd, shift);
        let ki = _mm512_castpd_si512(kd);
        let kd = _mm512_sub_pd(kd, shift);
        let r = _mm512_fmsub_pd(inv, xd, kd);
        // Entry `k mod 32`: the low four bits of `k` pick one of 16 in each half of the
        // table (two vectors of eight), bit 4 picks the half.
        let low = _mm512_permutex2var_epi64(table[0], ki, table[1]);
        let high = _mm512_permutex2var_epi64(table[2], ki, table[3]);
        let upper = _mm512_test_epi64_mask(ki, _mm512_set1_epi64(16));
        let entry = _mm512_mask_blend_epi64(upper, low, high);
        let s = _mm512_castsi512_pd(_mm512_add_epi64(entry, _mm512_slli_epi64::<47>(ki)));
        let z = _mm512_fmadd_pd(_mm512_set1_pd(CUBIC_32[0]), r, _mm512_set1_pd(CUBIC_32[1]));
        let r2 = _mm512_mul_pd(r, r);
        let y = _mm512_fmadd_pd(_mm512_set1_pd(CUBIC_32[2]), r, _mm512_set1_pd(1.0));
        let y = _mm512_fmadd_pd(z, r2, y);
        _mm512_cvtpd_ps(_mm512_mul_pd(y, s))
    }

    /// `out[i] = xs[i].exp()`, sixteen at a time.
    ///
    /// # Safety
    /// The processor must have AVX-512F and FMA.
    #[target_feature(enable = "avx512f,fma")]
    pub(super) unsafe fn exp_f32(xs: &[f32], out: &mut [f32]) {
        let n = xs.len().min(out.len());
        let quarter = |i: usize| _mm512_loadu_si512(TABLE_32[8 * i..].as_ptr().cast());
        let table = [quarter(0), quarter(1), quarter(2), quarter(3)];
        let mut i = 0;
        while i < n {
            let mask: __mmask16 = if n - i >= 16 { !0 } else { (1 << (n - i)) - 1 };
            let x = _mm512_maskz_loadu_ps(mask, xs.as_ptr().add(i));
            let magnitude = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(i32::MAX));
            let special =
                _mm512_mask_cmpge_epi32_mask(mask, magnitude, _mm512_set1_epi32(SPECIAL_FROM));
            let low = _mm512_cvtps_pd(_mm512_castps512_ps256(x));
            let high = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(
                _mm512_castps_pd(x),
            )));
            let y_low = expf8(low, table);
            let y_high = expf8(high, table);
            let y = _mm512_insertf64x4::<1>(
                _mm512_castpd256_pd512(_mm256_castps_pd(y_low)),
                _mm256_castps_pd(y_high),
            );
            _mm512_mask_storeu_ps(out.as_mut_ptr().add(i), mask, _mm512_castpd_ps(y));
            scalar_exp_lanes(special.into(), &xs[i..], &mut out[i..]);
            i += 16;
        }
    }

    /// `exp`'s table, a pair per `i < 128`: the tail `2^(i/128) / H - 1`, where `H` is
    /// `2^(i/128)` rounded to `f64`, and the bits of `H` minus `i << 45`.
    #[rustfmt::skip]
    const TABLE_64: [u64; 256] = [
        0x0000000000000000, 0x3ff0000000000000, 0x3c9b3b4f1a88bf6e, 0x3feff63da9fb3335,
        0xbc7160139cd8dc5d, 0x3fefec9a3e778061, 0xbc905e7a108766d1, 0x3fefe315e86e7f85,
        0x3c8cd2523567f613, 0x3fefd9b0d3158574, 0xbc8bce8023f98efa, 0x3fefd06b29ddf6de,
        0x3c60f74e61e6c861, 0x3fefc74518759bc8, 0x3c90a3e45b33d399, 0x3fefbe3ecac6f383,
        0x3c979aa65d837b6d, 0x3fefb5586cf9890f, 0x3c8eb51a92fdeffc, 0x3fefac922b7247f7,
        0x3c3ebe3d702f9cd1, 0x3fefa3ec32d3d1a2, 0xbc6a033489906e0b, 0x3fef9b66affed31b,
        0xbc9556522a2fbd0e, 0x3fef9301d0125b51, 0xbc5080ef8c4eea55, 0x3fef8abdc06c31cc,
        0xbc91c923b9d5f416, 0x3fef829aaea92de0, 0x3c80d3e3e95c55af, 0x3fef7a98c8a58e51,
        0xbc801b15eaa59348, 0x3fef72b83c7d517b, 0xbc8f1ff055de323d, 0x3fef6af9388c8dea,
        0x3c8b898c3f1353bf, 0x3fef635beb6fcb75, 0xbc96d99c7611eb26, 0x3fef5be084045cd4,
        0x3c9aecf73e3a2f60, 0x3fef54873168b9aa, 0xbc8fe782cb86389d, 0x3fef4d5022fcd91d,
        0x3c8a6f4144a6c38d, 0x3fef463b88628cd6, 0x3c807a05b0e4047d, 0x3fef3f49917ddc96,
        0x3c968efde3a8a894, 0x3fef387a6e756238, 0x3c875e18f274487d, 0x3fef31ce4fb2a63f,
        0x3c80472b981fe7f2, 0x3fef2b4565e27cdd, 0xbc96b87b3f71085e, 0x3fef24dfe1f56381,
        0x3c82f7e16d09ab31, 0x3fef1e9df51fdee1, 0xbc3d219b1a6fbffa, 0x3fef187fd0dad990,
        0x3c8b3782720c0ab4, 0x3fef1285a6e4030b, 0x3c6e149289cecb8f, 0x3fef0cafa93e2f56,
        0x3c834d754db0abb6, 0x3fef06fe0a31b715, 0x3c864201e2ac744c, 0x3fef0170fc4cd831,
        0x3c8fdd395dd3f84a, 0x3feefc08b26416ff, 0xbc86a3803b8e5b04, 0x3feef6c55f929ff1,
        0xbc924aedcc4b5068, 0x3feef1a7373aa9cb, 0xbc9907f81b512d8e, 0x3feeecae6d05d866,
        0xbc71d1e83e9436d2, 0x3feee7db34e59ff7, 0xbc991919b3ce1b15, 0x3feee32dc313a8e5,
        0x3c859f48a72a4c6d, 0x3feedea64c123422, 0xbc9312607a28698a, 0x3feeda4504ac801c,
        0xbc58a78f4817895b, 0x3feed60a21f72e2a, 0xbc7c2c9b67499a1b, 0x3feed1f5d950a897,
        0x3c4363ed60c2ac11, 0x3feece086061892d, 0x3c9666093b0664ef, 0x3feeca41ed1d0057,
        0x3c6ecce1daa10379, 0x3feec6a2b5c13cd0, 0x3c93ff8e3f0f1230, 0x3feec32af0d7d3de,
        0x3c7690cebb7aafb0, 0x3feebfdad5362a27, 0x3c931dbdeb54e077, 0x3feebcb299fddd0d,
        0xbc8f94340071a38e, 0x3feeb9b2769d2ca7, 0xbc87deccdc93a349, 0x3feeb6daa2cf6642,
        0xbc78dec6bd0f385f, 0x3feeb42b569d4f82, 0xbc861246ec7b5cf6, 0x3feeb1a4ca5d920f,
        0x3c93350518fdd78e, 0x3feeaf4736b527da, 0x3c7b98b72f8a9b05, 0x3feead12d497c7fd,
        0x3c9063e1e21c5409, 0x3feeab07dd485429, 0x3c34c7855019c6ea, 0x3feea9268a5946b7,
        0x3c9432e62b64c035, 0x3feea76f15ad2148, 0xbc8ce44a6199769f, 0x3feea5e1b976dc09,
        0xbc8c33c53bef4da8, 0x3feea47eb03a5585, 0xbc845378892be9ae, 0x3feea34634ccc320,
        0xbc93cedd78565858, 0x3feea23882552225, 0x3c5710aa807e1964, 0x3feea155d44ca973,
        0xbc93b3efbf5e2228, 0x3feea09e667f3bcd, 0xbc6a12ad8734b982, 0x3feea012750bdabf,
        0xbc6367efb86da9ee, 0x3fee9fb23c651a2f, 0xbc80dc3d54e08851, 0x3fee9f7df9519484,
        0xbc781f647e5a3ecf, 0x3fee9f75e8ec5f74, 0xbc86ee4ac08b7db0, 0x3fee9f9a48a58174,
        0xbc8619321e55e68a, 0x3fee9feb564267c9, 0x3c909ccb5e09d4d3, 0x3feea0694fde5d3f,
        0xbc7b32dcb94da51d, 0x3feea11473eb0187, 0x3c94ecfd5467c06b, 0x3feea1ed0130c132,
        0x3c65ebe1abd66c55, 0x3feea2f336cf4e62, 0xbc88a1c52fb3cf42, 0x3feea427543e1a12,
        0xbc9369b6f13b3734, 0x3feea589994cce13, 0xbc805e843a19ff1e, 0x3feea71a4623c7ad,
        0xbc94d450d872576e, 0x3feea8d99b4492ed, 0x3c90ad675b0e8a00, 0x3feeaac7d98a6699,
        0x3c8db72fc1f0eab4, 0x3feeace5422aa0db, 0xbc65b6609cc5e7ff, 0x3feeaf3216b5448c,
        0x3c7bf68359f35f44, 0x3feeb1ae99157736, 0xbc93091fa71e3d83, 0x3feeb45b0b91ffc6,
        0xbc5da9b88b6c1e29, 0x3feeb737b0cdc5e5, 0xbc6c23f97c90b959, 0x3feeba44cbc8520f,
        0xbc92434322f4f9aa, 0x3feebd829fde4e50, 0xbc85ca6cd7668e4b, 0x3feec0f170ca07ba,
        0x3c71affc2b91ce27, 0x3feec49182a3f090, 0x3c6dd235e10a73bb, 0x3feec86319e32323,
        0xbc87c50422622263, 0x3feecc667b5de565, 0x3c8b1c86e3e231d5, 0x3feed09bec4a2d33,
        0xbc91bbd1d3bcbb15, 0x3feed503b23e255d, 0x3c90cc319cee31d2, 0x3feed99e1330b358,
        0x3c8469846e735ab3, 0x3feede6b5579fdbf, 0xbc82dfcd978e9db4, 0x3feee36bbfd3f37a,
        0x3c8c1a7792cb3387, 0x3feee89f995ad3ad, 0xbc907b8f4ad1d9fa, 0x3feeee07298db666,
        0xbc55c3d956dcaeba, 0x3feef3a2b84f15fb, 0xbc90a40e3da6f640, 0x3feef9728de5593a,
        0xbc68d6f438ad9334, 0x3feeff76f2fb5e47, 0xbc91eee26b588a35, 0x3fef05b030a1064a,
        0x3c74ffd70a5fddcd, 0x3fef0c1e904bc1d2, 0xbc91bdfbfa9298ac, 0x3fef12c25bd71e09,
        0x3c736eae30af0cb3, 0x3fef199bdd85529c, 0x3c8ee3325c9ffd94, 0x3fef20ab5fffd07a,
        0x3c84e08fd10959ac, 0x3fef27f12e57d14b, 0x3c63cdaf384e1a67, 0x3fef2f6d9406e7b5,
        0x3c676b2c6c921968, 0x3fef3720dcef9069, 0xbc808a1883ccb5d2, 0x3fef3f0b555dc3fa,
        0xbc8fad5d3ffffa6f, 0x3fef472d4a07897c, 0xbc900dae3875a949, 0x3fef4f87080d89f2,
        0x3c74a385a63d07a7, 0x3fef5818dcfba487, 0xbc82919e2040220f, 0x3fef60e316c98398,
        0x3c8e5a50d5c192ac, 0x3fef69e603db3285, 0x3c843a59ac016b4b, 0x3fef7321f301b460,
        0xbc82d52107b43e1f, 0x3fef7c97337b9b5f, 0xbc892ab93b470dc9, 0x3fef864614f5a129,
        0x3c74b604603a88d3, 0x3fef902ee78b3ff6, 0x3c83c5ec519d7271, 0x3fef9a51fbc74c83,
        0xbc8ff7128fd391f0, 0x3fefa4afa2a490da, 0xbc8dae98e223747d, 0x3fefaf482d8e67f1,
        0x3c8ec3bc41aa2008, 0x3fefba1bee615a27, 0x3c842b94c3a9eb32, 0x3fefc52b376bba97,
        0x3c8a64a931d185ee, 0x3fefd0765b6e4540, 0xbc8e37bae43be3ed, 0x3fefdbfdad9cbe14,
        0x3c77893b4d91cd9d, 0x3fefe7c1819e90d8, 0x3c5305c14160cc89, 0x3feff3c22b8f71f1,
    ];
    /// `128 / ln 2`.
    const INV_LN2_N_64: f64 = std::f64::consts::LOG2_E * 128.0;
    /// `-ln 2 / 128` in two parts: the high part has zeros in its low 16 bits, so that
    /// `k` times it is exact.
    const NEG_LN2_HI_N: f64 = f64::from_bits(0xbf762e42fefa0000);
    const NEG_LN2_LO_N: f64 = f64::from_bits(0xbd0cf79abc9e3b3a);
    /// `e^r - 1 - r ~= r^2 (C2 + C3 r) + r^4 (C4 + C5 r)`.
    const POLY_64: [f64; 4] = [
        f64::from_bits(0x3fdffffffffffdbd),
        f64::from_bits(0x3fc555555555543c),
        f64::from_bits(0x3fa55555cf172b91),
        f64::from_bits(0x3f81111167a4d017),
    ];
    /// The exponent fields of `2^-54` and `512`: outside `[2^-54, 512)`, glibc's `exp`
    /// takes its special cases.
    const TOP_TINY: i64 = 0x3c9;
    const TOP_HUGE: i64 = 0x408;

    /// `out[i] = xs[i].exp()`, eight at a time.
    ///
    /// # Safety
    /// The processor must have AVX-512F and FMA.
    #[target_feature(enable = "avx512f,fma")]
    pub(super) unsafe fn exp_f64(xs: &[f64], out: &mut [f64]) {
        let n = xs.len().min(out.len());
        let table = TABLE_64.as_ptr().cast::<i64>();
        let splat = _mm512_set1_pd;
        let mut i = 0;
        while i < n {
            let mask: __mmask8 = if n - i >= 8 { !0 } else { (1 << (n - i)) - 1 };
            let x = _mm512_maskz_loadu_pd(mask, xs.as_ptr().add(i));
            let top = _mm512_and_si512(
                _mm512_srli_epi64::<52>(_mm512_castpd_si512(x)),
                _mm512_set1_epi64(0x7ff),
            );
            let offset = _mm512_sub_epi64(top, _mm512_set1_epi64(TOP_TINY));
            let special =
                _mm512_mask_cmpge_epu64_mask(mask, offset, _mm512_set1_epi64(TOP_HUGE - TOP_TINY));
            let shift = splat(SHIFT);
            let kd = _mm512_fmadd_pd(x, splat(INV_LN2_N_64), shift);
            let ki = _mm512_castpd_si512(kd);
            let kd = _mm512_sub_pd(kd, shift);
            let r = _mm512_fmadd_pd(
                kd,
                splat(NEG_LN2_LO_N),
                _mm512_fmadd_pd(kd, splat(NEG_LN2_HI_N), x),
            );
            // The pair for `k mod 128`: its tail, and the bits of `2^(k/128)` once `k << 45`
            // is added.
            let pair = _mm512_slli_epi64::<1>(_mm512_and_si512(ki, _mm512_set1_epi64(127)));
            let tail = _mm512_castsi512_pd(_mm512_i64gather_epi64::<8>(pair, table));
            let high =
                _mm512_i64gather_epi64::<8>(_mm512_add_epi64(pair, _mm512_set1_epi64(1)), table);
            let scale = _mm512_castsi512_pd(_mm512_add_epi64(high, _mm512_slli_epi64::<45>(ki)));
            let p12 = _mm512_fmadd_pd(r, splat(POLY_64[1]), splat(POLY_64[0]));
            let t3 = _mm512_add_pd(tail, r);
            let r2 = _mm512_mul_pd(r, r);
            let p45 = _mm512_fmadd_pd(r, splat(POLY_64[3]), splat(POLY_64[2]));
            let s1 = _mm512_fmadd_pd(r2, p12, t3);
            let tmp = _mm512_fmadd_pd(_mm512_mul_pd(r2, r2), p45, s1);
            let y = _mm512_fmadd_pd(scale, tmp, scale);
            _mm512_mask_storeu_pd(out.as_mut_ptr().add(i), mask, y);
            scalar_exp_lanes(special.into(), &xs[i..], &mut out[i..]);
            i += 8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{exp_f32, exp_f64};

    /// `y` is `x.exp()`: bit for bit on glibc (the algorithms are its `expf` and `exp`),
    /// within one unit in the last place elsewhere.
    macro_rules! assert_same {
        ($x:expr, $y:expr) => {{
            let (x, y) = ($x, $y);
            let want = x.exp();
            if want.is_nan() {
                assert!(y.is_nan(), "exp({x:e}) = {y:e}, not NaN");
            } else if cfg!(all(target_os = "linux", target_env = "gnu")) {
                assert_eq!(
                    y.to_bits(),
                    want.to_bits(),
                    "exp({x:e}) = {y:e}, not {want:e}"
                );
            } else {
                let ulps = (y.to_bits() as i64 - want.to_bits() as i64).abs();
                assert!(ulps <= 1, "exp({x:e}) = {y:e}, {ulps} ulps from {want:e}");
            }
        }};
    }

    /// Checks `$exp` against the scalar `exp` on the inputs `$xs` plus each of `$edges`,
    /// its negation and its two neighbours, and the non-finite values; then on every
    /// length below `$lengths` (the masked tail), leaving the elements past it alone.
    macro_rules! check_slice_exp {
        ($t:ty, $exp:path, $xs:expr, $edges:expr, $lengths:expr) => {{
            let mut xs: Vec<$t> = $xs;
            for edge in $edges {
                let (up, down) = (edge.to_bits() + 1, edge.to_bits().saturating_sub(1));
                xs.extend([edge, -edge, <$t>::from_bits(up), <$t>::from_bits(down)]);
            }
            xs.extend([
                <$t>::INFINITY,
                <$t>::NEG_INFINITY,
                <$t>::NAN,
                <$t>::MAX,
                <$t>::MIN_POSITIVE,
            ]);
            let mut out = vec![0.0; xs.len()];
            $exp(&xs, &mut out);
            xs.iter().zip(&out).for_each(|(&x, &y)| assert_same!(x, y));
            for len in 0..$lengths {
                let xs: Vec<$t> = (0..len).map(|i| i as $t * 0.37 - 5.0).collect();
                let mut out = vec![-1.0; len + 3];
                $exp(&xs, &mut out[..len]);
                xs.iter().zip(&out).for_each(|(&x, &y)| assert_same!(x, y));
                assert_eq!(
                    out[len..],
                    [-1.0; 3],
                    "the tail past the slice is left alone"
                );
            }
        }};
    }

    /// Every 1024th bit pattern (all signs, exponents, and NaN payloads), the edges of
    /// `expf`'s special cases, and the only two inputs of all 2^32 whose result changes if
    /// `r = x N / ln 2 - k` is rounded twice instead of fused (found by the exhaustive run).
    #[test]
    fn slice_exp_equals_the_scalar_exp_in_f32() {
        let mut xs: Vec<f32> = (0..1u32 << 22)
            .map(|i| f32::from_bits(i << 10 | 0x155))
            .collect();
        xs.extend([f32::from_bits(0x4202_422f), f32::from_bits(0xc27c_65d9)]);
        let edges = [
            88.0f32, 88.72283, 88.72284, -87.33655, -103.97208, -103.27893, 0.0, 1e-30,
        ];
        check_slice_exp!(f32, exp_f32, xs, edges, 40);
    }

    /// 2^20 inputs uniform over `[-745, 745]`, as many log-uniform in magnitude from
    /// `2^-60` to `2^10` (across the special cases' edges at `2^-54` and 512), and the
    /// edges of `exp`'s special cases.
    #[test]
    fn slice_exp_equals_the_scalar_exp_in_f64() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut uniform = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut xs = Vec::new();
        for _ in 0..1 << 20 {
            xs.push(uniform() * 1490.0 - 745.0);
            let magnitude = (uniform() * 70.0 - 60.0).exp2();
            xs.push(if uniform() < 0.5 {
                magnitude
            } else {
                -magnitude
            });
        }
        let edges = [
            2f64.powi(-54),
            512.0,
            709.78,
            709.79,
            -708.4,
            -745.13,
            -745.14,
            0.0,
            1e-300,
        ];
        check_slice_exp!(f64, exp_f64, xs, edges, 20);
    }
}
