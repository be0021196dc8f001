//! Page layout and PDF output for a [`Card`].
//!
//! Layout is computed first as a list of positioned drawing operations (so tests can check the
//! geometry without a PDF reader), then written with krilla. When the content does not fit at the
//! nominal sizes, everything is scaled down step by step, but no text below 7 pt and no QR symbol
//! below 25 mm: beyond that the card is refused rather than printed illegibly.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineJoin, Stroke};
use krilla::surface::Surface;

use super::font::{Fonts, Measurer};
use super::qr::{Matrix, QUIET_ZONE};
use super::{Card, PageSize, PdfError};

/// Points per millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// Smallest font size used anywhere (pt): smaller is hard to read on a printed sticker.
pub(crate) const MIN_TEXT: f32 = 7.0;
/// Smallest printed QR symbol (without quiet zone): phone cameras struggle below this.
pub(crate) const MIN_QR: f32 = 25.0 * MM;
/// Smallest printed QR module: below about 0.4 mm phone cameras and 150 dpi rasters lose long URLs,
/// so long content makes the symbol bigger rather than denser.
pub(crate) const MIN_MODULE: f32 = 0.4 * MM;
/// Part of the em box above the baseline for CJK ideographs (Noto/Source Han, WenQuanYi ≈ 0.88);
/// used to place a line of text in its line box.
pub(crate) const ASCENT: f32 = 0.88;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(u8, u8, u8);

/// Where a table goes on the page and how it is set: left edge, width, top, body size, and the
/// cell padding across and down.
#[derive(Debug, Clone, Copy)]
struct TableBox {
    x: f32,
    width: f32,
    top: f32,
    body: f32,
    pad_x: f32,
    pad_y: f32,
}

const INK: Rgb = Rgb(17, 17, 17);
const LABEL: Rgb = Rgb(64, 64, 64);
const MUTED: Rgb = Rgb(96, 96, 96);
/// The red of official seals and document headers.
const ACCENT: Rgb = Rgb(168, 28, 28);
const GRID: Rgb = Rgb(140, 140, 140);
const SHADE: Rgb = Rgb(243, 243, 243);
const WHITE: Rgb = Rgb(255, 255, 255);
const BLACK: Rgb = Rgb(0, 0, 0);

/// One positioned drawing operation; y grows downwards from the top of the page.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        text: String,
        color: Rgb,
        bold: bool,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: Rgb,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(f32, Rgb)>,
    },
    /// The QR code including its quiet zone; `size` is the outer edge length.
    Qr { x: f32, y: f32, size: f32 },
}

/// A laid-out page.
#[derive(Debug)]
pub(crate) struct Layout {
    pub(crate) width: f32,
    pub(crate) height: f32,
    pub(crate) ops: Vec<Op>,
}

/// Renders `card` as a one-page PDF with the font subset embedded.
pub fn render(card: &Card, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    let matrix = Matrix::encode(card.qr)?;
    let measurer = fonts.measurer()?;
    let layout = layout(card, &measurer, &matrix)?;
    write_pdf(card, &layout, fonts, &measurer, &matrix)
}

/// Finds the largest scale (100 %, 95 %, …) at which the card fits its page.
pub(crate) fn layout(card: &Card, m: &Measurer, matrix: &Matrix) -> Result<Layout, PdfError> {
    for step in 0..=14u8 {
        let scale = 1.0 - f32::from(step) * 0.05;
        let laid_out = match card.size {
            PageSize::A4 => layout_a4(card, m, matrix, scale),
            PageSize::Label => layout_label(card, m, matrix, scale),
        };
        if let Some(layout) = laid_out {
            return Ok(layout);
        }
    }
    Err(PdfError::Render(
        "内容过多，最小字号下仍无法在一页内排下，请精简文字".to_owned(),
    ))
}

