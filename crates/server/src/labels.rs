//! Labels of register values as people read them, shared by pages, exports and documents.
use crate::i18n::Lang;
use sijian_domain::classification::{Classification, Level};
use sijian_domain::procedure::{RefusalReason, TerminationReason};
use sijian_domain::{AppraiserStatus, InstitutionStatus, OrganKind, Role, licensing};
use sijian_store::registry;

/// A value of one of the domain's closed lists (a status, a kind, a stage, a reason): its stored
/// code and its Chinese and English names.
pub trait Named: Copy {
    fn code(self) -> &'static str;
    fn name_zh(self) -> &'static str;
    fn name_en(self) -> &'static str;
}

macro_rules! named {
    ($($t:ty),+ $(,)?) => {$(
        impl Named for $t {
            fn code(self) -> &'static str {
                self.as_str()
            }
            fn name_zh(self) -> &'static str {
                self.label_zh()
            }
            fn name_en(self) -> &'static str {
                self.label_en()
            }
        }
    )+};
}

named!(
    InstitutionStatus,
    AppraiserStatus,
    OrganKind,
    Role,
    sijian_domain::procedure::Stage,
    RefusalReason,
    TerminationReason,
    licensing::Stage,
    licensing::ApplicationKind,
    sijian_linkage::cases::Kind,
);

/// Values of a closed list as select or check options in `lang`: (code, name).
pub fn options<T: Named>(lang: Lang, values: &[T]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| {
            (
                v.code().to_string(),
                lang.pick(v.name_zh(), v.name_en()).to_string(),
            )
        })
        .collect()
}

/// The names of a scope's codes, e.g. "法医临床鉴定；文书鉴定：笔迹鉴定" (the API's and documents'
/// form, in Chinese).
pub fn scope_labels(scope: &str) -> String {
    scope_labels_in(Lang::Zh, scope)
}

/// The names of a scope's codes in `lang`, from the classification's Chinese and English names.
pub fn scope_labels_in(lang: Lang, scope: &str) -> String {
    code_labels_in(lang, &registry::scope_codes(scope))
}

/// The names of a list of classification codes in `lang` (a case's items), as `scope_labels_in`.
pub fn code_labels_in<S: AsRef<str>>(lang: Lang, codes: &[S]) -> String {
    let cls = Classification::current();
    let name = |e: &sijian_domain::classification::Entry| lang.pick(e.name_zh, e.name_en);
    let names: Vec<String> = codes
        .iter()
        .map(AsRef::as_ref)
        .map(|c| match cls.find(c) {
            Some(e) => match e.parent.and_then(|p| cls.get(p)) {
                Some(parent) if e.level == Level::Item => {
                    format!("{}{}{}", name(parent), lang.pick("·", " · "), name(e))
                }
                _ => name(e).to_string(),
            },
            None => c.to_string(),
        })
        .collect();
    if names.is_empty() {
        "—".into()
    } else {
        names.join(lang.pick("；", "; "))
    }
}

pub fn qualification_label(level: &str) -> String {
    sijian_service::inputs::label_of(&sijian_service::inputs::QUALIFICATION_LEVELS, level)
}

pub fn education_label(level: &str) -> String {
    if level.is_empty() {
        "—".into()
    } else {
        sijian_service::inputs::label_of(&sijian_service::inputs::EDUCATION, level)
    }
}

/// The label of a stored code from one of the service's code lists: its Chinese from the list,
/// its English from the catalogue (`value.{group}.{code}`); a code with no English shows its
/// Chinese.
pub fn value_label(lang: Lang, group: &str, list: &[(&str, &str)], code: &str) -> String {
    let key = format!("value.{group}.{code}");
    match lang {
        Lang::En if crate::i18n::has(&key) => lang.t(&key).to_string(),
        _ => sijian_service::inputs::label_of(list, code),
    }
}

/// A code list as form options in `lang`.
pub fn value_options(lang: Lang, group: &str, list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(code, _)| (code.to_string(), value_label(lang, group, list, code)))
        .collect()
}

pub fn qualification_label_in(lang: Lang, level: &str) -> String {
    value_label(
        lang,
        "qualification",
        &sijian_service::inputs::QUALIFICATION_LEVELS,
        level,
    )
}

pub fn education_label_in(lang: Lang, level: &str) -> String {
    if level.is_empty() {
        "—".into()
    } else {
        value_label(lang, "education", &sijian_service::inputs::EDUCATION, level)
    }
}

/// A due date as people read it: marked（暂定）/ (provisional) when it counted a year whose
/// holiday table is not loaded yet.
pub fn due_date(lang: Lang, date: &str, provisional: bool) -> String {
    if provisional {
        format!("{date}{}", lang.t("deadline.provisional"))
    } else {
        date.to_string()
    }
}

/// The warning that holiday tables are missing for `years`, in `lang` (the service words it in
/// Chinese for the API and logs).
pub fn missing_calendar_warning(lang: Lang, years: &[i32]) -> Option<String> {
    match lang {
        Lang::Zh => sijian_service::calendar::missing_warning(years),
        Lang::En => (!years.is_empty()).then(|| {
            let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            lang.tf("calendar.missing", &[("years", &years.join(", "))])
        }),
    }
}
