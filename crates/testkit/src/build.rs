//! Small builders of test data, written through the store's own functions (so every record has
//! its events and log commitments, as real changes do). Each builder has sensible defaults and
//! takes a closure that may change any field before the record is written; names, licence and
//! certificate numbers are made unique, so a test can build as many as it likes.
//!
//! All calls into the store's case steps are in `steps` below, in one place.
use sijian_domain::calendar::{Date, WorkingCalendar};
use sijian_domain::classification::Classification;
use sijian_domain::licensing::ApplicationKind;
use sijian_domain::procedure::{Lineage, Policy};
use sijian_domain::role::OrganKind;
use sijian_domain::{Category, Role, Scope};
use sijian_store::applications::{Application, NewApplication, Proposal};
use sijian_store::cases::steps::Issued;
use sijian_store::cases::{self, Case, Ctx, NewAttachment, NewCase, NewMaterial};
use sijian_store::organs::{self, Organ, OrganFields};
use sijian_store::registry::{
    self, Accreditations, Appraiser, AppraiserFields, Institution, InstitutionFields,
};
use sijian_store::users::{self, Attachment, NewUser, User};
use sijian_store::{Actor, Db, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};

/// The county of the default records (杭州市西湖区) and its city and province.
pub const COUNTY: &str = "330106";
pub const CITY: &str = "330100";
pub const PROVINCE: &str = "330000";

/// Who the builders act as.
pub fn actor() -> Actor {
    Actor::system("测试数据")
}

fn next() -> u32 {
    static N: AtomicU32 = AtomicU32::new(1);
    N.fetch_add(1, Ordering::SeqCst)
}

/// The first sub-category of forensic medicine (法医类), the default practice scope.
pub fn default_sub_category() -> String {
    Classification::current()
        .sub_categories(Category::Forensic)
        .next()
        .map(|e| e.code.to_string())
        .expect("the classification has forensic medicine")
}

/// The first practice item of a sub-category (or the code itself when it has none).
pub fn first_item(sub_category: &str) -> String {
    Classification::current()
        .items(sub_category)
        .next()
        .map(|e| e.code.to_string())
        .unwrap_or_else(|| sub_category.to_string())
}

/// Fields of a practising institution in 杭州市西湖区 holding the default sub-category.
pub fn institution_fields() -> InstitutionFields {
    let n = next();
    InstitutionFields {
        name: format!("测试司法鉴定所{n}"),
        uscc: None,
        uscc_override: None,
        licence_no: format!("3301T{n:06}"),
        licence_valid_to: Some("2030-12-31".into()),
        region_code: COUNTY.into(),
        registering_authority: "浙江省司法厅".into(),
        scope: default_sub_category(),
        qualification_level: "ordinary".into(),
        accreditations: Accreditations(Vec::new()),
        insurer: String::new(),
        insurance_policy: String::new(),
        insurance_expires: None,
        military: false,
        party_org: false,
        party_members: 0,
        legal_rep: "张测试".into(),
        head_name: "张测试".into(),
        address: "杭州市西湖区测试路 1 号".into(),
        phone: "0571-80000000".into(),
        status: "normal".into(),
    }
}

/// Registers an institution: the defaults of `institution_fields`, changed by `edit`.
pub async fn institution_with(db: &Db, edit: impl FnOnce(&mut InstitutionFields)) -> Institution {
    let mut f = institution_fields();
    edit(&mut f);
    registry::create_institution(db, &actor(), &Scope::All, &f, "")
        .await
        .expect("register an institution")
}

pub async fn institution(db: &Db) -> Institution {
    institution_with(db, |_| {}).await
}

/// Fields of a practising appraiser of `institution_id` holding the default sub-category.
pub fn appraiser_fields(institution_id: i64) -> AppraiserFields {
    let n = next();
    AppraiserFields {
        institution_id,
        name: format!("李鉴定{n}"),
        gender: if n.is_multiple_of(2) {
            "female"
        } else {
            "male"
        }
        .into(),
        birth_date: Some("1980-05-01".into()),
        id_number: None,
        education: "master".into(),
        certificate_no: format!("3301A{n:06}"),
        scope: default_sub_category(),
        title: "主检法医师".into(),
        senior_title: false,
        phone: "13800000000".into(),
        status: "active".into(),
    }
}

pub async fn appraiser_with(
    db: &Db,
    institution_id: i64,
    edit: impl FnOnce(&mut AppraiserFields),
) -> Appraiser {
    let mut f = appraiser_fields(institution_id);
    edit(&mut f);
    registry::create_appraiser(db, &actor(), &Scope::All, &f, "")
        .await
        .expect("register an appraiser")
}

