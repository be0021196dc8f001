//! Normalisation of the fields record linkage compares: Chinese person names, resident IDs,
//! phone numbers, organisation names and case numbers. Everything is pure; the tables are
//! compiled in from `crates/linkage/data/` and parsed once on first use.
//!
//! Names go through three steps, each usable on its own:
//! 1. [`text`]: width, whitespace, middle dots and stray characters;
//! 2. [`simplify`]: traditional → simplified (OpenCC) plus a small variant-character table;
//! 3. [`NameKey::new`]: surname split, per-character readings and the pinyin blocking key,
//!    compared by [`compare_names`] into a [`NameLevel`].

mod ident;
mod name;
mod org;
mod phone;
mod reading;
mod script;
mod shape;
mod surname;

pub use ident::{case_number, id_birth_date, resident_id};
pub use name::{NameKey, NameLevel, compare_names};
pub use org::organisation;
pub use phone::phone;
pub use reading::{homophones, pinyin_key, readings};
pub use script::{fold_char, simplify};
pub use shape::{shape_groups, shape_similar};
pub use surname::{
    is_compound_surname, split_name, surname_reading, surname_share, surnames_by_share,
};

use unicode_normalization::UnicodeNormalization;

/// The middle dot written between the parts of a transliterated (minority or foreign) name.
pub const NAME_DOT: char = '·';

/// Data lines of a compiled-in table: `#` starts a comment, blank lines are skipped.
fn data_lines(src: &'static str) -> impl Iterator<Item = &'static str> {
    src.lines()
        .map(|l| l.split_once('#').map_or(l, |(data, _)| data).trim())
        .filter(|l| !l.is_empty())
}

/// CJK unified ideographs (basic block, extension A, the supplementary planes) and the twelve
/// unified ideographs of the compatibility block that NFKC keeps (e.g. 﨑 U+FA11).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{20000}'..='\u{3FFFF}'
        | '\u{FA0E}' | '\u{FA0F}' | '\u{FA11}' | '\u{FA13}' | '\u{FA14}' | '\u{FA1F}'
        | '\u{FA21}' | '\u{FA23}' | '\u{FA24}' | '\u{FA27}'..='\u{FA29}')
}

/// Separators that mean "next part of a transliterated name" (after NFKC: `．` is `.`, `･` is
/// `・`).
fn is_dot(c: char) -> bool {
    matches!(
        c,
        '·' | '・' | '•' | '‧' | '∙' | '⋅' | 'ㆍ' | '.' | '\u{2E31}' | '\u{0387}'
    )
}

/// What separates two runs of CJK characters in [`text`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// Nothing, or only dropped characters (`王b國維`, `周(恩)來`).
    None,
    /// Whitespace only.
    Space,
    /// At least one middle-dot variant.
    Dot,
}

