//! The `sijian ledger` and `sijian witness` contract: exit code 0 valid, 1 invalid (reason on
//! stderr), 2 usage error; proofs checked against the transparency-dev/merkle vectors,
//! checkpoints against the C2SP note vectors, offline bundles, a witness over HTTP across a
//! restart, and a monitor following a fake log that grows, forks and forges.
use crate::common;

use sijian_testkit::TempDir;

use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use common::sijian;
use serde_json::{Value, json};
use sijian_ledger::bundle::Bundle;
use sijian_ledger::note::{KeyKind, NoteSignature};
use sijian_ledger::policy::Policy;
use sijian_ledger::tree::MemoryTree;
use sijian_ledger::witness::AddCheckpoint;
use sijian_ledger::{Checkpoint, Hash, Note, Signer, Verifier, b64};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The public test vectors: `SJTEST_TESTDATA`, else `shared/testdata` beside the checkout (or
/// any folder above it), as the project's machines and CI lay them out.
fn testdata() -> PathBuf {
    if let Ok(d) = std::env::var("SJTEST_TESTDATA") {
        return PathBuf::from(d);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/testdata"))
        .find(|p| p.is_dir())
        .expect("shared/testdata not found beside the checkout; set SJTEST_TESTDATA")
}

async fn sijian_async(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_sijian"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into()
}

/// Exit 0 with a confirmation on stdout.
fn assert_valid(o: &Output, what: &str) {
    assert_eq!(o.status.code(), Some(0), "{what}: {}{}", out(o), err(o));
    assert!(out(o).starts_with("有效："), "{what}: {}", out(o));
}

/// Exit 1 with one line of reason on stderr.
fn assert_invalid(o: &Output, what: &str) {
    assert_eq!(o.status.code(), Some(1), "{what}: {}{}", out(o), err(o));
    let e = err(o);
    assert!(
        e.starts_with("无效：") && e.trim_end().lines().count() == 1,
        "{what}: {e}"
    );
}

/// A scratch directory, removed when the test ends.
fn tmpdir(name: &str) -> TempDir {
    TempDir::new(&format!("ledger-{name}"))
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn vector(rel: &str) -> Value {
    let path = testdata().join(rel).display().to_string();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// The comma form of a vector's proof. A proof of exactly one empty element cannot be written
/// this way (it joins to "", the empty proof), so such vectors are not fed through it.
fn proof_arg(v: &Value) -> String {
    let Some(items) = v.as_array() else {
        assert!(v.is_null());
        return String::new();
    };
    assert!(
        items.len() != 1 || items[0] != "",
        "[\"\"] has no comma form"
    );
    let items: Vec<&str> = items.iter().map(|x| x.as_str().unwrap()).collect();
    items.join(",")
}

fn inclusion_with(v: &Value, proof: &str) -> Output {
    sijian(&[
        "ledger",
        "verify-inclusion",
        "--leaf-hash",
        v["leafHash"].as_str().unwrap(),
        "--index",
        &v["leafIdx"].to_string(),
        "--size",
        &v["treeSize"].to_string(),
        "--root",
        v["root"].as_str().unwrap(),
        "--proof",
        proof,
    ])
}

fn inclusion(rel: &str) -> Output {
    let v = vector(&format!("merkle/inclusion/{rel}"));
    inclusion_with(&v, &proof_arg(&v["proof"]))
}

fn consistency(rel: &str) -> Output {
    let v = vector(&format!("merkle/consistency/{rel}"));
    sijian(&[
        "ledger",
        "verify-consistency",
        "--size1",
        &v["size1"].to_string(),
        "--size2",
        &v["size2"].to_string(),
        "--root1",
        v["root1"].as_str().unwrap(),
        "--root2",
        v["root2"].as_str().unwrap(),
        "--proof",
        &proof_arg(&v["proof"]),
    ])
}

#[test]
fn inclusion_happy_paths_are_valid() {
    for n in 0..=4 {
        let o = inclusion(&format!("{n}/happy-path.json"));
        assert_valid(&o, &format!("inclusion/{n}"));
        assert!(out(&o).contains("包含在大小"), "{}", out(&o));
    }
}

#[test]
fn inclusion_mutations_are_invalid() {
    for rel in [
        "1/wrong-leaf.json",
        "1/modified-proof[0]-bit-@3.json",
        "2/removed-component.json",
        "4/inserted-component.json",
        "3/treeSize-mul-@2.json",
        "4/empty-root.json",
    ] {
        assert_eq!(vector(&format!("merkle/inclusion/{rel}"))["wantErr"], true);
        assert_invalid(&inclusion(rel), rel);
    }
}

#[test]
fn consistency_happy_paths_are_valid() {
    for n in 1..=4 {
        let o = consistency(&format!("{n}/happy-path.json"));
        assert_valid(&o, &format!("consistency/{n}"));
    }
}

#[test]
fn consistency_mutations_are_invalid() {
    for rel in [
        "1/truncated-proof.json",
        "1/swapped-roots.json",
        "2/modified-proof@1-bit-@4.json",
        "3/wrong-root2.json",
        // A proof ending (or starting) with an empty element: "a,b,c," must not pass as "a,b,c".
        "1/trailing-garbage.json",
        "4/preceding-garbage.json",
    ] {
        assert_eq!(
            vector(&format!("merkle/consistency/{rel}"))["wantErr"],
            true
        );
        assert_invalid(&consistency(rel), rel);
    }
    let o = consistency("1/trailing-garbage.json");
    assert!(err(&o).contains("为空"), "{}", err(&o));
}

#[test]
fn empty_proof_and_empty_elements_are_told_apart() {
    let v = vector("merkle/inclusion/0/happy-path.json");
    assert!(v["proof"].is_null());
    assert_valid(&inclusion_with(&v, ""), "--proof \"\"");
    // inclusion/0/trailing-garbage.json is the proof [""]: one empty element. Its nearest comma
    // forms are "," (two empty elements) and a real hash followed by a comma.
    assert_eq!(
        vector("merkle/inclusion/0/trailing-garbage.json")["proof"],
        json!([""])
    );
    assert_invalid(&inclusion_with(&v, ","), "--proof ,");
    let root = v["root"].as_str().unwrap();
    assert_invalid(&inclusion_with(&v, &format!("{root},")), "--proof h,");
}

#[test]
fn twelve_byte_roots_of_equal_sizes_are_refused() {
    // The vector expects acceptance, but its "roots" are 12 bytes; this verifier insists on
    // 32-byte SHA-256 hashes, so it reports them invalid.
    let rel = "additional/sizes-are-equal-one-and-proof-is-empty.json";
    let o = consistency(rel);
    assert_invalid(&o, rel);
    assert!(err(&o).contains("32 字节"), "{}", err(&o));
}

#[test]
fn malformed_hashes_are_invalid_not_usage_errors() {
    let mut v = vector("merkle/inclusion/0/happy-path.json");
    v["leafHash"] = json!("not base64!");
    assert_invalid(&inclusion_with(&v, ""), "non-base64 leaf");
    v["leafHash"] = json!(b64::encode(&[7u8; 31]));
    let o = inclusion_with(&v, "");
    assert_invalid(&o, "31-byte leaf");
    assert!(err(&o).contains("31 字节"), "{}", err(&o));
    v["leafHash"] = json!("bjQLnP-zepicpUTmu3gKLHiQHT-zNzh2hRGjBhevoB0=");
    assert_invalid(&inclusion_with(&v, ""), "URL-safe alphabet");
}

#[test]
fn bad_numbers_and_missing_flags_are_usage_errors() {
    let h = "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=";
    let base = ["ledger", "verify-inclusion", "--leaf-hash", h, "--root", h];
    let missing_size = [&base[..], &["--index", "0", "--proof", ""]].concat();
    assert_eq!(sijian(&missing_size).status.code(), Some(2));
    let bad_index = [&base[..], &["--index", "abc", "--size", "1", "--proof", ""]].concat();
    assert_eq!(sijian(&bad_index).status.code(), Some(2));
    let missing_proof = [&base[..], &["--index", "0", "--size", "1"]].concat();
    assert_eq!(sijian(&missing_proof).status.code(), Some(2));
}

fn note_vectors() -> Value {
    vector("note/vectors.json")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let f = dir.join(name);
    std::fs::write(&f, text).unwrap();
    f
}

#[test]
fn sum_golang_org_checkpoint_verifies_and_a_changed_root_does_not() {
    let dir = tmpdir("checkpoint");
    let ex = &note_vectors()["checkpoint_examples"][0];
    let vkey = ex["vkey"].as_str().unwrap();
    let signed = ex["signed_note"].as_str().unwrap();
    let f = write(&dir, "cp", signed);
    let o = sijian(&["ledger", "verify-checkpoint", "--key", vkey, p(&f)]);
    assert_valid(&o, "sum.golang.org");
    assert!(out(&o).contains("大小：6476701"), "{}", out(&o));
    assert!(
        out(&o).contains("来源：go.sum database tree"),
        "{}",
        out(&o)
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_sijian"))
        .args(["ledger", "verify-checkpoint", "--key", vkey, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), signed.as_bytes()).unwrap();
    assert_valid(&child.wait_with_output().unwrap(), "stdin");

    let changed = signed.replacen("mb8Q", "mb8R", 1);
    assert_ne!(changed, signed);
    let f = write(&dir, "cp-changed", &changed);
    let o = sijian(&["ledger", "verify-checkpoint", "--key", vkey, p(&f)]);
    assert_invalid(&o, "changed root");
}

#[test]
fn cosigned_checkpoint_needs_its_quorum() {
    let dir = tmpdir("quorum");
    let reg = &note_vectors()["cosignature_regression"];
    let f = write(&dir, "cp", reg["signed_checkpoint"].as_str().unwrap());
    let log = reg["log_vkey"].as_str().unwrap();
    let w = reg["witness_vkey_type04"].as_str().unwrap();
    let check = |quorum: &str| {
        sijian(&[
            "ledger",
            "verify-checkpoint",
            "--key",
            log,
            "--witness",
            w,
            "--quorum",
            quorum,
            p(&f),
        ])
    };
    let o = check("1");
    assert_valid(&o, "quorum 1");
    assert!(
        out(&o).contains("见证人副署：witness.example/w1（时间戳 1700000000）"),
        "{}",
        out(&o)
    );
    let o = check("2");
    assert_invalid(&o, "quorum 2");
    assert!(err(&o).contains("见证人副署不足"), "{}", err(&o));
    // A witness key given as the log key is the wrong kind: a usage error.
    let o = sijian(&["ledger", "verify-checkpoint", "--key", w, p(&f)]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

fn log_signer(name: &str, seed: u8) -> Signer {
    Signer::from_seed(name, KeyKind::Ed25519, [seed; 32]).unwrap()
}

fn tree_of(n: usize, tag: &str) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.append(format!("{tag}记录 {i}").as_bytes());
    }
    t
}

fn signed_checkpoint(log: &Signer, tree: &MemoryTree, size: u64) -> Note {
    let cp = Checkpoint::new(&log.name, size, tree.root_at(size).unwrap());
    Note::sign(&cp.to_text(), &[log], 0).unwrap()
}

#[test]
fn bundles_verify_offline_and_any_change_is_caught() {
    let dir = tmpdir("bundle");
    let log = log_signer("sijian.test/log", 1);
    let tree = tree_of(6, "");
    let good = Bundle {
        entry: Some("记录 3".as_bytes().to_vec()),
        index: 3,
        proof: tree.prove_inclusion(3, 6).unwrap(),
        checkpoint: signed_checkpoint(&log, &tree, 6).to_text(),
    };
    let vkey = log.verifier().to_text();
    let verify = |name: &str, b: &Bundle| {
        let f = write(&dir, name, &b.to_text());
        sijian(&["ledger", "verify-bundle", "--key", &vkey, p(&f)])
    };
    let o = verify("good", &good);
    assert_valid(&o, "bundle");
    assert!(
        out(&o).contains("有效：叶 3 包含在大小 6 的树中"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("条目：记录 3"), "{}", out(&o));

    let mut b = good.clone();
    b.entry = Some("记录 4".as_bytes().to_vec());
    assert_invalid(&verify("entry", &b), "changed entry");
    let mut b = good.clone();
    b.proof[0][0] ^= 1;
    assert_invalid(&verify("proof", &b), "changed proof");
    let mut b = good.clone();
    b.checkpoint = b.checkpoint.replacen("\n6\n", "\n7\n", 1);
    assert_invalid(&verify("checkpoint", &b), "changed checkpoint");

    let f = write(&dir, "good", &good.to_text());
    let other = log_signer("sijian.test/log", 2).verifier().to_text();
    let o = sijian(&["ledger", "verify-bundle", "--key", &other, p(&f)]);
    assert_invalid(&o, "wrong key");
}

/// A running `sijian witness serve`; killed on drop.
struct WitnessProc {
    child: tokio::process::Child,
    url: String,
    vkey: String,
}

async fn start_witness(
    key: &Path,
    name: Option<&str>,
    state: &Path,
    logs: &[&Signer],
) -> WitnessProc {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sijian"));
    cmd.args(["witness", "serve", "--listen", "127.0.0.1:0"])
        .args(["--key", p(key), "--state", p(state)])
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    if let Some(n) = name {
        cmd.args(["--name", n]);
    }
    for l in logs {
        cmd.args(["--log", &l.verifier().to_text()]);
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut vkey = String::new();
    loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("witness exited early");
        if let Some(v) = line.strip_prefix("见证人公钥：") {
            vkey = v.to_string();
        }
        if let Some(u) = line.strip_prefix("见证人已启动：") {
            let url = u.trim_end_matches('/').to_string();
            return WitnessProc { child, url, vkey };
        }
    }
}

async fn post(url: &str, body: String) -> (u16, String, String) {
    let r = reqwest::Client::new()
        .post(format!("{url}/add-checkpoint"))
        .body(body)
        .send()
        .await
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), ct, r.text().await.unwrap())
}

fn add_body(old: u64, proof: Vec<Hash>, note: &Note) -> String {
    AddCheckpoint {
        old,
        proof,
        note: note.clone(),
        checkpoint: Checkpoint::parse(&note.text).unwrap(),
    }
    .to_body()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witness_cosigns_refuses_and_remembers_across_restart() {
    let dir = tmpdir("witness");
    let (key, state) = (dir.join("witness.key"), dir.join("state.json"));
    let log = log_signer("sijian.test/log", 1);
    let stranger = log_signer("other.test/log", 3);
    let tree = tree_of(8, "");
    let w = start_witness(&key, Some("witness.test/w1"), &state, &[&log]).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let witness = Verifier::parse(&w.vkey).unwrap();
    assert_eq!(witness.kind, KeyKind::CosignatureV1);

    let cp5 = signed_checkpoint(&log, &tree, 5);
    let (status, ct, body) = post(&w.url, add_body(0, vec![], &cp5)).await;
    assert_eq!(status, 200, "{body}");
    assert!(ct.starts_with("text/plain"), "{ct}");
    let mut cosigned = cp5.clone();
    cosigned.add_signature(NoteSignature::parse_line(body.trim_end_matches('\n')).unwrap());
    let policy = Policy {
        origin: Some(log.name.clone()),
        log_keys: vec![log.verifier()],
        witnesses: vec![witness.clone()],
        quorum: 1,
    };
    let trusted = policy.check(&cosigned.to_text()).unwrap();
    assert_eq!(trusted.cosigners[0].0, "witness.test/w1");

    let (status, ct, body) = post(&w.url, add_body(0, vec![], &cp5)).await;
    assert_eq!(
        (status, ct.as_str(), body.as_str()),
        (409, "text/x.tlog.size", "5\n")
    );

    let good_proof = tree.prove_consistency(5, 8).unwrap();
    let cp8 = signed_checkpoint(&log, &tree, 8);
    let mut forged = cp8.clone();
    forged.signatures[0].bytes[0] ^= 1;
    let (status, _, body) = post(&w.url, add_body(5, good_proof.clone(), &forged)).await;
    assert_eq!(status, 403, "{body}");

    let unknown = signed_checkpoint(&stranger, &tree, 8);
    let (status, _, body) = post(&w.url, add_body(0, vec![], &unknown)).await;
    assert_eq!(status, 404, "{body}");

    let mut bad_proof = good_proof.clone();
    bad_proof[0][0] ^= 1;
    let (status, _, body) = post(&w.url, add_body(5, bad_proof, &cp8)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("一致性证明无效"), "{body}");

    let (status, _, body) = post(&w.url, "old 5\n".into()).await;
    assert_eq!(status, 400, "{body}");

    let (status, _, body) = post(&w.url, add_body(5, good_proof, &cp8)).await;
    assert_eq!(status, 200, "{body}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["sijian.test/log"]["size"], 8);

    let vkey = w.vkey.clone();
    drop(w);
    let w = start_witness(&key, None, &state, &[&log]).await;
    assert_eq!(w.vkey, vkey, "the key file is reused");
    let (status, _, body) = post(&w.url, add_body(0, vec![], &cp8)).await;
    assert_eq!((status, body.as_str()), (409, "8\n"));
    let mut w = w;
    w.child.kill().await.unwrap();
}

#[test]
fn witness_keygen_writes_a_key_once() {
    let dir = tmpdir("keygen");
    let key = dir.join("w.key");
    let args = [
        "witness",
        "keygen",
        "--name",
        "court.test/w",
        "--out",
        p(&key),
    ];
    let o = sijian(&args);
    assert!(o.status.success(), "{}", err(&o));
    let v = Verifier::parse(out(&o).trim()).unwrap();
    assert_eq!(
        (v.name.as_str(), v.kind),
        ("court.test/w", KeyKind::CosignatureV1)
    );
    let written = std::fs::read_to_string(&key).unwrap();
    assert_eq!(Signer::parse(&written).unwrap().verifier(), v);
    assert!(
        !sijian(&args).status.success(),
        "an existing key is never replaced"
    );
    assert_eq!(std::fs::read_to_string(&key).unwrap(), written);
}

/// What the fake log serves.
struct FakeLog {
    tree: MemoryTree,
    checkpoint: String,
    keys: String,
}

type Shared = Arc<Mutex<FakeLog>>;

async fn consistency_json(
    State(s): State<Shared>,
    Query(q): Query<HashMap<String, u64>>,
) -> Json<Value> {
    let (from, to) = (q["from"], q["to"]);
    let proof = s.lock().unwrap().tree.prove_consistency(from, to).unwrap();
    let proof: Vec<String> = proof.iter().map(|h| b64::encode(h)).collect();
    Json(json!({ "from": from, "to": to, "proof": proof }))
}

async fn start_fake_log(shared: Shared) -> String {
    let app = axum::Router::new()
        .route(
            "/api/v1/ledger/checkpoint",
            get(|State(s): State<Shared>| async move { s.lock().unwrap().checkpoint.clone() }),
        )
        .route(
            "/api/v1/ledger/keys",
            get(|State(s): State<Shared>| async move { s.lock().unwrap().keys.clone() }),
        )
        .route("/api/v1/ledger/proof/consistency", get(consistency_json))
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn serve(shared: &Shared, tree: MemoryTree, checkpoint: &Note) {
    let mut s = shared.lock().unwrap();
    s.tree = tree;
    s.checkpoint = checkpoint.to_text();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_follows_growth_and_stops_at_forks_and_forgeries() {
    let dir = tmpdir("monitor");
    let state = dir.join("monitor.state");
    let log = log_signer("sijian.test/log", 1);
    let witness = Signer::from_seed("witness.test/w1", KeyKind::CosignatureV1, [9; 32]).unwrap();
    let t3 = tree_of(3, "");
    let shared: Shared = Arc::new(Mutex::new(FakeLog {
        checkpoint: signed_checkpoint(&log, &t3, 3).to_text(),
        tree: t3,
        keys: format!(
            "# 司鉴日志公钥\n{}\n{}\n",
            log.verifier().to_text(),
            witness.verifier().to_text()
        ),
    }));
    let url = start_fake_log(shared.clone()).await;
    let once = ["ledger", "monitor", &url, "--once", "--state", p(&state)];

    let o = sijian_async(&once).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("首次记录：大小 3"), "{}", out(&o));
    assert!(std::fs::read_to_string(&state).unwrap().contains("\n3\n"));

    let t7 = tree_of(7, "");
    let cp7 = signed_checkpoint(&log, &t7, 7);
    serve(&shared, t7.clone(), &cp7);
    let o = sijian_async(&once).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("一致：3 → 7"), "{}", out(&o));
    let kept = std::fs::read_to_string(&state).unwrap();
    assert_eq!(kept, cp7.to_text());

    let o = sijian_async(&once).await;
    assert!(out(&o).contains("未变化：大小 7"), "{}", out(&o));

    // Same size, another root, validly signed: a split view.
    let other7 = tree_of(7, "另一");
    serve(
        &shared,
        other7.clone(),
        &signed_checkpoint(&log, &other7, 7),
    );
    let o = sijian_async(&once).await;
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("分叉"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), kept);

    // A larger tree that does not extend the one seen.
    let other9 = tree_of(9, "另一");
    serve(
        &shared,
        other9.clone(),
        &signed_checkpoint(&log, &other9, 9),
    );
    let o = sijian_async(&once).await;
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("分叉"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), kept);

    // A forged log signature, with the key pinned on the command line.
    let t9 = tree_of(9, "");
    let mut forged = signed_checkpoint(&log, &t9, 9);
    forged.signatures[0].bytes[0] ^= 1;
    serve(&shared, t9, &forged);
    let vkey = log.verifier().to_text();
    let pinned = [&once[..], &["--key", &vkey]].concat();
    let o = sijian_async(&pinned).await;
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("签名"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), kept);
}

/// The platform and a real witness together: the server asks `sijian witness serve` to cosign,
/// publishes only cosigned checkpoints, and the monitor and verifier accept what it serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_publishes_checkpoints_cosigned_by_a_running_witness() {
    let dir = std::env::temp_dir().join(format!("sijian-e2e-witness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = log_signer("sijian.e2e/log", 21);
    let witness = start_witness(
        &dir.join("witness.key"),
        Some("court.e2e/witness"),
        &dir.join("witness.state"),
        &[&log],
    )
    .await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.join("sijian.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\nmetrics_listen = \"\"\ndata_dir = \"{}\"\n\n[ledger]\norigin = \"sijian.e2e/log\"\nsigning_key = \"{}\"\nquorum = 1\n\n[[ledger.witnesses]]\nkey = \"{}\"\nurl = \"{}\"\n",
            p(&dir.join("data")),
            log.to_text(),
            witness.vkey,
            witness.url
        ),
    )
    .unwrap();
    // An account gives the log its first events.
    let o = Command::new(env!("CARGO_BIN_EXE_sijian"))
        .args(["admin", "create-user", "--config", p(&config)])
        .args([
            "--username",
            "root.admin",
            "--display-name",
            "管理员",
            "--role",
            "admin",
        ])
        .env("SIJIAN_PASSWORD", "Strong-Pass-2026")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", err(&o));
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_sijian"))
        .args(["serve", "--config", p(&config)])
        .env("SIJIAN_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let policy = Policy {
        origin: Some("sijian.e2e/log".into()),
        log_keys: vec![log.verifier()],
        witnesses: vec![Verifier::parse(&witness.vkey).unwrap()],
        quorum: 1,
    };
    let mut note = String::new();
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{base}/api/v1/ledger/checkpoint")).await
            && r.status() == 200
        {
            note = r.text().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let t = policy
        .check(&note)
        .unwrap_or_else(|e| panic!("{e}: {note}"));
    assert_eq!(t.cosigners[0].0, "court.e2e/witness");
    let keys = reqwest::get(format!("{base}/api/v1/ledger/keys"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(keys.contains(&witness.vkey), "{keys}");

    let f = write(&dir, "published", &note);
    let o = sijian(&[
        "ledger",
        "verify-checkpoint",
        "--key",
        &log.verifier().to_text(),
        "--witness",
        &witness.vkey,
        "--quorum",
        "1",
        p(&f),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let state = dir.join("monitor.state");
    let o = sijian(&[
        "ledger",
        "monitor",
        &base,
        "--once",
        "--key",
        &log.verifier().to_text(),
        "--state",
        p(&state),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    server.kill().await.unwrap();
    drop(witness);
    let _ = std::fs::remove_dir_all(&dir);
}
