//! `sijian verify …`: offline checks of what a reader holds — a QR code's content, an opinion
//! document against its offline proof bundle. Exit codes as for `sijian ledger`: 0 valid,
//! 1 invalid (the reason on stderr), 2 usage error (including a file that cannot be read).
use clap::Subcommand;
use sijian_domain::opinion_code::OpinionCode;
use sijian_ledger::Verifier;
use sijian_ledger::bundle::Bundle;
use sijian_ledger::commitment::EventEntry;
use sijian_ledger::hash::sha256;
use sijian_ledger::policy::Policy;
use sijian_ledger::token::{self, RecordKind, SignedRecord};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum VerifyCommand {
    /// Check a QR code's content (the verification address with its token `t`, or the token
    /// alone) against the platform's verification keys (`GET /api/v1/verification/keys`).
    Qr {
        /// What the QR code holds.
        content: String,
        /// A platform verification key; repeat for retired keys.
        #[arg(long = "key", value_name = "VKEY", required = true, value_parser = crate::keys::log_key)]
        keys: Vec<Verifier>,
    },
    /// Check an opinion against its offline proof bundle (`GET /api/v1/opinions/{code}/bundle`):
    /// the bundle's signature and inclusion proof, that it records this code's issue, and with
    /// --file that the document is the one issued.
    Opinion {
        /// The opinion's code, e.g. 330000-2026-1-0000001-8.
        #[arg(long)]
        code: String,
        /// The opinion document (PDF) to compare.
        #[arg(long)]
        file: Option<PathBuf>,
        /// The offline proof bundle.
        #[arg(long)]
        bundle: Option<PathBuf>,
        /// The platform's log key; repeat for retired keys. Needed with --bundle.
        #[arg(long = "key", value_name = "VKEY", value_parser = crate::keys::log_key)]
        keys: Vec<Verifier>,
    },
}

pub(crate) enum Failure {
    Invalid(String),
    Usage(String),
}

pub fn run(command: VerifyCommand) -> i32 {
    let result = match command {
        VerifyCommand::Qr { content, keys } => verify_qr(&content, &keys),
        VerifyCommand::Opinion {
            code,
            file,
            bundle,
            keys,
        } => verify_opinion(&code, file.as_deref(), bundle.as_deref(), keys),
    };
    match result {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            0
        }
        Err(Failure::Invalid(r)) => {
            eprintln!("无效：{}", r.replace(['\n', '\r'], " "));
            1
        }
        Err(Failure::Usage(r)) => {
            eprintln!("用法错误：{}", r.replace(['\n', '\r'], " "));
            2
        }
    }
}

/// The QR content taken apart: the code in the address (if any) and the token.
fn split_qr(content: &str) -> (Option<String>, String) {
    let content = content.trim();
    let Some((before, query)) = content.split_once('?') else {
        return (None, content.to_string());
    };
    let code = before
        .rsplit_once("/v/")
        .map(|(_, c)| c.trim_end_matches('/').to_string());
    let t = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("t="))
        .unwrap_or_default()
        .to_string();
    (code, t)
}

pub(crate) fn verify_qr(content: &str, keys: &[Verifier]) -> Result<Vec<String>, Failure> {
    let (code, t) = split_qr(content);
    if t.is_empty() {
        return Err(Failure::Invalid(
            "二维码内容中没有核验令牌（t=…）：不是本平台的核验二维码".into(),
        ));
    }
    let record = token::verify(&t, keys).map_err(|e| Failure::Invalid(e.to_string()))?;
    let mut out = vec!["有效：二维码由平台密钥签发，内容未被改动".to_string()];
    match record.kind {
        RecordKind::Opinion => {
            let f = &record.fields;
            if let Some(code) = code {
                let in_url = OpinionCode::parse(&code)
                    .map_err(|e| Failure::Invalid(format!("地址中的编码无效：{e}")))?;
                if in_url.as_str() != f[0] {
                    return Err(Failure::Invalid(format!(
                        "地址中的编码 {} 与签名令牌中的编码 {} 不符",
                        in_url.grouped(),
                        grouped(&f[0])
                    )));
                }
            }
            out.push(format!("意见书编码：{}", grouped(&f[0])));
            out.push(format!("文件 SHA-256：{}", f[1]));
            out.push(format!("鉴定机构许可证号：{}", f[2]));
            out.push(format!("出具日期：{}", f[3]));
            out.extend(standing_lines(&record, opinion_status));
            out.push(
                "说明：离线核验证明签发时的记录；此后是否已补正或撤销，请联网打开二维码地址核验。"
                    .into(),
            );
        }
        RecordKind::Licence => {
            out.extend(licence_lines(&record));
            out.extend(standing_lines(&record, licence_status));
        }
    }
    Ok(out)
}

/// What a version 2 token vouched for when it was signed, and when; a version 1 token says
/// neither.
fn standing_lines(r: &SignedRecord, label: fn(&str) -> &str) -> Vec<String> {
    match &r.standing {
        Some(st) => vec![
            format!("签发时状态：{}", label(&st.status)),
            format!("签发时间（UTC）：{}", st.signed_at),
        ],
        None => vec!["签发时状态与时间：未载明（旧版令牌）".into()],
    }
}

