//! Shape-similar characters (形近字), from the curated groups in `data/shape_similar.txt`.
use super::data_lines;
use std::collections::HashMap;
use std::sync::OnceLock;

const GROUPS: &str = include_str!("../../data/shape_similar.txt");

/// For every character, the indices of the groups it belongs to.
fn membership() -> &'static HashMap<char, Vec<u16>> {
    static TABLE: OnceLock<HashMap<char, Vec<u16>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m: HashMap<char, Vec<u16>> = HashMap::new();
        for (i, group) in data_lines(GROUPS).enumerate() {
            let Ok(i) = u16::try_from(i) else { break };
            for c in group.chars().filter(|c| !c.is_whitespace()) {
                m.entry(c).or_default().push(i);
            }
        }
        m
    })
}

/// The shape-similar groups as listed in the table, in file order (for generating test data).
pub fn shape_groups() -> Vec<Vec<char>> {
    data_lines(GROUPS)
        .map(|g| g.chars().filter(|c| !c.is_whitespace()).collect())
        .collect()
}

/// Whether two different characters are easily mistaken for one another (己/已/巳, 未/末,
/// 候/侯). Compare simplified characters: the table is in simplified form. A character is not
/// shape-similar to itself.
pub fn shape_similar(a: char, b: char) -> bool {
    if a == b {
        return false;
    }
    let m = membership();
    match (m.get(&a), m.get(&b)) {
        (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        for pair in [
            "己已", "已巳", "己巳", "未末", "戌戍", "戍戊", "汩汨", "赢嬴", "茶荼", "余佘", "候侯",
            "祟崇", "晴睛", "竞竟", "拔拨", "析折", "刺剌", "壶壸", "王玉", "玉主", "王主",
        ] {
            let mut c = pair.chars();
            let (a, b) = (c.next().unwrap(), c.next().unwrap());
            assert!(shape_similar(a, b), "{pair}");
            assert!(shape_similar(b, a), "{pair}");
        }
        assert!(!shape_similar('王', '王'));
        assert!(!shape_similar('王', '李'));
        assert!(!shape_similar('未', '己'));
    }

    #[test]
    fn table_is_well_formed() {
        let groups: Vec<_> = data_lines(GROUPS).collect();
        assert!(groups.len() >= 60);
        for g in &groups {
            let chars: Vec<char> = g.chars().collect();
            assert!(chars.len() >= 2, "{g}");
            for (i, c) in chars.iter().enumerate() {
                assert!(super::super::is_cjk(*c), "{g}");
                assert!(!chars[i + 1..].contains(c), "{g} repeats {c}");
                // Simplified form only: the traditional→simplified fold must leave it alone.
                assert_eq!(super::super::simplify(&c.to_string()), c.to_string(), "{g}");
            }
        }
    }
}
