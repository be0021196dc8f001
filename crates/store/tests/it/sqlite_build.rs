//! The bundled SQLite carries the build flags set in `.cargo/config.toml`.
use sijian_store::{Args, Db, PoolSettings};

#[tokio::test]
async fn bundled_sqlite_has_documented_build_flags() {
    let dir = std::env::temp_dir().join(format!("sijian-sqlite-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(
        &format!("sqlite://{}", dir.join("x.db").display()),
        &PoolSettings::default(),
    )
    .await
    .unwrap();
    let opts: Vec<(String,)> = db
        .fetch_all(
            "SELECT compile_options FROM pragma_compile_options",
            Args::new(),
        )
        .await
        .unwrap();
    let opts: Vec<String> = opts.into_iter().map(|o| o.0).collect();
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        !opts.iter().any(|o| o == "ENABLE_STAT4"),
        "STAT4 re-prepares statements on every bind: {opts:?}"
    );
    assert!(opts.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{opts:?}");
    assert!(opts.iter().any(|o| o == "ENABLE_QPSG"), "{opts:?}");
}