pub async fn appraiser(db: &Db, institution_id: i64) -> Appraiser {
    appraiser_with(db, institution_id, |_| {}).await
}

/// Fields of a court in 杭州市西湖区.
pub fn organ_fields() -> OrganFields {
    OrganFields {
        name: format!("测试人民法院{}", next()),
        kind: "court".into(),
        region_code: COUNTY.into(),
        address: String::new(),
        phone: "0571-81111111".into(),
    }
}

pub async fn organ_with(db: &Db, edit: impl FnOnce(&mut OrganFields)) -> Organ {
    let mut f = organ_fields();
    edit(&mut f);
    organs::create(db, &actor(), &Scope::All, &f)
        .await
        .expect("register an organ")
}

pub async fn organ(db: &Db) -> Organ {
    organ_with(db, |_| {}).await
}

/// An account of `role` with what the role needs attached: a region of the right level for
/// regional roles (西湖区, 杭州市, 浙江省), a new institution, appraiser or organ for their staff.
/// The password hash is `password_hash` (the store does not check it; a server test passes a
/// real one).
pub async fn user_with(db: &Db, role: Role, edit: impl FnOnce(&mut NewUser)) -> User {
    let attachment = match role {
        Role::RegulatorProvince | Role::Association => Attachment {
            region_code: Some(PROVINCE.into()),
            ..Default::default()
        },
        Role::RegulatorCity | Role::Inspector => Attachment {
            region_code: Some(CITY.into()),
            ..Default::default()
        },
        Role::RegulatorCounty => Attachment {
            region_code: Some(COUNTY.into()),
            ..Default::default()
        },
        Role::InstitutionHead | Role::InstitutionClerk => Attachment {
            institution_id: Some(institution(db).await.id),
            ..Default::default()
        },
        Role::Appraiser => {
            let inst = institution(db).await;
            Attachment {
                appraiser_id: Some(appraiser(db, inst.id).await.id),
                ..Default::default()
            }
        }
        Role::Organ => Attachment {
            organ_id: Some(organ(db).await.id),
            ..Default::default()
        },
        _ => Attachment::default(),
    };
    let mut u = NewUser {
        username: format!("user{}", next()),
        display_name: "测试用户".into(),
        password_hash: "!".into(),
        role,
        attachment,
        lang: "zh".into(),
        must_change_password: false,
    };
    edit(&mut u);
    users::create(db, &actor(), &Scope::All, &u)
        .await
        .expect("add a user account")
}

pub async fn user(db: &Db, role: Role) -> User {
    user_with(db, role, |_| {}).await
}

/// An application to register a new appraiser at `institution_id`, submitted with one
/// material on `received_on()`.
pub async fn application(db: &Db, institution_id: i64) -> Application {
    let mut person = appraiser_fields(institution_id);
    person.name = format!("申请人{}", next());
    let new = NewApplication {
        kind: ApplicationKind::AppraiserRegister,
        institution_id: Some(institution_id),
        appraiser_id: None,
        subject: person.name.clone(),
        proposal: Proposal::Appraiser(person),
        eligibility: serde_json::json!({ "declarations": { "years_in_field": 8, "healthy": true } }),
        today: received_on().to_string(),
    };
    steps::submit_application(db, &new).await
}

/// How far `case_at` takes a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Commissioned (received), not yet accepted.
    Commissioned,
    Accepted,
    ContractSigned,
    Assigned,
    InProgress,
    SubmittedForReview,
    /// Reviewed and signed by the first appraiser.
    Signing,
    Sealed,
    Issued,
    Archived,
}

/// A case built to a stage, with the team that works on it.
#[derive(Debug, Clone)]
pub struct BuiltCase {
    pub case: Case,
    /// How far the builders have taken it.
    pub stage: Stage,
    pub institution_id: i64,
    /// The two assigned appraisers and the reviewer (all practising at the institution).
    pub appraisers: [i64; 2],
    pub reviewer: i64,
    /// The commissioning organ (a court) when the case was commissioned online.
    pub organ_id: Option<i64>,
    /// Set from `Stage::Issued` on.
    pub issued: Option<Issued>,
}

/// The day the default case is received; later steps follow a working day or two apart.
pub fn received_on() -> Date {
    Date::parse("2026-09-01").expect("valid date")
}

