//! Content-addressed files (attachments of applications and cases): stored once by SHA-256,
//! whoever uploads them again.
use crate::db::Tx;
use crate::{StoreError, args};
use sha2::{Digest, Sha256};

/// Stores `data` unless a blob with its hash exists; returns the hex SHA-256 and the size.
pub async fn put(
    tx: &mut Tx,
    content_type: &str,
    data: &[u8],
    now: i64,
) -> Result<(String, i64), StoreError> {
    let sha = hex::encode(Sha256::digest(data));
    let size = data.len() as i64;
    let known: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT size FROM blobs WHERE sha256 = $1",
            args![sha.as_str()],
        )
        .await?;
    if known.is_none() {
        tx.execute(
            "INSERT INTO blobs (sha256, size, content_type, data, created_at) VALUES ($1, $2, $3, $4, $5)",
            args![sha.as_str(), size, content_type, data.to_vec(), now],
        )
        .await?;
    }
    Ok((sha, size))
}
