//! The public face of the log (docs/LEDGER.md): the latest signed checkpoint, the keys to check
//! it with, inclusion and consistency proofs, C2SP tiles, and the offline bundle of one event.
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sijian_ledger::b64;
use sijian_ledger::tiles::Tile;
use sijian_store::ledger;
use utoipa::{IntoParams, ToSchema};

fn text(body: String, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

/// The latest published checkpoint: a C2SP tlog-checkpoint in a signed note, with any witness
/// cosignatures. `text/plain`.
#[utoipa::path(get, path = "/ledger/checkpoint", tag = "ledger",
    responses((status = 200, description = "签名检查点（C2SP signed note）", content_type = "text/plain", body = String),
              (status = 404, body = ErrorBody)))]
pub async fn checkpoint(State(s): State<AppState>) -> AppResult<Response> {
    let cp = ledger::latest_published(&s.db).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "no_checkpoint",
            "日志尚无已发布的检查点",
        )
    })?;
    Ok(text(cp.note().to_string(), "no-cache, max-age=1"))
}

/// The log's verifier keys (current, then retired) and the witnesses' it trusts, one per line.
#[utoipa::path(get, path = "/ledger/keys", tag = "ledger",
    responses((status = 200, description = "公钥，每行一个（C2SP verifier key）", content_type = "text/plain", body = String)))]
pub async fn keys(State(s): State<AppState>) -> Response {
    text(s.ledger.keys_text(), "max-age=300")
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionParams {
    /// Leaf index (0-based). Give this or `leaf_hash`.
    pub index: Option<u64>,
    /// RFC 9162 leaf hash, standard base64.
    pub leaf_hash: Option<String>,
    /// Tree size the proof is for. Default: the latest published checkpoint's.
    pub size: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProof {
    pub index: u64,
    pub size: u64,
    /// Standard base64.
    pub leaf_hash: String,
    /// Audit path, leaf side first, standard base64.
    pub proof: Vec<String>,
}

fn b64_list(hashes: &[sijian_ledger::Hash]) -> Vec<String> {
    hashes.iter().map(|h| b64::encode(h)).collect()
}

async fn size_or_published(s: &AppState, size: Option<u64>) -> AppResult<u64> {
    Ok(match size {
        Some(n) => n,
        None => ledger::published_size(&s.db).await?,
    })
}

/// RFC 9162 inclusion proof of one leaf, by index or by leaf hash.
#[utoipa::path(get, path = "/ledger/proof/inclusion", tag = "ledger", params(InclusionParams),
    responses((status = 200, body = InclusionProof), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn inclusion(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<InclusionParams>,
) -> AppResult<Json<InclusionProof>> {
    let size = size_or_published(&s, p.size).await?;
    let leaf = match (p.index, &p.leaf_hash) {
        (Some(i), None) => ledger::leaf_by_index(&s.db, i)
            .await?
            .ok_or_else(AppError::not_found)?,
        (None, Some(h)) => {
            let h = b64::decode_hash(h)
                .ok_or_else(|| AppError::field("leaf_hash", "须为 32 字节的标准 base64"))?;
            ledger::leaf_by_hash(&s.db, &h)
                .await?
                .ok_or_else(AppError::not_found)?
        }
        _ => return Err(AppError::bad_request("请给出 index 或 leaf_hash 之一")),
    };
    let index = leaf.idx as u64;
    if index >= size {
        return Err(AppError::field(
            "size",
            format!("叶 {index} 不在大小为 {size} 的树中"),
        ));
    }
    let proof = ledger::prove_inclusion(&s.db, index, size).await?;
    Ok(Json(InclusionProof {
        index,
        size,
        leaf_hash: b64::encode(&leaf.leaf_hash),
        proof: b64_list(&proof),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyParams {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size (at most the latest published).
    pub to: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    /// Standard base64; empty when `from` is 0 or equals `to`.
    pub proof: Vec<String>,
}

/// RFC 9162 consistency proof between two tree sizes.
#[utoipa::path(get, path = "/ledger/proof/consistency", tag = "ledger", params(ConsistencyParams),
    responses((status = 200, body = ConsistencyProof), (status = 400, body = ErrorBody)))]
pub async fn consistency(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<ConsistencyParams>,
) -> AppResult<Json<ConsistencyProof>> {
    let proof = ledger::prove_consistency(&s.db, p.from, p.to).await?;
    Ok(Json(ConsistencyProof {
        from: p.from,
        to: p.to,
        proof: b64_list(&proof),
    }))
}

/// C2SP tlog-tiles: `tile/<L>/<N>[.p/<W>]` (hashes) and `tile/entries/<N>[.p/<W>]` (leaf
/// entries, uint16 length-prefixed). Full tiles never change and are cached for a year.
#[utoipa::path(get, path = "/ledger/tile/{*path}", tag = "ledger",
    params(("path" = String, Path, description = "例如 0/x001/234 或 entries/000.p/17")),
    responses((status = 200, description = "瓦片字节", content_type = "application/octet-stream", body = Vec<u8>),
              (status = 404, body = ErrorBody)))]
pub async fn tile(State(s): State<AppState>, Path(path): Path<String>) -> AppResult<Response> {
    let t = Tile::parse(&path).map_err(|_| AppError::not_found())?;
    let bytes = ledger::tile(&s.db, &t)
        .await?
        .ok_or_else(AppError::not_found)?;
    let cache = if t.is_full() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache, max-age=1"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}

/// The offline proof bundle of one event (C2SP tlog-proof whose `extra` is the leaf entry):
/// verifies with `sijian ledger verify-bundle --key <log key>` and no network. Only for users
/// who are shown the event on a page (`sijian_service::events::visible`); 409 while it waits for
/// its checkpoint.
#[utoipa::path(get, path = "/events/{id}/proof", tag = "records",
    params(("id" = i64, Path, description = "事件编号")),
    responses((status = 200, description = "离线证明包", content_type = "text/plain", body = String),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn event_proof(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    sijian_service::events::visible(&s, &a, id).await?;
    let (bundle, _) = ledger::bundle_for_event(&s.db, id).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::CONFLICT,
            "pending",
            "该事件尚待入账，请稍后再试",
        )
    })?;
    let mut r = text(bundle.to_text(), "no-store");
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"event-{id}.tlog-proof\"")
            .parse()
            .expect("ASCII header"),
    );
    Ok(r)
}
