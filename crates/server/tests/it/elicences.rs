//! Electronic licences on both engines: GB/T 36904 identifiers with their check character, a
//! status that follows the register, signed QR tokens, malformed identifiers refused; the
//! licence PDF and the opinion's cover label rendered and read back (text layer and QR code);
//! PDF output disabled with the reason when no CJK font can be loaded.
use crate::common;

use common::{Client, Engine, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use sijian_domain::identifiers::ElectronicLicenceId;
use sijian_ledger::Verifier;
use std::path::PathBuf;
use std::process::Command;

async fn institution_id(app: &TestApp, name: &str) -> i64 {
    let rows: Vec<(i64,)> = app
        .db
        .fetch_all(
            "SELECT id FROM institutions WHERE name = $1",
            sijian_store::args![name],
        )
        .await
        .unwrap();
    rows[0].0
}

async fn keys(app: &TestApp) -> Vec<Verifier> {
    reqwest::get(app.url("/api/v1/verification/keys"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| Verifier::parse(l).unwrap())
        .collect()
}

async fn licence(app: &TestApp, kind: &str, id: i64) -> Value {
    let (st, v) = app
        .anon()
        .get(&format!("/api/v1/public/{kind}/{id}/licence"))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

async fn verify(app: &TestApp, id: &str, t: Option<&str>) -> (StatusCode, Value) {
    let q = t.map(|t| format!("?t={t}")).unwrap_or_default();
    app.anon()
        .get(&format!("/api/v1/licences/{id}/verification{q}"))
        .await
}

both_engines!(
    electronic_licences_follow_the_register,
    async |app: &TestApp| {
        let inst = institution_id(app, "浙江明正司法鉴定中心").await;
        let l = licence(app, "institutions", inst).await;
        let id = l["id"].as_str().unwrap().to_string();
        let parsed = ElectronicLicenceId::parse(&id).unwrap();
        assert_eq!(parsed.issuer().as_str(), "113300000024820075");
        assert_eq!(
            (l["status"].as_str(), l["status_label"].as_str()),
            (Some("valid"), Some("有效"))
        );
        assert_eq!(l["holder"], "浙江明正司法鉴定中心");

        // The QR token verifies offline and on the platform; a tampered one does not.
        let qr = l["qr_content"].as_str().unwrap();
        assert!(qr.contains(&format!("/l/{id}?t=")), "{qr}");
        let t = qr.split_once("?t=").unwrap().1;
        let record = sijian_ledger::token::verify(t, &keys(app).await).unwrap();
        assert_eq!(record.fields[0], id);
        let (_, v) = verify(app, &id, Some(t)).await;
        assert_eq!(
            (v["status"].as_str(), &v["token"]["matches_record"]),
            (Some("valid"), &Value::Bool(true)),
            "{v}"
        );
        let mut bad = t.as_bytes().to_vec();
        bad[20] = if bad[20] == b'A' { b'B' } else { b'A' };
        let (_, v) = verify(app, &id, Some(std::str::from_utf8(&bad).unwrap())).await;
        assert_eq!(v["token"]["signature_valid"], false, "{v}");

        // Malformed identifiers are refused before any lookup, with the reason; well-formed
        // ones the platform did not issue are not found.
        let mut wrong = id.clone();
        let last = wrong.pop().unwrap();
        wrong.push(if last == '0' { '1' } else { '0' });
        let (st, e) = verify(app, &wrong, None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
        assert!(e.to_string().contains("校验位"), "{e}");
        let (st, _) = verify(app, "1.2.156.3005.2.123", None).await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let scheme = sijian_server::Config::default().licences.scheme().unwrap();
        let unknown = scheme
            .id_for(sijian_domain::elicence::LicenceKind::Institution, 999_999)
            .unwrap();
        let (st, v) = verify(app, unknown.as_str(), None).await;
        assert_eq!(
            (st, v["status"].as_str()),
            (StatusCode::OK, Some("not_found"))
        );

        // The appraiser's certificate; both follow the register's status at once.
        let apps: Vec<(i64,)> = app
            .db
            .fetch_all(
                "SELECT id FROM appraisers WHERE institution_id = $1 AND status = 'active' ORDER BY id LIMIT 1",
                sijian_store::args![inst],
            )
            .await
            .unwrap();
        let a = licence(app, "appraisers", apps[0].0).await;
        let aid = a["id"].as_str().unwrap().to_string();
        assert_eq!(a["status"], "valid");
        assert_eq!(a["institution"], "浙江明正司法鉴定中心");
        for (inst_status, want_inst, want_appraiser) in [
            ("suspended", "withheld", "withheld"),
            ("cancelled", "cancelled", "expired"),
            ("revoked", "withdrawn", "expired"),
            ("normal", "valid", "valid"),
        ] {
            app.db
                .execute(
                    "UPDATE institutions SET status = $1 WHERE id = $2",
                    sijian_store::args![inst_status, inst],
                )
                .await
                .unwrap();
            let (_, v) = verify(app, &id, None).await;
            assert_eq!(v["status"], want_inst, "{inst_status}: {v}");
            let (_, v) = verify(app, &aid, None).await;
            assert_eq!(v["status"], want_appraiser, "{inst_status}: {v}");
            // A token is signed only for a valid licence (issue 14, point 12).
            let l = licence(app, "institutions", inst).await;
            assert_eq!(
                l["qr_content"].as_str().unwrap().is_empty(),
                want_inst != "valid",
                "{inst_status}: {l}"
            );
            if want_inst == "valid" {
                let t = l["qr_content"]
                    .as_str()
                    .unwrap()
                    .split_once("?t=")
                    .unwrap()
                    .1;
                let (_, v) = verify(app, &id, Some(t)).await;
                assert_eq!(v["token"]["signed_status"], "valid", "{v}");
                assert!(
                    v["token"]["signed_at"].as_str().unwrap().ends_with('Z'),
                    "{v}"
                );
            }
        }

        // The page the QR code opens.
        let (st, page) = app.anon().page(&format!("/l/{id}?t={t}")).await;
        assert_eq!(st, StatusCode::OK);
        for words in [
            "电子证照核验",
            "有效",
            "浙江明正司法鉴定中心",
            "<svg",
            "二维码签名",
        ] {
            assert!(page.contains(words), "{words} missing");
        }
        let (_, page) = app.anon().page(&format!("/l/{wrong}")).await;
        assert!(page.contains("电子证照标识无效"), "{page}");
        let (_, page) = app
            .anon()
            .page(&format!("/directory/institutions/{inst}"))
            .await;
        assert!(
            page.contains(&format!("/l/{id}")),
            "directory links the licence"
        );
    }
);

/// pdftotext / pdftoppm / zbarimg, required in CI (`SJTEST_REQUIRE_BROWSER`), else skipped.
fn tools() -> bool {
    let have = ["pdftotext", "pdftoppm", "zbarimg"].iter().all(|t| {
        Command::new(t)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    });
    if !have {
        assert!(
            std::env::var_os("SJTEST_REQUIRE_BROWSER").is_none(),
            "poppler-utils and zbar-tools are required (SJTEST_REQUIRE_BROWSER=1)"
        );
        eprintln!("skipping the PDF read-back: poppler-utils/zbar-tools not installed");
    }
    have
}

fn shots() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp/screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The PDF's text layer, and the QR code found on its first page rendered at 150 dpi.
fn read_back(pdf: &[u8], name: &str) -> (String, String) {
    let dir = shots();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let text = Command::new("pdftotext")
        .args(["-layout", file.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let png = dir.join(name);
    let r = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(&file)
        .arg(&png)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let qr = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(png.with_extension("png"))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&text.stdout).into(),
        String::from_utf8_lossy(&qr.stdout).trim().to_string(),
    )
}

async fn get_bytes(c: &Client, path: &str) -> (StatusCode, String, Vec<u8>) {
    let r = c
        .http
        .get(format!("{}{path}", c.base))
        .send()
        .await
        .unwrap();
    let st = r.status();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (st, ct, r.bytes().await.unwrap().to_vec())
}

both_engines!(
    licence_pdf_and_cover_label_read_back,
    async |app: &TestApp| {
        let inst = institution_id(app, "浙江明正司法鉴定中心").await;
        let l = licence(app, "institutions", inst).await;
        let id = l["id"].as_str().unwrap();
        let head = app.login("inst.head").await;
        let (st, ct, pdf) = get_bytes(&head, &format!("/api/v1/licences/{id}/licence.pdf")).await;
        assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(ct, "application/pdf");
        // Anonymous users verify; they do not print.
        let (st, _, _) =
            get_bytes(&app.anon(), &format!("/api/v1/licences/{id}/licence.pdf")).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);

        let rows: Vec<(String, String)> = app
            .db
            .fetch_all(
                "SELECT code, verification_key FROM opinions WHERE status = 'valid' ORDER BY code LIMIT 1",
                sijian_store::Args::new(),
            )
            .await
            .unwrap();
        let code = sijian_domain::opinion_code::OpinionCode::parse(&rows[0].0)
            .unwrap()
            .grouped();
        let (st, _, label) = get_bytes(&head, &format!("/api/v1/opinions/{code}/label.pdf")).await;
        assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&label));
        let (st, _, _) =
            get_bytes(&app.anon(), &format!("/api/v1/opinions/{code}/label.pdf")).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let (st, _, _) = get_bytes(
            &app.login("hz.reg").await,
            &format!("/api/v1/opinions/{code}/label.pdf"),
        )
        .await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "a regulator, who does not see the verification key, does not print the label that carries it"
        );

        if !tools() {
            return;
        }
        let engine = format!("{:?}", app.db.engine()).to_lowercase();
        let (text, qr) = read_back(&pdf, &format!("licence-{engine}"));
        for words in ["司法鉴定许可证", "浙江明正司法鉴定中心", "有效"] {
            assert!(
                text.contains(words),
                "{words} missing in the text layer: {text}"
            );
        }
        // The printed QR code: the same address, and a token for the same record (each
        // signing carries its own time).
        let shown = l["qr_content"].as_str().unwrap();
        let (printed_at, printed_t) = qr.split_once("?t=").unwrap();
        let (shown_at, shown_t) = shown.split_once("?t=").unwrap();
        assert_eq!(printed_at, shown_at, "the printed QR code");
        let vkeys = keys(app).await;
        let printed = sijian_ledger::token::verify(printed_t, &vkeys).unwrap();
        assert!(printed.same_record(&sijian_ledger::token::verify(shown_t, &vkeys).unwrap()));
        assert_eq!(printed.standing.map(|s| s.status).as_deref(), Some("valid"));

        let (text, qr) = read_back(&label, &format!("label-{engine}"));
        assert!(text.contains(&code), "{text}");
        assert!(text.contains("浙江明正司法鉴定中心"), "{text}");
        let key = &rows[0].1;
        assert!(
            text.contains(&format!("{}-{}-{}", &key[..4], &key[4..8], &key[8..])),
            "the key, grouped for reading: {text}"
        );
        assert!(qr.contains(&format!("/v/{code}?key={key}&t=")), "{qr}");
        let t = qr.split_once("&t=").unwrap().1;
        let record = sijian_ledger::token::verify(t, &keys(app).await).unwrap();
        assert_eq!(record.fields[0], rows[0].0);
        // The key as printed, dashes and all, opens the details.
        let (_, v) = app
            .anon()
            .get(&format!(
                "/api/v1/opinions/{code}/verification?key={}-{}-{}",
                &key[..4],
                &key[4..8],
                &key[8..]
            ))
            .await;
        assert_eq!(v["key_valid"], true, "{v}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_cjk_font_pdf_output_is_disabled_with_the_reason() {
    let app = TestApp::start_with(Engine::Sqlite, |c| {
        c.pdf.font_path = "/nonexistent/NotoSansCJK.ttc".into();
    })
    .await
    .unwrap();
    let inst = institution_id(&app, "浙江明正司法鉴定中心").await;
    let l = licence(&app, "institutions", inst).await;
    let head = app.login("inst.head").await;
    let (st, _, body) = get_bytes(
        &head,
        &format!("/api/v1/licences/{}/licence.pdf", l["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    let body = String::from_utf8(body).unwrap();
    assert!(
        body.contains("PDF 输出不可用") && body.contains("/nonexistent/NotoSansCJK.ttc"),
        "{body}"
    );
    // Verification itself is unaffected.
    let (st, v) = verify(&app, l["id"].as_str().unwrap(), None).await;
    assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("valid")));
    app.stop().await;
}
