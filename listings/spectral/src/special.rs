//! The digamma function ψ, for one closed form the book checks against: the expected log of a
//! mean of `k` independent standard exponential variables is ψ(k) − ln k.
//!
//! Why it matters: the power in one frequency bin of white noise is exponentially distributed, and
//! the RAPSD averages `k` independent bins per radius. Averaging such curves in the log domain
//! (a geometric mean) therefore lands at `exp(ψ(k) − ln k) < 1`, not at 1, where `k` is small:
//! the dip of the noise spectrum at the lowest frequencies.

/// ψ(x) for x > 0: recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic series.
pub fn digamma(mut x: f64) -> f64 {
    assert!(
        x > 0.0,
        "digamma is only needed for positive arguments here"
    );
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let inv2 = 1.0 / (x * x);
    let series = inv2
        * (1.0 / 12.0
            - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))));
    acc + x.ln() - 0.5 / x - series
}

/// `exp(ψ(k) − ln k)`: the geometric-mean level of a mean of `k` independent Exp(1) variables.
pub fn log_mean_level_of_exponential_average(k: f64) -> f64 {
    (digamma(k) - k.ln()).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // ψ(1) = −γ; ψ(n) = −γ + Σ_{j<n} 1/j; ψ(1/2) = −γ − 2 ln 2.
        let gamma = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + gamma).abs() < 1e-12);
        assert!((digamma(4.0) - (-gamma + 1.0 + 0.5 + 1.0 / 3.0)).abs() < 1e-12);
        assert!((digamma(0.5) - (-gamma - 2.0 * 2f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn four_bins_give_the_dip_the_post_shows() {
        // ψ(4) − ln 4 = 11/6 − γ − ln 4 ⇒ level ≈ 0.8777.
        let level = log_mean_level_of_exponential_average(4.0);
        assert!((level - 0.8777).abs() < 5e-4, "{level}");
    }
}
