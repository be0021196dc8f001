//! Toneless readings (heteronym sets) from the `pinyin` crate (data: mozillazg/pinyin-data, MIT),
//! `ü` written `v`.
use super::name::NameKey;
use pinyin::ToPinyinMulti;
use std::collections::HashMap;
use std::sync::OnceLock;

/// All readings, flattened, and for every character with a reading its slice of them.
struct Table {
    flat: Vec<&'static str>,
    index: HashMap<char, (u32, u8)>,
}

/// `ü` → `v`, the spelling of input methods and of the pinyin key. The crate's plain readings
/// contain `ü` only in these syllables.
fn with_v(p: &'static str) -> &'static str {
    match p {
        "lü" => "lv",
        "nü" => "nv",
        "lüe" => "lve",
        "nüe" => "nve",
        "lün" => "lvn",
        p => p,
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut flat = Vec::with_capacity(50_000);
        let mut index = HashMap::with_capacity(45_000);
        let ranges = [
            0x3007..=0x3007,
            0x3400..=0x4DBF,
            0x4E00..=0x9FFF,
            0xF900..=0xFAFF,
            0x20000..=0x3134F,
        ];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            let Some(multi) = c.to_pinyin_multi() else {
                continue;
            };
            let start = flat.len();
            for p in multi {
                let p = with_v(p.plain());
                if !flat[start..].contains(&p) {
                    flat.push(p);
                }
            }
            if let (Ok(s), Ok(n)) = (u32::try_from(start), u8::try_from(flat.len() - start)) {
                index.insert(c, (s, n));
            }
        }
        Table { flat, index }
    })
}

/// The distinct toneless readings of a character, default reading first (`曾` → `[ceng, zeng]`,
/// `吕` → `[lv]`); empty for characters without one.
pub fn readings(ch: char) -> &'static [&'static str] {
    let t = table();
    match t.index.get(&ch) {
        Some(&(s, n)) => &t.flat[s as usize..s as usize + n as usize],
        None => &[],
    }
}

/// Whether two names sound alike: normalised, of the same length, and at every position the two
/// characters share a reading; the surname takes its forced surname reading (单 is `shan`, not
/// `dan`). A romanised name sounds like a Chinese one when it spells one of its reading sequences
/// (`Zhang Wei` ~ 张伟). Symmetric.
pub fn homophones(a: &str, b: &str) -> bool {
    match (NameKey::new(a), NameKey::new(b)) {
        (Some(a), Some(b)) => a.sounds_like(&b),
        _ => false,
    }
}

/// Toneless pinyin of the whole name for blocking (`单田芳` → `shantianfang`): the forced reading
/// for the surname, the default reading for every other character, characters without a reading
/// kept as they are; a romanised name gives its letters (`ZHANG, Wei` → `zhangwei`). Empty when
/// nothing usable is left.
pub fn pinyin_key(name: &str) -> String {
    NameKey::new(name)
        .map(|k| k.pinyin_key().to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_sets() {
        assert_eq!(readings('曾'), ["ceng", "zeng"]);
        assert_eq!(readings('解'), ["jie", "xie"]);
        assert_eq!(readings('单'), ["dan", "chan", "shan"]);
        assert_eq!(readings('吕'), ["lv"]);
        assert_eq!(readings('王')[0], "wang");
        assert!(readings('a').is_empty());
        assert!(readings('·').is_empty());
    }

    #[test]
    fn homophone_examples() {
        assert!(homophones("王芳", "王方"));
        assert!(homophones("李丽", "李莉"));
        assert!(homophones("张伟", "章伟"));
        assert!(!homophones("陈晨", "程晨"));
        // Surname position: forced reading only.
        assert!(homophones("单田芳", "善田芳"));
        assert!(!homophones("单田芳", "丹田芳"));
        assert!(homophones("曾伟", "增伟"));
        assert!(!homophones("曾伟", "层伟"));
        // 王 also reads yu in pinyin-data; as a surname it is wang only.
        assert!(!homophones("王芳", "于芳"));
        assert!(homophones("王芳", "汪芳"));
        // Traditional and width are folded first.
        assert!(homophones("張偉", "章伟"));
        assert!(!homophones("张伟", "张伟明"));
        assert!(!homophones("", "张伟"));
    }

    #[test]
    fn romanised() {
        assert!(homophones("Zhang Wei", "张伟"));
        assert!(homophones("ZHANG, Wei", "张伟"));
        assert!(homophones("zhangwei", "张伟"));
        assert!(homophones("Wei Zhang", "张伟"));
        assert!(homophones("Ouyang Ming", "欧阳明"));
        assert!(homophones("Zeng Cheng", "曾诚"));
        assert!(!homophones("Ceng Cheng", "曾诚"));
        assert!(homophones("Lv Bu", "吕布"));
        assert!(homophones("LYU Bu", "吕布"));
        assert!(homophones("Lü Bu", "吕布"));
        assert!(!homophones("Zhang Wen", "张伟"));
    }

    #[test]
    fn keys() {
        assert_eq!(pinyin_key("单田芳"), "shantianfang");
        assert_eq!(pinyin_key("曾国藩"), "zengguofan");
        assert_eq!(pinyin_key("尉迟恭"), "yuchigong");
        assert_eq!(pinyin_key("張偉"), "zhangwei");
        assert_eq!(pinyin_key("ZHANG, Wei"), "zhangwei");
        assert_eq!(pinyin_key("Zhang Wei"), pinyin_key("张伟"));
        assert_eq!(pinyin_key("zhangwei"), pinyin_key("张伟"));
        assert_eq!(pinyin_key("阿依古丽·买买提"), "ayigulimaimaiti");
        assert_eq!(pinyin_key("   "), "");
    }
}
