//! The SQLite and PostgreSQL migrations build the same schema: tables, columns and their types
//! (in one vocabulary), nullability, primary keys, indexes, foreign keys and the columns each
//! CHECK covers (`sijian_store::schema` says what cannot be compared and why).
use sijian_store::schema::{describe, diff};
use sijian_testkit::{Engine, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_migrate_to_the_same_schema() {
    let lite = TestDb::new(Engine::Sqlite).await.unwrap();
    let Some(pg) = TestDb::new(Engine::Postgres).await else {
        lite.remove().await;
        return;
    };
    let a = describe(&lite.db).await.unwrap();
    let b = describe(&pg.db).await.unwrap();
    lite.remove().await;
    pg.remove().await;
    assert!(
        a.tables.len() > 20,
        "too few tables read: {:?}",
        a.tables.keys()
    );
    assert!(a.tables.values().all(|t| !t.columns.is_empty()));
    let differences = diff("SQLite", &a, "PostgreSQL", &b);
    assert!(
        differences.is_empty(),
        "the migrations differ:\n  {}",
        differences.join("\n  ")
    );
}
