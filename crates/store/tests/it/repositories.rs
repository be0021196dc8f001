//! Each repository of the store on both engines: what is written reads back, changes apply
//! under the version the caller saw, lists find and page, and a record outside the caller's
//! scope is not found. Data comes from the test kit's builders.
use sijian_domain::licensing::Stage as LicensingStage;
use sijian_domain::region::RegionPath;
use sijian_domain::{Role, Scope};
use sijian_store::applications::{self, ApplicationFilter};
use sijian_store::cases::{self, CaseFilter};
use sijian_store::events::{self, EventFilter};
use sijian_store::logs::{self, OpEntry};
use sijian_store::organs;
use sijian_store::registry::{self, AppraiserFilter, InstitutionChange, InstitutionFilter};
use sijian_store::users::{self, UserFilter};
use sijian_store::{
    Db, ListQuery, StoreError, calendar, regions, search, sessions, settings, tokens, webhooks,
};
use sijian_testkit::build::{self, Stage};
use sijian_testkit::db_test;

fn all() -> ListQuery {
    ListQuery {
        per_page: 200,
        ..Default::default()
    }
}

fn region_of(path: &str) -> Scope {
    Scope::Region(RegionPath::parse(path).expect("a stored region path"))
}

/// 宁波市: a region none of the default records is in.
async fn elsewhere(db: &Db) -> Scope {
    let o = build::organ_with(db, |f| f.region_code = "330203".into()).await;
    let city = o
        .region_path
        .trim_end_matches('/')
        .rsplit_once('/')
        .unwrap()
        .0;
    region_of(&format!("{city}/"))
}

fn not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
}

