//! Finding and loading the CJK font, and measuring and line-breaking text with it.
//!
//! PDF viewers cannot be trusted to have Chinese fonts, so the font is embedded (krilla subsets it
//! to the glyphs actually used, a few KB per document). The font is loaded once at start-up so a
//! missing font is an operator-facing start-up error rather than tofu on a printed licence.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use super::{PdfConfig, PdfError};

/// A font counts as a Chinese font only if it has glyphs for all of these.
const PROBE: &str = "司法鉴定意见书核验";

/// Well-known Debian/Ubuntu locations, best first: Noto CJK face 2 is Simplified Chinese
/// (GB-style glyph shapes); the WenQuanYi and Droid fonts are smaller fallbacks.
const CANDIDATES: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    (
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        0,
    ),
];

/// The fallback built into the binary: a subset of Noto Sans CJK SC (SIL OFL 1.1) with the
/// ideographs GB 18030 requires (CJK Unified Ideographs and Extension A); `fonts/README.md`
/// says how it was made. System fonts come first, so an installed or configured font wins.
const BUNDLED: &[u8] = include_bytes!("../../fonts/NotoSansSC-GB18030.otf");
/// How the bundled font describes itself on the health page and in logs.
pub(crate) const BUNDLED_NAME: &str = "bundled:NotoSansSC-GB18030.otf";

/// The message for "nothing found", kept in one place so tests can check it names the package.
pub(crate) const NO_FONT_MESSAGE: &str = "未找到可嵌入的中文字体：请安装 fonts-noto-cjk，\
     或在配置 [pdf] font_path 指定字体文件（TTF/OTF/TTC）";

/// A loaded CJK font, shared by all renders. Cloning is cheap (one `Arc`); it is `Send + Sync`.
#[derive(Clone)]
pub struct Fonts {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    index: u32,
    /// The same bytes krilla embeds from; kept to measure text with skrifa.
    data: Arc<Vec<u8>>,
    font: Font,
}

impl fmt::Debug for Fonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Fonts").field(&self.describe()).finish()
    }
}

impl Fonts {
    /// Loads the configured font, or discovers one.
    ///
    /// With `font_path` set, that file and face are used and any problem is an error (a configured
    /// font silently replaced by another would print documents that differ from what was chosen).
    /// Otherwise the first usable font of a fixed list of system paths wins, then whatever
    /// `fc-match 'sans-serif:lang=zh-cn'` reports, if fontconfig is installed, and last the
    /// font built into the binary.
    pub fn load(cfg: &PdfConfig) -> Result<Fonts, PdfError> {
        if cfg.font_path.trim().is_empty() {
            let candidates: Vec<(PathBuf, u32)> = CANDIDATES
                .iter()
                .map(|(p, i)| (PathBuf::from(p), *i))
                .collect();
            load_from(&candidates, true).or_else(|e| {
                tracing::info!(reason = %e, "no system CJK font: PDFs use the bundled font");
                Fonts::bundled()
            })
        } else {
            let path = Path::new(cfg.font_path.trim());
            try_load(path, cfg.font_index).map_err(|reason| PdfError::Font {
                path: path.display().to_string(),
                reason,
            })
        }
    }

    /// The font built into the binary.
    pub fn bundled() -> Result<Fonts, PdfError> {
        from_bytes(BUNDLED_NAME.into(), BUNDLED.to_vec(), 0).map_err(|reason| PdfError::Font {
            path: BUNDLED_NAME.into(),
            reason,
        })
    }

    /// Where the font came from, as `path#face`, for logs and the health page.
    pub fn describe(&self) -> String {
        format!("{}#{}", self.inner.path.display(), self.inner.index)
    }

    pub(crate) fn pdf_font(&self) -> Font {
        self.inner.font.clone()
    }

    pub(crate) fn measurer(&self) -> Result<Measurer<'_>, PdfError> {
        let font = FontRef::from_index(self.inner.data.as_slice(), self.inner.index)
            .map_err(|e| PdfError::Render(format!("字体解析失败：{e}")))?;
        Ok(Measurer::new(&font))
    }
}

