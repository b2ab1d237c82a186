//! Typo and abbreviation tolerance: the vocabulary of the index, and the words in it
//! closest to a word the buyer typed that the index does not hold.

use super::normalize::{has_vowel, skeleton};
use std::collections::HashMap;

/// Every word of the index with the number of products holding it.
#[derive(Clone, Default)]
pub struct Vocabulary {
    doc_count: HashMap<String, u32>,
    /// Words by their skeleton ("dnt" → ["donat", "dinet"]), for abbreviations.
    by_skeleton: HashMap<String, Vec<String>>,
    /// Words by length, so edit distance only looks at plausible lengths, each with its
    /// [`letter_mask`].
    by_len: HashMap<usize, Vec<(u32, String)>>,
}

impl Vocabulary {
    pub fn from_counts(counts: impl IntoIterator<Item = (String, u32)>) -> Self {
        let mut v = Vocabulary::default();
        for (word, n) in counts {
            v.add(word, n);
        }
        v
    }

    /// Adds (or counts again) a word the index now holds.
    pub fn add(&mut self, word: String, docs: u32) {
        if word.chars().all(|c| c.is_ascii_digit()) {
            return;
        }
        let entry = self.doc_count.entry(word.clone()).or_insert(0);
        let is_new = *entry == 0;
        *entry = entry.saturating_add(docs.max(1));
        if is_new {
            self.by_skeleton
                .entry(skeleton(&word))
                .or_default()
                .push(word.clone());
            self.by_len
                .entry(word.chars().count())
                .or_default()
                .push((letter_mask(&word), word));
        }
    }

    pub fn contains(&self, word: &str) -> bool {
        self.doc_count.contains_key(word)
    }

    pub fn docs(&self, word: &str) -> u32 {
        self.doc_count.get(word).copied().unwrap_or(0)
    }

    pub fn len(&self) -> usize {
        self.doc_count.len()
    }

    pub fn is_empty(&self) -> bool {
        self.doc_count.is_empty()
    }