db_test!(institutions_round_trip_and_scope, |db| {
    let i = build::institution_with(&db, |f| f.head_name = "王主任".into()).await;
    let read = registry::get_institution(&db, &Scope::All, i.id)
        .await
        .unwrap();
    assert_eq!(read.fields(), i.fields());
    assert_eq!(read.head_name, "王主任");
    assert_eq!(read.categories, "1");

    let mut f = read.fields();
    f.phone = "0571-12345678".into();
    let changed = registry::update_institution(
        &db,
        &registry::Edit {
            actor: &build::actor(),
            scope: &Scope::All,
            id: i.id,
            version: read.version,
            reason: "",
        },
        &f,
        InstitutionChange::ContactOnly,
    )
    .await
    .unwrap();
    assert_eq!(changed.phone, "0571-12345678");
    assert_eq!(changed.version, read.version + 1);
    // The version the caller saw is stale now.
    let stale = registry::update_institution(
        &db,
        &registry::Edit {
            actor: &build::actor(),
            scope: &Scope::All,
            id: i.id,
            version: read.version,
            reason: "",
        },
        &f,
        InstitutionChange::ContactOnly,
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");

    let other = build::institution(&db).await;
    let page = registry::list_institutions(&db, &Scope::All, &InstitutionFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    // Scope: its own institution, its region; not another institution, not another region.
    let own = Scope::Institution(i.id);
    registry::get_institution(&db, &own, i.id).await.unwrap();
    registry::get_institution(&db, &region_of(&i.region_path), i.id)
        .await
        .unwrap();
    not_found(registry::get_institution(&db, &Scope::Institution(other.id), i.id).await);
    not_found(registry::get_institution(&db, &elsewhere(&db).await, i.id).await);
    let mine = registry::list_institutions(&db, &own, &InstitutionFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(mine.items.iter().map(|x| x.id).collect::<Vec<_>>(), [i.id]);
});

db_test!(appraisers_round_trip_and_scope, |db| {
    let i = build::institution(&db).await;
    let a = build::appraiser_with(&db, i.id, |f| f.title = "副主任法医师".into()).await;
    let read = registry::get_appraiser(&db, &Scope::All, a.id)
        .await
        .unwrap();
    assert_eq!(read.title, "副主任法医师");
    assert_eq!(read.institution_id, i.id);
    let list = registry::list_appraisers(
        &db,
        &Scope::All,
        &AppraiserFilter {
            institution_id: Some(i.id),
            ..Default::default()
        },
        &all(),
    )
    .await
    .unwrap();
    assert_eq!(list.items.iter().map(|x| x.id).collect::<Vec<_>>(), [a.id]);
    // An appraiser sees their own record, not a colleague's; another institution sees neither.
    let colleague = build::appraiser(&db, i.id).await;
    let me = Scope::Appraiser {
        appraiser_id: a.id,
        institution_id: i.id,
    };
    registry::get_appraiser(&db, &me, a.id).await.unwrap();
    registry::get_appraiser(&db, &Scope::Institution(i.id), colleague.id)
        .await
        .unwrap();
    let other = build::institution(&db).await;
    not_found(registry::get_appraiser(&db, &Scope::Institution(other.id), a.id).await);
    // The register's postings record where the appraiser practises.
    let postings = registry::postings(&db, a.id).await.unwrap();
    assert_eq!(postings.len(), 1, "{postings:?}");
});

db_test!(register_entries_add_up_and_stay_in_scope, |db| {
    let i = build::institution(&db).await;
    let a = build::appraiser(&db, i.id).await;
    let training = |on: &str, hours| registry::RecordFields {
        kind: "training".into(),
        on_date: on.into(),
        hours: Some(hours),
        detail: "继续教育".into(),
    };
    for (on, hours) in [("2026-03-01", 8), ("2026-05-01", 4), ("2025-06-01", 6)] {
        registry::add_record(
            &db,
            &build::actor(),
            &Scope::Institution(i.id),
            a.id,
            &training(on, hours),
        )
        .await
        .unwrap();
    }
    let rows = registry::records(&db, a.id).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.on_date.to_string())
            .collect::<Vec<_>>(),
        ["2026-05-01", "2026-03-01", "2025-06-01"]
    );
    assert_eq!(
        registry::training_hours(&db, a.id).await.unwrap(),
        [("2026".to_string(), 12), ("2025".to_string(), 6)]
    );
    // Another institution cannot add to its register entry.
    let other = build::institution(&db).await;
    not_found(
        registry::add_record(
            &db,
            &build::actor(),
            &Scope::Institution(other.id),
            a.id,
            &training("2026-07-01", 2),
        )
        .await,
    );
    assert_eq!(registry::records(&db, a.id).await.unwrap().len(), 3);
});

db_test!(name_search_finds_by_grams, |db| {
    let i = build::institution_with(&db, |f| f.name = "钱塘江司法鉴定所".into()).await;
    build::institution(&db).await;
    let q = ListQuery {
        q: Some("钱塘".into()),
        ..all()
    };
    let found = registry::list_institutions(&db, &Scope::All, &InstitutionFilter::default(), &q)
        .await
        .unwrap();
    assert_eq!(found.items.iter().map(|x| x.id).collect::<Vec<_>>(), [i.id]);
    // A fresh database builds the index once from both records, then never again; the search
    // answers the same after the rebuild.
    assert_eq!(search::rebuild_if_needed(&db).await.unwrap(), 2);
    assert_eq!(search::rebuild_if_needed(&db).await.unwrap(), 0);
    let again = registry::list_institutions(&db, &Scope::All, &InstitutionFilter::default(), &q)
        .await
        .unwrap();
    assert_eq!(again.items.iter().map(|x| x.id).collect::<Vec<_>>(), [i.id]);
});

db_test!(list_paging_and_sorting, |db| {
    for _ in 0..5 {
        build::organ(&db).await;
    }
    let q = |page| ListQuery {
        page,
        per_page: 2,
        sort: Some("name".into()),
        ..Default::default()
    };
    let p1 = organs::list(&db, &Scope::All, None, &q(1)).await.unwrap();
    let p3 = organs::list(&db, &Scope::All, None, &q(3)).await.unwrap();
    assert_eq!(p1.total, 5);
    assert_eq!(p1.pages(), 3);
    assert_eq!(p1.items.len(), 2);
    assert_eq!(p3.items.len(), 1);
    assert!(p1.items[0].name < p1.items[1].name);
    assert!(p1.items[1].name < p3.items[0].name);
});

db_test!(organs_round_trip_and_scope, |db| {
    let o = build::organ_with(&db, |f| f.kind = "police".into()).await;
    let read = organs::get(&db, &Scope::All, o.id).await.unwrap();
    assert_eq!(read.fields(), o.fields());
    let mut f = read.fields();
    f.address = "杭州市西湖区新址 2 号".into();
    let changed = organs::update(&db, &build::actor(), &Scope::All, o.id, read.version, &f)
        .await
        .unwrap();
    assert_eq!(changed.address, f.address);
    let police = organs::list(&db, &Scope::All, Some("police".into()), &all())
        .await
        .unwrap();
    assert_eq!(police.total, 1);
    organs::get(&db, &Scope::Organ(o.id), o.id).await.unwrap();
    let other = build::organ(&db).await;
    not_found(organs::get(&db, &Scope::Organ(other.id), o.id).await);
    not_found(organs::get(&db, &elsewhere(&db).await, o.id).await);
});

db_test!(users_round_trip_and_scope, |db| {
    let clerk = build::user(&db, Role::InstitutionClerk).await;
    let read = users::get(&db, &Scope::All, clerk.id).await.unwrap();
    assert_eq!(read.username, clerk.username);
    assert_eq!(read.role, Role::InstitutionClerk);
    let (by_name, hash) = users::by_username(&db, &clerk.username)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((by_name.id, hash.as_str()), (clerk.id, "!"));
    // The county regulator's scope reaches the accounts of its institutions.
    let county_scope = region_of(&read.home_path);
    let attachment = users::Attachment {
        institution_id: read.institution_id,
        ..Default::default()
    };
    let change = users::AccountChange {
        display_name: "新名字",
        role: Role::InstitutionHead,
        attachment: &attachment,
        active: true,
    };
    let changed = users::update(
        &db,
        &build::actor(),
        &county_scope,
        clerk.id,
        read.version,
        &change,
    )
    .await
    .unwrap();
    assert_eq!(
        (changed.display_name.as_str(), changed.role.as_str()),
        ("新名字", Role::InstitutionHead.as_str())
    );
    let county = build::user(&db, Role::RegulatorCounty).await;
    let heads = users::list(
        &db,
        &Scope::All,
        &UserFilter {
            role: Some("institution_head".into()),
            active: None,
        },
        &all(),
    )
    .await
    .unwrap();
    assert_eq!(
        heads.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        [clerk.id]
    );
    users::get(&db, &county_scope, county.id).await.unwrap();
    // An institution's scope reaches no accounts; another region's not these.
    let inst = Scope::Institution(read.institution_id.unwrap());
    not_found(users::get(&db, &inst, clerk.id).await);
    not_found(users::get(&db, &elsewhere(&db).await, clerk.id).await);
    assert_eq!(users::count(&db).await.unwrap(), 2);
});

db_test!(sessions_live_until_they_expire, |db| {
    let u = build::user(&db, Role::Admin).await;
    let new = sessions::NewSession {
        id_hash: "hash-1",
        user_id: u.id,
        csrf: "csrf",
        now: 1_000,
        expires_at: 5_000,
        ip: "127.0.0.1",
        user_agent: "test",
    };
    sessions::create(&db, &new).await.unwrap();
    let s = sessions::load(&db, "hash-1", 2_000).await.unwrap().unwrap();
    assert_eq!((s.user.id, s.csrf_token.as_str()), (u.id, "csrf"));
    assert!(
        sessions::load(&db, "hash-1", 5_000)
            .await
            .unwrap()
            .is_none()
    );
    sessions::touch(&db, "hash-1", 4_000, 9_000).await.unwrap();
    let s = sessions::load(&db, "hash-1", 6_000).await.unwrap().unwrap();
    assert_eq!((s.last_seen_at, s.expires_at), (4_000, 9_000));
    assert_eq!(sessions::purge_expired(&db, 8_000).await.unwrap(), 0);
    assert_eq!(sessions::purge_expired(&db, 9_000).await.unwrap(), 1);
    assert!(
        sessions::load(&db, "hash-1", 6_000)
            .await
            .unwrap()
            .is_none()
    );
});

db_test!(tokens_are_found_by_hash_and_revoked, |db| {
    let u = build::user(&db, Role::Organ).await;
    let t = tokens::create(
        &db,
        &build::actor(),
        tokens::NewToken {
            user: &u,
            name: "接口",
            token_hash: "th-1",
            token_prefix: "sj_abc",
            org_key: "organ:1",
            read_only: true,
            expires_at: None,
        },
    )
    .await
    .unwrap();
    assert!(t.read_only);
    let found = tokens::find(&db, "th-1").await.unwrap().unwrap();
    assert_eq!((found.token.id, found.user.id), (t.id, u.id));
    assert!(tokens::find(&db, "th-2").await.unwrap().is_none());
    tokens::mark_used(&db, t.id, 42).await.unwrap();
    tokens::revoke(&db, &build::actor(), &u, t.id)
        .await
        .unwrap();
    let listed = tokens::list_for_user(&db, u.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(42));
    assert!(listed[0].revoked_at.is_some());
    // Another account cannot revoke it.
    let other = build::user(&db, Role::Organ).await;
    assert!(
        tokens::revoke(&db, &build::actor(), &other, t.id)
            .await
            .is_err()
    );
});

db_test!(regions_and_settings, |db| {
    let county = regions::get(&db, "330106").await.unwrap();
    assert_eq!(county.name, "西湖区");
    assert!(county.path.ends_with("/330106/"), "{}", county.path);
    // Loading again inserts nothing.
    assert_eq!(regions::load_shipped(&db).await.unwrap(), 0);
    assert_eq!(settings::get(&db, "k").await.unwrap(), None);
    settings::set(&db, "k", "1").await.unwrap();
    settings::set(&db, "k", "2").await.unwrap();
    assert_eq!(settings::get(&db, "k").await.unwrap().as_deref(), Some("2"));
});

db_test!(calendar_years_replace_with_a_new_version, |db| {
    let body = "2027-01-01 holiday 元旦\n";
    let first = calendar::put(&db, &build::actor(), 2027, "国务院办公厅通知", body)
        .await
        .unwrap();
    let second = calendar::put(&db, &build::actor(), 2027, "更正", body)
        .await
        .unwrap();
    assert_eq!(second.version, first.version + 1);
    let years = calendar::list(&db).await.unwrap();
    assert_eq!(years.len(), 1);
    assert_eq!((years[0].year, years[0].source.as_str()), (2027, "更正"));
});

db_test!(events_are_listed_in_scope, |db| {
    let a = build::institution(&db).await;
    let b = build::institution(&db).await;
    let f = EventFilter {
        entity_type: Some("institution".into()),
        ..Default::default()
    };
    let everything = events::list(&db, &Scope::All, &f, &all()).await.unwrap();
    assert_eq!(everything.total, 2);
    let mine = events::list(&db, &Scope::Institution(a.id), &f, &all())
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 1);
    let e = &mine.items[0];
    assert_eq!(
        (e.kind.as_str(), e.entity_id.clone()),
        ("institution.created", a.id.to_string())
    );
    assert!(events::get(&db, &Scope::All, e.id).await.unwrap().is_some());
    assert!(
        events::get(&db, &Scope::Institution(b.id), e.id)
            .await
            .unwrap()
            .is_none()
    );
});

