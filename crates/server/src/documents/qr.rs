//! QR codes: one encoder shared by the PDF renderer and the HTML pages, so a printed code and the
//! one shown on screen are identical.

use std::fmt::Write;

use qrcode::{Color, EcLevel, QrCode};

use super::PdfError;

/// Light modules around the code, in modules; the QR specification requires 4.
pub(crate) const QUIET_ZONE: usize = 4;

/// A QR symbol as rows of dark/light modules, without the quiet zone.
pub(crate) struct Matrix {
    width: usize,
    dark: Vec<bool>,
}

impl Matrix {
    /// Encodes with medium error correction: it survives a scuffed sticker (about 15 % damage)
    /// while keeping the modules of a ~400-character URL large enough to print at 25 mm.
    pub(crate) fn encode(content: &str) -> Result<Matrix, PdfError> {
        let code = QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M)
            .map_err(|e| PdfError::Qr(format!("内容无法编码（{} 字节）：{e}", content.len())))?;
        Ok(Matrix {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Modules per side including the quiet zone on both sides.
    pub(crate) fn total_modules(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Modules per side of the symbol itself.
    pub(crate) fn symbol_modules(&self) -> usize {
        self.width
    }

    /// Horizontal runs of dark modules as `(x, y, length)` in module units including the quiet
    /// zone; drawing runs instead of single modules keeps paths small and avoids hairline seams
    /// between adjacent squares in some viewers.
    pub(crate) fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let row = &self.dark[y * self.width..(y + 1) * self.width];
            let mut x = 0;
            while x < self.width {
                if row[x] {
                    let start = x;
                    while x < self.width && row[x] {
                        x += 1;
                    }
                    runs.push((start + QUIET_ZONE, y + QUIET_ZONE, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }
}

/// The QR code as an inline `<svg>` element (no XML prolog) of `size_px` × `size_px`, with a white
/// quiet zone of 4 modules, scaling crisply through its `viewBox`; `label` names it for screen
/// readers, in the page's language.
pub fn qr_svg(content: &str, size_px: u32, label: &str) -> Result<String, PdfError> {
    let matrix = Matrix::encode(content)?;
    let n = matrix.total_modules();
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}" viewBox="0 0 {n} {n}" shape-rendering="crispEdges" role="img" aria-label="{label}"><rect width="{n}" height="{n}" fill="#fff"/><path fill="#000" d=""##
    );
    for (x, y, len) in matrix.runs() {
        // Writing to a String cannot fail.
        let _ = write!(svg, "M{x} {y}h{len}v1h-{len}z");
    }
    svg.push_str(r#""/></svg>"#);
    Ok(svg)
}
