//! Geometry checks run everywhere a CJK font is installed; the end-to-end checks (text layer,
//! embedded subset font, QR decodable from a 150 dpi raster) additionally need poppler-utils and
//! zbar-tools, and are skipped without them unless `SJTEST_REQUIRE_BROWSER` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::font::{BUNDLED_NAME, Measurer, NO_FONT_MESSAGE, load_from};
use super::pdf::{ASCENT, Layout, MIN_MODULE, MIN_QR, MIN_TEXT, MM, Op, layout};
use super::qr::Matrix;
use super::*;

const INSTITUTION: &str = "浙江省杭州市西湖区华东司法鉴定中心法医临床与法医病理鉴定所";
const LICENCE_ID: &str = "1.2.156.3005.2.11100000000013338W032.113300000025025412.0000001.001.K";
const CODE: &str = "330000-2026-1-0000001-8";
const ADDRESS: &str = "浙江省杭州市西湖区文三路 477 号华星科技大厦 12 楼 1203 室";

fn long_url() -> String {
    let url = format!(
        "https://sijian.sft.zj.gov.cn/verify/opinion/{CODE}?key=K7Q2-9XWM-4TRP\
         &ts=20260314T091500Z&inst=113300000025025412&lic={LICENCE_ID}\
         &sig=Mx2pV8qZ0tWbN4cYhR7sJ1fL3kE9uA6dG5oP2iT8yB0nC4vX7mQ1wS3zK6hJ9"
    );
    assert!((230..=280).contains(&url.len()), "{}", url.len());
    url
}

fn require_or_skip(what: &str) {
    if std::env::var_os("SJTEST_REQUIRE_BROWSER").is_some() {
        panic!("{what} required");
    }
    eprintln!("skipping: {what} not installed");
}

fn fonts() -> Option<Fonts> {
    match Fonts::load(&PdfConfig::default()) {
        Ok(fonts) => Some(fonts),
        Err(e) => {
            eprintln!("{e}");
            require_or_skip("fonts-noto-cjk");
            None
        }
    }
}

fn tools() -> bool {
    let ok = ["pdftotext", "pdftoppm", "pdffonts", "pdfinfo", "zbarimg"]
        .iter()
        .all(|t| Command::new(t).arg("-v").output().is_ok());
    if !ok {
        require_or_skip("poppler-utils/zbar-tools");
    }
    ok
}

fn licence_lines() -> Vec<(&'static str, &'static str)> {
    vec![
        ("机构名称", INSTITUTION),
        ("统一社会信用代码", "12330000470003238X"),
        ("证照标识", LICENCE_ID),
        ("许可证号", "330112001"),
        ("法定代表人", "王建国"),
        ("机构负责人", "李秀英"),
        ("住所", ADDRESS),
        (
            "业务范围",
            "法医临床鉴定；法医病理鉴定；法医毒物鉴定；法医物证鉴定；声像资料鉴定",
        ),
        ("有效期限", "2026年03月14日至2031年03月13日"),
        ("发证机关", "浙江省司法厅"),
        ("发证日期", "2026年03月14日"),
    ]
}

fn licence<'a>(lines: &'a [(&'a str, &'a str)], url: &'a str) -> Card<'a> {
    Card {
        size: PageSize::A4,
        title: "司法鉴定许可证（电子证照）",
        subtitle: Some("依据《司法鉴定机构登记管理办法》颁发"),
        lines,
        qr: url,
        qr_caption: Some("扫码核验证照真伪"),
        footer: &[
            "本电子证照与纸质证照具有同等法律效力。",
            "核验方式：使用手机扫描右侧二维码，或登录浙江省司法鉴定管理平台输入证照标识查询。",
        ],
    }
}

fn label_lines() -> Vec<(&'static str, &'static str)> {
    vec![
        ("意见书编码", CODE),
        ("核验码", "K7Q2-9XWM-4TRP"),
        ("鉴定机构", INSTITUTION),
        ("机构地址", ADDRESS),
    ]
}

