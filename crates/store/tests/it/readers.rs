//! SQLite point reads on the caller's thread (`Db::read_optional`, `Db::read_all`): the same
//! SQL and answers as the pool, commits seen at once, never blocked by an open writer, never
//! able to write, and switched off with `sqlite_readers = 0`.
use sijian_store::{Db, PoolSettings, StoreError, args};

struct TempDb {
    db: Db,
    dir: std::path::PathBuf,
}

impl TempDb {
    async fn new(name: &str, readers: Option<usize>) -> TempDb {
        Self::with(
            name,
            PoolSettings {
                sqlite_readers: readers,
                ..Default::default()
            },
        )
        .await
    }

    async fn with(name: &str, settings: PoolSettings) -> TempDb {
        let dir =
            std::env::temp_dir().join(format!("sijian-readers-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(
            &format!("sqlite://{}", dir.join("r.db").display()),
            &settings,
        )
        .await
        .unwrap();
        db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, flag INTEGER NOT NULL) STRICT",
            args![],
        )
        .await
        .unwrap();
        for (id, name, note, flag) in [
            (1, "甲", Some("一"), true),
            (2, "乙", None, false),
            (3, "丙", Some("三"), true),
        ] {
            db.execute(
                "INSERT INTO t (id, name, note, flag) VALUES ($1, $2, $3, $4)",
                args![id as i64, name, note, flag],
            )
            .await
            .unwrap();
        }
        TempDb { db, dir }
    }

    async fn close(self) {
        self.db.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

type Row = (i64, String, Option<String>, bool);

#[tokio::test]
async fn point_reads_answer_as_the_pool_does() {
    let t = TempDb::new("same", None).await;
    assert!(
        matches!(t.db, Db::Sqlite(_, Some(_))),
        "readers are on by default"
    );
    // `$2` appears before `$1`: parameters bind by their number, not their position.
    let sql = "SELECT id, name, note, flag FROM t WHERE flag = $2 AND id >= $1 ORDER BY id";
    for (from, flag) in [(1_i64, true), (2, true), (1, false), (4, true)] {
        let pooled: Vec<Row> = t.db.fetch_all(sql, args![from, flag]).await.unwrap();
        let read: Vec<Row> = t.db.read_all(sql, args![from, flag]).await.unwrap();
        assert_eq!(read, pooled, "from {from} flag {flag}");
    }
    let one: Option<Row> =
        t.db.read_optional(
            "SELECT id, name, note, flag FROM t WHERE id = $1",
            args![2_i64],
        )
        .await
        .unwrap();
    assert_eq!(one, Some((2, "乙".to_string(), None, false)));
    let none: Option<Row> =
        t.db.read_optional(
            "SELECT id, name, note, flag FROM t WHERE id = $1",
            args![9_i64],
        )
        .await
        .unwrap();
    assert_eq!(none, None);
    t.close().await;
}

#[tokio::test]
async fn a_commit_is_seen_at_once_and_an_open_writer_does_not_block() {
    let t = TempDb::new("commit", Some(2)).await;
    let name = |db: &Db| {
        let db = db.clone();
        async move {
            let r: Option<(String,)> = db
                .read_optional("SELECT name FROM t WHERE id = $1", args![1_i64])
                .await
                .unwrap();
            r.unwrap().0
        }
    };
    assert_eq!(name(&t.db).await, "甲");
    // A writer holds the write lock with an uncommitted change: reads go on, unchanged.
    let mut tx = t.db.begin().await.unwrap();
    tx.execute("UPDATE t SET name = '丁' WHERE id = 1", args![])
        .await
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(name(&t.db).await, "甲");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "a read waited for the writer's lock"
    );
    tx.commit().await.unwrap();
    // The same (cached) reader connection sees the commit on its next read.
    assert_eq!(name(&t.db).await, "丁");
    t.close().await;
}

#[tokio::test]
async fn readers_cannot_write() {
    let t = TempDb::new("write", Some(1)).await;
    let r: Result<Option<(i64,)>, StoreError> =
        t.db.read_optional(
            "INSERT INTO t (id, name, flag) VALUES ($1, 'x', 1) RETURNING id",
            args![7_i64],
        )
        .await;
    assert!(r.is_err(), "a reader wrote: {r:?}");
    let n: i64 =
        t.db.scalar("SELECT COUNT(*) FROM t", args![])
            .await
            .unwrap();
    assert_eq!(n, 3);
    t.close().await;
}

#[tokio::test]
async fn zero_readers_send_point_reads_through_the_pool() {
    let t = TempDb::new("off", Some(0)).await;
    assert!(matches!(t.db, Db::Sqlite(_, None)));
    let r: Option<(String,)> =
        t.db.read_optional("SELECT name FROM t WHERE id = $1", args![3_i64])
            .await
            .unwrap();
    assert_eq!(r.unwrap().0, "丙");
    t.close().await;
}

#[tokio::test]
async fn a_closed_database_refuses_point_reads() {
    let t = TempDb::new("closed", Some(1)).await;
    let db = t.db.clone();
    db.close().await;
    let r: Result<Option<(String,)>, StoreError> = db
        .read_optional("SELECT name FROM t WHERE id = $1", args![1_i64])
        .await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))), "{r:?}");
    let _ = std::fs::remove_dir_all(&t.dir);
}

#[tokio::test]
async fn a_reader_that_cannot_open_the_file_leaves_the_read_to_the_pool() {
    // One pooled connection, open from the start, so the pool never needs to open the file again.
    let t = TempDb::with(
        "unopenable",
        PoolSettings {
            max_connections: Some(1),
            sqlite_readers: Some(1),
            ..Default::default()
        },
    )
    .await;
    // The pool's connection keeps the file open; its path now names a directory, so a new
    // reader connection cannot open it (a busy database takes the same way to the pool).
    let path = t.dir.join("r.db");
    std::fs::rename(&path, t.dir.join("moved.db")).unwrap();
    std::fs::create_dir(&path).unwrap();
    let r: Option<(String,)> =
        t.db.read_optional("SELECT name FROM t WHERE id = $1", args![1_i64])
            .await
            .unwrap();
    assert_eq!(r.unwrap().0, "甲");
    let all: Vec<(String,)> =
        t.db.read_all("SELECT name FROM t ORDER BY id", args![])
            .await
            .unwrap();
    assert_eq!(all.len(), 3);
    t.close().await;
}
