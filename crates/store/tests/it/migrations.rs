//! What later migrations do to data written under earlier ones, on both engines.
use sijian_store::{args, regions, registry};
use sijian_testkit::{ENGINES, TestDb, build};

/// 0011: resident ID numbers kept masked as region + `********` + last four are shortened to
/// their first and last character, in the register and in pending applications' payloads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn older_id_masks_are_shortened() {
    for engine in ENGINES {
        let Some(t) = TestDb::unmigrated(engine).await else {
            continue;
        };
        let db = &t.db;
        db.migrate_to(10).await.unwrap();
        regions::load_shipped(db).await.unwrap();
        let inst = build::institution(db).await;
        let a = build::appraiser(db, inst.id).await;
        let old = "110105********002X";
        db.execute(
            "UPDATE appraisers SET id_masked = $1 WHERE id = $2",
            args![old, a.id],
        )
        .await
        .unwrap();
        db.migrate().await.unwrap();
        let back = registry::get_appraiser(db, &sijian_domain::Scope::All, a.id)
            .await
            .unwrap();
        assert_eq!(back.id_masked, "1****************X", "{engine:?}");
        t.remove().await;
    }
}
