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
        if let Some(l) = crate::extract::cookie(headers, "lang").and_then(|v| Lang::parse(&v)) {
            return l;
        }
        Lang::Zh
    }

    /// The label for `key`; an unknown key shows itself, which a test forbids for every key used.
    pub fn t(self, key: &str) -> &'static str {
        static MAP: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
        let map = MAP.get_or_init(|| TEXTS.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect());
        match map.get(key) {
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

    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Every label of the interface: key, Chinese, English.
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "app.name",
        "司鉴 · 司法鉴定管理与监督平台",
        "Sijian · Forensic Appraisal Regulation Platform",
    ),
    ("app.short", "司鉴", "Sijian"),
    (
        "app.subtitle",
        "司法鉴定管理与监督平台",
        "Forensic Appraisal Regulation",
    ),
    ("nav.home", "工作台", "Workbench"),
    ("nav.institutions", "鉴定机构", "Institutions"),
    ("nav.appraisers", "司法鉴定人", "Appraisers"),
    ("nav.organs", "办案机关", "Commissioning organs"),
    ("nav.users", "用户管理", "Users"),
    ("nav.events", "全过程留痕", "Event record"),
    ("nav.oplog", "操作日志", "Operations log"),
    ("nav.loginlog", "登录日志", "Login log"),
    ("nav.tokens", "API 令牌", "API tokens"),
    ("nav.calendar", "工作日历", "Working days"),
    ("nav.applications", "网上审批", "Licensing"),
    ("form.choose", "请选择…", "Choose…"),
    ("field.accepted_on", "受理日期", "Accepted on"),
    ("field.applicant", "申请提交人", "Filed by"),
    ("field.application_kind", "申请类型", "Kind"),
    ("field.application_no", "申请编号", "No."),
    ("field.comment", "评审意见", "Comment"),
    ("field.deadline", "法定期限", "Statutory deadline"),
    ("field.decided_at", "决定时间", "Decided at"),
    (
        "field.decision_reasons",
        "决定理由",
        "Reasons for the decision",
    ),
    ("field.expert", "评审专家", "Expert"),
    (
        "field.extend_reasons",
        "延长理由",
        "Reasons for the extension",
    ),
    ("field.extended", "已延长期限", "Extended"),
    ("field.item_name", "项目", "Item"),
    ("field.open_only", "仅办理中", "Open only"),
    ("field.organisation", "工作单位", "Organisation"),
    ("field.recommend", "建议准予", "Recommends approval"),
    ("field.return_reasons", "补正内容", "To be corrected"),
    ("field.review_period", "专家评审期间", "Expert review"),
    ("field.score", "评分", "Score"),
    ("field.size", "大小", "Size"),
    ("field.stage", "办理状态", "Stage"),
    ("field.subject", "申请事项对象", "Subject"),
    ("field.submitted_on", "提交日期", "Submitted on"),
    ("field.value", "内容", "Value"),
    ("licensing.add_expert", "添加评审专家", "Add expert"),
    ("licensing.attachments", "申请材料", "Material"),
    ("licensing.check", "形式审查", "Material check"),
    ("licensing.check_result", "审查结论", "Result"),
    ("licensing.decide", "作出决定", "Decide"),
    ("licensing.decision", "决定", "Decision"),
    (
        "licensing.declarations",
        "申请人承诺与申报事项",
        "Declarations",
    ),
    ("licensing.extend", "延长审查期限", "Extend the period"),
    ("licensing.new", "新建许可申请", "New application"),
    (
        "licensing.proposal",
        "申请登记事项",
        "Proposed register entry",
    ),
    ("licensing.resubmit", "补正后重新提交", "Resubmit"),
    (
        "licensing.result_link",
        "查看登记结果",
        "Open the register entry",
    ),
    (
        "licensing.review",
        "录入专家评审",
        "Record an expert review",
    ),
    ("licensing.reviews", "专家评审", "Expert reviews"),
    ("licensing.submit", "提交申请", "Submit"),
    ("licensing.withdraw", "撤回申请", "Withdraw"),
    ("nav.experts", "评审专家库", "Review experts"),
    (
        "directory.title",
        "司法鉴定名册",
        "Register of forensic appraisal",
    ),
    ("directory.institutions", "鉴定机构名册", "Institutions"),
    ("directory.appraisers", "鉴定人名册", "Appraisers"),
    (
        "directory.search",
        "名称、许可证号或执业证号",
        "Name, licence or certificate number",
    ),
    (
        "directory.note",
        "名册由司法行政机关登记发布，仅含公开信息。",
        "Published by the justice administration; public information only.",
    ),
    (
        "directory.link",
        "查询司法鉴定名册",
        "Search the public register",
    ),
    ("calendar.today", "今天", "Today"),
    ("calendar.year", "年份", "Year"),
    ("calendar.source", "依据", "Source"),
    ("calendar.origin", "来源", "Origin"),
    ("calendar.loaded", "管理员载入", "Loaded"),
    ("calendar.shipped", "随系统发布", "Shipped"),
    ("calendar.holidays", "放假日", "Holidays"),
    ("calendar.workdays", "调休上班日", "Weekend days worked"),
    ("calendar.working_days", "全年工作日", "Working days"),
    (
        "calendar.deadline",
        "按工作日计算期限",
        "Deadline in working days",
    ),
    (
        "calendar.from",
        "起算日（当日不计入）",
        "Start (not counted)",
    ),
    ("calendar.n", "工作日数", "Working days"),
    ("calendar.compute", "计算", "Compute"),
    (
        "calendar.load",
        "载入或更正一年的节假日安排",
        "Load or correct a year",
    ),
    ("calendar.text", "节假日安排", "Table"),
    ("nav.account", "个人设置", "My account"),
    ("nav.logout", "退出登录", "Sign out"),
    ("nav.api", "接口文档", "API document"),
    ("login.title", "用户登录", "Sign in"),
    ("login.username", "用户名", "User name"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.failed",
        "用户名或密码错误",
        "Wrong user name or password",
    ),
    (
        "login.hint",
        "本系统仅供授权用户使用，所有操作均被记录。",
        "Authorised users only. Every action is recorded.",
    ),
    ("list.search", "搜索", "Search"),
    ("list.filter", "筛选", "Filter"),
    ("list.reset", "重置", "Reset"),
    ("list.all", "全部", "All"),
    ("list.total", "共 {n} 条", "{n} in total"),
    ("list.empty", "没有符合条件的记录", "No matching records"),
    ("list.prev", "上一页", "Previous"),
    ("list.next", "下一页", "Next"),
    ("list.page", "第 {p} / {n} 页", "Page {p} of {n}"),
    ("list.new", "新建", "New"),
    ("list.export", "导出 CSV", "Export CSV"),
    ("action.edit", "编辑", "Edit"),
    ("action.save", "保存", "Save"),
    ("action.cancel", "取消", "Cancel"),
    ("action.back", "返回", "Back"),
    ("action.create", "创建", "Create"),
    ("action.revoke", "撤销", "Revoke"),
    ("action.unlock", "解除锁定", "Unlock"),
    ("action.reset_password", "重置密码", "Reset password"),
    ("form.required", "必填", "required"),
    (
        "form.errors",
        "请修改以下问题后再提交：",
        "Please correct the following:",
    ),
    (
        "form.confirm",
        "确认提交？此操作将被记录且不可撤回。",
        "Submit? This action is recorded and cannot be undone.",
    ),
    ("detail.history", "变更记录", "History"),
    ("detail.none", "暂无记录", "Nothing yet"),
    ("ledger.included", "已入账", "In the log"),
    (
        "ledger.included_hint",
        "已写入防篡改日志，可下载离线证明",
        "Recorded in the tamper-evident log; the offline proof can be downloaded",
    ),
    ("ledger.pending", "待入账", "Pending"),
    (
        "ledger.pending_hint",
        "已保存，等待写入下一个签名检查点（通常不到一秒）",
        "Saved; waiting for the next signed checkpoint (usually under a second)",
    ),
    ("ledger.proof", "证明", "Proof"),
    ("ledger.column", "日志", "Log"),
    ("nav.ledger", "防篡改核验", "Tamper evidence"),
    ("nav.cases", "鉴定案件", "Cases"),
    ("nav.linkage", "多头重复鉴定预警", "Duplicate appraisals"),
    (
        "event.linkage.alert_raised",
        "多头、重复鉴定预警",
        "Duplicate-appraisal alert raised",
    ),
    (
        "event.linkage.alert_confirmed",
        "确认预警",
        "Alert confirmed",
    ),
    (
        "event.linkage.alert_dismissed",
        "排除预警",
        "Alert dismissed",
    ),
    (
        "event.linkage.alert_overridden",
        "准予受理",
        "Acceptance allowed despite alert",
    ),
    (
        "event.linkage.persons_merged",
        "合并被鉴定人",
        "Persons merged",
    ),
    ("event.case.commissioned", "委托", "Commissioned"),
    ("event.case.accepted", "受理", "Accepted"),
    (
        "event.case.accept_date_agreed",
        "商定受理时间",
        "Acceptance date agreed",
    ),
    ("event.case.refused", "不予受理", "Refused"),
    (
        "event.case.contract_signed",
        "签订委托书",
        "Contract signed",
    ),
    ("event.case.assigned", "指定鉴定人", "Appraisers assigned"),
    (
        "event.case.conflict_declared",
        "登记回避情形",
        "Conflict declared",
    ),
    ("event.case.recusal_decided", "决定回避", "Recusal decided"),
    ("event.case.started", "开始鉴定", "Started"),
    ("event.case.clock_stopped", "中止计时", "Clock stopped"),
    ("event.case.clock_resumed", "恢复计时", "Clock resumed"),
    ("event.case.extended", "延长时限", "Extended"),
    ("event.case.terminated", "终止鉴定", "Terminated"),
    ("event.case.review_requested", "提交复核", "Sent for review"),
    ("event.case.reviewed", "复核", "Reviewed"),
    ("event.case.signed", "鉴定人签名", "Signed"),
    ("event.case.sealed", "加盖鉴定专用章", "Sealed"),
    ("event.case.issued", "赋码出具", "Issued with a code"),
    ("event.case.archived", "归档", "Archived"),
    ("event.case.corrected", "补正", "Corrected"),
    (
        "event.case.appearance_notified",
        "出庭通知",
        "Court appearance notified",
    ),
    (
        "event.case.appearance_recorded",
        "出庭结果",
        "Court appearance recorded",
    ),
    ("home.welcome", "欢迎，", "Welcome, "),
    ("home.queues", "待办事项", "Work queues"),
    ("home.stats", "概况", "Overview"),
    ("home.recent", "最近动态", "Recent activity"),
    ("home.no_queue", "当前没有待办事项", "Nothing waiting"),
    ("account.lang", "界面语言", "Interface language"),
    ("account.change_password", "修改密码", "Change password"),
    ("account.current_password", "当前密码", "Current password"),
    ("account.new_password", "新密码", "New password"),
    (
        "account.repeat_password",
        "再次输入新密码",
        "Repeat new password",
    ),
    (
        "account.must_change",
        "为了账号安全，请先设置新密码。",
        "Please set a new password before continuing.",
    ),
    ("account.saved", "已保存", "Saved"),
    ("error.title", "出错了", "Something went wrong"),
    ("field.name", "名称", "Name"),
    (
        "field.uscc",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("field.licence_no", "许可证号", "Licence number"),
    (
        "field.uscc_override",
        "校验例外理由",
        "Check exception reason",
    ),
    ("field.region", "所在行政区划", "Region"),
    ("field.categories", "业务类别", "Categories"),
    ("field.legal_rep", "法定代表人", "Legal representative"),
    ("field.head_name", "机构负责人", "Head"),
    ("field.address", "住所", "Address"),
    ("field.phone", "联系电话", "Telephone"),
    ("field.status", "状态", "Status"),
    ("field.updated_at", "更新时间", "Updated"),
    ("field.created_at", "创建时间", "Created"),
    ("field.version", "版本", "Version"),
    ("action.add_assistant", "登记鉴定人助理", "Add assistant"),
    (
        "action.add_record",
        "添加培训、保险或宣誓记录",
        "Add training, insurance or oath",
    ),
    ("detail.assistants", "鉴定人助理", "Assistants"),
    ("detail.current", "至今", "current"),
    (
        "detail.postings",
        "执业机构经历（转所记录）",
        "Postings and transfers",
    ),
    (
        "detail.records",
        "培训、保险与宣誓",
        "Training, insurance and oath",
    ),
    ("detail.status_history", "执业状态历史", "Status history"),
    (
        "field.accreditations",
        "资质认定／实验室认可",
        "Accreditation (CMA/CNAS)",
    ),
    ("field.birth_date", "出生日期", "Date of birth"),
    ("field.date", "日期", "Date"),
    ("field.education", "学历", "Education"),
    ("field.ended_at", "结束时间", "Ended"),
    ("field.ended_on", "结束日期", "Ended on"),
    ("field.hours", "学时", "Hours"),
    ("field.id_number", "公民身份号码", "Resident ID number"),
    ("field.insurance", "执业责任保险", "Liability insurance"),
    (
        "field.insurance_expires",
        "保险有效期至",
        "Insurance valid to",
    ),
    ("field.insurance_policy", "保单号", "Policy number"),
    ("field.insurer", "承保机构", "Insurer"),
    ("field.item", "鉴定事项", "Item"),
    (
        "field.licence_valid_to",
        "许可证有效期至",
        "Licence valid to",
    ),
    ("field.military", "军队单位", "Military unit"),
    ("field.party_members", "党员人数", "Party members"),
    ("field.party_org", "党组织", "Party organisation"),
    (
        "field.qualification_level",
        "资质等级",
        "Qualification level",
    ),
    ("field.record_kind", "类型", "Kind"),
    (
        "field.registering_authority",
        "发证机关",
        "Registering authority",
    ),
    ("field.scope", "业务范围／执业项目", "Scope of practice"),
    ("field.started_at", "开始时间", "Started"),
    ("field.started_on", "开始日期", "Started on"),
    ("field.status_reason", "变更理由", "Reason for the change"),
    ("field.appraiser_count", "鉴定人数", "Appraisers"),
    ("field.institution", "所在机构", "Institution"),
    ("field.person_name", "姓名", "Name"),
    ("field.gender", "性别", "Gender"),
    ("field.certificate_no", "执业证号", "Certificate number"),
    ("field.title", "专业技术职称", "Professional title"),
    ("field.senior_title", "高级职称", "Senior title"),
    ("field.kind", "类型", "Kind"),
    ("field.username", "用户名", "User name"),
    ("field.display_name", "姓名", "Full name"),
    ("field.role", "角色", "Role"),
    ("field.org", "所属单位", "Organisation"),
    ("field.active", "启用", "Active"),
    ("field.last_login", "最近登录", "Last sign-in"),
    ("field.locked", "锁定至", "Locked until"),
    ("field.lang", "语言", "Language"),
    ("field.password", "初始密码", "Initial password"),
    ("field.appraiser_id", "关联鉴定人", "Appraiser record"),
    ("field.organ_id", "所属办案机关", "Commissioning organ"),
    ("field.institution_id", "所属鉴定机构", "Institution"),
    ("field.region_code", "所属行政区划", "Region"),
    ("field.time", "时间", "Time"),
    ("field.actor", "操作人", "By"),
    ("field.event", "事件", "Event"),
    ("field.entity", "对象", "Record"),
    ("field.payload", "内容", "Content"),
    ("field.ip", "来源地址", "Address"),
    ("field.action", "操作", "Action"),
    ("field.result", "结果", "Result"),
    ("field.detail", "说明", "Detail"),
    ("field.user_agent", "客户端", "Client"),
    ("field.token_name", "令牌名称", "Token name"),
    ("field.token_prefix", "令牌前缀", "Prefix"),
    ("field.read_only", "只读", "Read-only"),
    ("field.expires_in_days", "有效天数", "Valid for (days)"),
    ("field.expires_at", "到期时间", "Expires"),
    ("field.last_used", "最近使用", "Last used"),
    ("field.revoked_at", "撤销时间", "Revoked"),
    ("gender.male", "男", "Male"),
    ("gender.female", "女", "Female"),
    ("yes", "是", "Yes"),
    ("no", "否", "No"),
    (
        "token.created",
        "令牌已创建。它只显示这一次，请立即复制并妥善保管：",
        "Token created. It is shown only once; copy it now and keep it safe:",
    ),
    (
        "token.usage",
        "调用接口时在请求头中携带：",
        "Send it with each API request as:",
    ),
    ("result.ok", "成功", "Succeeded"),
    ("result.denied", "拒绝", "Denied"),
    ("result.refused", "输入被拒", "Refused"),
    ("result.error", "错误", "Error"),
    ("result.bad_password", "密码错误", "Wrong password"),
    ("result.unknown_user", "用户不存在", "Unknown user"),
    ("result.locked", "账号锁定", "Account locked"),
    ("result.disabled", "账号停用", "Account disabled"),
    ("result.throttled", "来源受限", "Address throttled"),
    (
        "event.institution.created",
        "鉴定机构登记",
        "Institution registered",
    ),
    (
        "event.institution.updated",
        "鉴定机构信息变更",
        "Institution changed",
    ),
    (
        "event.institution.status_changed",
        "鉴定机构状态变更",
        "Institution status changed",
    ),
    (
        "event.appraiser.created",
        "鉴定人登记",
        "Appraiser registered",
    ),
    (
        "event.appraiser.updated",
        "鉴定人信息变更",
        "Appraiser changed",
    ),
    (
        "event.appraiser.status_changed",
        "鉴定人状态变更",
        "Appraiser status changed",
    ),
    ("event.organ.created", "办案机关登记", "Organ registered"),
    (
        "event.appraiser.transferred",
        "鉴定人变更执业机构（转所）",
        "Appraiser transferred",
    ),
    (
        "event.appraiser.record_added",
        "添加培训、保险或宣誓记录",
        "Practice entry added",
    ),
    ("event.assistant.added", "登记鉴定人助理", "Assistant added"),
    ("event.assistant.ended", "鉴定人助理离岗", "Assistant ended"),
    ("event.expert.added", "添加评审专家", "Expert added"),
    (
        "event.application.submitted",
        "提交许可申请",
        "Application submitted",
    ),
    (
        "event.application.returned",
        "退回补正",
        "Returned for correction",
    ),
    (
        "event.application.resubmitted",
        "补正后重新提交",
        "Resubmitted",
    ),
    ("event.application.accepted", "受理", "Accepted"),
    ("event.application.reviewed", "专家评审", "Expert review"),
    (
        "event.application.extended",
        "延长审查期限",
        "Period extended",
    ),
    ("event.application.approved", "准予登记", "Approved"),
    ("event.application.refused", "不予登记", "Refused"),
    ("event.application.withdrawn", "撤回申请", "Withdrawn"),
    ("event.organ.updated", "办案机关信息变更", "Organ changed"),
    ("event.user.created", "创建账号", "Account created"),
    ("event.user.updated", "账号变更", "Account changed"),
    ("event.user.password_reset", "重置密码", "Password reset"),
    (
        "event.user.password_changed",
        "修改密码",
        "Password changed",
    ),
    ("event.user.unlocked", "解除锁定", "Account unlocked"),
    ("event.token.created", "创建 API 令牌", "API token created"),
    ("event.token.revoked", "撤销 API 令牌", "API token revoked"),
    (
        "event.calendar.loaded",
        "载入节假日安排",
        "Holiday table loaded",
    ),
];

impl Lang {
    /// The label of an event kind, or the kind itself when it has none yet.
    pub fn event(self, kind: &str) -> String {
        let key = format!("event.{kind}");
        if TEXTS.iter().any(|t| t.0 == key) {
            self.t(&key).to_string()
        } else {
            kind.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_complete() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in TEXTS {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
    }

    /// Every `t("…")` key used in templates and code exists in the table.
    #[test]
    fn every_used_key_exists() {
        let keys: std::collections::HashSet<&str> = TEXTS.iter().map(|t| t.0).collect();
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for dir in ["templates", "src", "src/web", "src/api"] {
            let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else {
                continue;
            };
            for e in entries.flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                for (i, _) in text.match_indices("t(\"") {
                    let rest = &text[i + 3..];
                    if let Some(end) = rest.find('"') {
                        let key = &rest[..end];
                        if key.contains('.') && !keys.contains(key) && key != "…" {
                            missing.push(format!("{}: {key}", e.path().display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing labels: {missing:?}");
    }
}
