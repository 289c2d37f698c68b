//! The runtime's `Sampler` against the definitions of its parameters, on the CPU (no GPU).
//!
//! Each statistical case computes the expected distribution from the definitions
//! (`check::expected_distribution`, which shares no code with the sampler), draws `DRAWS`
//! seeded tokens and runs Pearson's chi-square goodness-of-fit test at significance
//! `check::ALPHA` = 1e-6; a token outside the truncation set is never allowed. Greedy picks,
//! ties and seeding are checked exactly. The `*_rejects_*` tests run the same checks on
//! deliberately wrong samplers and assert they fail, so every check here can fail.
//!
//! Why `DRAWS` = 50 000: a cell of probability `p` whose frequency is off by a relative `d`
//! adds about `DRAWS · p · d²` to the statistic, so against the critical values used here (24 to
//! 84 for 1 to 31 degrees of freedom) it detects, for instance, a 7 % error on a token of
//! probability 0.15 among eight (critical value 40.5); a token wrongly dropped adds
//! `DRAWS · p`. The rejection tests print how far beyond the critical value the wrong samplers
//! land; a temperature off by 10 % included. With the workspace's test profile (opt-level 1)
//! the file runs in 1 to 2 s on two cores, at opt-level 0 in 15 to 20 s.

#[path = "sampler/check.rs"]
mod check;

use axon_runtime::{Sampler, SamplingParams};
use check::{
    ALPHA, Rejection, check_picker, chi_square_critical, chi_square_survival,
    expected_distribution, goodness_of_fit,
};

/// Draws per statistical case.
const DRAWS: usize = 50_000;

/// Eight distinct logits (probabilities at T = 1, best first: 0.38, 0.23, 0.17, 0.08, ...).
const ROW8: [f32; 8] = [1.0, 2.5, -0.5, 0.3, 2.0, -1.5, 0.8, 1.7];

/// Thirty-two logits from -1.5 to 2.25 in steps of 0.25, each value twice (ids `i` and
/// `i + 16`), so truncations can split a tie.
fn row32() -> Vec<f32> {
    (0..32)
        .map(|i| ((i * 7) % 16) as f32 * 0.25 - 1.5)
        .collect()
}

/// Reproducible noise in [-4, 4) (xorshift).
fn noise(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0
        })
        .collect()
}

fn at(temperature: f32) -> SamplingParams {
    SamplingParams {
        temperature,
        seed: 0x5eed,
        ..SamplingParams::default()
    }
}

/// The runtime sampler as a picker.
fn sampler(params: SamplingParams) -> impl FnMut(&[f32], &[u32]) -> u32 {
    let mut sampler = Sampler::new(params);
    move |logits, history| sampler.pick(logits, history)
}

/// Asserts that the expected support does not move when `top_p` or `min_p` moves by a relative
/// 1e-6, so that rounding (the sampler's or the definition's) cannot decide a boundary.
fn assert_boundaries_have_margin(logits: &[f32], history: &[u32], params: &SamplingParams) {
    let support = |p: &SamplingParams| -> Vec<bool> {
        expected_distribution(logits, history, p)
            .iter()
            .map(|&q| q > 0.0)
            .collect()
    };
    let base = support(params);
    for scale in [1.0 - 1e-6, 1.0 + 1e-6] {
        let moved = SamplingParams {
            top_p: params.top_p.map(|p| p * scale),
            min_p: params.min_p.map(|p| p * scale),
            ..params.clone()
        };
        assert_eq!(support(&moved), base, "a boundary sits on {params:?}");
    }
}

/// Asserts that the runtime sampler with `params` fits the expected distribution.
fn assert_fits(logits: &[f32], history: &[u32], params: &SamplingParams, draws: usize) {
    assert_boundaries_have_margin(logits, history, params);
    let expected = expected_distribution(logits, history, params);
    match check_picker(
        &mut sampler(params.clone()),
        logits,
        history,
        &expected,
        draws,
    ) {
        Ok(fit) => assert!(fit.statistic <= fit.critical),
        Err(rejection) => panic!("{params:?} on {logits:?} after {history:?}: {rejection:?}"),
    }
}