fn label<'a>(lines: &'a [(&'a str, &'a str)], url: &'a str) -> Card<'a> {
    Card {
        size: PageSize::Label,
        title: "鉴定意见书核验标签",
        subtitle: None,
        lines,
        qr: url,
        qr_caption: Some("扫码核验"),
        footer: &["请勿撕毁、涂改。扫码或登录司法鉴定管理平台核验本意见书真伪。"],
    }
}

fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp/screenshots")
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().expect(cmd);
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Writes the PDF, checks text layer, fonts, metadata, and decodes the QR from a raster.
fn check_pdf(name: &str, pdf: &[u8], card: &Card, expect: &[&str], page_pts: &str) {
    let dir = std::env::temp_dir().join(format!("sijian-documents-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let file_s = file.to_str().unwrap();

    // Raw order follows the content stream, so a wrapped value comes out as consecutive pieces.
    let text: String = run("pdftotext", &["-raw", "-enc", "UTF-8", file_s, "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for want in expect {
        let want: String = want.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            text.contains(&want),
            "{name}: {want} missing from text layer:\n{text}"
        );
    }

    let fonts = run("pdffonts", &[file_s]);
    let rows: Vec<Vec<&str>> = fonts
        .lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(!rows.is_empty(), "{name}: no fonts\n{fonts}");
    for row in &rows {
        let n = row.len();
        assert!(
            n >= 7 && row[n - 5] == "yes" && row[n - 4] == "yes",
            "{name}: font not embedded as subset:\n{fonts}"
        );
    }

    let info = run("pdfinfo", &[file_s]);
    let field = |key: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
    };
    assert_eq!(field("Title"), Some(card.title), "{info}");
    assert!(
        field("Page size").is_some_and(|v| v.starts_with(page_pts)),
        "{info}"
    );
    assert_eq!(field("Pages"), Some("1"), "{info}");

    let prefix = dir.join(name);
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            "-singlefile",
            file_s,
            prefix.to_str().unwrap(),
        ],
    );
    let png = prefix.with_extension("png");
    let shots = screenshots();
    std::fs::create_dir_all(&shots).unwrap();
    std::fs::copy(&png, shots.join(format!("{name}.png"))).unwrap();

    let decoded = run("zbarimg", &["--raw", "-q", png.to_str().unwrap()]);
    assert_eq!(
        decoded.trim_end_matches('\n'),
        card.qr,
        "{name}: QR content"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn licence_pdf_has_text_subset_font_and_scannable_qr() {
    let Some(fonts) = fonts() else { return };
    let url = long_url();
    let lines = licence_lines();
    let card = licence(&lines, &url);
    let pdf = render(&card, &fonts).expect("render");
    eprintln!("licence.pdf: {} bytes ({})", pdf.len(), fonts.describe());
    assert!(pdf.starts_with(b"%PDF-"));
    if !tools() {
        return;
    }
    check_pdf(
        "licence",
        &pdf,
        &card,
        &[
            INSTITUTION,
            LICENCE_ID,
            ADDRESS,
            "扫码核验证照真伪",
            "具有同等法律效力",
        ],
        "595.276 x 841.89 pts",
    );
}

#[test]
fn label_pdf_has_text_subset_font_and_scannable_qr() {
    let Some(fonts) = fonts() else { return };
    let url = long_url();
    let lines = label_lines();
    let card = label(&lines, &url);
    let pdf = render(&card, &fonts).expect("render");
    eprintln!("label.pdf: {} bytes ({})", pdf.len(), fonts.describe());
    if !tools() {
        return;
    }
    check_pdf(
        "label",
        &pdf,
        &card,
        &[INSTITUTION, CODE, ADDRESS, "鉴定意见书核验标签"],
        "283.465 x 198.425 pts",
    );
}

/// Bounding box of a text op: the em box around the baseline.
fn text_box(m: &Measurer, op: &Op) -> Option<(f32, f32, f32, f32, f32)> {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            text,
            ..
        } => Some((
            *x,
            baseline - ASCENT * size,
            x + m.width(text, *size),
            baseline + (1.0 - ASCENT) * size,
            *size,
        )),
        _ => None,
    }
}

