//! Organisation names (commissioning organs, hospitals, institutions) as a stable comparison key.
use super::simplify;
use unicode_normalization::UnicodeNormalization;

/// A stable key for an organisation name: NFKC, traditional → simplified, whitespace and quotation
/// marks removed, every bracket kind written `(` `)`, Latin lower-cased. Suffixes (有限公司,
/// (普通合伙)) are kept: they distinguish real bodies. Idempotent: removing whitespace can
/// join a letter and a combining mark, so the key is composed again at the end.
pub fn organisation(raw: &str) -> String {
    let folded: String = raw.nfkc().collect();
    let key: String = simplify(&folded)
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => None,
            '(' | '[' | '{' | '【' | '〔' | '〖' | '〘' | '〈' | '《' | '⦅' | '｟' => {
                Some('(')
            }
            ')' | ']' | '}' | '】' | '〕' | '〗' | '〙' | '〉' | '》' | '⦆' | '｠' => {
                Some(')')
            }
            '"' | '\'' | '“' | '”' | '‘' | '’' | '「' | '」' | '『' | '』' => None,
            c => Some(c.to_ascii_lowercase()),
        })
        .collect();
    key.nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(
            organisation("浙江某某司法鉴定所（普通合伙）"),
            organisation("浙江某某司法鉴定所 (普通合伙)")
        );
        assert_eq!(
            organisation("杭州市 西湖區 人民法院"),
            "杭州市西湖区人民法院"
        );
        assert_eq!(organisation("【ＡＢＣ】医院"), "(abc)医院");
        // `C ́` (a space and a combining acute) is one letter once the space is gone.
        assert_eq!(organisation("C\u{384}"), "ć");
        assert_eq!(organisation("ć"), "ć");
        assert_eq!(organisation("“华东”司法鉴定中心"), "华东司法鉴定中心");
        assert_ne!(organisation("某某有限公司"), organisation("某某公司"));
        let k = organisation("  浙江大學 司法鑒定中心 ");
        assert_eq!(organisation(&k), k);
    }
}