fn opinion_status(s: &str) -> &str {
    match s {
        "valid" => "有效",
        "corrected" => "有效（已补正）",
        "revoked" => "已撤销",
        other => other,
    }
}

fn licence_status(s: &str) -> &str {
    sijian_domain::elicence::LicenceStatus::parse(s).map_or(s, |x| x.label_zh())
}

fn licence_lines(r: &SignedRecord) -> Vec<String> {
    let f = &r.fields;
    vec![
        format!("电子证照标识：{}", f[0]),
        format!(
            "证照类型：{}",
            match f[1].as_str() {
                "institution" => "司法鉴定许可证",
                "appraiser" => "司法鉴定人执业证",
                other => other,
            }
        ),
        format!("持证者：{}", f[2]),
        format!("证号：{}", f[3]),
        format!("有效期至：{}", f[4]),
        "说明：离线核验证明签发时的证照信息；当前状态（暂扣、撤销、注销等）请联网核验。".into(),
    ]
}

fn grouped(code: &str) -> String {
    OpinionCode::parse(code)
        .map(|c| c.grouped())
        .unwrap_or_else(|_| code.to_string())
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("无法读取 {}：{e}", path.display())))
}

fn verify_opinion(
    code: &str,
    file: Option<&Path>,
    bundle: Option<&Path>,
    keys: Vec<Verifier>,
) -> Result<Vec<String>, Failure> {
    let code = OpinionCode::parse(code).map_err(|e| Failure::Invalid(format!("编码无效：{e}")))?;
    let Some(bundle) = bundle else {
        return Err(Failure::Usage(
            "请用 --bundle 给出离线证明包（GET /api/v1/opinions/{code}/bundle）".into(),
        ));
    };
    if keys.is_empty() {
        return Err(Failure::Usage(
            "核对证明包须用 --key 给出平台日志公钥（GET /api/v1/verification/keys）".into(),
        ));
    }
    let (mut out, logged_sha) = check_bundle(&code, &read(bundle)?, keys)?;
    if let Some(f) = file {
        let got = hex(&sha256(&read(f)?));
        if got != logged_sha {
            return Err(Failure::Invalid(format!(
                "文件 {} 的 SHA-256 为 {got}，与出具时登记的 {logged_sha} 不符：不是出具的意见书（若意见书经过补正，请联网核验当前版本）",
                f.display()
            )));
        }
        out.push(format!("文件一致：{} 正是出具的意见书", f.display()));
    }
    out.push("说明：离线核验证明出具记录未被改写；是否已补正或撤销，请联网核验。".into());
    Ok(out)
}

/// The bundle's checks for `code`: what to report, and the document SHA-256 the log recorded.
pub(crate) fn check_bundle(
    code: &OpinionCode,
    bundle: &[u8],
    keys: Vec<Verifier>,
) -> Result<(Vec<String>, String), Failure> {
    let text = std::str::from_utf8(bundle)
        .map_err(|_| Failure::Invalid("证明包不是 UTF-8 文本".into()))?;
    let b = Bundle::parse(text).map_err(|e| Failure::Invalid(e.to_string()))?;
    let policy = Policy {
        origin: None,
        log_keys: keys,
        witnesses: Vec::new(),
        quorum: 0,
    };
    let (trusted, entry) = b
        .verify(&policy)
        .map_err(|e| Failure::Invalid(e.to_string()))?;
    let public = EventEntry::parse(&entry)
        .and_then(|e| e.public)
        .ok_or_else(|| Failure::Invalid("证明包的条目不是意见书出具记录".into()))?;
    // `opinion <grouped code> <sha256> <institution id> <issue date>` (docs/VERIFICATION.md).
    let fields: Vec<&str> = public.split(' ').collect();
    let ["opinion", logged_code, logged_sha, _institution, issued_on] = fields[..] else {
        return Err(Failure::Invalid(format!(
            "证明包的条目不是意见书出具记录：{public}"
        )));
    };
    if logged_code != code.grouped() {
        return Err(Failure::Invalid(format!(
            "证明包记录的是意见书 {logged_code}，不是 {}",
            code.grouped()
        )));
    }
    let out = vec![
        format!(
            "有效：意见书 {} 的出具记录在日志中（叶 {}，树大小 {}，签名可信）",
            code.grouped(),
            b.index,
            trusted.checkpoint.size
        ),
        format!("出具日期：{issued_on}"),
        format!("登记的文件 SHA-256：{logged_sha}"),
    ];
    Ok((out, logged_sha.to_string()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_content_splits_into_code_and_token() {
        let (code, t) = split_qr("https://sj.example/v/330000-2026-1-0000001-8?key=ABC&t=AQ_-x");
        assert_eq!(code.as_deref(), Some("330000-2026-1-0000001-8"));
        assert_eq!(t, "AQ_-x");
        assert_eq!(split_qr("AQ_-x"), (None, "AQ_-x".to_string()));
        assert_eq!(split_qr("https://x/v/1?key=A").1, "");
    }
}
