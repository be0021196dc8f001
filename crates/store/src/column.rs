//! Text columns decoded into domain values, so rows hand out `Date`, `Role` and lists of codes
//! rather than strings every caller parses again. A row field names its column's shape with
//! `#[sqlx(try_from = "Text")]` (NOT NULL), `#[sqlx(try_from = "OptText")]` (nullable) or
//! `#[sqlx(try_from = "Codes")]` (comma-separated codes); a stored value the domain cannot parse
//! fails the read with the column's text in the message.
use sijian_domain::Role;
use sijian_domain::calendar::Date;
use sijian_domain::licensing::{ApplicationKind, Stage as ApplicationStage};
use sijian_domain::procedure::Stage;
use sijian_domain::role::OrganKind;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type};

/// A NOT NULL text column on its way into a domain value.
pub struct Text(pub String);
/// A nullable text column on its way into an optional domain value.
pub struct OptText(pub Option<String>);
/// A comma-separated list of codes (practice items, categories); empty entries are dropped.
pub struct Codes(pub String);

/// A stored text the domain does not accept.
#[derive(Debug, thiserror::Error)]
#[error("存储的值无法解析（{what}）：{text}")]
pub struct BadValue {
    pub what: &'static str,
    pub text: String,
}

macro_rules! text_column {
    ($($wrapper:ident => $inner:ty),+) => {$(
        impl<DB: Database> Type<DB> for $wrapper
        where
            $inner: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <$inner as Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <$inner as Type<DB>>::compatible(ty)
            }
        }
        impl<'r, DB: Database> Decode<'r, DB> for $wrapper
        where
            $inner: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok($wrapper(<$inner as Decode<'r, DB>>::decode(value)?))
            }
        }
    )+};
}
text_column!(Text => String, OptText => Option<String>, Codes => String);

/// A domain value stored as its text.
pub trait FromText: Sized {
    const WHAT: &'static str;
    fn from_text(s: &str) -> Option<Self>;
}

impl FromText for Date {
    const WHAT: &'static str = "日期";
    fn from_text(s: &str) -> Option<Self> {
        Date::parse(s).ok()
    }
}

impl FromText for Role {
    const WHAT: &'static str = "角色";
    fn from_text(s: &str) -> Option<Self> {
        Role::parse(s)
    }
}

impl FromText for Stage {
    const WHAT: &'static str = "案件阶段";
    fn from_text(s: &str) -> Option<Self> {
        Stage::parse(s)
    }
}

impl FromText for OrganKind {
    const WHAT: &'static str = "办案机关类别";
    fn from_text(s: &str) -> Option<Self> {
        OrganKind::parse(s)
    }
}

impl FromText for ApplicationKind {
    const WHAT: &'static str = "申请类别";
    fn from_text(s: &str) -> Option<Self> {
        ApplicationKind::parse(s)
    }
}

impl FromText for ApplicationStage {
    const WHAT: &'static str = "申请阶段";
    fn from_text(s: &str) -> Option<Self> {
        ApplicationStage::parse(s)
    }
}

/// Parses a stored text into `T`.
pub fn parse<T: FromText>(s: &str) -> Result<T, BadValue> {
    T::from_text(s).ok_or_else(|| BadValue {
        what: T::WHAT,
        text: s.to_string(),
    })
}

macro_rules! from_text {
    ($($t:ty),+) => {$(
        impl TryFrom<Text> for $t {
            type Error = BadValue;
            fn try_from(t: Text) -> Result<Self, BadValue> {
                parse(&t.0)
            }
        }
        impl TryFrom<OptText> for Option<$t> {
            type Error = BadValue;
            fn try_from(t: OptText) -> Result<Self, BadValue> {
                t.0.as_deref().map(parse).transpose()
            }
        }
    )+};
}
from_text!(
    Date,
    Role,
    Stage,
    OrganKind,
    ApplicationKind,
    ApplicationStage
);

impl TryFrom<Codes> for Vec<String> {
    type Error = BadValue;
    fn try_from(c: Codes) -> Result<Self, BadValue> {
        Ok(split(&c.0))
    }
}

/// The codes of a comma-separated list, trimmed, without empty entries.
pub fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads text column `name` of a reader row (SQLite, `readers`) as `T`.
pub(crate) fn lite<T: FromText>(r: &rusqlite::Row<'_>, name: &str) -> rusqlite::Result<T> {
    let text: String = r.get(name)?;
    parse(&text).map_err(|e| conversion(r, name, e))
}

/// Reads nullable text column `name` of a reader row as an optional `T`.
pub(crate) fn lite_opt<T: FromText>(
    r: &rusqlite::Row<'_>,
    name: &str,
) -> rusqlite::Result<Option<T>> {
    let text: Option<String> = r.get(name)?;
    text.as_deref()
        .map(parse)
        .transpose()
        .map_err(|e| conversion(r, name, e))
}

fn conversion(r: &rusqlite::Row<'_>, name: &str, e: BadValue) -> rusqlite::Error {
    let idx = r.as_ref().column_index(name).unwrap_or(0);
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

/// Serialises a list of codes as the comma-separated text it is stored as (`serialize_with`), so
/// the JSON of a row is what it was when the row carried the text.
pub fn joined<S: serde::Serializer>(codes: &[String], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&codes.join(","))
}

/// A comma-separated list of codes, blanks dropped.
pub(crate) fn split_codes(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_parse_into_domain_values_and_refuse_others() {
        let d: Date = Text("2026-03-01".into()).try_into().unwrap();
        assert_eq!(d.to_string(), "2026-03-01");
        let none: Option<Date> = OptText(None).try_into().unwrap();
        assert_eq!(none, None);
        let some: Option<Date> = OptText(Some("2025-12-31".into())).try_into().unwrap();
        assert_eq!(some.map(|d| d.to_string()).as_deref(), Some("2025-12-31"));
        assert!(Date::try_from(Text("2026-02-30".into())).is_err());
        let r: Role = Text("institution_clerk".into()).try_into().unwrap();
        assert_eq!(r, Role::InstitutionClerk);
        let e = Role::try_from(Text("nobody".into())).unwrap_err();
        assert!(e.to_string().contains("nobody"));
        let c: Vec<String> = Codes("01.01, 02.03,,".into()).try_into().unwrap();
        assert_eq!(c, ["01.01", "02.03"]);
    }

    #[test]
    fn codes_serialise_as_the_stored_text() {
        #[derive(serde::Serialize)]
        struct R {
            #[serde(serialize_with = "joined")]
            scope: Vec<String>,
        }
        let j = serde_json::to_string(&R {
            scope: vec!["01.01".into(), "02.03".into()],
        })
        .unwrap();
        assert_eq!(j, r#"{"scope":"01.01,02.03"}"#);
    }
}
