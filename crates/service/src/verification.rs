//! Public verification of coded opinions (赋码核验): anyone with the code sees the public fields
//! and can compare a document's SHA-256; with the verification key also the commissioning side,
//! the case number, the signing appraisers and the corrections — never the examined persons.
//! Every check is counted.
use crate::caller::Caller;
use crate::error::Result;
use crate::services::Services;
use serde::Serialize;
use sijian_domain::opinion_code::OpinionCode;
use sijian_ledger::token::{self, RecordKind, SignedRecord};
use sijian_store::cases::opinions::{self, CheckKind, Opinion};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Details {
    pub client: String,
    pub case_number: Option<String>,
    pub appraisers: Vec<String>,
    #[schema(value_type = Vec<crate::schema::opinions::Correction>)]
    pub corrections: Vec<opinions::Correction>,
    /// The conclusion recorded at issue, which corrections keep (通则第四十一条); none for an
    /// opinion issued before conclusions were recorded.
    pub conclusion: Option<String>,
    /// What the cover label's QR code holds: the verification address with the key and the
    /// signed token (docs/VERIFICATION.md); none for a revoked opinion.
    pub qr_content: Option<String>,
}

/// What the QR code's signed token says, and whether it agrees with the record.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCheck {
    /// The platform's signature over the token is good.
    pub signature_valid: bool,
    /// The token names this opinion and its first issued document.
    pub matches_record: bool,
    /// Why not, when either is false.
    pub reason: Option<String>,
    /// The standing the token vouched for when signed (`valid`, `corrected`); none for a
    /// version 1 token.
    pub signed_status: Option<String>,
    /// When the token was signed (UTC); none for a version 1 token.
    pub signed_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// Grouped code.
    pub code: String,
    /// valid | corrected | revoked | not_found
    pub status: String,
    pub institution: Option<String>,
    /// 1 法医 2 物证 3 声像资料 4 环境损害
    pub category: Option<u8>,
    pub issued_on: Option<String>,
    /// Hex SHA-256 of the current version of the document.
    pub document_sha256: Option<String>,
    pub version: Option<i64>,
    /// For a revoked opinion: when and on what ground.
    pub revoked_on: Option<String>,
    pub revoked_reason: Option<String>,
    /// Whether `sha256` (if given) is the opinion's document: the current version or any earlier
    /// one (a corrected opinion's first document stays verifiable).
    pub document_match: Option<bool>,
    /// Which version of the document `sha256` is, when it matched (1 = as first issued).
    pub document_version: Option<i64>,
    /// Whether the key (if given) was right.
    pub key_valid: Option<bool>,
    /// Only with the right key.
    pub details: Option<Details>,
    /// The leaf in the log, once integrated; its offline bundle is at `bundle_url`.
    pub log_leaf_index: Option<i64>,
    pub bundle_url: Option<String>,
    /// With `t`: the QR token's check.
    pub token: Option<TokenCheck>,
}

/// The signed record an opinion's QR token carries: code, first issued document's SHA-256,
/// institution licence number, issue date.
pub fn opinion_record(o: &Opinion, licence_no: &str, first_sha256: &str) -> SignedRecord {
    SignedRecord::new(
        RecordKind::Opinion,
        vec![
            o.code.clone(),
            first_sha256.to_string(),
            licence_no.to_string(),
            o.issued_on.to_string(),
        ],
    )
    .expect("an opinion's fields are single-line and non-empty")
}

/// The signing time of a token: now, UTC, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn signed_at_now() -> String {
    let ms = sijian_store::now_ms();
    let secs = ms.div_euclid(1000);
    let day = sijian_domain::calendar::Date::from_days(secs.div_euclid(86_400))
        .expect("the clock is within the calendar's range");
    let t = secs.rem_euclid(86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", t / 3600, t % 3600 / 60, t % 60)
}

/// The cover label's QR content: `<public_url>/v/<code>?key=<key>&t=<token>`, the token signed
/// with the opinion's standing and the time. None for a revoked opinion: the platform vouches
/// offline only for what stands (issue 14, point 12).
pub fn qr_content(
    s: &Services,
    o: &Opinion,
    licence_no: &str,
    first_sha256: &str,
) -> Option<String> {
    if o.status == "revoked" {
        return None;
    }
    let token = opinion_record(o, licence_no, first_sha256)
        .with_standing(&o.status, &signed_at_now())
        .and_then(|r| r.sign(&s.ledger.signer))
        .expect("the log key is Ed25519 and the standing single-line");
    Some(format!(
        "{}/v/{}?key={}&t={token}",
        s.cfg.public_url.trim_end_matches('/'),
        opinions::grouped(&o.code),
        o.verification_key
    ))
}

/// The SHA-256 of the document as first issued (the QR token vouches for that one; a
/// correction changes the current document).
pub async fn first_sha256(s: &Services, o: &Opinion) -> Result<String> {
    if o.version == 1 {
        return Ok(o.document_sha256.clone());
    }
    Ok(opinions::first_document_sha256(&s.db, o.case_id)
        .await?
        .unwrap_or_else(|| o.document_sha256.clone()))
}

/// Checks a QR token against the platform's keys and the record.
pub fn check_token(
    s: &Services,
    t: &str,
    o: &Opinion,
    licence_no: &str,
    first: &str,
) -> TokenCheck {
    TokenCheck::of(
        s,
        t,
        Some(&opinion_record(o, licence_no, first)),
        "二维码签名有效，但所载内容与平台记录不符：请以平台记录为准",
    )
}