    /// The words a typed `word` most likely meant, best first, at most `max`:
    /// an abbreviation's expansions ("dnt" → "donat"), then words one or two edits away
    /// (two only for longer words, where a second slip is likely and a false match is not).
    pub fn corrections(&self, word: &str, max: usize) -> Vec<String> {
        let len = word.chars().count();
        let mut found: Vec<(u32, u32, String)> = Vec::new(); // (distance, !docs, word)
        if len >= 2
            && !has_vowel(word)
            && let Some(words) = self.by_skeleton.get(word)
        {
            for w in words.iter().filter(|w| w.chars().count() > len) {
                found.push((0, u32::MAX - self.docs(w), w.clone()));
            }
        }
        let budget = match len {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        if budget > 0 {
            let (counts, mask) = (letter_counts(word), letter_mask(word));
            for l in len.saturating_sub(budget)..=len + budget {
                for (m, candidate) in self.by_len.get(&l).into_iter().flatten() {
                    // Most words of about the right length are far off in their letters
                    // alone: turned away without the edit distance's table. First by the
                    // letters one has and the other lacks (each takes an edit: an edit
                    // brings in one letter and takes away one), then by their counts.
                    let missing = (m & !mask).count_ones().max((mask & !m).count_ones());
                    if missing as usize > budget || counts_gap(&counts, candidate) > 2 * budget {
                        continue;
                    }
                    if let Some(d) = distance_within(word, candidate, budget) {
                        // The first letter is rarely the one mistyped: prefer candidates
                        // that share it.
                        let penalty = u32::from(candidate.chars().next() != word.chars().next());
                        found.push((
                            d as u32 + penalty,
                            u32::MAX - self.docs(candidate),
                            candidate.clone(),
                        ));
                    }
                }
            }
        }
        found.sort();
        found.dedup_by(|a, b| a.2 == b.2);
        found.into_iter().take(max).map(|(_, _, w)| w).collect()
    }

    /// `word` split in two words of the vocabulary ("tasselempang" → "tas", "selempang").
    pub fn split(&self, word: &str) -> Option<(String, String)> {
        let chars: Vec<char> = word.chars().collect();
        (2..chars.len().saturating_sub(1))
            .filter_map(|i| {
                let a: String = chars[..i].iter().collect();
                let b: String = chars[i..].iter().collect();
                (self.contains(&a) && self.contains(&b)).then(|| {
                    let score = self.docs(&a).min(self.docs(&b));
                    (score, a, b)
                })
            })
            .max_by_key(|(score, _, _)| *score)
            .map(|(_, a, b)| (a, b))
    }
}

/// A word's letters counted by kind: a–z, and anything else together.
fn letter_counts(word: &str) -> [u8; 27] {
    let mut counts = [0u8; 27];
    for c in word.chars() {
        let k = letter_bucket(c);
        counts[k] = counts[k].saturating_add(1);
    }
    counts
}

/// Which kinds of letter ([`letter_counts`]) a word has: bit `k` for kind `k`.
fn letter_mask(word: &str) -> u32 {
    word.chars().fold(0, |m, c| m | 1 << letter_bucket(c))
}

fn letter_bucket(c: char) -> usize {
    if c.is_ascii_lowercase() {
        usize::from(c as u8 - b'a')
    } else {
        26
    }
}

/// How far `counts` ([`letter_counts`] of one word) are from the letters of `other`:
/// the sum of the differences. One edit changes it by two at most (a substitution takes
/// one letter and adds another, an insertion or deletion changes one count, a swap
/// none), so the edit distance of the two words is at least half of it. (Counts that
/// reached 255 only make it smaller: still a bound.)
fn counts_gap(counts: &[u8; 27], other: &str) -> usize {
    let mut diff = [0i16; 27];
    for (d, &c) in diff.iter_mut().zip(counts) {
        *d = i16::from(c);
    }
    for c in other.chars() {
        let k = letter_bucket(c);
        diff[k] = diff[k].saturating_sub(1);
    }
    diff.iter().map(|d| usize::from(d.unsigned_abs())).sum()
}

/// Optimal-string-alignment distance between `a` and `b` if it is at most `max`
/// (a swap of two neighbouring letters counts as one edit: "dnoat" → "donat").
pub fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    // A correction compares a word with every vocabulary word of about its length: for
    // words of up to `SHORT` letters (all of them, in practice) the letters and the
    // table's last three rows live on the stack, with no allocation per comparison.
    const SHORT: usize = 32;
    let (mut sa, mut sb) = (['\0'; SHORT], ['\0'; SHORT]);
    if let (Some(na), Some(nb)) = (fill(&mut sa, a), fill(&mut sb, b)) {
        let mut rows = [0usize; 3 * (SHORT + 1)];
        return osa_within(&sa[..na], &sb[..nb], max, &mut rows);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![0usize; 3 * (b.len() + 1)];
    osa_within(&a, &b, max, &mut rows)
}

/// The letters of `s` into `buf`, and how many; `None` when they do not fit.
fn fill(buf: &mut [char], s: &str) -> Option<usize> {
    let mut n = 0;
    for c in s.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(n)
}

/// [`distance_within`] over letters, with `rows` (at least three times `b.len() + 1`)
/// holding the table's rows i - 2, i - 1 and i in turn.
fn osa_within(a: &[char], b: &[char], max: usize, rows: &mut [usize]) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    for (j, cell) in rows.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = ((i % 3) * w, ((i + 2) % 3) * w, ((i + 1) % 3) * w);
        rows[cur] = i;
        let mut row_min = usize::MAX;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[prev + j] + 1)
                .min(rows[cur + j - 1] + 1)
                .min(rows[prev + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[prev2 + j - 2] + 1);
            }
            rows[cur + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    let dist = rows[(a.len() % 3) * w + b.len()];
    (dist <= max).then_some(dist)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::from_counts(
            [
                ("donat", 50),
                ("dinet", 1),
                ("coklat", 40),
                ("brownies", 10),
                ("tas", 30),
                ("selempang", 5),
                ("bantal", 20),
            ]
            .into_iter()
            .map(|(w, n)| (w.to_owned(), n)),
        )
    }

    #[test]
    fn distances_count_swaps_as_one() {
        assert_eq!(distance_within("donat", "donat", 1), Some(0));
        assert_eq!(distance_within("dnoat", "donat", 1), Some(1));
        assert_eq!(distance_within("donut", "donat", 1), Some(1));
        assert_eq!(distance_within("browines", "brownies", 2), Some(1));
        assert_eq!(distance_within("bantal", "donat", 2), None);
    }

    /// The full table, as the distance was first written.
    fn reference(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        if a.len().abs_diff(b.len()) > max {
            return None;
        }
        let w = b.len() + 1;
        let mut d = vec![0usize; (a.len() + 1) * w];
        for i in 0..=a.len() {
            d[i * w] = i;
        }
        for (j, cell) in d.iter_mut().enumerate().take(w) {
            *cell = j;
        }
        for i in 1..=a.len() {
            let mut row_min = usize::MAX;
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[(i - 1) * w + j] + 1)
                    .min(d[i * w + j - 1] + 1)
                    .min(d[(i - 1) * w + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[(i - 2) * w + j - 2] + 1);
                }
                d[i * w + j] = v;
                row_min = row_min.min(v);
            }
            if row_min > max {
                return None;
            }
        }
        let dist = d[a.len() * w + b.len()];
        (dist <= max).then_some(dist)
    }

    #[test]
    fn rolling_rows_measure_as_the_full_table() {
        let long = "a".repeat(40);
        let longer = format!("{long}b");
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "donat",
            "dnoat",
            "donut",
            "brownies",
            "browines",
            "kué",
            "keu",
            "cokelat",
            "coklat",
            "abcdefghijklmnopqrstuvwxyzabcdef",
            "ca",
            "abc",
            long.as_str(),
            longer.as_str(),
        ];
        for a in words {
            for b in words {
                for max in 0..4 {
                    assert_eq!(
                        distance_within(a, b, max),
                        reference(a, b, max),
                        "{a} {b} {max}"
                    );
                }
                // The letter counts' bound never turns away a word within reach.
                if let Some(d) = distance_within(a, b, 40) {
                    assert!(counts_gap(&letter_counts(a), b) <= 2 * d, "{a} {b}");
                    let (ma, mb) = (letter_mask(a), letter_mask(b));
                    assert!((ma & !mb).count_ones().max((mb & !ma).count_ones()) as usize <= d);
                }
            }
        }
    }

    #[test]
    fn abbreviations_and_typos_find_their_words() {
        let v = vocab();
        assert_eq!(v.corrections("dnt", 3), ["donat", "dinet"]);
        assert_eq!(v.corrections("cklt", 3), ["coklat"]);
        assert_eq!(v.corrections("donta", 3)[0], "donat");
        assert_eq!(v.corrections("brwnies", 3), ["brownies"]);
        assert!(v.corrections("xyz", 3).is_empty());
        assert!(v.corrections("laptop", 3).is_empty());
    }

    #[test]
    fn glued_words_split_into_known_words() {
        let v = vocab();
        assert_eq!(
            v.split("tasselempang"),
            Some(("tas".into(), "selempang".into()))
        );
        assert_eq!(v.split("donatku"), None);
    }
}
