//! `exp` over a slice of `f32`, sixteen elements at a time with AVX-512, giving glibc's
//! `expf` bit for bit.
//!
//! The scalar `expf` is a library call per element: 2,560 of them were a quarter of a
//! softmax's forward and backward on a batch of 256 rows of 10 classes. glibc's `expf`
//! (Arm's optimized-routines) works in `f64`:
//!
//! - `z = x * 32 / ln 2` splits into an integer `k` and a remainder `r` in `[-1/2, 1/2]`;
//! - `2^(k/32)` is a table entry (`2^((k mod 32)/32)`) whose exponent field is raised by
//!   `k / 32`;
//! - `2^(r/32)` is a cubic in `r`.
//!
//! The vector code does the same operations on eight doubles at a time, with the fused
//! multiply-adds that glibc's FMA build contracts them into, and so gives the same
//! `f32`s. A throwaway program compared all 2^32 inputs against glibc 2.36 on x86-64
//! (none differed); the test below compares 2^22 of them. Inputs of magnitude 88 or more
//! (overflow, the subnormal range, infinities, NaN) go to the scalar `expf`.

#[cfg(target_arch = "x86_64")]
use super::matmul::Isa;

/// `out[i] = xs[i].exp()` for `f32`, vectorised where the processor has AVX-512.
pub(crate) fn exp_f32(xs: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if Isa::best() == Isa::Avx512 {
        // SAFETY: the processor has AVX-512F and FMA.
        unsafe { avx512::exp(xs, out) };
        return;
    }
    out.iter_mut().zip(xs).for_each(|(y, &x)| *y = x.exp());
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    /// `2^(i/32)` rounded to `f64`, minus `i << 47` in its bits, so that adding `k << 47`
    /// for any `k` with `k mod 32 = i` gives the bits of `2^(k/32)`.
    const TABLE: [u64; 32] = [
        0x3ff0000000000000,
        0x3fefd9b0d3158574,
        0x3fefb5586cf9890f,
        0x3fef9301d0125b51,
        0x3fef72b83c7d517b,
        0x3fef54873168b9aa,
        0x3fef387a6e756238,
        0x3fef1e9df51fdee1,
        0x3fef06fe0a31b715,
        0x3feef1a7373aa9cb,
        0x3feedea64c123422,
        0x3feece086061892d,
        0x3feebfdad5362a27,
        0x3feeb42b569d4f82,
        0x3feeab07dd485429,
        0x3feea47eb03a5585,
        0x3feea09e667f3bcd,
        0x3fee9f75e8ec5f74,
        0x3feea11473eb0187,
        0x3feea589994cce13,
        0x3feeace5422aa0db,
        0x3feeb737b0cdc5e5,
        0x3feec49182a3f090,
        0x3feed503b23e255d,
        0x3feee89f995ad3ad,
        0x3feeff76f2fb5e47,
        0x3fef199bdd85529c,
        0x3fef3720dcef9069,
        0x3fef5818dcfba487,
        0x3fef7c97337b9b5f,
        0x3fefa4afa2a490da,
        0x3fefd0765b6e4540,
    ];
    /// Table entries.
    const N: f64 = 32.0;
    /// `N / ln 2`.
    const INV_LN2_N: f64 = std::f64::consts::LOG2_E * N;
    /// `1.5 * 2^52`: adding it rounds to an integer, which lands in the low bits.
    const SHIFT: f64 = 6755399441055744.0;
    /// The cubic for `2^(r/N)`, highest power first.
    const CUBIC: [f64; 3] = [
        f64::from_bits(0x3fac6af84b912394) / (N * N * N),
        f64::from_bits(0x3fcebfce50fac4f3) / (N * N),
        f64::from_bits(0x3fe62e42ff0c52d6) / N,
    ];
    /// The bits of `88.0f32`: from there on, glibc's `expf` takes its special cases.
    const SPECIAL_FROM: i32 = 0x42b0_0000;

    /// `exp` of eight doubles (each an `f32` widened), rounded to `f32`.
    #[inline(always)]
    unsafe fn exp8(xd: __m512d, table: [__m512i; 4]) -> __m256 {
        let shift = _mm512_set1_pd(SHIFT);
        let inv = _mm512_set1_pd(INV_LN2_N);
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
        let z = _mm512_fmadd_pd(_mm512_set1_pd(CUBIC[0]), r, _mm512_set1_pd(CUBIC[1]));
        let r2 = _mm512_mul_pd(r, r);
        let y = _mm512_fmadd_pd(_mm512_set1_pd(CUBIC[2]), r, _mm512_set1_pd(1.0));
        let y = _mm512_fmadd_pd(z, r2, y);
        _mm512_cvtpd_ps(_mm512_mul_pd(y, s))
    }

    /// `out[i] = xs[i].exp()`, sixteen at a time.
    ///
    /// # Safety
    /// The processor must have AVX-512F and FMA.
    #[target_feature(enable = "avx512f,fma")]
    pub(super) unsafe fn exp(xs: &[f32], out: &mut [f32]) {
        let n = xs.len().min(out.len());
        let quarter = |i: usize| _mm512_loadu_si512(TABLE[8 * i..].as_ptr().cast());
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
            let y_low = exp8(low, table);
            let y_high = exp8(high, table);
            let y = _mm512_insertf64x4::<1>(
                _mm512_castpd256_pd512(_mm256_castps_pd(y_low)),
                _mm256_castps_pd(y_high),
            );
            _mm512_mask_storeu_ps(out.as_mut_ptr().add(i), mask, _mm512_castpd_ps(y));
            let mut rest = special;
            while rest != 0 {
                let lane = rest.trailing_zeros() as usize;
                out[i + lane] = xs[i + lane].exp();
                rest &= rest - 1;
            }
            i += 16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::exp_f32;

    /// Every 1024th bit pattern (all signs, exponents, and NaN payloads), the edges of the
    /// special cases, and every length up to 40 (the masked tail).
    #[test]
    fn slice_exp_equals_the_scalar_exp() {
        let mut xs: Vec<f32> = (0..1u64 << 22)
            .map(|i| f32::from_bits((i << 10) as u32 | 0x155))
            .collect();
        for edge in [
            88.0f32, 88.72283, 88.72284, -87.33655, -103.97208, -103.27893, 0.0, -0.0, 1e-30,
        ] {
            for v in [
                edge,
                -edge,
                f32::from_bits(edge.to_bits() + 1),
                f32::from_bits(edge.to_bits().saturating_sub(1)),
            ] {
                xs.push(v);
            }
        }
        xs.extend([
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MAX,
            f32::MIN_POSITIVE,
        ]);
        let mut out = vec![0.0f32; xs.len()];
        exp_f32(&xs, &mut out);
        for (&x, &y) in xs.iter().zip(&out) {
            assert_same(x, y);
        }
        for len in 0..40 {
            let xs: Vec<f32> = (0..len).map(|i| i as f32 * 0.37 - 5.0).collect();
            let mut out = vec![-1.0f32; len + 3];
            exp_f32(&xs, &mut out[..len]);
            xs.iter().zip(&out).for_each(|(&x, &y)| assert_same(x, y));
            assert_eq!(
                out[len..],
                [-1.0; 3],
                "the tail past the slice is left alone"
            );
        }
    }

    /// Bit for bit on glibc (the algorithm is its `expf`); within one unit in the last
    /// place elsewhere.
    fn assert_same(x: f32, y: f32) {
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
    }
}
