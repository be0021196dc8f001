//! The stable command-line contract: migrate, admin create-user / reset-password / create-token
//! against a data directory, serve with that token, and a clean exit on SIGTERM.
use std::process::{Command, Stdio};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sijian"));
    c.env_remove("SIJIAN_PASSWORD")
        .env("SIJIAN_LOG__LEVEL", "warn");
    c
}

fn run(args: &[&str], dir: &str, password: Option<&str>) -> (bool, String, String) {
    let mut c = bin();
    c.args(args).args(["--data-dir", dir]);
    if let Some(p) = password {
        c.env("SIJIAN_PASSWORD", p);
    }
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn admin_commands_then_serve_with_token_then_sigterm() {
    let dir = std::env::temp_dir().join(format!("sijian-cli-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let (ok, out, err) = run(&["migrate"], d, None);
    assert!(ok, "{out}{err}");
    assert!(out.contains("数据库迁移已完成"));

    let (ok, out, err) = run(
        &[
            "admin",
            "create-user",
            "--username",
            "root.admin",
            "--display-name",
            "管理员",
            "--role",
            "admin",
        ],
        d,
        Some("Strong-Pass-2026"),
    );
    assert!(ok, "{out}{err}");
    let (ok, _, err) = run(
        &[
            "admin",
            "create-user",
            "--username",
            "bad",
            "--display-name",
            "x",
            "--role",
            "regulator_city",
            "--region",
            "330000",
        ],
        d,
        Some("Strong-Pass-2026"),
    );
    assert!(!ok);
    assert!(err.contains("region_code"), "{err}");
    let (ok, out, _) = run(
        &["admin", "reset-password", "--user", "root.admin"],
        d,
        None,
    );
    assert!(ok && out.contains("临时密码"), "{out}");
    let (ok, out, err) = run(
        &[
            "admin",
            "create-token",
            "--user",
            "root.admin",
            "--name",
            "ci",
        ],
        d,
        None,
    );
    assert!(ok, "{err}");
    let token = out.trim().to_string();
    assert!(
        token.starts_with("sjt_") && token.lines().count() == 1,
        "{out}"
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = bin()
        .args([
            "serve",
            "--data-dir",
            d,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("SIJIAN_METRICS_LISTEN", "")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let me = rt.block_on(async {
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(r) = http
                .get(format!("http://127.0.0.1:{port}/api/v1/me"))
                .bearer_auth(&token)
                .send()
                .await
            {
                return Some((r.status().as_u16(), r.text().await.unwrap()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    });
    let (status, body) = me.expect("server answers");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("root.admin"));
    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut exited = None;
    for _ in 0..100 {
        if let Some(s) = server.try_wait().unwrap() {
            exited = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = exited.expect("exits after SIGTERM");
    assert!(status.success(), "graceful exit: {status}");
    let _ = std::fs::remove_dir_all(&dir);
}