/// A4 portrait certificate: red double frame, centred title, a two-column table of the lines,
/// and at the foot the QR code (right) beside the small print (left).
fn layout_a4(card: &Card, m: &Measurer, matrix: &Matrix, s: f32) -> Option<Layout> {
    let (w, h) = (210.0 * MM, 297.0 * MM);
    let mut c = Canvas::new(m);
    c.frame(10.0 * MM, w, h, 1.6);
    c.frame(11.6 * MM, w, h, 0.5);

    let (x0, x1) = (22.0 * MM, w - 22.0 * MM);
    let cw = x1 - x0;
    let mut y = 26.0 * MM;
    y = c.block(
        card.title,
        x0,
        cw,
        y,
        &Style::new(size(22.0, s), 1.3, INK).bold().center(),
    );
    if let Some(sub) = card.subtitle {
        y += 3.0 * s;
        y = c.block(
            sub,
            x0,
            cw,
            y,
            &Style::new(size(11.0, s), 1.4, MUTED).center(),
        );
    }
    y += 9.0 * s;
    c.rule(x0, x1, y, 1.6, ACCENT);
    c.rule(x0, x1, y + 3.0, 0.5, ACCENT);
    y += 3.0 + 16.0 * s;

    let body = size(12.0, s);
    let at = TableBox {
        x: x0,
        width: cw,
        top: y,
        body,
        pad_x: (8.0 * s).max(4.0),
        pad_y: (6.0 * s).max(3.0),
    };
    y = c.table(card.lines, at);

    // Foot: QR block bottom-right, small print bottom-left, both ending at the bottom margin.
    let bottom = h - 22.0 * MM;
    let code = qr_size(matrix, 40.0 * MM * s);
    let quiet = quiet_width(matrix, code);
    let caption = Style::new(size(10.0, s), 1.35, INK).center();
    let cap_w = code + 2.0 * quiet;
    let cap_h = card
        .qr_caption
        .map_or(0.0, |t| c.height(t, cap_w, &caption));
    let code_x = x1 - code;
    let code_y = bottom - cap_h - quiet - code;
    c.qr(code_x, code_y, code, quiet);
    if let Some(t) = card.qr_caption {
        c.block(t, code_x - quiet, cap_w, code_y + code + quiet, &caption);
    }
    let small = Style::new(size(9.0, s), 1.55, MUTED);
    let fw = code_x - quiet - 8.0 * MM - x0;
    let foot_top = bottom - c.paragraphs_height(card.footer, fw, &small, 2.0 * s);
    c.paragraphs(card.footer, x0, fw, foot_top, &small, 2.0 * s);
    if !card.footer.is_empty() {
        c.rule(x0, x0 + fw, foot_top - 6.0 * s, 0.5, GRID);
    }

    let foot_top = foot_top - if card.footer.is_empty() { 0.0 } else { 6.0 * s };
    (y + 10.0 * MM * s.max(0.5) <= foot_top.min(code_y - quiet)).then(|| c.finish(w, h))
}

/// 100 mm × 70 mm sticker: title band, lines on the left, QR code on the right, small print along
/// the bottom.
fn layout_label(card: &Card, m: &Measurer, matrix: &Matrix, s: f32) -> Option<Layout> {
    let (w, h) = (100.0 * MM, 70.0 * MM);
    let mut c = Canvas::new(m);
    c.frame(2.0 * MM, w, h, 0.8);

    let (x0, x1) = (5.0 * MM, w - 5.0 * MM);
    let cw = x1 - x0;
    let mut y = 4.4 * MM;
    y = c.block(
        card.title,
        x0,
        cw,
        y,
        &Style::new(size(11.5, s), 1.3, INK).bold().center(),
    );
    if let Some(sub) = card.subtitle {
        y = c.block(
            sub,
            x0,
            cw,
            y,
            &Style::new(size(7.5, s), 1.3, MUTED).center(),
        );
    }
    y += 1.8;
    c.rule(x0, x1, y, 0.8, ACCENT);
    let rule_y = y;
    y += 3.5 * s.max(0.6);

    let bottom = h - 4.2 * MM;
    let small = Style::new(MIN_TEXT, 1.3, MUTED);
    let foot_top = bottom - c.paragraphs_height(card.footer, cw, &small, 0.0);
    c.paragraphs(card.footer, x0, cw, foot_top, &small, 0.0);
    let body_bottom = if card.footer.is_empty() {
        bottom
    } else {
        c.rule(x0, x1, foot_top - 2.0, 0.4, GRID);
        foot_top - 4.0
    };

    // QR code: visible symbol aligned with the right margin and the top of the body.
    // The quiet zone must stay clear, so it may not reach up to the rule.
    let code = qr_size(matrix, 30.0 * MM * s);
    let quiet = quiet_width(matrix, code);
    let caption = Style::new(size(7.5, s), 1.3, INK).center();
    let code_x = x1 - code;
    let code_y = y.max(rule_y + quiet + 1.0);
    let cap_w = code + 2.0 * quiet;
    let cap_h = card
        .qr_caption
        .map_or(0.0, |t| c.height(t, cap_w, &caption));
    c.qr(code_x, code_y, code, quiet);
    let mut qr_bottom = code_y + code + quiet;
    if let Some(t) = card.qr_caption {
        c.block(t, code_x - quiet, cap_w, qr_bottom, &caption);
        qr_bottom += cap_h;
    }

    let col_right = code_x - quiet - 1.0 * MM;
    let lines_bottom = c.pairs(card.lines, x0, col_right - x0, y, size(8.5, s), 1.6 * s);

    (lines_bottom <= body_bottom && qr_bottom <= body_bottom).then(|| c.finish(w, h))
}

