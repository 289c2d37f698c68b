//! Stop strings over streamed text: however the text is split into pieces, what is released
//! equals the text cut before the stop string that completes first, and nothing of a stop
//! string is ever released.

use axon_chat::StopStrings;
use proptest::prelude::*;

/// The whole-text rule: the first end position at which some stop string has just completed;
/// the text is cut at the earliest start among those ending there.
fn cut(text: &str, stops: &[String]) -> (String, Option<String>) {
    for end in 1..=text.len() {
        if !text.is_char_boundary(end) {
            continue;
        }
        let best = stops
            .iter()
            .filter(|s| !s.is_empty() && text[..end].ends_with(s.as_str()))
            .max_by_key(|s| s.len());
        if let Some(s) = best {
            return (text[..end - s.len()].to_owned(), Some(s.clone()));
        }
    }
    (text.to_owned(), None)
}

/// `text` split at the given fractions (rounded down to character boundaries).
fn pieces(text: &str, cuts: &[usize]) -> Vec<String> {
    let mut at: Vec<usize> = cuts
        .iter()
        .map(|&c| {
            let mut i = c % (text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        })
        .collect();
    at.push(0);
    at.push(text.len());
    at.sort_unstable();
    at.windows(2).map(|w| text[w[0]..w[1]].to_owned()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn released_text_is_the_text_cut_at_the_first_completed_stop(
        text in "[ab€c]{0,24}",
        stops in prop::collection::vec("[ab€]{1,4}", 0..4),
        cuts in prop::collection::vec(0usize..64, 0..8),
    ) {
        let mut matcher = StopStrings::new(stops.iter().cloned());
        let mut released = String::new();
        for piece in pieces(&text, &cuts) {
            released.push_str(&matcher.push(&piece));
        }
        let hit = matcher.hit().map(str::to_owned);
        released.push_str(&matcher.flush());
        let (want, want_hit) = cut(&text, &stops);
        prop_assert_eq!(&released, &want);
        if hit.is_some() {
            prop_assert_eq!(matcher.push("abc"), "", "nothing after a stop string");
        }
        prop_assert_eq!(hit, want_hit);
    }
}

#[test]
fn a_stop_string_split_across_pieces_is_held_back_then_dropped() {
    let mut m = StopStrings::new(["</answer>"]);
    assert_eq!(m.push("Paris</ans"), "Paris");
    assert_eq!(m.push("wer> and more"), "");
    assert_eq!(m.hit(), Some("</answer>"));
    assert_eq!(m.flush(), "");
}

#[test]
fn held_text_that_does_not_become_a_stop_is_released() {
    let mut m = StopStrings::new(["STOP"]);
    assert_eq!(m.push("go ST"), "go ");
    assert_eq!(m.push("ILL"), "STILL");
    assert_eq!(m.push("ST"), "");
    assert_eq!(m.flush(), "ST");
    assert_eq!(m.hit(), None);
}
