//! Account rules: user names and the password policy.
//!
//! The policy follows GB/T 22239-2019 (等级保护 2.0) §8.1.4.1: identities are unique, passwords
//! are complex and changed periodically. The numbers are configuration; the defaults below are
//! documented in `docs/CONFIGURATION.md`.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    /// Minimum length in characters. Default 10.
    pub min_length: usize,
    /// How many of the four character classes (upper, lower, digit, other) must appear. Default 3.
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 10,
            min_classes: 3,
        }
    }
}

/// Why a password was refused. `Display` is the Chinese message shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("密码长度至少 {0} 个字符")]
    TooShort(usize),
    #[error("密码长度不能超过 128 个字符")]
    TooLong,
    #[error("密码须包含大写字母、小写字母、数字、其他符号中的至少 {0} 类")]
    TooSimple(usize),
    #[error("密码不能包含用户名")]
    ContainsUsername,
}

impl PasswordProblem {
    pub fn message_en(&self) -> String {
        match self {
            Self::TooShort(n) => format!("The password must have at least {n} characters"),
            Self::TooLong => "The password must not exceed 128 characters".into(),
            Self::TooSimple(n) => format!(
                "The password must use at least {n} of: upper case, lower case, digits, other symbols"
            ),
            Self::ContainsUsername => "The password must not contain the user name".into(),
        }
    }
}

impl PasswordPolicy {
    pub fn check(&self, username: &str, password: &str) -> Result<(), PasswordProblem> {
        let len = password.chars().count();
        if len < self.min_length {
            return Err(PasswordProblem::TooShort(self.min_length));
        }
        if len > 128 {
            return Err(PasswordProblem::TooLong);
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .into_iter()
        .filter(|&b| b)
        .count();
        if classes < self.min_classes {
            return Err(PasswordProblem::TooSimple(self.min_classes));
        }
        if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(PasswordProblem::ContainsUsername);
        }
        Ok(())
    }
}

/// User names: 3–32 characters of lower-case letters, digits, `.`, `_` and `-`, starting with a
/// letter. Returns the Chinese reason on failure.
pub fn validate_username(name: &str) -> Result<(), &'static str> {
    let ok_len = (3..=32).contains(&name.len());
    let ok_first = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok_len && ok_first && ok_chars {
        Ok(())
    } else {
        Err("用户名须为 3–32 位小写字母、数字或 . _ -，并以字母开头")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        let p = PasswordPolicy::default();
        assert_eq!(
            p.check("zhang", "Short1!"),
            Err(PasswordProblem::TooShort(10))
        );
        assert_eq!(
            p.check("zhang", "alllowercaseletters"),
            Err(PasswordProblem::TooSimple(3))
        );
        assert_eq!(
            p.check("zhang", "Zhang12345!"),
            Err(PasswordProblem::ContainsUsername)
        );
        assert!(p.check("zhang", "Sifa-Jianding-2026").is_ok());
        assert_eq!(
            p.check("a", &"Aa1!".repeat(40)),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn usernames() {
        assert!(validate_username("admin").is_ok());
        assert!(validate_username("hz.reg-01").is_ok());
        for bad in ["ab", "Admin", "1abc", "张三", "a b c", &"a".repeat(33)] {
            assert!(validate_username(bad).is_err(), "{bad}");
        }
    }
}