/// A new commission of `institution_id` for `item` by a client on paper (a law firm), with one
/// material, received on `received_on()`.
pub fn new_case(institution_id: i64, item: &str) -> NewCase {
    let n = next();
    NewCase {
        institution_id,
        organ_id: None,
        claimed_organ_id: None,
        client_name: "西湖律师事务所（代理人）".into(),
        client_kind: OrganKind::Other,
        client_contact: "0571-87000000".into(),
        case_number: Some((
            format!("（2026）浙0106民初{n}号"),
            format!("2026|浙0106|民初|{n}"),
        )),
        case_type: "civil".into(),
        items: vec![item.to_string()],
        purpose: "确定伤残等级".into(),
        summary: "当事人因交通事故受伤，申请司法鉴定。".into(),
        lineage: Lineage::Original,
        parent_id: None,
        same_institution_reason: None,
        received_on: received_on(),
        persons: Vec::new(),
        materials: vec![NewMaterial {
            name: "病历".into(),
            kind: "书证".into(),
            quantity: "1 册".into(),
            condition: "完好".into(),
            storage: "常温".into(),
            received_at: format!("{} 09:30", received_on()),
        }],
        attachments: Vec::new(),
    }
}

/// A case of a new institution (with two appraisers and a reviewer) taken to `stage`.
pub async fn case_at(db: &Db, stage: Stage) -> BuiltCase {
    case_with(db, stage, None, |_| {}).await
}

/// A case taken to `stage`: at `institution_id` (a new institution when None; three new
/// appraisers are registered there either way), its commission the defaults of `new_case`
/// changed by `edit`. A commission with an `organ_id` is made in that organ's scope (online).
pub async fn case_with(
    db: &Db,
    stage: Stage,
    institution_id: Option<i64>,
    edit: impl FnOnce(&mut NewCase),
) -> BuiltCase {
    let institution_id = match institution_id {
        Some(id) => id,
        None => institution(db).await.id,
    };
    let a1 = appraiser(db, institution_id).await.id;
    let a2 = appraiser(db, institution_id).await.id;
    let reviewer = appraiser(db, institution_id).await.id;
    let item = first_item(&default_sub_category());
    let mut new = new_case(institution_id, &item);
    edit(&mut new);
    let mut built = BuiltCase {
        case: steps::commission(db, &new).await,
        stage: Stage::Commissioned,
        institution_id,
        appraisers: [a1, a2],
        reviewer,
        organ_id: new.organ_id,
        issued: None,
    };
    advance(db, &mut built, stage).await;
    built
}

/// Takes a built case on from its stage to `stage`, step by step.
pub async fn advance(db: &Db, b: &mut BuiltCase, stage: Stage) {
    let order = [
        Stage::Accepted,
        Stage::ContractSigned,
        Stage::Assigned,
        Stage::InProgress,
        Stage::SubmittedForReview,
        Stage::Signing,
        Stage::Sealed,
        Stage::Issued,
        Stage::Archived,
    ];
    let [a1, a2] = b.appraisers;
    for to in order {
        if to > stage || to <= b.stage {
            continue;
        }
        b.case = match to {
            Stage::Commissioned => unreachable!("the first stage is never a step"),
            Stage::Accepted => steps::accept(db, &b.case, 2).await,
            Stage::ContractSigned => steps::sign_contract(db, &b.case, 3).await,
            Stage::Assigned => steps::assign(db, &b.case, &[a1, a2], 3).await,
            Stage::InProgress => steps::start(db, &b.case, 4).await,
            Stage::SubmittedForReview => {
                steps::submit_for_review(db, &b.case, b.reviewer, 15).await
            }
            Stage::Signing => {
                let c = steps::review(db, &b.case, b.reviewer, 16).await;
                steps::sign(db, &c, a1, 17).await
            }
            Stage::Sealed => {
                let c = steps::sign(db, &b.case, a2, 17).await;
                steps::seal(db, &c, 18).await
            }
            Stage::Issued => {
                let issued = steps::issue(db, &b.case, 18).await;
                let c = issued.case.clone();
                b.issued = Some(issued);
                c
            }
            Stage::Archived => steps::archive(db, &b.case, 25).await,
        };
        b.stage = to;
    }
}

/// The store's case steps, each called in one place (their signatures may change).
pub mod steps {
    use super::*;
    use sijian_domain::procedure::CaseCommand;
    use sijian_store::cases::steps::{self as s, SignedBy};

    /// Today for a step taken `days` working days after the default receipt date.
    fn on(days: u32) -> Date {
        calendar()
            .add_working_days(received_on(), days)
            .unwrap_or(received_on())
    }

