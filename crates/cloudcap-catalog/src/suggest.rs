//! "Did you mean": the nearest known name to an unknown one, by edit distance.

/// The candidate nearest to `unknown` within edit distance 2 (and nearer than rewriting the
/// whole word), or `None`. Ties go to the alphabetically first candidate, so the answer does not
/// depend on the candidates' order.
pub fn did_you_mean<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = unknown.chars().count();
    candidates
        .iter()
        .map(|c| (edit_distance(unknown, c), *c))
        .filter(|(d, c)| *d <= 2 && *d < len && *c != unknown)
        .min()
        .map(|(_, c)| c)
}

/// Edit distance over characters, counting an insertion, a deletion, a substitution or a swap of
/// two neighbours as one (optimal string alignment), so `titel` is 1 from `title`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between the first i chars of a and the first j of b.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("titel", "title"), 1);
        assert_eq!(edit_distance("titel", "tier"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn suggestions_are_near_and_deterministic() {
        let keys = ["title", "tier", "id", "text"];
        assert_eq!(did_you_mean("titel", &keys), Some("title"));
        assert_eq!(did_you_mean("tiers", &keys), Some("tier"));
        // Too far, or a rewrite of the whole word: no suggestion.
        assert_eq!(did_you_mean("objective", &keys), None);
        assert_eq!(did_you_mean("ab", &keys), None);
        // A tie is broken alphabetically, whatever the order of the candidates.
        assert_eq!(did_you_mean("bat", &["cat", "bar"]), Some("bar"));
        assert_eq!(did_you_mean("bat", &["bar", "cat"]), Some("bar"));
    }
}