db_test!(operation_and_login_logs, |db| {
    let u = build::user(&db, Role::RegulatorCounty).await;
    for (path, result) in [(u.home_path.as_str(), "ok"), ("/", "denied")] {
        logs::record_op(
            &db,
            &OpEntry {
                at: 1_000,
                user_id: Some(u.id),
                username: &u.username,
                role: "regulator_county",
                home_path: path,
                method: "POST",
                path: "/x",
                action: "测试",
                ip: "10.0.0.1",
                status: 200,
                result,
                detail: "",
            },
        )
        .await
        .unwrap();
    }
    let county = region_of(&u.home_path);
    let all_ops = logs::list_ops(&db, &Scope::All, None, &all())
        .await
        .unwrap();
    assert_eq!(all_ops.total, 2);
    let seen = logs::list_ops(&db, &county, None, &all()).await.unwrap();
    assert_eq!(
        seen.items
            .iter()
            .map(|r| r.result.as_str())
            .collect::<Vec<_>>(),
        ["ok"]
    );
    let denied = logs::list_ops(&db, &Scope::All, Some("denied".into()), &all())
        .await
        .unwrap();
    assert_eq!(denied.total, 1);

    let attempt = logs::LoginAttempt {
        at: 10,
        username: &u.username,
        user_id: Some(u.id),
        home_path: &u.home_path,
        ip: "10.0.0.2",
        user_agent: "ua",
        result: "bad_password",
    };
    logs::record_login(&db, &attempt).await.unwrap();
    let attempt = logs::LoginAttempt {
        at: 20,
        username: &u.username,
        user_id: Some(u.id),
        home_path: &u.home_path,
        ip: "10.0.0.2",
        user_agent: "ua",
        result: "ok",
    };
    logs::record_login(&db, &attempt).await.unwrap();
    assert_eq!(logs::failures_from_ip(&db, "10.0.0.2", 0).await.unwrap(), 1);
    assert_eq!(
        logs::failures_from_ip(&db, "10.0.0.2", 11).await.unwrap(),
        0
    );
    let logins = logs::list_logins(&db, &county, None, &all()).await.unwrap();
    assert_eq!(logins.total, 2);
    let none = logs::list_logins(&db, &elsewhere(&db).await, None, &all())
        .await
        .unwrap();
    assert_eq!(none.total, 0);
});