/// A font size scaled by `s`, never below [`MIN_TEXT`].
fn size(nominal: f32, s: f32) -> f32 {
    (nominal * s).max(MIN_TEXT)
}

/// Visible QR symbol edge: the wish, but never below [`MIN_QR`] or modules of [`MIN_MODULE`].
fn qr_size(matrix: &Matrix, wish: f32) -> f32 {
    wish.max(MIN_QR)
        .max(matrix.symbol_modules() as f32 * MIN_MODULE)
}

/// Width of the 4-module quiet zone for a symbol drawn `code` points wide.
fn quiet_width(matrix: &Matrix, code: f32) -> f32 {
    code / matrix.symbol_modules() as f32 * QUIET_ZONE as f32
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
}

#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    /// Line box height as a multiple of the font size.
    leading: f32,
    color: Rgb,
    bold: bool,
    align: Align,
}

impl Style {
    fn new(size: f32, leading: f32, color: Rgb) -> Self {
        Style {
            size,
            leading,
            color,
            bold: false,
            align: Align::Left,
        }
    }
    fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    fn center(mut self) -> Self {
        self.align = Align::Center;
        self
    }
    fn line_height(&self) -> f32 {
        self.size * self.leading
    }
}

/// Collects drawing operations; all text goes through [`Canvas::block`], which wraps.
struct Canvas<'m, 'f> {
    m: &'m Measurer<'f>,
    ops: Vec<Op>,
}

impl<'m, 'f> Canvas<'m, 'f> {
    fn new(m: &'m Measurer<'f>) -> Self {
        Canvas { m, ops: Vec::new() }
    }

    fn finish(self, width: f32, height: f32) -> Layout {
        Layout {
            width,
            height,
            ops: self.ops,
        }
    }

    fn lines(&self, text: &str, width: f32, st: &Style) -> Vec<String> {
        self.m.wrap(&clean(text), st.size, width)
    }

    fn height(&self, text: &str, width: f32, st: &Style) -> f32 {
        self.lines(text, width, st).len() as f32 * st.line_height()
    }

    /// Draws `text` wrapped to `width` starting at `top`; returns the bottom of the last line.
    fn block(&mut self, text: &str, x: f32, width: f32, top: f32, st: &Style) -> f32 {
        let lh = st.line_height();
        let mut y = top;
        for line in self.lines(text, width, st) {
            let advance = self.m.width(&line, st.size);
            let lx = match st.align {
                Align::Left => x,
                Align::Center => x + (width - advance).max(0.0) / 2.0,
            };
            if !line.is_empty() {
                self.ops.push(Op::Text {
                    x: lx,
                    baseline: y + (lh - st.size) / 2.0 + ASCENT * st.size,
                    size: st.size,
                    text: line,
                    color: st.color,
                    bold: st.bold,
                });
            }
            y += lh;
        }
        y
    }

    fn paragraphs_height(&self, items: &[&str], width: f32, st: &Style, gap: f32) -> f32 {
        let text: f32 = items.iter().map(|t| self.height(t, width, st)).sum();
        text + gap * items.len().saturating_sub(1) as f32
    }