// Rendering happens on blocking worker threads while the font is shared application state.
const _: fn() = || {
    fn shared<T: Send + Sync + Clone + 'static>() {}
    shared::<Fonts>();
};

/// Tries `candidates` in order, then (if `fc_match`) fontconfig's choice for Simplified Chinese.
pub(crate) fn load_from(candidates: &[(PathBuf, u32)], fc_match: bool) -> Result<Fonts, PdfError> {
    let mut tried = Vec::new();
    for (path, index) in candidates {
        if !path.is_file() {
            continue;
        }
        match try_load(path, *index) {
            Ok(fonts) => return Ok(fonts),
            Err(reason) => tried.push(format!("{}#{index}：{reason}", path.display())),
        }
    }
    if fc_match && let Some((path, index)) = fontconfig_choice() {
        match try_load(&path, index) {
            Ok(fonts) => return Ok(fonts),
            Err(reason) => tried.push(format!("{}#{index}：{reason}", path.display())),
        }
    }
    if tried.is_empty() {
        Err(PdfError::NoFont(NO_FONT_MESSAGE.to_owned()))
    } else {
        Err(PdfError::NoFont(format!(
            "{NO_FONT_MESSAGE}（已尝试但不可用：{}）",
            tried.join("；")
        )))
    }
}