db_test!(webhooks_are_set_in_scope, |db| {
    let o = build::organ(&db).await;
    let w = webhooks::set(
        &db,
        &build::actor(),
        &Scope::All,
        o.id,
        "https://a.example/h",
        "sealed",
        true,
    )
    .await
    .unwrap();
    assert_eq!((w.url.as_str(), w.active), ("https://a.example/h", true));
    let w = webhooks::set(
        &db,
        &build::actor(),
        &Scope::Organ(o.id),
        o.id,
        "https://b.example/h",
        "sealed2",
        false,
    )
    .await
    .unwrap();
    assert!(!w.active);
    let read = webhooks::get(&db, o.id).await.unwrap().unwrap();
    assert_eq!(
        (read.url.as_str(), read.sealed_secret.as_str()),
        ("https://b.example/h", "sealed2")
    );
    let other = build::organ(&db).await;
    not_found(
        webhooks::set(
            &db,
            &build::actor(),
            &Scope::Organ(other.id),
            o.id,
            "https://c.example/h",
            "s",
            true,
        )
        .await,
    );
    assert_eq!(webhooks::pending_count(&db).await.unwrap(), 0);
});

db_test!(cases_walk_to_issue_and_stay_in_scope, |db| {
    let b = build::case_at(&db, Stage::Issued).await;
    let read = cases::get(&db, &Scope::All, b.case.id).await.unwrap();
    assert_eq!(read.stage, sijian_domain::procedure::Stage::Issued);
    assert_eq!(read.version, b.case.version);
    let issued = b.issued.as_ref().unwrap();
    let opinion = cases::opinions::by_case(&db, b.case.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cases::opinions::grouped(&opinion.code), issued.code);
    assert_eq!(
        cases::opinions::signers(&db, b.case.id)
            .await
            .unwrap()
            .len(),
        2
    );
    let parts = cases::parts(&db, &Scope::All, b.case.id).await.unwrap();
    assert_eq!(parts.materials.len(), 1);
    // Every step left its event.
    let trail = events::list(
        &db,
        &Scope::All,
        &EventFilter {
            entity_type: Some("case".into()),
            entity_id: Some(b.case.id.to_string()),
            kind: None,
            hide_kind_prefix: None,
        },
        &all(),
    )
    .await
    .unwrap();
    let kinds: Vec<&str> = trail.items.iter().map(|e| e.kind.as_str()).collect();
    for k in [
        "case.commissioned",
        "case.accepted",
        "case.assigned",
        "case.issued",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    // Scope: the institution and an assigned appraiser see it; another institution does not.
    cases::get(&db, &Scope::Institution(b.institution_id), b.case.id)
        .await
        .unwrap();
    cases::get(
        &db,
        &Scope::Appraiser {
            appraiser_id: b.appraisers[0],
            institution_id: b.institution_id,
        },
        b.case.id,
    )
    .await
    .unwrap();
    let other = build::institution(&db).await;
    not_found(cases::get(&db, &Scope::Institution(other.id), b.case.id).await);
    not_found(cases::get(&db, &elsewhere(&db).await, b.case.id).await);
});

db_test!(
    case_steps_refuse_a_stale_version_and_lists_filter_by_stage,
    |db| {
        let mut b = build::case_at(&db, Stage::Commissioned).await;
        let seen = b.case.clone();
        build::advance(&db, &mut b, Stage::Accepted).await;
        assert_eq!(b.case.stage, sijian_domain::procedure::Stage::Accepted);
        // A second clerk acting on what they saw before the acceptance is refused.
        let again = build::steps::try_accept(&db, &seen, 2).await;
        assert!(matches!(again, Err(StoreError::Conflict)), "{again:?}");
        build::advance(&db, &mut b, Stage::InProgress).await;
        assert_eq!(b.case.stage, sijian_domain::procedure::Stage::InProgress);
        let other =
            build::case_with(&db, Stage::Commissioned, Some(b.institution_id), |_| {}).await;
        let list = |stage: &str| CaseFilter {
            stage: Some(stage.into()),
            ..Default::default()
        };
        let running = cases::list(&db, &Scope::All, &list("in_progress"), &all())
            .await
            .unwrap();
        assert_eq!(
            running.items.iter().map(|c| c.id).collect::<Vec<_>>(),
            [b.case.id]
        );
        let received = cases::list(
            &db,
            &Scope::Institution(b.institution_id),
            &list("received"),
            &all(),
        )
        .await
        .unwrap();
        assert_eq!(
            received.items.iter().map(|c| c.id).collect::<Vec<_>>(),
            [other.case.id]
        );
    }
);

db_test!(a_case_reads_back_its_dates_stage_and_items_typed, |db| {
    use sijian_domain::calendar::WorkingCalendar;
    use sijian_domain::procedure::{CaseCommand, Stage as CaseStage};
    let b = build::case_at(&db, Stage::Accepted).await;
    let cal = WorkingCalendar::shipped();
    let day = |n: u32| cal.add_working_days(build::received_on(), n).unwrap();
    let command = CaseCommand::SignContract {
        effective_on: day(3),
        declares_reappraisal: false,
        agreed_complete_by: Some(day(20)),
        contract_sha256: None,
    };
    build::steps::run(&db, &b.case, 3, command, None)
        .await
        .unwrap();
    let read = cases::get(&db, &Scope::All, b.case.id).await.unwrap();
    assert_eq!(read.stage, CaseStage::Contracted);
    assert_eq!(read.received_on, build::received_on());
    assert_eq!(read.decided_on, Some(day(2)));
    assert_eq!(read.contract_effective_on, Some(day(3)));
    assert_eq!(read.agreed_complete_by, Some(day(20)));
    assert_eq!(read.agreed_accept_by, None);
    assert_eq!((read.materials_returned_on, read.closed_on), (None, None));
    assert!(read.due_on.is_some_and(|d| d > day(3)), "{:?}", read.due_on);
    assert_eq!(read.client_kind, sijian_domain::role::OrganKind::Other);
    assert_eq!(
        read.items,
        [build::first_item(&build::default_sub_category())]
    );
    // The JSON of the row is the stored text, as before the fields were typed.
    let json = serde_json::to_value(&read).unwrap();
    assert_eq!(json["stage"], "contracted");
    assert_eq!(json["received_on"], "2026-09-01");
    assert_eq!(json["contract_effective_on"], day(3).to_string());
    assert_eq!(json["closed_on"], serde_json::Value::Null);
    assert_eq!(json["client_kind"], "other");
    assert_eq!(json["items"], read.items.join(","));
});

db_test!(
    a_deadline_in_a_year_without_a_table_is_provisional_until_the_table_is_loaded,
    |db| {
        use sijian_domain::calendar::{Date, WorkingCalendar, YearTable};
        use sijian_domain::procedure::{CaseCommand, Policy};
        let d = |s: &str| Date::parse(s).unwrap();
        let b = build::case_at(&db, Stage::Accepted).await;
        assert!(!b.case.due_provisional, "the acceptance date lies in 2026");
        // 30 working days from 2026-11-25 reach into 2027, which has no table: counted from
        // the statutory holidays (1 January off), 2027-01-07, provisionally.
        let command = CaseCommand::SignContract {
            effective_on: d("2026-11-25"),
            declares_reappraisal: false,
            agreed_complete_by: None,
            contract_sha256: None,
        };
        let stepped = build::steps::run(&db, &b.case, 3, command, None)
            .await
            .unwrap();
        assert_eq!(
            (
                stepped.case.deadline.as_str(),
                stepped.case.due_on,
                stepped.case.due_provisional
            ),
            ("complete", Some(d("2027-01-07")), true)
        );
        let json = serde_json::to_value(&stepped.case).unwrap();
        assert_eq!(json["due_provisional"], true);
        // A sweep without the table keeps it provisional; the date counts for the queues.
        // Three working days before the date (4 January, itself counted provisionally).
        let today = d("2027-01-04");
        let shipped = WorkingCalendar::shipped();
        let r = cases::sweep(&db, today, &shipped, |_| Policy::default())
            .await
            .unwrap();
        assert!(r.refreshed >= 1, "{r:?}");
        assert!(r.raised >= 1, "due soon: {r:?}");
        let read = cases::get(&db, &Scope::All, b.case.id).await.unwrap();
        assert_eq!(
            (read.due_on, read.due_provisional),
            (Some(d("2027-01-07")), true)
        );
        let alerts = cases::alerts(&db, &Scope::All, 100).await.unwrap();
        let alert = alerts.iter().find(|a| a.case_id == b.case.id).unwrap();
        assert_eq!(
            (alert.kind.as_str(), alert.due_provisional),
            ("due_soon", true)
        );
        // The State Council's table makes 1–5 January days off: the date is recomputed, exact.
        let y2027 =
            YearTable::parse("year 2027\nsource 测试通知\nholiday 2027-01-01..2027-01-05 元旦\n")
                .unwrap();
        let loaded = WorkingCalendar::shipped().with_table(y2027);
        cases::sweep(&db, today, &loaded, |_| Policy::default())
            .await
            .unwrap();
        let read = cases::get(&db, &Scope::All, b.case.id).await.unwrap();
        assert_eq!(
            (read.due_on, read.due_provisional),
            (Some(d("2027-01-11")), false)
        );
        // The alert on the old date is cleared; exact dates are no longer swept.
        let alerts = cases::alerts(&db, &Scope::All, 100).await.unwrap();
        assert!(
            alerts
                .iter()
                .filter(|a| a.case_id == b.case.id)
                .all(|a| a.due_on == "2027-01-11" && !a.due_provisional),
            "{alerts:?}"
        );
    }
);

db_test!(online_commissions_are_the_organs, |db| {
    let court = build::organ(&db).await;
    let b = build::case_with(&db, Stage::Commissioned, None, |n| {
        n.organ_id = Some(court.id);
        n.client_kind = sijian_domain::role::OrganKind::Court;
        n.client_name = court.name.clone();
    })
    .await;
    assert_eq!(b.case.organ_id, Some(court.id));
    cases::get(&db, &Scope::Organ(court.id), b.case.id)
        .await
        .unwrap();
    let other = build::organ(&db).await;
    not_found(cases::get(&db, &Scope::Organ(other.id), b.case.id).await);
});

db_test!(
    an_application_reads_back_its_kind_stage_and_dates_typed,
    |db| {
        use sijian_domain::calendar::WorkingCalendar;
        use sijian_domain::licensing::{ApplicationCommand, ApplicationKind, Policy};
        let i = build::institution(&db).await;
        let a = build::application(&db, i.id).await;
        let checked_on = WorkingCalendar::shipped()
            .add_working_days(build::received_on(), 2)
            .unwrap();
        let today = checked_on.to_string();
        let at = applications::At {
            actor: &build::actor(),
            scope: &Scope::All,
            id: a.id,
            version: Some(a.version),
            today: &today,
            policy: &|_: &str| Policy::default(),
        };
        let command = ApplicationCommand::CheckMaterials {
            complete: true,
            reasons: String::new(),
        };
        applications::step(&db, &at, command, &[]).await.unwrap();
        let read = applications::get(&db, &Scope::All, a.id).await.unwrap();
        assert_eq!(read.kind, ApplicationKind::AppraiserRegister);
        assert_eq!(read.stage, LicensingStage::Accepted);
        assert_eq!(read.submitted_on, build::received_on());
        assert_eq!(read.accepted_on, Some(checked_on));
        assert_eq!(
            (read.review_started_on, read.review_finished_on),
            (None, None)
        );
        // The JSON of the row is the stored text, as before the fields were typed.
        let json = serde_json::to_value(&read).unwrap();
        assert_eq!(json["kind"], "appraiser_register");
        assert_eq!(json["stage"], "accepted");
        assert_eq!(json["submitted_on"], "2026-09-01");
        assert_eq!(json["accepted_on"], today);
        assert_eq!(json["review_started_on"], serde_json::Value::Null);
    }
);

db_test!(applications_round_trip_and_scope, |db| {
    let i = build::institution(&db).await;
    let a = build::application(&db, i.id).await;
    assert_eq!(a.stage, LicensingStage::Submitted);
    let read = applications::get(&db, &Scope::All, a.id).await.unwrap();
    assert_eq!(
        (read.subject.as_str(), read.institution_id),
        (a.subject.as_str(), Some(i.id))
    );
    assert_eq!(applications::attachments(&db, a.id).await.unwrap().len(), 1);
    let today = build::received_on().to_string();
    let at = applications::At {
        actor: &build::actor(),
        scope: &Scope::All,
        id: a.id,
        version: Some(a.version),
        today: &today,
        policy: &|_: &str| sijian_domain::licensing::Policy::default(),
    };
    let command = sijian_domain::licensing::ApplicationCommand::CheckMaterials {
        complete: true,
        reasons: String::new(),
    };
    let accepted = applications::step(&db, &at, command, &[]).await.unwrap();
    assert_ne!(accepted.stage, LicensingStage::Submitted);
    assert_eq!(accepted.version, a.version + 1);
    let listed = applications::list(
        &db,
        &Scope::Institution(i.id),
        &ApplicationFilter::default(),
        &all(),
    )
    .await
    .unwrap();
    assert_eq!(
        listed.items.iter().map(|x| x.id).collect::<Vec<_>>(),
        [a.id]
    );
    let other = build::institution(&db).await;
    not_found(applications::get(&db, &Scope::Institution(other.id), a.id).await);
    not_found(applications::get(&db, &elsewhere(&db).await, a.id).await);
});
