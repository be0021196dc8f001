//! Each role's workbench (issue 15, point 2): only the queues of its own work, none of them
//! empty, and the register's figures only for those who oversee a region.
use crate::common::{Engine, TestApp};

/// The queue entries of a workbench: (label, count).
fn queues(html: &str) -> Vec<(String, i64)> {
    let Some(list) = html.split("<ul class=\"queues\">").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap_or("");
    list.split("<li>")
        .skip(1)
        .filter_map(|li| {
            let label = li.split('>').nth(1)?.split('<').next()?.to_string();
            let count = li.split("class=\"badge").nth(1)?.split('>').nth(1)?;
            Some((label, count.split('<').next()?.trim().parse().ok()?))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_sees_its_own_work_and_no_empty_queue() {
    let app = TestApp::start(Engine::Sqlite)
        .await
        .expect("sqlite always available");
    let page = |user: &'static str| {
        let app = &app;
        async move { app.login(user).await.page("/").await.1 }
    };
    let court = page("court").await;
    let clerk = page("inst.clerk").await;
    let appraiser = page("appraiser").await;
    let reg = page("hz.reg").await;
    app.stop().await;

    for (who, html) in [
        ("court", &court),
        ("clerk", &clerk),
        ("appraiser", &appraiser),
        ("hz.reg", &reg),
    ] {
        let q = queues(html);
        assert!(
            q.iter().all(|(_, n)| *n > 0),
            "{who}: an empty queue: {q:?}"
        );
    }
    let labels = |html: &str| -> Vec<String> { queues(html).into_iter().map(|q| q.0).collect() };
    // A court follows its commissions; it neither reviews, signs nor checks licence applications.
    for other in [
        "待复核的鉴定案件",
        "待签名、盖章或出具的鉴定案件",
        "待形式审查的许可申请",
    ] {
        assert!(!labels(&court).iter().any(|l| l == other), "court: {other}");
        assert!(
            !labels(&appraiser)
                .iter()
                .any(|l| l == other && other.contains("许可"))
        );
    }
    // The demo's clerk has a commission to accept, and it is on the workbench.
    assert!(
        labels(&clerk).iter().any(|l| l == "待受理的鉴定委托"),
        "{:?}",
        labels(&clerk)
    );
    // Figures about the register are for regulators, not for an institution about itself.
    assert!(
        !clerk.contains("<span class=\"num\">"),
        "clerk has stat cards"
    );
    assert!(
        reg.contains("<span class=\"num\">"),
        "regulator has no figures"
    );
}

/// The demo holds a duplicate-appraisal alert of each level (issue 15, point 6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_an_alert_of_each_level() {
    let app = TestApp::start(Engine::Sqlite)
        .await
        .expect("sqlite always available");
    for level in ["certain", "possible"] {
        let n = app
            .scalar_i64(&format!(
                "SELECT COUNT(*) FROM linkage_alerts WHERE level = '{level}' AND status = 'open'"
            ))
            .await;
        assert!(n >= 1, "no open {level} alert in the demo");
    }
    app.stop().await;
}

/// Each role's help page (issue 15, point 13) explains its own work and lists only the pages of
/// its own menu.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_has_its_own_help() {
    let app = TestApp::start(Engine::Sqlite)
        .await
        .expect("sqlite always available");
    let help = |user: &'static str| {
        let app = &app;
        async move { app.login(user).await.page("/help").await }
    };
    let (st, court) = help("court").await;
    assert_eq!(st, 200);
    let (_, clerk) = help("inst.clerk").await;
    let (_, admin) = help("admin").await;
    app.stop().await;
    assert!(
        court.contains("新建委托") && !court.contains("href=\"/users\""),
        "{court}"
    );
    assert!(clerk.contains("核对登记材料") && clerk.contains("href=\"/cases\""));
    assert!(!clerk.contains("href=\"/users\""));
    assert!(admin.contains("href=\"/users\"") && admin.contains("工作日历"));
}

/// Each case queue on the workbench names its soonest-due cases with their deadlines (issue 15,
/// point 2: what needs me now, with deadlines).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_queues_name_their_soonest_cases_with_deadlines() {
    let app = TestApp::start(Engine::Sqlite)
        .await
        .expect("sqlite always available");
    let (_, html) = app.login("inst.clerk").await.page("/").await;
    // Each queue names its own cases (an empty queue left out must not shift the names).
    for (queue, stages) in [
        ("to_sign", "'signing', 'sealed'"),
        ("to_review", "'under_review'"),
        ("to_accept", "'received'"),
    ] {
        let Some(section) = html.split(&format!("queue={queue}\"")).nth(1) else {
            continue;
        };
        let section = section.split("</li></ol>").next().unwrap_or_default();
        for id in section
            .split("href=\"/cases/")
            .skip(1)
            .filter_map(|p| p.split('"').next()?.parse::<i64>().ok())
        {
            let n = app
                .scalar_i64(&format!(
                    "SELECT COUNT(*) FROM cases WHERE id = {id} AND stage IN ({stages})"
                ))
                .await;
            assert_eq!(n, 1, "case {id} named under {queue}");
        }
    }
    app.stop().await;
    let queue = html
        .split("queue=overdue")
        .nth(1)
        .expect("an overdue queue")
        .split("</ol>")
        .next()
        .unwrap()
        .to_string();
    assert!(queue.contains("class=\"queue-items\""), "{queue}");
    let items = queue.matches("class=\"item\"").count();
    assert!((1..=3).contains(&items), "{items} cases named: {queue}");
    assert!(queue.contains("期限 20"), "deadlines shown: {queue}");
    assert!(queue.contains("href=\"/cases/"), "{queue}");
}
