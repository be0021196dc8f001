//! Mainland China phone numbers (mobile 1[3-9]xxxxxxxxx; landline with area code).
use unicode_normalization::UnicodeNormalization;

/// Canonical phone number: a mobile as 11 digits (`13812345678`); a landline as
/// `area-local` (`0571-88880000`, `010-12345678`); a 400/800 service number as 10 digits.
/// Accepts `+86`/`0086`/`86` prefixes, spaces, dashes, brackets, full-width digits and a trailing
/// extension (`转123`, `ext. 123`), which is dropped. `None` for anything else, including a local
/// number without area code (not comparable across cities).
///
/// Area codes: `010` and `020`–`029` have three digits, all others four (GB/T 13400 numbering
/// plan as published by MIIT); local numbers have 7 or 8 digits and do not start with 0 or 1.
pub fn phone(raw: &str) -> Option<String> {
    let s: String = raw.nfkc().collect::<String>().to_ascii_lowercase();
    // Drop an extension.
    let s = ["转", "ext", "分机", "#", "x"]
        .iter()
        .filter_map(|m| s.find(m))
        .min()
        .map_or(s.as_str(), |i| &s[..i]);
    if s.chars()
        .any(|c| !(c.is_ascii_digit() || c.is_whitespace() || "+-()（）.".contains(c)))
    {
        return None;
    }
    let international = s.trim_start().starts_with('+');
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("0086") {
        Some(rest)
    } else if let Some(rest) = digits.strip_prefix("86")
        && (international || (rest.len() == 11 && rest.starts_with('1')))
    {
        Some(rest)
    } else {
        None
    };
    let digits = match national {
        // `+86 571 …` drops the trunk 0; `+86 (0)571 …` keeps it.
        Some(rest) if rest.starts_with('1') && rest.len() == 11 => rest.to_owned(),
        Some(rest) if rest.starts_with('0') => rest.to_owned(),
        Some(rest) => format!("0{rest}"),
        None => digits,
    };
    let b = digits.as_bytes();
    let mobile = |d: &[u8]| d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1]);
    if mobile(b) {
        return Some(digits);
    }
    // A mobile dialled with a leading trunk 0 (`013812345678`).
    if b.first() == Some(&b'0') && mobile(&b[1..]) {
        return Some(digits[1..].to_owned());
    }
    if b.len() == 10 && (digits.starts_with("400") || digits.starts_with("800")) {
        return Some(digits);
    }
    // An area code is 0 and a digit 1–9: `00` begins an international number (a doubled
    // `0086` would otherwise give the key `0086-…`, which does not read back; found by fuzzing).
    if b.first() != Some(&b'0') || b.len() < 4 || b[1] == b'0' {
        return None;
    }
    let area_len = if matches!(b[1], b'1' | b'2') { 3 } else { 4 };
    let (area, local) = digits.split_at(area_len);
    let lb = local.as_bytes();
    let local_ok = (7..=8).contains(&lb.len()) && (b'2'..=b'9').contains(&lb[0]);
    let area_ok = area_len == 4 || area == "010" || area.starts_with("02");
    (local_ok && area_ok).then(|| format!("{area}-{local}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles() {
        for raw in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+8613812345678",
            "0086 13812345678",
            "8613812345678",
            "１３８１２３４５６７８",
            "013812345678",
        ] {
            assert_eq!(phone(raw).as_deref(), Some("13812345678"), "{raw}");
        }
        assert_eq!(phone("12812345678"), None);
        assert_eq!(phone("1381234567"), None);
        assert_eq!(phone("138123456789"), None);
    }

    #[test]
    fn landlines() {
        for raw in [
            "0571-88880000",
            "057188880000",
            "(0571)88880000",
            "（0571）8888 0000",
            "0571 8888 0000",
            "+86 571 8888 0000",
            "+86 (0)571 88880000",
            "0086-571-88880000",
            "0571-88880000转123",
            "0571-88880000 ext. 12",
        ] {
            assert_eq!(phone(raw).as_deref(), Some("0571-88880000"), "{raw}");
        }
        assert_eq!(
            phone("010-12345678"),
            None,
            "local numbers do not start with 1"
        );
        assert_eq!(phone("010-62345678").as_deref(), Some("010-62345678"));
        assert_eq!(phone("02087654321").as_deref(), Some("020-87654321"));
        assert_eq!(phone("0755-2345678").as_deref(), Some("0755-2345678"));
        assert_eq!(phone("88880000"), None);
        assert_eq!(phone("00860086-571-8888"), None, "00 is no area code");
        assert_eq!(phone("400-123-4567").as_deref(), Some("4001234567"));
        assert_eq!(phone("call me"), None);
        assert_eq!(phone(""), None);
    }
}