    fn paragraphs(&mut self, items: &[&str], x: f32, width: f32, top: f32, st: &Style, gap: f32) {
        let mut y = top;
        for item in items {
            y = self.block(item, x, width, y, st) + gap;
        }
    }

    /// Width of the label column: the widest label (plus padding), at most `max`.
    fn label_width(&self, lines: &[(&str, &str)], size: f32, pad: f32, max: f32) -> f32 {
        let widest = lines
            .iter()
            .map(|(label, _)| self.m.width(&clean(label), size))
            .fold(0.0, f32::max);
        (widest + 2.0 * pad).min(max)
    }

    /// Ruled two-column table with shaded label cells (A4); returns its bottom.
    fn table(&mut self, lines: &[(&str, &str)], at: TableBox) -> f32 {
        let TableBox {
            x,
            width,
            top,
            body,
            pad_x,
            pad_y,
        } = at;
        if lines.is_empty() {
            return top;
        }
        let label_st = Style::new(body, 1.45, LABEL);
        let value_st = Style::new(body, 1.45, INK);
        let lw = self.label_width(lines, body, pad_x, width * 0.34);
        let vw = width - lw;
        let mut y = top;
        let mut row_tops = Vec::with_capacity(lines.len());
        for (label, value) in lines {
            let rows = self
                .lines(label, lw - 2.0 * pad_x, &label_st)
                .len()
                .max(self.lines(value, vw - 2.0 * pad_x, &value_st).len());
            let row_h = rows as f32 * value_st.line_height() + 2.0 * pad_y;
            self.fill(x, y, lw, row_h, SHADE);
            self.block(label, x + pad_x, lw - 2.0 * pad_x, y + pad_y, &label_st);
            self.block(
                value,
                x + lw + pad_x,
                vw - 2.0 * pad_x,
                y + pad_y,
                &value_st,
            );
            row_tops.push(y);
            y += row_h;
        }
        for row_top in row_tops.iter().skip(1) {
            self.rule(x, x + width, *row_top, 0.5, GRID);
        }
        self.ops.push(Op::Line {
            from: (x + lw, top),
            to: (x + lw, y),
            width: 0.5,
            color: GRID,
        });
        self.ops.push(Op::Rect {
            x,
            y: top,
            w: width,
            h: y - top,
            fill: None,
            stroke: Some((1.0, LABEL)),
        });
        y
    }

    /// Unruled label/value pairs (sticker); returns the bottom.
    fn pairs(
        &mut self,
        lines: &[(&str, &str)],
        x: f32,
        width: f32,
        top: f32,
        body: f32,
        gap: f32,
    ) -> f32 {
        let label_st = Style::new(body, 1.35, MUTED);
        let value_st = Style::new(body, 1.35, INK);
        let gutter = body * 0.8;
        let lw = self.label_width(lines, body, 0.0, width * 0.4);
        let vx = x + lw + gutter;
        let vw = width - lw - gutter;
        let mut y = top;
        for (i, (label, value)) in lines.iter().enumerate() {
            if i > 0 {
                y += gap;
            }
            let a = self.block(label, x, lw, y, &label_st);
            let b = self.block(value, vx, vw, y, &value_st);
            y = a.max(b);
        }
        y
    }

    fn rule(&mut self, x0: f32, x1: f32, y: f32, width: f32, color: Rgb) {
        self.ops.push(Op::Line {
            from: (x0, y),
            to: (x1, y),
            width,
            color,
        });
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.ops.push(Op::Rect {
            x,
            y,
            w,
            h,
            fill: Some(color),
            stroke: None,
        });
    }

    /// Page border inset by `inset` on all sides.
    fn frame(&mut self, inset: f32, w: f32, h: f32, width: f32) {
        self.ops.push(Op::Rect {
            x: inset,
            y: inset,
            w: w - 2.0 * inset,
            h: h - 2.0 * inset,
            fill: None,
            stroke: Some((width, ACCENT)),
        });
    }

    /// QR symbol of edge `code` at (`x`, `y`), with its quiet zone of `quiet` around it.
    fn qr(&mut self, x: f32, y: f32, code: f32, quiet: f32) {
        self.ops.push(Op::Qr {
            x: x - quiet,
            y: y - quiet,
            size: code + 2.0 * quiet,
        });
    }
}