impl TokenCheck {
    /// A QR token checked against the platform's keys (current and retired) and against the
    /// record it should carry (`None`: there is no such record).
    pub fn of(
        s: &Services,
        t: &str,
        expected: Option<&SignedRecord>,
        mismatch: &str,
    ) -> TokenCheck {
        match token::verify(t, &s.ledger.log_keys) {
            Err(e) => TokenCheck {
                signature_valid: false,
                matches_record: false,
                reason: Some(e.to_string()),
                signed_status: None,
                signed_at: None,
            },
            Ok(r) => {
                let matches = expected.is_some_and(|x| x.same_record(&r));
                TokenCheck {
                    signature_valid: true,
                    matches_record: matches,
                    reason: (!matches).then(|| mismatch.to_string()),
                    signed_status: r.standing.as_ref().map(|st| st.status.clone()),
                    signed_at: r.standing.map(|st| st.signed_at),
                }
            }
        }
    }
}

/// Who is verifying, for the counts.
pub fn check_kind(caller: Option<&Caller>, keyed: bool) -> CheckKind {
    match caller {
        Some(a) if a.role() == sijian_domain::Role::Organ => CheckKind::Organ,
        Some(_) => CheckKind::Platform,
        None if keyed => CheckKind::Keyed,
        None => CheckKind::Public,
    }
}

/// The verification answer, shared by the API and the page. Counts the check.
pub async fn verification(
    s: &Services,
    caller: Option<&Caller>,
    code: &OpinionCode,
    key: Option<&str>,
    sha256: Option<&str>,
    t: Option<&str>,
) -> Result<Verification> {
    let Some(v) = opinions::verifiable(&s.db, code).await? else {
        return Ok(Verification {
            code: code.grouped(),
            status: "not_found".into(),
            institution: None,
            category: None,
            issued_on: None,
            document_sha256: None,
            version: None,
            revoked_on: None,
            revoked_reason: None,
            document_match: None,
            document_version: None,
            key_valid: None,
            details: None,
            log_leaf_index: None,
            bundle_url: None,
            token: None,
        });
    };
    let o = v.opinion;
    let key_valid =
        key.map(|k| crate::secrets::same_secret(&normalise_key(k), &o.verification_key));
    let keyed = match key_valid {
        Some(true) => Some(opinions::keyed_details(&s.db, &o).await?),
        _ => None,
    };
    let first = match (&keyed, t) {
        (Some(k), _) => Some(k.first_document_sha256.clone()),
        (None, Some(_)) => Some(first_sha256(s, &o).await?),
        (None, None) => None,
    };
    let document_version = match sha256 {
        Some(h) => document_version(s, &o, h.trim()).await?,
        None => None,
    };
    let details = keyed.map(|k| Details {
        qr_content: qr_content(s, &o, &v.licence_no, &k.first_document_sha256),
        client: k.client_name,
        case_number: k.case_number,
        appraisers: k.signers,
        corrections: k.corrections,
        conclusion: o.conclusion().map(|c| c.label_zh()),
    });
    let token = t.map(|t| {
        check_token(
            s,
            t,
            &o,
            &v.licence_no,
            first.as_deref().unwrap_or_default(),
        )
    });
    s.checks.record(
        &o.code,
        crate::today().to_string(),
        check_kind(caller, details.is_some()),
    );
    let revoked = o.status == "revoked";
    Ok(Verification {
        code: code.grouped(),
        status: o.status.clone(),
        institution: Some(o.institution_name.clone()),
        category: Some(o.category as u8),
        issued_on: Some(o.issued_on.to_string()),
        document_match: sha256.map(|_| document_version.is_some()),
        document_version,
        document_sha256: Some(o.document_sha256),
        version: Some(o.version),
        revoked_on: if revoked {
            o.revoked_on.map(|d| d.to_string())
        } else {
            None
        },
        revoked_reason: revoked.then_some(o.revoked_reason),
        key_valid,
        details,
        log_leaf_index: v.leaf_idx,
        bundle_url: v
            .leaf_idx
            .map(|_| format!("/api/v1/opinions/{}/bundle", code.grouped())),
        token,
    })
}

/// Which version of the opinion's document has SHA-256 `h`: the current one, a corrected one,
/// or the first issued (all stay verifiable after a correction).
async fn document_version(s: &Services, o: &Opinion, h: &str) -> Result<Option<i64>> {
    if h.eq_ignore_ascii_case(&o.document_sha256) {
        return Ok(Some(o.version));
    }
    if o.version == 1 {
        return Ok(None);
    }
    if first_sha256(s, o).await?.eq_ignore_ascii_case(h) {
        return Ok(Some(1));
    }
    Ok(opinions::corrections(&s.db, &o.code)
        .await?
        .into_iter()
        .find(|c| {
            c.document_sha256
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(h))
        })
        .map(|c| c.version))
}

/// A verification key in groups of four for reading off paper (`K7Q2-9XWM-4TRP`); it is typed
/// back with or without the dashes (see [`normalise_key`]).
pub fn grouped_key(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A typed key: dashes and spaces dropped, upper case.
pub fn normalise_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
        .collect::<String>()
        .to_uppercase()
}