/// Asserts that `picker` does not fit the distribution `params` define, and returns why.
fn assert_rejected(
    mut picker: impl FnMut(&[f32], &[u32]) -> u32,
    logits: &[f32],
    history: &[u32],
    params: &SamplingParams,
) -> Rejection {
    let expected = expected_distribution(logits, history, params);
    match check_picker(&mut picker, logits, history, &expected, DRAWS) {
        Ok(fit) => panic!("a wrong sampler passed for {params:?}: {fit:?}"),
        Err(rejection) => {
            println!("{params:?}: rejected: {rejection:?}");
            rejection
        }
    }
}

/// Asserts a chi-square rejection at least `factor` times the critical value.
fn assert_chi_square_beyond(rejection: &Rejection, factor: f64) {
    match rejection {
        Rejection::ChiSquare(fit) => assert!(
            fit.statistic > factor * fit.critical,
            "{fit:?}: rejected, but not by a margin of {factor}"
        ),
        other => panic!("expected a chi-square rejection, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The statistics themselves.

#[test]
fn critical_values_match_closed_forms_and_a_table() {
    // Even df = 2m: P(X > x) = exp(-x/2) · sum_{j<m} (x/2)^j / j! (Poisson sum), exactly.
    for m in 1..=20 {
        for x in [0.5, 3.0, 10.0, 30.0, 80.0, 150.0] {
            let y: f64 = x / 2.0;
            let mut term = 1.0;
            let mut sum = 0.0;
            for j in 0..m {
                if j > 0 {
                    term *= y / j as f64;
                }
                sum += term;
            }
            let closed = (-y).exp() * sum;
            let got = chi_square_survival(x, 2 * m);
            assert!(
                (got - closed).abs() <= 1e-12 * closed.max(1e-300) + 1e-300,
                "df {}, x {x}: {got} vs {closed}",
                2 * m
            );
        }
    }
    // Critical values at 1e-6, computed independently with Python's `math.erfc` and the
    // recurrence Q(a + 1, y) = Q(a, y) + y^a e^-y / Γ(a + 1) from Q(1/2, y) = erfc(√y) (odd df)
    // or the Poisson sum (even df), by bisection.
    let table = [
        (1, 23.9281),
        (2, 27.6310),
        (3, 30.6648),
        (4, 33.3768),
        (5, 35.8882),
        (7, 40.5218),
        (10, 46.8630),
        (15, 56.4934),
        (20, 65.4207),
        (30, 82.0441),
        (50, 112.6081),
    ];
    for (df, want) in table {
        let got = chi_square_critical(df, ALPHA);
        assert!((got - want).abs() < 1e-3, "df {df}: {got} vs {want}");
        assert!((chi_square_survival(got, df) / ALPHA - 1.0).abs() < 1e-9);
    }
}

#[test]
fn the_check_accepts_exact_counts_and_rejects_skewed_ones() {
    let expected = [0.5, 0.3, 0.2, 0.0];
    // Counts equal to their expectation: statistic 0.
    let fit = goodness_of_fit(&[5000, 3000, 2000, 0], &expected).unwrap();
    assert_eq!((fit.statistic, fit.df), (0.0, 2));
    // One impossible draw.
    assert_eq!(
        goodness_of_fit(&[5000, 3000, 1999, 1], &expected),
        Err(Rejection::Impossible { token: 3, count: 1 })
    );
    // 5200 / 2800 / 2000: (200² / 5000 + 200² / 3000) = 21.3 < 27.6 (df 2) passes;
    // 5300 / 2700 / 2000: 48 rejects.
    assert!(goodness_of_fit(&[5200, 2800, 2000, 0], &expected).is_ok());
    assert!(matches!(
        goodness_of_fit(&[5300, 2700, 2000, 0], &expected),
        Err(Rejection::ChiSquare(_))
    ));
    // Cells expected fewer than 5 times are pooled: 1000 draws of [0.994, 0.002, 0.002, 0.002]
    // leave two cells (994 and the pooled 6), so df = 1.
    let fit = goodness_of_fit(&[994, 2, 2, 2], &[0.994, 0.002, 0.002, 0.002]).unwrap();
    assert_eq!(fit.df, 1);
}

// ---------------------------------------------------------------------------------------------
// The runtime sampler against the definitions.

#[test]
fn temperature_alone_follows_the_softmax() {
    for t in [0.25, 0.5, 1.0, 1.5, 3.0] {
        assert_fits(&ROW8, &[], &at(t), DRAWS);
        assert_fits(&row32(), &[], &at(t), DRAWS);
    }
}

#[test]
fn top_k_keeps_the_k_best_with_ties_to_the_lower_id() {
    for (k, t) in [(2, 1.0), (3, 0.7), (5, 1.5)] {
        let params = SamplingParams {
            top_k: Some(k),
            ..at(t)
        };
        assert_fits(&ROW8, &[], &params, DRAWS);
    }
    // On row32 the fifth place is shared by ids 11 and 27: top-5 keeps 11, top-6 both.
    for k in [5, 6, 13] {
        let params = SamplingParams {
            top_k: Some(k),
            ..at(1.0)
        };
        assert_fits(&row32(), &[], &params, DRAWS);
    }
}

#[test]
fn top_p_keeps_the_smallest_prefix_that_reaches_p() {
    // ROW8 at T = 1: cumulative mass 0.38, 0.61, 0.78, 0.86, 0.93, ...: p = 0.7 keeps three
    // tokens, p = 0.9 five, p = 0.3 one.
    for (p, t) in [(0.7, 1.0), (0.9, 0.6), (0.9, 2.0), (0.3, 1.0)] {
        let params = SamplingParams {
            top_p: Some(p),
            ..at(t)
        };
        assert_fits(&ROW8, &[], &params, DRAWS);
    }
    // row32: p = 0.45 stops inside the tie of ids 11 and 27 (mass ahead 0.40 and 0.47).
    for p in [0.45, 0.5, 0.8] {
        let params = SamplingParams {
            top_p: Some(p),
            ..at(1.0)
        };
        assert_fits(&row32(), &[], &params, DRAWS);
    }
}

#[test]
fn min_p_drops_tokens_below_a_fraction_of_the_best() {
    // ROW8's probability ratios to the best: 1, 0.61, 0.45, 0.22, 0.18, 0.11, 0.0498, 0.018:
    // min_p = 0.05 drops the seventh token by a hair (e^-3 < 0.05).
    for (m, t) in [(0.2, 1.0), (0.05, 0.8), (0.5, 2.5)] {
        let params = SamplingParams {
            min_p: Some(m),
            ..at(t)
        };
        assert_fits(&ROW8, &[], &params, DRAWS);
    }
    let params = SamplingParams {
        min_p: Some(0.3),
        ..at(1.0)
    };
    assert_fits(&row32(), &[], &params, DRAWS);
}

#[test]
fn filters_combine_in_order_then_the_temperature() {
    let cases = [
        (Some(20), Some(0.85), Some(0.05), 0.7),
        (Some(10), Some(0.6), None, 1.3),
        (None, Some(0.9), Some(0.2), 0.9),
        (Some(6), None, Some(0.5), 2.0),
        (Some(25), Some(0.95), Some(0.01), 1.0),
    ];
    for (top_k, top_p, min_p, t) in cases {
        let params = SamplingParams {
            top_k,
            top_p,
            min_p,
            ..at(t)
        };
        assert_fits(&row32(), &[], &params, DRAWS);
    }
}

#[test]
fn the_repetition_penalty_applies_once_per_recent_id_before_the_temperature() {
    // The last six tokens are 7, 0, 1, 1, 2, 99: ids 0, 1, 2 and 7 are penalized once each
    // (1 twice in the window), 4 is outside the window, 99 outside the row.
    let history = [4, 7, 0, 1, 1, 2, 99];
    for (penalty, t) in [(1.5, 1.0), (1.3, 0.6), (0.7, 1.2), (2.0, 2.0)] {
        let params = SamplingParams {
            repeat_penalty: penalty,
            repeat_last_n: 6,
            ..at(t)
        };
        assert_fits(&ROW8, &history, &params, DRAWS);
    }
    // With the filters: the penalty moves tokens across the top-k and min-p boundaries.
    let params = SamplingParams {
        repeat_penalty: 1.4,
        repeat_last_n: 8,
        top_k: Some(6),
        min_p: Some(0.2),
        ..at(0.8)
    };
    assert_fits(&row32(), &[9, 25, 2, 18, 3], &params, DRAWS);
}

#[test]
fn small_vocabularies() {
    assert_fits(&[0.3], &[], &at(1.0), 1000);
    assert_fits(&[0.0, 1.0], &[], &at(1.0), DRAWS);
    assert_fits(&[2.0, 2.0], &[], &at(0.5), DRAWS);
    assert_fits(&[-1.0, 0.5, 0.0], &[], &at(0.4), DRAWS);
    let params = SamplingParams {
        top_p: Some(0.6),
        ..at(1.0)
    };
    assert_fits(&[-1.0, 0.5, 0.0], &[], &params, DRAWS);
    let params = SamplingParams {
        top_k: Some(2),
        repeat_penalty: 3.0,
        ..at(1.0)
    };
    assert_fits(&[1.0, 0.9, 0.2], &[0], &params, DRAWS);
    let mut one = sampler(at(2.0));
    assert!((0..1000).all(|_| one(&[7.0], &[0, 0]) == 0));
}

#[test]
fn tokens_outside_the_truncation_set_are_never_drawn() {
    // Many rows and settings, few draws each: every draw must be inside the expected support
    // (the goodness-of-fit check refuses any draw of probability zero).
    let mut case = 0u64;
    for &t in &[0.5, 1.0, 2.0] {
        for &top_k in &[None, Some(1), Some(7)] {
            for &top_p in &[None, Some(0.3), Some(0.9)] {
                for &min_p in &[None, Some(0.1), Some(0.5)] {
                    case += 1;
                    let logits = noise(50, case);
                    let history: Vec<u32> = noise(10, case + 1000)
                        .iter()
                        .map(|v| ((v + 4.0) * 6.0) as u32)
                        .collect();
                    let params = SamplingParams {
                        top_k,
                        top_p,
                        min_p,
                        repeat_penalty: if case.is_multiple_of(2) { 1.3 } else { 1.0 },
                        repeat_last_n: 8,
                        seed: case,
                        ..at(t)
                    };
                    assert_fits(&logits, &history, &params, 400);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Exact checks.

/// The first id of the largest value, by a plain scan.
fn first_max(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// The first `(row, got, want)` where `picker` (called twice per row) is not the argmax of the
/// penalized logits with ties to the lowest id.
fn greedy_mismatch(
    picker: &mut impl FnMut(&[f32], &[u32]) -> u32,
    params: &SamplingParams,
) -> Option<(Vec<f32>, u32, usize)> {
    let mut rows = vec![
        vec![1.0, 3.0, 3.0, 0.0],
        vec![5.0, 5.0, 5.0],
        vec![f32::NEG_INFINITY; 3],
        vec![0.5, -0.5, 2.0, 2.0],
        vec![-2.0, -1.0, -1.0, -3.0],
        vec![f32::MAX, 0.0, f32::MAX],
        row32(),
        ROW8.to_vec(),
    ];
    for seed in 0..20 {
        let mut row = noise(100, seed);
        row[(seed * 7 % 100) as usize] = 9.0;
        row[(seed * 13 % 99) as usize + 1] = 9.0;
        rows.push(row);
    }
    let history = [1, 1, 2];
    for row in rows {
        let want = first_max(&expected_distribution(&row, &history, params));
        for _ in 0..2 {
            let got = picker(&row, &history);
            if got as usize != want {
                return Some((row, got, want));
            }
        }
    }
    None
}

#[test]
fn temperature_zero_is_the_argmax_with_ties_to_the_lowest_id() {
    let plain = SamplingParams::default();
    let filtered = SamplingParams {
        top_k: Some(2),
        top_p: Some(0.5),
        min_p: Some(0.5),
        seed: 99,
        ..SamplingParams::default()
    };
    let penalized = SamplingParams {
        repeat_penalty: 1.5,
        ..SamplingParams::default()
    };
    for params in [plain, filtered, penalized] {
        let mismatch = greedy_mismatch(&mut sampler(params.clone()), &params);
        assert_eq!(mismatch, None, "{params:?}");
    }
    // The penalty decides: [2.0, 1.9] after token 0 is [2.0 / 1.5, 1.9].
    let mut pick = sampler(SamplingParams {
        repeat_penalty: 1.5,
        ..SamplingParams::default()
    });
    assert_eq!(pick(&[2.0, 1.9], &[0]), 1);
    assert_eq!(pick(&[2.0, 1.9], &[]), 0);
}

#[test]
fn the_greedy_check_rejects_ties_to_the_highest_id() {
    let params = SamplingParams::default();
    let mut last_max = |logits: &[f32], _: &[u32]| {
        let best = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        logits.iter().rposition(|&v| v == best).unwrap_or(0) as u32
    };
    let mismatch = greedy_mismatch(&mut last_max, &params);
    assert_eq!(mismatch.map(|(_, got, want)| (got, want)), Some((2, 1)));
}

/// Tokens picked by a sampler with `params` over `steps` steps of changing logits, each pick
/// appended to the history.
fn sequence(params: &SamplingParams, steps: u64) -> Vec<u32> {
    let mut pick = sampler(params.clone());
    let mut history = Vec::new();
    for step in 0..steps {
        let token = pick(&noise(64, step + 1), &history);
        history.push(token);
    }
    history
}

#[test]
fn the_same_seed_reproduces_and_different_seeds_differ() {
    let base = SamplingParams {
        top_k: Some(40),
        top_p: Some(0.95),
        repeat_penalty: 1.1,
        ..at(1.5)
    };
    let seeds = [0, 1, 2, 42, u64::MAX];
    let runs: Vec<Vec<u32>> = seeds
        .iter()
        .map(|&seed| {
            sequence(
                &SamplingParams {
                    seed,
                    ..base.clone()
                },
                200,
            )
        })
        .collect();
    for (run, &seed) in runs.iter().zip(&seeds) {
        assert_eq!(
            *run,
            sequence(
                &SamplingParams {
                    seed,
                    ..base.clone()
                },
                200
            ),
            "seed {seed} reproduces"
        );
    }
    for (i, a) in runs.iter().enumerate() {
        for b in &runs[i + 1..] {
            let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
            assert!(same < 100, "two seeds agree on {same} of 200 picks");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The checks reject wrong samplers.

#[test]
fn the_check_rejects_a_sampler_that_ignores_the_temperature() {
    for t in [0.5, 2.0] {
        let wrong = sampler(at(1.0));
        let rejection = assert_rejected(wrong, &ROW8, &[], &at(t));
        assert_chi_square_beyond(&rejection, 10.0);
    }
}

#[test]
fn the_check_rejects_a_temperature_off_by_ten_percent() {
    let wrong = sampler(at(1.1));
    let rejection = assert_rejected(wrong, &row32(), &[], &at(1.0));
    assert_chi_square_beyond(&rejection, 3.0);
}

#[test]
fn the_check_rejects_a_sampler_that_drops_top_p_s_boundary_token() {
    for (logits, p) in [(ROW8.to_vec(), 0.7), (row32(), 0.8)] {
        let params = SamplingParams {
            top_p: Some(p),
            ..at(1.0)
        };
        let expected = expected_distribution(&logits, &[], &params);
        // The boundary token: the least likely kept one (the last of the prefix).
        let boundary = (0..logits.len())
            .filter(|&i| expected[i] > 0.0)
            .min_by(|&a, &b| expected[a].total_cmp(&expected[b]).then(b.cmp(&a)))
            .unwrap() as u32;
        let mut right = sampler(params.clone());
        let wrong = move |logits: &[f32], history: &[u32]| loop {
            let token = right(logits, history);
            if token != boundary {
                return token;
            }
        };
        let rejection = assert_rejected(wrong, &logits, &[], &params);
        assert_chi_square_beyond(&rejection, 10.0);
    }
}

#[test]
fn the_check_rejects_top_k_off_by_one() {
    for k in [3, 5] {
        let params = SamplingParams {
            top_k: Some(k),
            ..at(1.0)
        };
        let one_more = sampler(SamplingParams {
            top_k: Some(k + 1),
            ..params.clone()
        });
        let rejection = assert_rejected(one_more, &row32(), &[], &params);
        assert!(matches!(rejection, Rejection::Impossible { .. }));
        let one_less = sampler(SamplingParams {
            top_k: Some(k - 1),
            ..params.clone()
        });
        let rejection = assert_rejected(one_less, &row32(), &[], &params);
        assert_chi_square_beyond(&rejection, 10.0);
    }
}

#[test]
fn the_check_rejects_top_k_ties_to_the_higher_id() {
    let params = SamplingParams {
        top_k: Some(5),
        ..at(1.0)
    };
    // The right sampler on the reversed row, its pick mapped back: ties go to the higher id.
    let mut right = sampler(params.clone());
    let wrong = move |logits: &[f32], history: &[u32]| {
        let reversed: Vec<f32> = logits.iter().rev().copied().collect();
        (logits.len() - 1) as u32 - right(&reversed, history)
    };
    let rejection = assert_rejected(wrong, &row32(), &[], &params);
    assert!(matches!(rejection, Rejection::Impossible { token: 27, .. }));
}

#[test]
fn the_check_rejects_wrong_repetition_penalties() {
    let history = [4, 7, 0, 1, 1, 2, 99];
    let params = SamplingParams {
        repeat_penalty: 1.5,
        repeat_last_n: 6,
        ..at(1.0)
    };
    // Penalizing every occurrence: id 1 twice.
    let mut unpenalized = sampler(SamplingParams {
        repeat_penalty: 1.0,
        ..params.clone()
    });
    let every_occurrence = move |logits: &[f32], history: &[u32]| {
        let mut l = logits.to_vec();
        for &t in &history[history.len() - 6..] {
            if let Some(v) = l.get_mut(t as usize) {
                *v = if *v > 0.0 { *v / 1.5 } else { *v * 1.5 };
            }
        }
        unpenalized(&l, history)
    };
    let rejection = assert_rejected(every_occurrence, &ROW8, &history, &params);
    assert_chi_square_beyond(&rejection, 10.0);
    // A window one token too long: id 4 penalized too.
    let long_window = sampler(SamplingParams {
        repeat_last_n: 7,
        ..params.clone()
    });
    let rejection = assert_rejected(long_window, &ROW8, &history, &params);
    assert_chi_square_beyond(&rejection, 10.0);
    // Multiplying positive logits instead of dividing them.
    let backwards = sampler(SamplingParams {
        repeat_penalty: 1.0 / 1.5,
        ..params.clone()
    });
    let rejection = assert_rejected(backwards, &ROW8, &history, &params);
    assert_chi_square_beyond(&rejection, 10.0);
}

#[test]
fn the_check_rejects_min_p_measured_after_the_temperature() {
    // min_p = 0.2 at T = 2 on ROW8: measured at T = 1 it keeps four tokens. A sampler that
    // measured it on the tempered probabilities (ratios e^{Δ/2}) would keep seven: here the
    // right sampler at T = 1 on the halved logits, which is exactly that.
    let params = SamplingParams {
        min_p: Some(0.2),
        ..at(2.0)
    };
    let mut at_t1 = sampler(SamplingParams {
        min_p: Some(0.2),
        ..at(1.0)
    });
    let wrong = move |logits: &[f32], history: &[u32]| {
        let halved: Vec<f32> = logits.iter().map(|v| v / 2.0).collect();
        at_t1(&halved, history)
    };
    let rejection = assert_rejected(wrong, &ROW8, &[], &params);
    assert!(matches!(rejection, Rejection::Impossible { .. }));
}

/// Parameters outside their meaning are refused by name before anything is sampled (a NaN
/// temperature would otherwise draw from NaN probabilities); the edges of each range pass.
#[test]
fn parameters_outside_their_meaning_are_refused() {
    let base = SamplingParams::default();
    let with = |f: &dyn Fn(&mut SamplingParams)| {
        let mut p = base.clone();
        f(&mut p);
        p.validate()
    };
    for (name, bad) in [
        ("temperature", with(&|p| p.temperature = f32::NAN)),
        ("temperature", with(&|p| p.temperature = -0.5)),
        ("temperature", with(&|p| p.temperature = f32::INFINITY)),
        ("top_k", with(&|p| p.top_k = Some(0))),
        ("top_p", with(&|p| p.top_p = Some(0.0))),
        ("top_p", with(&|p| p.top_p = Some(1.5))),
        ("top_p", with(&|p| p.top_p = Some(f32::NAN))),
        ("min_p", with(&|p| p.min_p = Some(-0.1))),
        ("min_p", with(&|p| p.min_p = Some(f32::NAN))),
        ("repeat_penalty", with(&|p| p.repeat_penalty = 0.0)),
        ("repeat_penalty", with(&|p| p.repeat_penalty = f32::NAN)),
    ] {
        let err = bad.unwrap_err();
        assert_eq!(err.name, name, "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    for ok in [
        with(&|p| p.temperature = 0.0),
        with(&|p| p.temperature = 2.0),
        with(&|p| p.top_k = Some(1)),
        with(&|p| p.top_p = Some(1.0)),
        with(&|p| p.min_p = Some(0.0)),
        with(&|p| p.min_p = Some(1.0)),
        with(&|p| p.repeat_penalty = 0.5),
    ] {
        ok.unwrap();
    }
}
