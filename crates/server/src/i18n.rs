//! Interface language: Simplified Chinese first, English switchable per user (stored on the
//! account; a cookie for visitors who are not signed in).
use axum::http::HeaderMap;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn from_headers(headers: &HeaderMap, account: Option<&str>) -> Lang {
        if let Some(l) = account.and_then(Lang::parse) {
            return l;
        }
        if let Some(l) = crate::cookies::cookie(headers, "lang").and_then(|v| Lang::parse(&v)) {
            return l;
        }
        Lang::Zh
    }

    /// The label for `key`; an unknown key shows itself, which a test forbids for every key used.
    pub fn t(self, key: &str) -> &'static str {
        match texts().get(key) {
            Some((zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing label");
                "?"
            }
        }
    }

    /// The label for `key` with its `{name}` placeholders filled from `values`, e.g.
    /// `lang.tf(KEY, &[("days", &n.to_string())])`.
    pub fn tf(self, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.t(key), values)
    }

    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Every label of the interface, from `i18n/messages.toml`: key → (Chinese, English).
fn texts() -> &'static HashMap<String, (String, String)> {
    static MAP: OnceLock<HashMap<String, (String, String)>> = OnceLock::new();
    MAP.get_or_init(|| {
        toml::from_str::<HashMap<String, (String, String)>>(MESSAGES)
            .expect("i18n/messages.toml is a table of key = [Chinese, English]")
    })
}

/// The catalogue's source, embedded in the binary.
pub const MESSAGES: &str = include_str!("../i18n/messages.toml");

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    texts().contains_key(key)
}

/// `template` with each `{name}` replaced by its value; unknown names stay as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl Lang {
    /// The label of an event kind, or the kind itself when it has none yet.
    pub fn event(self, kind: &str) -> String {
        let key = format!("event.{kind}");
        if has(&key) {
            self.t(&key).to_string()
        } else {
            kind.to_string()
        }
    }

    /// The text of an error for a page: in English, the catalogue's English for the error's
    /// `code` (`error.code.…`) when the message is that code's fixed text, or for any entry whose
    /// Chinese is exactly the message; otherwise the service's own message.
    pub fn error_message(self, code: &str, message: &str) -> String {
        if self == Lang::Zh {
            return message.to_string();
        }
        if let Some((zh, en)) = texts().get(&format!("error.code.{code}"))
            && zh == message
        {
            return en.clone();
        }
        static BY_CHINESE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
        let by_chinese = BY_CHINESE.get_or_init(|| {
            texts()
                .values()
                .map(|(zh, en)| (zh.as_str(), en.as_str()))
                .collect()
        });
        by_chinese
            .get(message)
            .map(|en| en.to_string())
            .unwrap_or_else(|| message.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_rule_refusals_read_in_english() {
        use sijian_domain::register::{BASIS_MISSING, FIELD_NOT_AUTHORITY, NOT_AUTHORITY};
        use sijian_domain::validate::CONTROL_CHARACTERS;
        for m in [
            NOT_AUTHORITY,
            FIELD_NOT_AUTHORITY,
            BASIS_MISSING,
            CONTROL_CHARACTERS,
        ] {
            let en = Lang::En.error_message("forbidden", m);
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "no English for {m}"
            );
        }
    }

    #[test]
    fn every_entry_has_chinese_and_english() {
        assert!(texts().len() > 100, "catalogue read");
        for (k, (zh, en)) in texts() {
            assert!(!zh.trim().is_empty(), "{k}: no Chinese");
            assert!(!en.trim().is_empty(), "{k}: no English");
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{k}: Chinese in the English text {en:?}"
            );
            let names = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(names(zh), names(en), "{k}: placeholders differ");
        }
    }

    #[test]
    fn keys_are_unique() {
        // The TOML parser refuses a repeated key, so reading the catalogue is the check.
        let parsed: Result<HashMap<String, (String, String)>, _> = toml::from_str(MESSAGES);
        assert!(parsed.is_ok(), "{parsed:?}");
        let dup = toml::from_str::<HashMap<String, (String, String)>>(
            "\"a.b\" = [\"甲\", \"A\"]\n\"a.b\" = [\"乙\", \"B\"]\n",
        );
        assert!(dup.is_err(), "a repeated key must be refused");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill("剩余 {days} 个工作日", &[("days", "3")]),
            "剩余 3 个工作日"
        );
        assert_eq!(fill("{a}-{b}-{c}", &[("a", "1"), ("b", "2")]), "1-2-{c}");
        assert_eq!(fill("no brace {", &[]), "no brace {");
        assert_eq!(
            Lang::En.error_message("forbidden", "您的角色无权执行此操作"),
            "Your role may not do this"
        );
        assert_eq!(
            Lang::Zh.error_message("forbidden", "您的角色无权执行此操作"),
            "您的角色无权执行此操作"
        );
        assert_eq!(Lang::En.error_message("bad_request", "原文"), "原文");
    }

    /// Whether `s` has the shape of a catalogue key of a known group (`cases.step.accept`), and
    /// is not a file name.
    fn looks_like_key(s: &str, groups: &std::collections::HashSet<&str>) -> bool {
        let Some((group, rest)) = s.split_once('.') else {
            return false;
        };
        let files = [
            ".css", ".js", ".json", ".pdf", ".toml", ".csv", ".html", ".txt",
        ];
        groups.contains(group)
            && !rest.is_empty()
            && group.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
            && !files.iter().any(|f| s.ends_with(f))
    }

    /// Every key used in templates and code exists: any string literal shaped like a key of a
    /// known group, whether passed to `t`/`tf` directly or kept in a table (step names, queues,
    /// printed documents) and looked up later.
    #[test]
    fn every_used_key_exists() {
        let groups: std::collections::HashSet<&str> =
            texts().keys().filter_map(|k| k.split('.').next()).collect();
        let root = env!("CARGO_MANIFEST_DIR");
        let mut missing = Vec::new();
        let mut used = 0;
        let mut dirs = vec![
            std::path::PathBuf::from(format!("{root}/templates")),
            std::path::PathBuf::from(format!("{root}/src")),
        ];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for literal in text.split('"').skip(1).step_by(2) {
                    if looks_like_key(literal, &groups) {
                        used += 1;
                        if !has(literal) {
                            missing.push(format!("{}: {literal}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(used > 500, "only {used} uses found");
        assert!(missing.is_empty(), "missing labels: {missing:?}");
    }

    #[test]
    fn key_shapes() {
        let groups: std::collections::HashSet<&str> = ["cases", "app"].into_iter().collect();
        assert!(looks_like_key("cases.step.agree-accept-date", &groups));
        assert!(!looks_like_key("app.css", &groups));
        assert!(!looks_like_key("other.key", &groups));
        assert!(!looks_like_key("cases.{id}", &groups));
        assert!(!looks_like_key("第{id}号", &groups));
    }
}