fn overlaps(a: (f32, f32, f32, f32), b: (f32, f32, f32, f32)) -> bool {
    const EPS: f32 = 0.01;
    a.0 < b.2 - EPS && b.0 < a.2 - EPS && a.1 < b.3 - EPS && b.1 < a.3 - EPS
}

/// Text stays on the page inside the margins, never overlaps other text or the QR code (with its
/// quiet zone), is at least 7 pt, and the QR symbol is at least 25 mm.
fn assert_clean(m: &Measurer, layout: &Layout, matrix: &Matrix, margin: f32) {
    let boxes: Vec<_> = layout.ops.iter().filter_map(|op| text_box(m, op)).collect();
    assert!(!boxes.is_empty());
    let qr: Vec<_> = layout
        .ops
        .iter()
        .filter_map(|op| match op {
            Op::Qr { x, y, size } => Some((*x, *y, x + size, y + size, *size)),
            _ => None,
        })
        .collect();
    assert_eq!(qr.len(), 1);
    let q = qr[0];
    let symbol = q.4 * matrix.symbol_modules() as f32 / matrix.total_modules() as f32;
    assert!(symbol >= MIN_QR - 0.01, "QR symbol {} mm", symbol / MM);
    let module = symbol / matrix.symbol_modules() as f32;
    assert!(module >= MIN_MODULE - 0.001, "QR module {} mm", module / MM);
    for (i, b) in boxes.iter().enumerate() {
        assert!(b.4 >= MIN_TEXT, "text below 7 pt: {b:?}");
        assert!(
            b.0 >= margin - 0.01 && b.2 <= layout.width - margin + 0.01,
            "text outside margins: {b:?}"
        );
        assert!(
            b.1 >= margin && b.3 <= layout.height - margin,
            "text off page: {b:?}"
        );
        assert!(
            !overlaps((b.0, b.1, b.2, b.3), (q.0, q.1, q.2, q.3)),
            "text under QR: {b:?}"
        );
        for c in &boxes[i + 1..] {
            assert!(
                !overlaps((b.0, b.1, b.2, b.3), (c.0, c.1, c.2, c.3)),
                "text overlaps: {b:?} {c:?}"
            );
        }
    }
}

#[test]
fn layouts_keep_text_apart_and_inside() {
    let Some(fonts) = fonts() else { return };
    let m = fonts.measurer().unwrap();
    let url = long_url();
    let lines = licence_lines();
    let card = licence(&lines, &url);
    let matrix = Matrix::encode(card.qr).unwrap();
    assert_clean(&m, &layout(&card, &m, &matrix).unwrap(), &matrix, 22.0 * MM);

    let lines = label_lines();
    let card = label(&lines, &url);
    assert_clean(&m, &layout(&card, &m, &matrix).unwrap(), &matrix, 4.0 * MM);

    // A 400-character URL still gives a 25 mm symbol on the sticker.
    let url = format!("{url}{}", "x".repeat(400 - url.len()));
    let card = label(&lines, &url);
    let matrix = Matrix::encode(card.qr).unwrap();
    assert_clean(&m, &layout(&card, &m, &matrix).unwrap(), &matrix, 4.0 * MM);
}

