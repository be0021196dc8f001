//! Script folding: traditional (including Hong Kong variant forms) → simplified with OpenCC, then
//! the variant characters OpenCC leaves alone (`data/variants.txt`: 喆→哲, 堃→坤, Japanese
//! shinjitai …).
use super::data_lines;
use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use std::collections::HashMap;
use std::sync::OnceLock;

const VARIANTS: &str = include_str!("../../data/variants.txt");

/// OpenCC `hk2s`: Hong Kong variant forms → standard traditional → simplified. A superset of
/// `t2s` (it additionally folds e.g. 衞 and 敍). `None` only if the embedded dictionaries failed to
/// load, which a test rules out; folding then degrades to the variant table alone.
fn opencc() -> Option<&'static OpenCC> {
    static CC: OnceLock<Option<OpenCC>> = OnceLock::new();
    CC.get_or_init(|| OpenCC::from_config(BuiltinConfig::Hk2s).ok())
        .as_ref()
}

fn variant_table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        data_lines(VARIANTS)
            .filter_map(|l| {
                let mut chars = l.chars().filter(|c| !c.is_whitespace());
                Some((chars.next()?, chars.next()?))
            })
            .collect()
    })
}

/// The standard form of one variant character (`喆` → `哲`), or the character itself. Only the
/// variant table; use [`simplify`] for text.
pub fn fold_char(c: char) -> char {
    variant_table().get(&c).copied().unwrap_or(c)
}

/// Traditional → simplified (OpenCC, phrase-aware: 張學良 → 张学良), then [`fold_char`] on every
/// character. Other characters pass through unchanged. Idempotent: OpenCC folds one step, and a
/// character's simplified form can itself be the traditional form of another (薴 → 苧 → 苎), so
/// the folding is repeated while it changes the text (at most three times; found by fuzzing).
pub fn simplify(s: &str) -> String {
    let mut text = fold_once(s);
    // Most text is simplified already: one pass that changes nothing settles it.
    if text == s {
        return text;
    }
    for _ in 0..2 {
        let next = fold_once(&text);
        if next == text {
            break;
        }
        text = next;
    }
    text
}

fn fold_once(s: &str) -> String {
    let converted = match opencc() {
        Some(cc) if !s.is_ascii() => cc.convert(s),
        _ => s.to_owned(),
    };
    if converted.chars().any(|c| variant_table().contains_key(&c)) {
        converted.chars().map(fold_char).collect()
    } else {
        converted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opencc_loads() {
        assert!(opencc().is_some());
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(simplify("張學良"), "张学良");
        assert_eq!(simplify("劉少奇"), "刘少奇");
        assert_eq!(simplify("鄧小平"), "邓小平");
        assert_eq!(simplify("王國維"), "王国维");
        assert_eq!(simplify("周恩來"), "周恩来");
        assert_eq!(simplify("衞"), "卫");
        // Two steps of OpenCC's table, folded at once.
        assert_eq!(simplify("薴"), "苎");
        assert_eq!(simplify("苧"), "苎");
        assert_eq!(simplify("阿依古丽·买买提"), "阿依古丽·买买提");
        assert_eq!(simplify("zhang wei"), "zhang wei");
    }

    #[test]
    fn variants() {
        assert_eq!(simplify("王喆"), "王哲");
        assert_eq!(simplify("李堃"), "李坤");
        assert_eq!(simplify("張珎"), "张珍");
        assert_eq!(simplify("髙徳"), "高德");
        assert_eq!(fold_char('喆'), '哲');
        assert_eq!(fold_char('哲'), '哲');
    }

    #[test]
    fn variant_table_is_sound() {
        let table = variant_table();
        assert_eq!(table.len(), data_lines(VARIANTS).count(), "one pair a line");
        assert!((30..=80).contains(&table.len()));
        let cc = opencc().unwrap();
        for (&v, &s) in table {
            assert_ne!(v, s);
            // OpenCC must not already fold the variant, or the entry is redundant.
            assert_eq!(
                cc.convert(&v.to_string()),
                v.to_string(),
                "{v} is folded by OpenCC"
            );
            // The target is already simplified and not itself a variant (no chains).
            assert_eq!(
                cc.convert(&s.to_string()),
                s.to_string(),
                "{s} is not simplified"
            );
            assert!(!table.contains_key(&s), "{s} is itself a variant");
        }
    }
}