/// Tabs and other control characters would draw as missing-glyph boxes; `\n` is kept as a break.
fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

fn paint(c: Rgb) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

fn fill_with(c: Rgb) -> Option<Fill> {
    Some(Fill {
        paint: paint(c),
        ..Fill::default()
    })
}

fn stroke_with(width: f32, c: Rgb) -> Stroke {
    Stroke {
        paint: paint(c),
        width,
        ..Stroke::default()
    }
}

fn rect(x: f32, y: f32, w: f32, h: f32) -> Result<Rect, PdfError> {
    Rect::from_xywh(x, y, w, h)
        .ok_or_else(|| PdfError::Render(format!("无效的矩形 {x},{y},{w},{h}")))
}

fn write_pdf(
    card: &Card,
    layout: &Layout,
    fonts: &Fonts,
    m: &Measurer,
    matrix: &Matrix,
) -> Result<Vec<u8>, PdfError> {
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(card.title.to_owned())
            .language("zh-CN".to_owned()),
    );
    let settings = PageSettings::from_wh(layout.width, layout.height)
        .ok_or_else(|| PdfError::Render("无效的页面尺寸".to_owned()))?;
    let mut page = doc.start_page_with(settings);
    let mut surface = page.surface();
    let font = fonts.pdf_font();
    for op in &layout.ops {
        match op {
            Op::Text {
                x,
                baseline,
                size,
                text,
                color,
                bold,
                ..
            } => {
                surface.set_fill(fill_with(*color));
                // Faux bold: stroking the outlines as well keeps one embedded font (one subset)
                // while still giving the title weight.
                surface.set_stroke(if *bold {
                    Some(Stroke {
                        line_join: LineJoin::Round,
                        ..stroke_with(size * 0.035, *color)
                    })
                } else {
                    None
                });
                let glyphs = m.glyphs(text);
                surface.draw_glyphs(
                    Point::from_xy(*x, *baseline),
                    &glyphs,
                    font.clone(),
                    text,
                    *size,
                    false,
                );
            }
            Op::Line {
                from,
                to,
                width,
                color,
            } => {
                let mut pb = PathBuilder::new();
                pb.move_to(from.0, from.1);
                pb.line_to(to.0, to.1);
                surface.set_fill(None);
                surface.set_stroke(Some(stroke_with(*width, *color)));
                draw(&mut surface, pb)?;
            }
            Op::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                let mut pb = PathBuilder::new();
                pb.push_rect(rect(*x, *y, *w, *h)?);
                surface.set_fill(fill.and_then(fill_with));
                surface.set_stroke(stroke.map(|(width, c)| stroke_with(width, c)));
                draw(&mut surface, pb)?;
            }
            Op::Qr { x, y, size } => draw_qr(&mut surface, matrix, *x, *y, *size)?,
        }
    }
    surface.finish();
    page.finish();
    doc.finish()
        .map_err(|e| PdfError::Render(format!("PDF 序列化失败：{e}")))
}

fn draw(surface: &mut Surface, pb: PathBuilder) -> Result<(), PdfError> {
    let path = pb
        .finish()
        .ok_or_else(|| PdfError::Render("无效的路径".to_owned()))?;
    surface.draw_path(&path);
    Ok(())
}

/// Draws the QR code (quiet zone included) as one white square and one path of dark runs.
fn draw_qr(
    surface: &mut Surface,
    matrix: &Matrix,
    x: f32,
    y: f32,
    size: f32,
) -> Result<(), PdfError> {
    let module = size / matrix.total_modules() as f32;
    surface.set_stroke(None);
    surface.set_fill(fill_with(WHITE));
    let mut pb = PathBuilder::new();
    pb.push_rect(rect(x, y, size, size)?);
    draw(surface, pb)?;

    surface.set_fill(fill_with(BLACK));
    let mut pb = PathBuilder::new();
    for (mx, my, len) in matrix.runs() {
        pb.push_rect(rect(
            x + mx as f32 * module,
            y + my as f32 * module,
            len as f32 * module,
            module,
        )?);
    }
    draw(surface, pb)
}