#[test]
fn overlong_content_shrinks_then_is_refused() {
    let Some(fonts) = fonts() else { return };
    let m = fonts.measurer().unwrap();
    let url = long_url();
    let matrix = Matrix::encode(&url).unwrap();

    // Somewhat too much for 8.5 pt: shrinks, stays legible.
    let long = format!("{ADDRESS}{ADDRESS}");
    let lines = [
        ("意见书编码", CODE),
        ("鉴定机构", INSTITUTION),
        ("机构地址", long.as_str()),
    ];
    let card = label(&lines, &url);
    assert_clean(&m, &layout(&card, &m, &matrix).unwrap(), &matrix, 4.0 * MM);

    // Far too much: a clear error, not text off the page.
    let huge = ADDRESS.repeat(12);
    let lines = [("机构地址", huge.as_str())];
    let card = label(&lines, &url);
    let err = render(&card, &fonts).unwrap_err();
    assert!(matches!(err, PdfError::Render(_)), "{err:?}");
    assert!(err.to_string().contains("无法"), "{err}");
}

#[test]
fn wrapping_respects_width_and_prefers_separators() {
    let Some(fonts) = fonts() else { return };
    let m = fonts.measurer().unwrap();
    let max = 160.0;
    let lines = m.wrap(LICENCE_ID, 10.0, max);
    assert!(lines.len() > 1);
    assert_eq!(lines.concat(), LICENCE_ID);
    for line in &lines[..lines.len() - 1] {
        assert!(m.width(line, 10.0) <= max, "{line}");
        assert!(line.ends_with('.'), "breaks after a dot: {line}");
    }
    let lines = m.wrap(INSTITUTION, 10.0, 100.0);
    assert!(lines.len() > 1);
    assert_eq!(lines.concat(), INSTITUTION);
    assert!(lines.iter().all(|l| m.width(l, 10.0) <= 100.0));

    // No line starts with closing punctuation.
    let lines = m.wrap(
        "法医临床鉴定；法医病理鉴定；法医毒物鉴定；法医物证鉴定",
        10.0,
        60.0,
    );
    assert!(lines.iter().all(|l| !l.starts_with('；')), "{lines:?}");

    // A token without break opportunities is split anyway; explicit newlines are kept.
    let lines = m.wrap(&"W".repeat(80), 10.0, 100.0);
    assert!(lines.len() > 1 && lines.iter().all(|l| m.width(l, 10.0) <= 100.0));
    assert_eq!(
        m.wrap("第一行\n第二行", 10.0, 500.0),
        vec!["第一行", "第二行"]
    );
    assert_eq!(m.wrap("", 10.0, 500.0), vec![String::new()]);
}

#[test]
fn configured_font_that_does_not_exist_is_an_error_naming_the_path() {
    let cfg = PdfConfig {
        font_path: "/nonexistent/fonts/NoSuchFont.ttc".to_owned(),
        font_index: 2,
    };
    let err = Fonts::load(&cfg).unwrap_err();
    assert!(
        matches!(&err, PdfError::Font { path, .. } if path == &cfg.font_path),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("/nonexistent/fonts/NoSuchFont.ttc"),
        "{err}"
    );
}

#[test]
fn configured_file_that_is_not_a_font_is_an_error() {
    let file = std::env::temp_dir().join(format!("sijian-not-a-font-{}.ttf", std::process::id()));
    std::fs::write(&file, b"this is not a font, just some text\n").unwrap();
    let cfg = PdfConfig {
        font_path: file.display().to_string(),
        font_index: 0,
    };
    let err = Fonts::load(&cfg).unwrap_err();
    let _ = std::fs::remove_file(&file);
    assert!(matches!(err, PdfError::Font { .. }), "{err:?}");
    assert!(err.to_string().contains("字体"), "{err}");

    // A real font without Chinese glyphs is refused too.
    let latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if Path::new(latin).is_file() {
        let cfg = PdfConfig {
            font_path: latin.to_owned(),
            font_index: 0,
        };
        let err = Fonts::load(&cfg).unwrap_err();
        assert!(err.to_string().contains("中文"), "{err}");
        // …and skipped during discovery.
        let err = load_from(&[(PathBuf::from(latin), 0)], false).unwrap_err();
        assert!(matches!(err, PdfError::NoFont(_)), "{err:?}");
    }
}