    fn calendar() -> &'static WorkingCalendar {
        static CAL: std::sync::OnceLock<WorkingCalendar> = std::sync::OnceLock::new();
        CAL.get_or_init(WorkingCalendar::shipped)
    }

    fn policy() -> &'static Policy {
        static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
        POLICY.get_or_init(Policy::default)
    }

    fn ctx(today: Date) -> Ctx<'static> {
        Ctx {
            today,
            cal: calendar(),
            policy: policy(),
        }
    }

    /// A PDF-looking opinion document.
    pub fn document(text: &str) -> NewAttachment {
        NewAttachment {
            name: "司法鉴定意见书.pdf".into(),
            content_type: "application/pdf".into(),
            data: format!("%PDF-1.4\n% 测试鉴定意见书 {text}\n%%EOF\n").into_bytes(),
        }
    }

    /// Commissions the case: online in the organ's scope when it names one, else on paper in
    /// the institution's.
    pub async fn commission(db: &Db, new: &NewCase) -> Case {
        let scope = match new.organ_id {
            Some(o) => Scope::Organ(o),
            None => Scope::Institution(new.institution_id),
        };
        cases::create(db, &actor(), &scope, new, ctx(new.received_on))
            .await
            .expect("commission a case")
    }

    /// One step at the version `c` carries (a stale one is refused), as the platform would.
    pub async fn run(
        db: &Db,
        c: &Case,
        day: u32,
        command: CaseCommand,
        file: Option<&NewAttachment>,
    ) -> Result<s::Stepped, StoreError> {
        let at = s::At {
            actor: &actor(),
            scope: &Scope::All,
            id: c.id,
            version: c.version,
            ctx: ctx(on(day)),
        };
        s::run(db, &at, command, file).await
    }

    async fn step(db: &Db, c: &Case, day: u32, command: CaseCommand, what: &str) -> Case {
        run(db, c, day, command, None)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e:?}"))
            .case
    }

    pub async fn accept(db: &Db, c: &Case, day: u32) -> Case {
        try_accept(db, c, day).await.expect("accept")
    }

    /// Accepts at the version `c` carries (a stale one is refused).
    pub async fn try_accept(db: &Db, c: &Case, day: u32) -> Result<Case, StoreError> {
        Ok(run(db, c, day, CaseCommand::Accept, None).await?.case)
    }

    pub async fn sign_contract(db: &Db, c: &Case, day: u32) -> Case {
        let command = CaseCommand::SignContract {
            effective_on: on(day),
            declares_reappraisal: false,
            agreed_complete_by: None,
            contract_sha256: None,
        };
        step(db, c, day, command, "sign the contract").await
    }

    pub async fn assign(db: &Db, c: &Case, appraisers: &[i64], day: u32) -> Case {
        let command = CaseCommand::Assign {
            appraiser_ids: appraisers.to_vec(),
        };
        step(db, c, day, command, "assign").await
    }

    pub async fn start(db: &Db, c: &Case, day: u32) -> Case {
        step(db, c, day, CaseCommand::Start, "start").await
    }

    pub async fn submit_for_review(db: &Db, c: &Case, reviewer: i64, day: u32) -> Case {
        let command = CaseCommand::SubmitForReview {
            reviewer_ids: vec![reviewer],
        };
        step(db, c, day, command, "submit for review").await
    }

    pub async fn review(db: &Db, c: &Case, reviewer: i64, day: u32) -> Case {
        let command = CaseCommand::Review {
            reviewer_id: reviewer,
            agrees: true,
            opinion: "同意出具".into(),
            by: SignedBy::Staff,
        };
        step(db, c, day, command, "review").await
    }

    pub async fn sign(db: &Db, c: &Case, appraiser: i64, day: u32) -> Case {
        let command = CaseCommand::Sign {
            appraiser_id: appraiser,
            dissent: String::new(),
            by: SignedBy::Staff,
        };
        step(db, c, day, command, "sign").await
    }

    pub async fn seal(db: &Db, c: &Case, day: u32) -> Case {
        step(db, c, day, CaseCommand::Seal, "seal").await
    }

    pub async fn issue(db: &Db, c: &Case, day: u32) -> Issued {
        let command = CaseCommand::Issue {
            document_sha256: String::new(),
            conclusion: sijian_domain::conclusion::Conclusion::Text {
                text: "构成轻伤二级".into(),
            },
        };
        run(db, c, day, command, Some(&document(&c.id.to_string())))
            .await
            .expect("issue")
            .issued
            .expect("an issue returns the code and key")
    }

    pub async fn archive(db: &Db, c: &Case, day: u32) -> Case {
        step(db, c, day, CaseCommand::Archive, "archive").await
    }

    /// Submits a licence application in the institution's scope (its head applies).
    pub async fn submit_application(db: &Db, new: &NewApplication) -> Application {
        let scope = match new.institution_id {
            Some(i) => Scope::Institution(i),
            None => Scope::All,
        };
        let material = sijian_store::applications::NewAttachment {
            name: "执业登记申请表.pdf".into(),
            content_type: "application/pdf".into(),
            data: b"%PDF-1.4\n% application\n%%EOF\n".to_vec(),
        };
        sijian_store::applications::submit(db, &actor(), &scope, new, &[material])
            .await
            .expect("submit an application")
    }
}
