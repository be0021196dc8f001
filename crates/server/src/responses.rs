//! File responses: PDFs shown inline, attachments only as downloads.
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A PDF download.
pub fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// An attachment as a download: never rendered inline, never sniffed.
pub fn download(name: &str, content_type: String, data: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", urlencoding::encode(name)),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".to_string(),
            ),
        ],
        data,
    )
        .into_response()
}