/// Asks fontconfig, when present, which font it would use for Simplified Chinese.
fn fontconfig_choice() -> Option<(PathBuf, u32)> {
    let out = Command::new("fc-match")
        .args(["-f", "%{file}:%{index}", "sans-serif:lang=zh-cn"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let (file, index) = text.trim().rsplit_once(':')?;
    let index = index.trim().parse().ok()?;
    (!file.is_empty()).then(|| (PathBuf::from(file), index))
}

/// Loads one face; the error is a Chinese reason for [`PdfError::Font`].
fn try_load(path: &Path, index: u32) -> Result<Fonts, String> {
    let data = std::fs::read(path).map_err(|e| format!("无法读取文件（{e}）"))?;
    from_bytes(path.to_path_buf(), data, index)
}

/// Loads face `index` of a font file's bytes, checking that it has Chinese glyphs.
fn from_bytes(path: PathBuf, data: Vec<u8>, index: u32) -> Result<Fonts, String> {
    let data = Arc::new(data);
    let font_ref = FontRef::from_index(data.as_slice(), index).map_err(|_| {
        format!("不是可识别的字体文件（TTF/OTF/TTC），或字体集中不存在序号为 {index} 的字体")
    })?;
    let charmap = font_ref.charmap();
    if let Some(missing) = PROBE
        .chars()
        .find(|c| charmap.map(*c).is_none_or(|g| g.to_u32() == 0))
    {
        return Err(format!("字体不含中文字形（缺少“{missing}”）"));
    }
    let font = Font::new(krilla::Data::from(data.clone()), index)
        .ok_or_else(|| "PDF 引擎无法解析该字体".to_owned())?;
    Ok(Fonts {
        inner: Arc::new(Inner {
            path,
            index,
            data,
            font,
        }),
    })
}

/// Glyph lookup and advances in em units, without shaping.
///
/// Documents contain Chinese, digits and Latin identifiers only, for which one glyph per character
/// at its nominal advance is correct; measuring and drawing the same glyph run guarantees that a
/// line measured to fit a column is exactly as wide when drawn.
pub(crate) struct Measurer<'a> {
    charmap: Charmap<'a>,
    metrics: GlyphMetrics<'a>,
    units_per_em: f32,
}

impl<'a> Measurer<'a> {
    fn new(font: &FontRef<'a>) -> Self {
        let units_per_em = font
            .metrics(Size::unscaled(), LocationRef::default())
            .units_per_em;
        Measurer {
            charmap: font.charmap(),
            metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: f32::from(units_per_em.max(1)),
        }
    }

    /// Glyph id (0 = `.notdef` when the font lacks the character) and advance in em.
    pub(crate) fn glyph(&self, c: char) -> (u32, f32) {
        let gid = self.charmap.map(c).unwrap_or_default();
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        (gid.to_u32(), advance)
    }

    /// Width of `text` in points at `size`.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// One glyph per character, each mapped back to its bytes in `text` so that the PDF text layer
    /// (copy, search, pdftotext) reproduces the original string.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, c)| {
                let (gid, advance) = self.glyph(c);
                KrillaGlyph::new(
                    GlyphId::new(gid),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    /// Breaks `text` into lines no wider than `max_width` points at `size`.
    ///
    /// Chinese may break between any two characters (except before closing or after opening
    /// punctuation); identifiers and URLs preferably after `.` `-` `/` `_` `?` `&` `=` `,` or at
    /// spaces, and anywhere when a single token is wider than the column. `\n` forces a break.
    pub(crate) fn wrap(&self, text: &str, size: f32, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            self.wrap_paragraph(paragraph, size, max_width, &mut lines);
        }
        lines
    }

    fn wrap_paragraph(&self, text: &str, size: f32, max_width: f32, out: &mut Vec<String>) {
        let chars: Vec<(usize, char, f32)> = text
            .char_indices()
            .map(|(i, c)| (i, c, self.glyph(c).1 * size))
            .collect();
        let mut start = 0; // index into `chars` of the current line's first character
        let mut width = 0.0;
        let mut last_break: Option<usize> = None; // may break before chars[k]
        let mut k = 0;
        while k < chars.len() {
            let (_, c, w) = chars[k];
            if k > start && can_break_between(chars[k - 1].1, c) {
                last_break = Some(k);
            }
            if width + w > max_width && k > start && !c.is_whitespace() {
                let at = last_break.filter(|b| *b > start).unwrap_or(k);
                out.push(slice(text, &chars, start, at));
                start = at;
                while start < chars.len() && chars[start].1 == ' ' {
                    start += 1;
                }
                width = chars[start..k].iter().map(|x| x.2).sum();
                last_break = None;
                // Re-check the same character against the new line.
                continue;
            }
            width += w;
            k += 1;
        }
        let mut rest = slice(text, &chars, start, chars.len());
        // Avoid a lone ideograph on the last line ("…鉴定" / "所"): move one more character down.
        if let Some(prev) = out.last_mut().filter(|_| start > 0)
            && rest.chars().count() == 1
            && rest.chars().all(is_wide)
        {
            let mut tail = prev.chars().rev();
            if let (Some(last), Some(before)) = (tail.next(), tail.next())
                && is_wide(last)
                && can_break_between(before, last)
            {
                prev.pop();
                rest.insert(0, last);
            }
        }
        if !rest.is_empty() || text.trim().is_empty() {
            out.push(rest);
        }
    }
}

fn slice(text: &str, chars: &[(usize, char, f32)], from: usize, to: usize) -> String {
    let a = chars.get(from).map_or(text.len(), |c| c.0);
    let b = chars.get(to).map_or(text.len(), |c| c.0);
    text[a..b].trim_end().to_owned()
}

fn can_break_between(prev: char, next: char) -> bool {
    if is_closing(next) || is_opening(prev) {
        return false;
    }
    if prev.is_whitespace() || is_wide(prev) || is_wide(next) {
        return true;
    }
    matches!(
        prev,
        '.' | '-' | '/' | '_' | '?' | '&' | '=' | ',' | ';' | ':' | '|' | '#'
    )
}

fn is_closing(c: char) -> bool {
    "，。、；：？！）」』》〉】’”…·,.;:!?)]}%".contains(c)
}

fn is_opening(c: char) -> bool {
    "（「『《〈【‘“([{".contains(c)
}

/// CJK ideographs, kana, hangul, fullwidth forms and CJK punctuation: break opportunities on both
/// sides.
fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}')
}