#[test]
fn no_font_message_is_chinese_and_names_the_package() {
    let err = load_from(&[], false).unwrap_err();
    assert!(matches!(err, PdfError::NoFont(_)), "{err:?}");
    let msg = err.to_string();
    assert_eq!(msg, NO_FONT_MESSAGE);
    assert!(
        msg.contains("fonts-noto-cjk") && msg.contains("中文字体") && msg.contains("font_path")
    );
    let missing = [(PathBuf::from("/nonexistent/a.ttc"), 0)];
    assert!(matches!(
        load_from(&missing, false),
        Err(PdfError::NoFont(_))
    ));
}

/// The bundled fallback has every ideograph GB 18030 requires (CJK Unified Ideographs to
/// U+9FA5 and Extension A), and a licence printed with it carries its text.
#[test]
fn bundled_font_covers_gb18030_ideographs_and_prints_a_licence() {
    let fonts = Fonts::bundled().expect("the bundled font loads");
    assert!(fonts.describe().starts_with(BUNDLED_NAME), "{fonts:?}");
    let m = fonts.measurer().unwrap();
    let required = ('\u{4e00}'..='\u{9fa5}').chain('\u{3400}'..='\u{4db5}');
    let missing: Vec<char> = required.filter(|c| m.glyph(*c).0 == 0).collect();
    assert!(missing.is_empty(), "{} missing: {missing:?}", missing.len());
    for c in "０１２ＡＢ，。：；“”（）《》、ABCabc0123-/·".chars() {
        assert_ne!(m.glyph(c).0, 0, "{c}");
    }
    let url = long_url();
    let lines = licence_lines();
    let card = licence(&lines, &url);
    let pdf = render(&card, &fonts).expect("render");
    assert!(pdf.starts_with(b"%PDF-"));
    if tools() {
        check_pdf(
            "licence-bundled",
            &pdf,
            &card,
            &[INSTITUTION, ADDRESS],
            "595.276 x 841.89 pts",
        );
    }
}

#[test]
fn discovered_font_describes_itself() {
    let Some(fonts) = fonts() else { return };
    let described = fonts.describe();
    assert!(described.contains('#'), "{described}");
    assert!(format!("{fonts:?}").contains(&described));
    let again = fonts.clone();
    assert_eq!(again.describe(), described);
}

#[test]
fn qr_svg_is_inline_svg_with_viewbox() {
    let svg = qr_svg(&long_url(), 160, "二维码").unwrap();
    assert!(svg.starts_with("<svg "), "{}", &svg[..40]);
    assert!(svg.contains(r#"width="160" height="160""#));
    let matrix = Matrix::encode(&long_url()).unwrap();
    let n = matrix.total_modules();
    assert!(
        svg.contains(&format!(r#"viewBox="0 0 {n} {n}""#)),
        "{}",
        &svg[..200]
    );
    assert!(svg.ends_with("</svg>"));
    assert!(!svg.contains("<?xml"));
}

#[test]
fn qr_content_too_long_is_a_qr_error() {
    let err = qr_svg(&"x".repeat(4000), 100, "二维码").unwrap_err();
    assert!(matches!(err, PdfError::Qr(_)), "{err:?}");
    assert!(err.to_string().starts_with("无法生成二维码"), "{err}");
}

#[test]
fn config_section_parses_with_defaults_and_rejects_unknown_keys() {
    let cfg: PdfConfig = toml::from_str("").unwrap();
    assert!(cfg.font_path.is_empty() && cfg.font_index == 0);
    let cfg: PdfConfig = toml::from_str("font_path = \"/x.ttc\"\nfont_index = 2").unwrap();
    assert_eq!((cfg.font_path.as_str(), cfg.font_index), ("/x.ttc", 2));
    assert!(toml::from_str::<PdfConfig>("font = \"/x.ttc\"").is_err());
}
