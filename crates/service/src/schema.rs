//! The shapes the OpenAPI document gives the store's rows. The API returns the rows themselves
//! (serialised by the store); these types only describe them, field for field, so the store
//! does not depend on the documentation generator. Keep each in step with its row.
#![allow(dead_code)]

pub mod applications {
    #[allow(unused_imports)]
    use crate::schema::{
        appraisers::*, calendar::*, cases::*, entries::*, events::*, institutions::*, ledger::*,
        linkage::*, list::*, logs::*, opinions::*, organs::*, regions::*, registry::*, steps::*,
        tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct Application {
        pub id: i64,
        pub kind: String,
        pub stage: String,
        pub region_code: String,
        pub region_name: String,
        pub region_path: String,
        pub institution_id: Option<i64>,
        pub institution_name: Option<String>,
        pub appraiser_id: Option<i64>,
        pub applicant_id: Option<i64>,
        pub applicant_name: Option<String>,
        pub subject: String,
        /// Proposed register fields (JSON text).
        pub payload: String,
        /// Eligibility declarations (JSON text).
        pub eligibility: String,
        pub submitted_on: String,
        pub accepted_on: Option<String>,
        pub review_started_on: Option<String>,
        pub review_finished_on: Option<String>,
        pub extended: bool,
        pub return_reasons: String,
        pub decision_reasons: String,
        pub decided_at: Option<i64>,
        pub result_id: Option<i64>,
        pub review_count: i64,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct Attachment {
        pub id: i64,
        pub name: String,
        pub sha256: String,
        pub size: i64,
        pub content_type: String,
        pub created_at: i64,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct ReviewRow {
        pub id: i64,
        pub expert_id: i64,
        pub expert_name: String,
        pub expert_organisation: String,
        pub score: i64,
        pub recommend: bool,
        pub comment: String,
        pub created_at: i64,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct Expert {
        pub id: i64,
        pub name: String,
        pub organisation: String,
        pub title: String,
        pub speciality: String,
        pub region_path: String,
        pub active: bool,
    }
}

pub mod calendar {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, cases::*, entries::*, events::*, institutions::*,
        ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*, regions::*, registry::*,
        steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct LoadedYear {
        pub year: i64,
        pub source: String,
        /// The table text as loaded (the format of `sijian_domain::calendar`).
        pub body: String,
        pub loaded_by: String,
        pub loaded_at: i64,
        pub version: i64,
    }
}

pub mod cases {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, entries::*, events::*, institutions::*,
        ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*, regions::*, registry::*,
        steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    /// The store serialises a case's list of item codes as its stored comma-separated text; the
    /// shape holds that text already.
    fn joined<S: serde::Serializer>(codes: &str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(codes)
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct Case {
        pub id: i64,
        pub institution_id: i64,
        pub institution_name: String,
        pub region_path: String,
        pub organ_id: Option<i64>,
        pub organ_name: Option<String>,
        pub client_name: String,
        /// court | procuratorate | police | other
        pub client_kind: String,
        pub client_contact: String,
        /// 案号, normalised.
        pub case_number: Option<String>,
        /// civil | criminal | administrative | other
        pub case_type: String,
        /// Classification item codes, comma-separated.
        #[serde(serialize_with = "joined")]
        pub items: String,
        pub category: String,
        pub purpose: String,
        /// 基本案情.
        pub summary: String,
        /// original | supplementary | reappraisal
        pub lineage: String,
        pub parent_id: Option<i64>,
        pub original_opinion_code: Option<String>,
        pub same_institution_reason: Option<String>,
        /// `sijian_domain::procedure::Stage`.
        pub stage: String,
        pub received_on: String,
        pub agreed_accept_by: Option<String>,
        pub accept_agreement: String,
        pub decided_on: Option<String>,
        pub accept_late: bool,
        pub refusal_reasons: String,
        pub refusal_explanation: String,
        pub contract_effective_on: Option<String>,
        pub agreed_complete_by: Option<String>,
        pub extension_days: Option<i64>,
        pub extension_reason: String,
        pub review_round: i64,
        pub termination_reasons: String,
        pub termination_explanation: String,
        pub materials_returned_on: Option<String>,
        pub closed_on: Option<String>,
        /// accept | complete | "" (no running deadline).
        pub deadline: String,
        pub due_on: Option<String>,
        /// online | paper
        pub created_via: String,
        pub opinion_code: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }

    /// 通则第十二条: the six recorded facts of each material.
    #[derive(serde::Deserialize, serde::Serialize, ToSchema)]
    pub struct NewMaterial {
        pub name: String,
        pub kind: String,
        pub quantity: String,
        /// 性状.
        pub condition: String,
        /// 保存状况.
        pub storage: String,
        /// Time received, `YYYY-MM-DD HH:MM`.
        pub received_at: String,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct Person {
        pub id: i64,
        /// Masked name, e.g. 张*.
        pub name_masked: String,
        pub id_masked: Option<String>,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct Material {
        pub id: i64,
        pub name: String,
        pub kind: String,
        pub quantity: String,
        pub condition: String,
        pub storage: String,
        pub received_at: String,
        pub returned_on: Option<String>,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct CaseFile {
        pub id: i64,
        pub kind: String,
        pub name: String,
        pub sha256: String,
        pub size: i64,
        pub content_type: String,
        pub created_at: i64,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct Assignment {
        pub appraiser_id: i64,
        pub name: String,
        pub certificate_no: String,
        pub senior_title: bool,
        pub assigned_at: i64,
        pub removed_at: Option<i64>,
        pub removal_reason: String,
        /// When the appraiser signed the opinion, and any dissent (通则第三十七条).
        pub signed_at: Option<i64>,
        pub dissent: Option<String>,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct ReviewEntry {
        pub round: i64,
        pub reviewer_id: i64,
        pub name: String,
        pub agrees: Option<bool>,
        pub opinion: String,
        pub reviewed_at: Option<i64>,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct StopEntry {
        pub id: i64,
        pub from_on: String,
        pub to_on: Option<String>,
        pub reason: String,
    }

    /// The parts of a case shown on its page and in its API record.
    #[derive(serde::Serialize, ToSchema)]
    pub struct CaseParts {
        pub persons: Vec<Person>,
        pub materials: Vec<Material>,
        pub files: Vec<CaseFile>,
        pub assignments: Vec<Assignment>,
        pub reviews: Vec<ReviewEntry>,
        pub stops: Vec<StopEntry>,
        pub appearances: Vec<AppearanceRow>,
        pub children: Vec<i64>,
    }

    /// An alert on a case's deadline.
    #[derive(serde::Serialize, ToSchema)]
    #[schema(as = DeadlineAlert)]
    pub struct Alert {
        pub id: i64,
        pub case_id: i64,
        pub institution_name: String,
        pub client_name: String,
        /// due_soon | overdue
        pub kind: String,
        /// accept | complete
        pub deadline: String,
        pub due_on: String,
        pub raised_at: i64,
    }

    /// Per institution: cases with a deadline, how many missed it (overdue now, accepted late, or
    /// still running past the date), and the rate.
    #[derive(serde::Serialize, ToSchema)]
    pub struct OverdueRate {
        pub institution_id: i64,
        pub institution_name: String,
        pub cases: i64,
        pub overdue: i64,
    }
}

pub mod opinions {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, list::*, logs::*, organs::*, regions::*,
        registry::*, steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct Opinion {
        /// The code, 19 characters without separators.
        pub code: String,
        pub case_id: i64,
        pub institution_id: i64,
        pub institution_name: String,
        pub region: String,
        pub year: i64,
        pub category: i64,
        pub serial: i64,
        /// SHA-256 (hex) of the current version of the document.
        pub document_sha256: String,
        pub verification_key: String,
        pub issued_on: String,
        /// valid | corrected | revoked
        pub status: String,
        pub version: i64,
        pub revoked_on: Option<String>,
        pub revoked_reason: String,
        /// The event that recorded the issue in the log.
        pub event_id: i64,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct Correction {
        pub version: i64,
        pub what: String,
        pub signer_id: i64,
        pub document_sha256: Option<String>,
        pub corrected_on: String,
    }

    /// How often an opinion was verified, by whom, and when last.
    #[derive(serde::Serialize, ToSchema)]
    pub struct CheckCounts {
        /// Anyone with the code alone.
        pub public: i64,
        /// Anyone with the right verification key.
        pub keyed: i64,
        /// Signed-in case-handling organs.
        pub organ: i64,
        /// Other signed-in users.
        pub platform: i64,
        pub total: i64,
        /// The last day it was verified.
        pub last_day: Option<String>,
    }
}

pub mod steps {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*,
        regions::*, registry::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    /// What the issuing institution receives: the code and the key to print beside it.
    #[derive(serde::Serialize, ToSchema)]
    pub struct Issued {
        pub case: Case,
        /// Grouped, e.g. `330000-2026-1-0000001-5`.
        pub code: String,
        pub verification_key: String,
        pub document_sha256: String,
        /// The log event that records the issue with its public fields.
        pub event_id: i64,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct AppearanceRow {
        pub id: i64,
        pub appraiser_ids: String,
        pub court: String,
        pub hearing_on: String,
        /// notified | attended | refused
        pub status: String,
        /// 《民事诉讼法》第八十一条: refusing to appear makes the fee refundable.
        pub refund_due: bool,
        pub note: String,
    }
}

pub mod events {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, institutions::*,
        ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*, regions::*, registry::*,
        steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct EventRow {
        pub id: i64,
        pub at: i64,
        pub actor_id: Option<i64>,
        pub actor_name: String,
        pub kind: String,
        pub entity_type: String,
        pub entity_id: String,
        pub scope_path: String,
        pub institution_id: Option<i64>,
        /// The JSON text exactly as recorded.
        pub payload: String,
        /// Its leaf in the log once integrated; null while queued (待入账).
        pub leaf_idx: Option<i64>,
    }
}

pub mod ledger {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, linkage::*, list::*, logs::*, opinions::*, organs::*, regions::*,
        registry::*, steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    /// Queue length and tree sizes, for pages and metrics.
    #[derive(serde::Serialize, ToSchema)]
    pub struct LedgerStatus {
        pub queued: i64,
        pub leaves: i64,
        pub signed_size: i64,
        pub published_size: i64,
    }
}

pub mod linkage {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, list::*, logs::*, opinions::*, organs::*, regions::*,
        registry::*, steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    /// One alert with what the queue shows.
    #[derive(serde::Serialize, ToSchema)]
    #[schema(as = LinkageAlert)]
    pub struct Alert {
        pub id: i64,
        pub case_id: i64,
        pub other_case_id: i64,
        pub institution_id: i64,
        pub institution_name: String,
        /// The checked case's region, which decides who may see and decide the alert.
        pub region_path: String,
        pub client_name: String,
        pub other_institution_name: Option<String>,
        pub kind: String,
        pub level: String,
        pub probability_ppm: i64,
        /// JSON array of reasons.
        pub explanation: String,
        pub status: String,
        pub raised_at: i64,
        pub decided_by: Option<i64>,
        pub decided_by_name: Option<String>,
        pub decided_at: Option<i64>,
        pub reason: String,
    }
}

pub mod list {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, logs::*, opinions::*, organs::*, regions::*,
        registry::*, steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct Page<T> {
        pub items: Vec<T>,
        /// Matching records, counted up to 10,000 (see `total_capped`).
        pub total: i64,
        pub page: u32,
        pub per_page: u32,
        /// True when there are more than `total` matches.
        #[serde(default)]
        pub total_capped: bool,
    }
}

pub mod logs {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, list::*, opinions::*, organs::*, regions::*,
        registry::*, steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct OpLogRow {
        pub id: i64,
        pub at: i64,
        pub user_id: Option<i64>,
        pub username: String,
        pub role: String,
        pub method: String,
        pub path: String,
        pub action: String,
        pub ip: String,
        pub status: i64,
        pub result: String,
        pub detail: String,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct LoginLogRow {
        pub id: i64,
        pub at: i64,
        pub username: String,
        pub user_id: Option<i64>,
        pub ip: String,
        pub user_agent: String,
        pub result: String,
    }
}

pub mod organs {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, list::*, logs::*, opinions::*, regions::*,
        registry::*, steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct Organ {
        pub id: i64,
        pub name: String,
        pub kind: String,
        pub region_code: String,
        pub region_name: String,
        pub region_path: String,
        pub address: String,
        pub phone: String,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }
}

pub mod regions {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*,
        registry::*, steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct Region {
        pub code: String,
        pub name: String,
        pub level: String,
        pub parent_code: Option<String>,
        pub path: String,
        pub valid_from: Option<String>,
        pub valid_to: Option<String>,
    }
}

pub mod appraisers {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, calendar::*, cases::*, entries::*, events::*, institutions::*, ledger::*,
        linkage::*, list::*, logs::*, opinions::*, organs::*, regions::*, registry::*, steps::*,
        tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct Appraiser {
        pub id: i64,
        pub institution_id: i64,
        pub institution_name: String,
        pub region_path: String,
        pub name: String,
        pub gender: String,
        /// YYYY-MM-DD; never shown to the public.
        pub birth_date: Option<String>,
        /// The resident ID number masked for screens (the number itself is sealed).
        pub id_masked: String,
        /// doctorate | master | bachelor | college | other | "" (not recorded)
        pub education: String,
        pub certificate_no: String,
        /// Practice items: classification codes, comma-separated, within the institution's scope.
        pub scope: String,
        pub categories: String,
        pub title: String,
        pub senior_title: bool,
        pub phone: String,
        pub status: String,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }
}

pub mod entries {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, events::*, institutions::*,
        ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*, regions::*, registry::*,
        steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct Posting {
        pub institution_id: i64,
        pub institution_name: String,
        pub started_at: i64,
        pub ended_at: Option<i64>,
        pub reason: String,
    }

    #[derive(serde::Serialize, serde::Deserialize, ToSchema)]
    pub struct RecordFields {
        /// training | insurance | oath
        pub kind: String,
        /// YYYY-MM-DD
        pub on_date: String,
        /// Training hours (training entries only).
        pub hours: Option<i64>,
        pub detail: String,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct RecordRow {
        pub id: i64,
        pub kind: String,
        pub on_date: String,
        pub hours: Option<i64>,
        pub detail: String,
        pub created_at: i64,
    }

    #[derive(serde::Serialize, serde::Deserialize, ToSchema)]
    pub struct AssistantFields {
        pub name: String,
        /// male | female
        pub gender: String,
        pub education: String,
        /// YYYY-MM-DD
        pub started_on: String,
    }

    #[derive(serde::Serialize, ToSchema)]
    pub struct AssistantRow {
        pub id: i64,
        pub supervisor_id: i64,
        pub name: String,
        pub gender: String,
        pub education: String,
        pub started_on: String,
        pub ended_on: Option<String>,
    }
}

pub mod institutions {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*, ledger::*,
        linkage::*, list::*, logs::*, opinions::*, organs::*, regions::*, registry::*, steps::*,
        tokens::*, users::*,
    };
    use utoipa::ToSchema;

    /// A laboratory accreditation (资质认定 CMA or 实验室认可 CNAS) with its scope and expiry.
    #[derive(serde::Serialize, serde::Deserialize, ToSchema)]
    pub struct Accreditation {
        /// CMA | CNAS
        pub kind: String,
        pub certificate_no: String,
        pub scope: String,
        /// YYYY-MM-DD
        pub expires_on: String,
    }

    /// Accreditations as stored (a JSON array in one column).
    #[derive(serde::Serialize, serde::Deserialize, ToSchema)]
    #[serde(transparent)]
    pub struct Accreditations(pub Vec<Accreditation>);

    #[derive(serde::Serialize, ToSchema)]
    pub struct Institution {
        pub id: i64,
        pub name: String,
        pub uscc: Option<String>,
        /// Why a credit code that fails its check characters was accepted (known pilot codes).
        pub uscc_override: Option<String>,
        pub licence_no: String,
        pub licence_valid_to: Option<String>,
        pub region_code: String,
        pub region_name: String,
        pub region_path: String,
        /// 发证机关.
        pub registering_authority: String,
        /// Business scope: classification codes (C, C.SS or C.SS.II), comma-separated.
        pub scope: String,
        /// Category digits the scope touches, comma-separated (1 法医 2 物证 3 声像资料 4 环境损害).
        pub categories: String,
        /// national | provincial | ordinary
        pub qualification_level: String,
        pub accreditations: Accreditations,
        pub insurer: String,
        pub insurance_policy: String,
        pub insurance_expires: Option<String>,
        /// Military units need the military management office's opinion on applications.
        pub military: bool,
        pub party_org: bool,
        pub party_members: i64,
        pub legal_rep: String,
        pub head_name: String,
        pub address: String,
        pub phone: String,
        pub status: String,
        pub appraiser_count: i64,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }

    /// Validated fields of an institution, as written.
    #[derive(serde::Serialize, serde::Deserialize, ToSchema)]
    pub struct InstitutionFields {
        pub name: String,
        pub uscc: Option<String>,
        pub uscc_override: Option<String>,
        pub licence_no: String,
        pub licence_valid_to: Option<String>,
        pub region_code: String,
        pub registering_authority: String,
        pub scope: String,
        pub qualification_level: String,
        pub accreditations: Accreditations,
        pub insurer: String,
        pub insurance_policy: String,
        pub insurance_expires: Option<String>,
        pub military: bool,
        pub party_org: bool,
        pub party_members: i64,
        pub legal_rep: String,
        pub head_name: String,
        pub address: String,
        pub phone: String,
        pub status: String,
    }
}

pub mod registry {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*,
        regions::*, steps::*, tokens::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct StatusChange {
        pub from_status: Option<String>,
        pub to_status: String,
        pub reason: String,
        pub actor_name: Option<String>,
        pub at: i64,
    }
}

pub mod tokens {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*,
        regions::*, registry::*, steps::*, users::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct ApiToken {
        pub id: i64,
        pub user_id: i64,
        pub name: String,
        /// First characters of the token, to recognise it in lists.
        pub token_prefix: String,
        pub role: String,
        pub org_key: String,
        pub read_only: bool,
        pub created_at: i64,
        pub expires_at: Option<i64>,
        pub revoked_at: Option<i64>,
        pub last_used_at: Option<i64>,
    }
}

pub mod users {
    #[allow(unused_imports)]
    use crate::schema::{
        applications::*, appraisers::*, calendar::*, cases::*, entries::*, events::*,
        institutions::*, ledger::*, linkage::*, list::*, logs::*, opinions::*, organs::*,
        regions::*, registry::*, steps::*, tokens::*,
    };
    use utoipa::ToSchema;

    #[derive(serde::Serialize, ToSchema)]
    pub struct User {
        pub id: i64,
        pub username: String,
        pub display_name: String,
        pub role: String,
        pub region_code: Option<String>,
        pub institution_id: Option<i64>,
        pub appraiser_id: Option<i64>,
        pub organ_id: Option<i64>,
        /// Name of the organisation the account acts for (region, institution or organ).
        pub org_name: Option<String>,
        pub home_path: String,
        pub lang: String,
        pub active: bool,
        pub failed_logins: i64,
        pub locked_until: Option<i64>,
        pub must_change_password: bool,
        pub last_login_at: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }
}

#[cfg(test)]
mod tests {
    //! Each shape above names the same fields, in the same order and with the same serde
    //! attributes, as the store row it describes (read from the store's source).
    use std::path::Path;

    /// Module of this file → the store source file holding its rows.
    const SOURCES: [(&str, &str); 18] = [
        ("applications", "applications.rs"),
        ("calendar", "calendar.rs"),
        ("cases", "cases/mod.rs"),
        ("opinions", "cases/opinions.rs"),
        ("steps", "cases/steps.rs"),
        ("events", "events.rs"),
        ("ledger", "ledger/mod.rs"),
        ("linkage", "linkage.rs"),
        ("list", "list.rs"),
        ("logs", "logs.rs"),
        ("organs", "organs.rs"),
        ("regions", "regions.rs"),
        ("appraisers", "registry/appraisers.rs"),
        ("entries", "registry/entries.rs"),
        ("institutions", "registry/institutions.rs"),
        ("registry", "registry/mod.rs"),
        ("tokens", "tokens.rs"),
        ("users", "users.rs"),
    ];

    /// The serde attributes and field names of struct `name` in `source`, in order.
    fn shape(source: &str, name: &str) -> Option<Vec<String>> {
        let lines: Vec<&str> = source.lines().map(str::trim).collect();
        let start = lines.iter().position(|l| {
            l.strip_prefix("pub struct ").is_some_and(|r| {
                r.starts_with(name) && !r[name.len()..].starts_with(char::is_alphanumeric)
            })
        })?;
        let mut out: Vec<String> = lines[..start]
            .iter()
            .rev()
            .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
            .filter(|l| l.starts_with("#[serde"))
            .map(|l| l.to_string())
            .collect();
        out.reverse();
        if lines[start].ends_with(';') {
            out.push(lines[start].to_string());
            return Some(out);
        }
        // A field the row never serialises (`#[serde(skip)]`) is not part of its shape.
        let mut skip = false;
        for l in &lines[start + 1..] {
            if *l == "}" {
                break;
            }
            if *l == "#[serde(skip)]" {
                skip = true;
            } else if l.starts_with("#[serde") {
                out.push(l.to_string());
            } else if let Some(field) = l.strip_prefix("pub ")
                && !std::mem::take(&mut skip)
            {
                out.push(field.split(':').next().unwrap_or("").to_string());
            }
        }
        Some(out)
    }

    fn module_body<'a>(text: &'a str, module: &str) -> &'a str {
        let start = text
            .find(&format!("pub mod {module} {{"))
            .unwrap_or_else(|| panic!("module {module}"));
        let rest = &text[start..];
        &rest[..rest.find("\n}\n").unwrap_or(rest.len())]
    }

    #[test]
    fn every_shape_matches_its_row() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let this = std::fs::read_to_string(here.join("src/schema.rs")).unwrap();
        let this = &this[..this.find("#[cfg(test)]").unwrap()];
        let mut checked = 0;
        for (module, file) in SOURCES {
            let store = std::fs::read_to_string(here.join("../store/src").join(file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let body = module_body(this, module);
            for name in body.lines().filter_map(|l| {
                l.trim().strip_prefix("pub struct ").map(|r| {
                    r.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                        .unwrap_or("")
                })
            }) {
                let ours = shape(body, name).unwrap();
                let theirs = shape(&store, name)
                    .unwrap_or_else(|| panic!("{name} is no longer a row of store/src/{file}"));
                assert_eq!(
                    ours, theirs,
                    "schema::{module}::{name} no longer describes store/src/{file}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 40, "only {checked} shapes checked");
    }
}
