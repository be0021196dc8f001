//! The values a query binds, for both engines, and the `args!` list that numbers them.

/// A value bound to a placeholder. Nulls carry their type so PostgreSQL can infer it.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    I64(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
}

impl From<Vec<u8>> for Val {
    fn from(v: Vec<u8>) -> Self {
        Val::Bytes(Some(v))
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::I64(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::I64(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<Option<&str>> for Val {
    fn from(v: Option<&str>) -> Self {
        Val::Text(v.map(str::to_string))
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(Some(v))
    }
}

/// Builds the argument list of a query and hands out the matching `$n` placeholders.
#[derive(Debug, Default, Clone)]
pub struct Args(pub Vec<Val>);

impl Args {
    pub fn new() -> Self {
        Args(Vec::new())
    }
    /// Adds a value and returns its placeholder.
    pub fn push(&mut self, v: impl Into<Val>) -> String {
        self.0.push(v.into());
        format!("${}", self.0.len())
    }
}

/// `args![a, b, c]` binds values in order to `$1, $2, $3`.
#[macro_export]
macro_rules! args {
    () => { $crate::values::Args::new() };
    ($($v:expr),+ $(,)?) => {{
        let mut a = $crate::values::Args::new();
        $( a.0.push($crate::values::Val::from($v)); )+
        a
    }};
}
