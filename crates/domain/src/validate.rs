//! Field-level validation shared by forms and the JSON API: every problem names its field and
//! says what is wrong, in Chinese.
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Default, Clone)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result<T>(self, ok: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(ok)
        } else {
            Err(self.0)
        }
    }

    /// Trimmed required text of at most `max` characters.
    pub fn required(&mut self, field: &str, label: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, format!("请填写{label}"));
        } else if v.chars().count() > max {
            self.add(field, format!("{label}不能超过 {max} 个字符"));
        }
        v.to_string()
    }

    /// Trimmed optional text of at most `max` characters.
    pub fn optional(&mut self, field: &str, label: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.chars().count() > max {
            self.add(field, format!("{label}不能超过 {max} 个字符"));
        }
        v.to_string()
    }

    /// Telephone: digits, spaces, `+`, `-`, parentheses; 5–20 characters; may be empty.
    pub fn phone(&mut self, field: &str, value: &str) -> String {
        let v = value.trim();
        let ok = v.is_empty()
            || ((5..=20).contains(&v.len())
                && v.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)));
        if !ok {
            self.add(
                field,
                "电话号码格式不正确（5–20 位数字，可含 + - 空格 括号）",
            );
        }
        v.to_string()
    }
}

/// Why a text input is refused when it holds a control character.
pub const CONTROL_CHARACTERS: &str = "不能含控制字符（制表符、换行符、回车符除外）";

/// The longest any text value of a request may be, in characters, whatever the field (platform
/// rule; fields have smaller limits of their own, docs/API.md "Text limits"). A file's base64
/// data is not text and is bounded by the body limit instead.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The message for a text value over [`MAX_TEXT_CHARS`].
pub const TEXT_TOO_LONG: &str = "文本过长：任何一项不超过 20000 字；更长的内容请作为附件上传";

/// Whether `value`, given under `key`, is longer than any text may be (file data excepted).
pub fn text_too_long(key: &str, value: &str) -> bool {
    key != "data_base64" && value.len() > MAX_TEXT_CHARS && value.chars().count() > MAX_TEXT_CHARS
}

/// Control characters other than tab, line feed and carriage return: refused in every text
/// input, on forms and in JSON alike. Nobody types them, and PostgreSQL cannot store NUL where
/// SQLite would, so the one rule keeps both engines answering the same (issue 14).
pub fn has_control_character(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Licence and certificate numbers are opaque (no national format was found), checked for shape
/// only: 4–40 characters of letters, digits, CJK and `-()（）〔〕[]`.
pub fn licence_shape_ok(v: &str) -> bool {
    let n = v.chars().count();
    (4..=40).contains(&n)
        && v.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || ('\u{4e00}'..='\u{9fff}').contains(&c)
                || "-()（）〔〕[]".contains(c)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_and_phone() {
        let mut p = Problems::default();
        assert_eq!(p.required("name", "名称", "  甲  ", 10), "甲");
        p.required("x", "地址", "   ", 10);
        p.required("y", "名称", "一二三四五六七八九十一", 10);
        p.phone("phone", "0571-8888 8888");
        p.phone("phone2", "abc");
        let fields: Vec<_> = p.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["x", "y", "phone2"]);
    }

    #[test]
    fn control_characters_but_tab_and_line_breaks() {
        for ok in ["", "名称", "第一行\r\n第二行\t末", "\u{2028}\u{feff}"] {
            assert!(!has_control_character(ok), "{ok:?}");
        }
        for bad in [
            "\0",
            "a\0b",
            "\u{1}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
            "\u{c}",
        ] {
            assert!(has_control_character(bad), "{bad:?}");
        }
    }

    #[test]
    fn licence_shapes() {
        assert!(licence_shape_ok("330111001"));
        assert!(licence_shape_ok("浙司鉴〔2026〕001"));
        assert!(!licence_shape_ok("12"));
        assert!(!licence_shape_ok("a b c d"));
    }
}
