//! Labels of register values as people read them, shared by pages, exports and documents.
use sijian_domain::classification::{Classification, Level};
use sijian_store::registry;

/// The names of a scope's codes, e.g. "法医临床鉴定；文书鉴定：笔迹鉴定".
pub fn scope_labels(scope: &str) -> String {
    let cls = Classification::current();
    let names: Vec<String> = registry::scope_codes(scope)
        .into_iter()
        .map(|c| match cls.find(c) {
            Some(e) => match e.parent.and_then(|p| cls.get(p)) {
                Some(parent) if e.level == Level::Item => {
                    format!("{}·{}", parent.name_zh, e.name_zh)
                }
                _ => e.name_zh.to_string(),
            },
            None => c.to_string(),
        })
        .collect();
    if names.is_empty() {
        "—".into()
    } else {
        names.join("；")
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