/// Free text (addresses, other fields): NFKC (full-width → half-width), lower case, runs of
/// whitespace as one space, trimmed. Unlike [`text`], digits and letters are kept (a house
/// number is evidence). Idempotent.
pub fn free_text(s: &str) -> String {
    let s: String = s.nfkc().flat_map(char::to_lowercase).collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises how a name was typed, not what it says: NFKC (full-width → half-width), then
///
/// * with any CJK character present: keeps CJK characters and the middle dot only. Digits,
///   Latin letters, brackets and symbols are dropped, their content kept (`王b國維` → `王國維`,
///   `周(恩)來` → `周恩來`). Every middle-dot variant (`·・•．‧`) between two parts becomes `·`.
///   Whitespace becomes `·` only between two parts of two or more characters each
///   (`阿依古丽 买买提` → `阿依古丽·买买提`), because clerks pad two-character names with spaces
///   (`张  伟` → `张伟`).
/// * otherwise (a romanised name): lower-case ASCII letters with tone marks removed and `ü` as
///   `v`; whitespace, commas, dots become one space, hyphens and apostrophes join
///   (`ZHANG, Xiao-Ming` → `zhang xiaoming`).
///
/// Script (traditional/simplified) is left alone: see [`simplify`]. Idempotent.
pub fn text(s: &str) -> String {
    let s: String = s.nfkc().collect();
    if s.chars().any(is_cjk) {
        cjk_text(&s)
    } else {
        latin_text(&s)
    }
}

fn cjk_text(s: &str) -> String {
    // Runs of CJK characters and the separator before each run after the first.
    let mut runs: Vec<String> = Vec::new();
    let mut seps: Vec<Sep> = Vec::new();
    let mut current = String::new();
    let mut sep = Sep::None;
    for c in s.chars() {
        if is_cjk(c) {
            // Separators before the first character mean nothing.
            if sep != Sep::None && !current.is_empty() {
                runs.push(std::mem::take(&mut current));
                seps.push(sep);
            }
            sep = Sep::None;
            current.push(c);
        } else if is_dot(c) {
            sep = Sep::Dot;
        } else if (c.is_whitespace() || c == '_') && sep == Sep::None {
            sep = Sep::Space;
        }
    }
    runs.push(current);
    let mut out = String::with_capacity(s.len());
    out.push_str(&runs[0]);
    for (i, run) in runs.iter().enumerate().skip(1) {
        let long = |r: &String| r.chars().nth(1).is_some();
        match seps[i - 1] {
            Sep::Dot => out.push(NAME_DOT),
            Sep::Space if long(&runs[i - 1]) && long(run) => out.push(NAME_DOT),
            _ => {}
        }
        out.push_str(run);
    }
    out
}

fn latin_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        let letter = latin_letter(c);
        if let Some(l) = letter {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(l);
        } else if c.is_whitespace() || c == ',' || c == '，' || c == '/' || is_dot(c) {
            pending_space = true;
        }
    }
    out
}

/// A Latin letter with diacritics removed, lower-cased; `ü` (pinyin) becomes `v`.
fn latin_letter(c: char) -> Option<char> {
    if c.is_ascii_alphabetic() {
        return Some(c.to_ascii_lowercase());
    }
    if c.is_ascii() {
        return None;
    }
    let mut base = None;
    let mut diaeresis = false;
    unicode_normalization::char::decompose_canonical(c, |d| {
        if base.is_none() {
            base = Some(d);
        } else if d == '\u{0308}' {
            diaeresis = true;
        }
    });
    let b = base.filter(char::is_ascii_alphabetic)?.to_ascii_lowercase();
    Some(if b == 'u' && diaeresis { 'v' } else { b })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_examples() {
        assert_eq!(text("王b國維"), "王國維");
        assert_eq!(text("周(恩)來"), "周恩來");
        assert_eq!(text("　张　伟　"), "张伟");
        assert_eq!(text("张  伟"), "张伟");
        assert_eq!(text("张 小明"), "张小明");
        assert_eq!(text("阿依古丽 买买提"), "阿依古丽·买买提");
        for dotted in [
            "阿依古丽·买买提",
            "阿依古丽・买买提",
            "阿依古丽•买买提",
            "阿依古丽．买买提",
            "阿依古丽‧买买提",
            "阿依古丽 · 买买提",
            "·阿依古丽··买买提·",
        ] {
            assert_eq!(text(dotted), "阿依古丽·买买提", "{dotted}");
        }
        assert_eq!(text("李３明"), "李明");
        assert_eq!(text("ＺＨＡＮＧ　Ｗｅｉ"), "zhang wei");
        assert_eq!(text("ZHANG, Wei"), "zhang wei");
        assert_eq!(text("Zhāng Xiǎo-Míng"), "zhang xiaoming");
        assert_eq!(text("LÜ Bu"), "lv bu");
        assert_eq!(text(" 123 () "), "");
        assert_eq!(text(""), "");
    }

    proptest! {
        #[test]
        fn text_is_idempotent(s in "[ a-zA-Z0-9,.·・•（）()\\-\u{3000}张王李國維芳伟阿依古丽买提\u{FF21}-\u{FF3A}]{0,16}") {
            let once = text(&s);
            prop_assert_eq!(text(&once), once);
        }

        #[test]
        fn text_is_idempotent_any(s in "\\PC{0,12}") {
            let once = text(&s);
            prop_assert_eq!(text(&once), once);
        }
    }
}
