//! Electronic licences (电子证照): institution licences and appraiser certificates with GB/T 36904
//! identifiers, data signed with the platform key, a status that follows the register, a public
//! verification page and API like an opinion's, and a printable PDF with the QR code.
use crate::error::{Error, Result};
use crate::services::Services;
use crate::verification::TokenCheck;
use serde::Serialize;
use sijian_domain::elicence::{self, LicenceKind, LicenceStatus};
use sijian_domain::identifiers::ElectronicLicenceId;
use sijian_domain::{AppraiserStatus, InstitutionStatus, Scope};
use sijian_ledger::token::{RecordKind, SignedRecord};
use sijian_store::StoreError;
use sijian_store::registry;
use utoipa::ToSchema;

/// A licence as verification shows it: only the register's public fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LicenceView {
    /// 电子证照标识 (GB/T 36904).
    pub id: String,
    /// institution | appraiser
    pub kind: String,
    /// 司法鉴定许可证 | 司法鉴定人执业证
    pub kind_label: String,
    /// valid | withheld | withdrawn | cancelled | expired | revoked
    pub status: String,
    /// National status code: 01 有效 02 暂扣 03 撤销 04 注销 05 失效 07 吊销.
    pub status_code: String,
    pub status_label: String,
    /// Institution name, or appraiser name.
    pub holder: String,
    /// Licence number (许可证号) or certificate number (执业证号).
    pub number: String,
    /// For an appraiser: the institution they practise at.
    pub institution: Option<String>,
    /// Business scope (classification codes, comma-separated).
    pub scope: String,
    pub valid_to: Option<String>,
    /// 颁发机构代码.
    pub issuer: String,
    /// The register entry's id: `/directory/institutions/{id}` for institutions.
    pub holder_id: i64,
    /// What the licence's QR code holds: `<public_url>/l/<id>?t=<token>`; empty unless the
    /// licence is valid (no token is signed for a suspended, revoked or expired one).
    pub qr_content: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceVerification {
    pub id: String,
    /// As `LicenceView.status`, or `not_found`.
    pub status: String,
    pub licence: Option<LicenceView>,
    /// With `t`: the QR token's check.
    pub token: Option<TokenCheck>,
}

/// The record a licence's QR token carries.
pub fn record(v: &LicenceView) -> SignedRecord {
    SignedRecord::new(
        RecordKind::Licence,
        vec![
            v.id.clone(),
            v.kind.clone(),
            v.holder.clone(),
            v.number.clone(),
            v.valid_to.clone().unwrap_or_else(|| "-".into()),
        ],
    )
    .expect("register fields are single-line and non-empty")
}

/// Refuses unless the caller may print the licence `id`: those who may see the holder's register
/// entry (the holder's institution, regulators in scope). Returns the holder.
pub async fn reach_printable(
    s: &Services,
    a: &crate::Caller,
    id: &ElectronicLicenceId,
) -> Result<(LicenceKind, i64)> {
    let (kind, holder) = s.licences.holder_of(id).ok_or_else(Error::not_found)?;
    match kind {
        LicenceKind::Institution => {
            a.require(sijian_domain::Action::ViewInstitutions)?;
            registry::get_institution(&s.db, &a.scope(), holder).await?;
        }
        LicenceKind::Appraiser => {
            a.require(sijian_domain::Action::ViewAppraisers)?;
            registry::get_appraiser(&s.db, &a.scope(), holder).await?;
        }
    }
    Ok((kind, holder))
}

/// The licence of `kind` held by register entry `holder_id`, as it stands today.
pub async fn licence_of(
    s: &Services,
    kind: LicenceKind,
    holder_id: i64,
) -> Result<Option<LicenceView>> {
    let id = s
        .licences
        .id_for(kind, holder_id)
        .map_err(|e| Error::bad_request(e.to_string()))?;
    let today = crate::today();
    let institution_licence = |i: &registry::Institution| {
        elicence::institution_status(
            InstitutionStatus::parse(&i.status).unwrap_or(InstitutionStatus::Revoked),
            i.licence_valid_to,
            today,
        )
    };
    let found = match kind {
        LicenceKind::Institution => {
            match registry::get_institution(&s.db, &Scope::All, holder_id).await {
                Ok(i) => Some((
                    institution_licence(&i),
                    i.name.clone(),
                    i.licence_no.clone(),
                    None,
                    i.scope.clone(),
                    i.licence_valid_to.map(|d| d.to_string()),
                )),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        }
        LicenceKind::Appraiser => {
            match registry::get_appraiser(&s.db, &Scope::All, holder_id).await {
                Ok(a) => {
                    let i = registry::get_institution(&s.db, &Scope::All, a.institution_id).await?;
                    let status = elicence::appraiser_status(
                        AppraiserStatus::parse(&a.status).unwrap_or(AppraiserStatus::Revoked),
                        institution_licence(&i),
                    );
                    Some((
                        status,
                        a.name.clone(),
                        a.certificate_no.clone(),
                        Some(i.name.clone()),
                        a.scope.clone(),
                        None,
                    ))
                }
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let Some((status, holder, number, institution, scope, valid_to)) = found else {
        return Ok(None);
    };
    let mut v = LicenceView {
        id: id.as_str().to_string(),
        kind: kind.as_str().into(),
        kind_label: kind.label_zh().into(),
        status: status.as_str().into(),
        status_code: status.code().into(),
        status_label: status.label_zh().into(),
        holder,
        number,
        institution,
        scope,
        valid_to,
        issuer: s.licences.issuer.as_str().to_string(),
        holder_id,
        qr_content: String::new(),
    };
    // Signed only for a valid licence, with its status and the time (issue 14, point 12): an
    // offline check of a suspended or revoked holder's licence must not say "valid".
    if status == LicenceStatus::Valid {
        let token = record(&v)
            .with_standing(status.as_str(), &crate::verification::signed_at_now())
            .and_then(|r| r.sign(&s.ledger.signer))
            .expect("the log key is Ed25519 and the standing single-line");
        v.qr_content = format!(
            "{}/l/{}?t={token}",
            s.cfg.public_url.trim_end_matches('/'),
            v.id
        );
    }
    Ok(Some(v))
}

/// Verifies a licence by its identifier (and the QR token, if given).
pub async fn verification(
    s: &Services,
    id: &ElectronicLicenceId,
    t: Option<&str>,
) -> Result<LicenceVerification> {
    let licence = match s.licences.holder_of(id) {
        Some((kind, holder)) => licence_of(s, kind, holder).await?,
        None => None,
    };
    let expected = licence.as_ref().map(record);
    let token = t.map(|t| {
        TokenCheck::of(
            s,
            t,
            expected.as_ref(),
            "二维码签名有效，但所载内容与当前登记不符（证照信息已变更）：请以平台记录为准",
        )
    });
    Ok(LicenceVerification {
        id: id.as_str().to_string(),
        status: licence
            .as_ref()
            .map(|l| l.status.clone())
            .unwrap_or_else(|| "not_found".into()),
        licence,
        token,
    })
}
