//! Printable one-page documents (licence certificates, verification labels for opinion covers)
//! as PDF with a QR code and an embedded, subset Chinese font, plus the same QR code as inline SVG
//! for HTML pages.
//!
//! PDFs are drawn with krilla, which has no layout engine: [`pdf`] measures glyph advances itself
//! and wraps long values (licence identifiers, institution names, addresses) inside their column.
//! Text is real text (selectable, extractable), so the documents stay searchable and accessible.

mod font;
mod pdf;
mod qr;
#[cfg(test)]
mod tests;

pub use font::Fonts;
pub use pdf::render;
pub use qr::qr_svg;

pub use sijian_service::config::PdfConfig;

/// Why a document could not be produced. Messages are shown to operators, hence Chinese.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No usable CJK font was found anywhere; the message says what to install or configure.
    #[error("{0}")]
    NoFont(String),
    /// The configured font file could not be used.
    #[error("无法使用字体文件 {path}：{reason}")]
    Font { path: String, reason: String },
    /// The QR content cannot be encoded (in practice: too long).
    #[error("无法生成二维码：{0}")]
    Qr(String),
    /// Layout or PDF serialisation failed (e.g. the content does not fit on one page).
    #[error("无法生成 PDF：{0}")]
    Render(String),
}

/// Page format of a [`Card`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSize {
    /// A4 portrait (210 mm × 297 mm), for licence certificates.
    A4,
    /// A 100 mm × 70 mm landscape sticker for the cover of an appraisal opinion.
    Label,
}

/// A one-page printable document: a title, labelled lines, a QR code and small print.
#[derive(Debug, Clone, Copy)]
pub struct Card<'a> {
    pub size: PageSize,
    /// Also used as the PDF document title.
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    /// `(label, value)` rows; values wrap inside their column, `\n` forces a break.
    pub lines: &'a [(&'a str, &'a str)],
    /// QR content, typically a verification URL (several hundred ASCII characters are fine).
    pub qr: &'a str,
    /// Printed under the QR code, e.g. "扫码核验".
    pub qr_caption: Option<&'a str>,
    /// Small print at the bottom of the page, one paragraph per entry.
    pub footer: &'a [&'a str],
}
