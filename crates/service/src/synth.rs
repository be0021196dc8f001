//! A synthetic register of any size for load tests: institutions spread over every current
//! region, appraisers with valid (synthetic) ID numbers, practice items within their
//! institution's scope. Deterministic, and written through the same store functions (with their
//! checks and events) as real registrations, in batches.
use crate::demo::{GIVEN, Rng, SURNAMES, appraiser_scope, demo_resident_id, demo_scope, titles};
use crate::secrets::DataKey;
use sijian_store::registry::{self, Accreditations, AppraiserFields, InstitutionFields};
use sijian_store::{Actor, Db, StoreError, regions};

const WORDS: &[&str] = &[
    "正衡", "明鉴", "求实", "公信", "天平", "金盾", "华证", "恒正", "博远", "新知", "中科", "东方",
];
const CATEGORY_SETS: &[&str] = &["1", "1,2", "2", "3", "1,3", "4", "1,2,3", "2,3"];

/// Adds `institutions` institutions with `appraisers` appraisers spread evenly over them.
/// Prints progress to stderr. Returns (institutions, appraisers) written.
pub async fn fill(
    db: &Db,
    keys: &DataKey,
    institutions: usize,
    appraisers: usize,
) -> Result<(usize, usize), StoreError> {
    let actor = Actor::system("合成数据");
    let places: Vec<(String, String)> = regions::list_current(db, None)
        .await?
        .into_iter()
        .filter(|r| r.level != "province" || !r.code.starts_with("33"))
        .map(|r| (r.code, r.name))
        .collect();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let base = sijian_store::registry::max_institution_id(db).await?;
    let mut inst_rows = Vec::new();
    for n in 0..institutions {
        let (code, name) = &places[n % places.len()];
        let cats = *rng.pick(CATEGORY_SETS);
        let serial = base as usize + n + 1;
        inst_rows.push(InstitutionFields {
            name: format!("{name}{}司法鉴定所（{serial}）", rng.pick(WORDS)),
            uscc: None,
            uscc_override: None,
            licence_no: format!("{}{:07}", &code[..2], serial),
            licence_valid_to: Some("2029-12-31".into()),
            region_code: code.clone(),
            registering_authority: format!("{}司法厅", &name),
            scope: demo_scope(&mut rng, cats),
            qualification_level: "ordinary".into(),
            accreditations: Accreditations::default(),
            insurer: String::new(),
            insurance_policy: String::new(),
            insurance_expires: None,
            military: false,
            party_org: n % 2 == 0,
            party_members: (n % 17) as i64,
            legal_rep: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
            head_name: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
            address: format!("{name}人民路{}号", 1 + n % 500),
            phone: String::new(),
            status: if n % 50 == 0 { "suspended" } else { "normal" }.into(),
        });
    }
    let mut inst_ids = Vec::new();
    for (k, chunk) in inst_rows.chunks(500).enumerate() {
        inst_ids.extend(registry::create_institutions_batch(db, &actor, chunk).await?);
        eprintln!(
            "机构 {}/{}",
            (k * 500 + chunk.len()).min(institutions),
            institutions
        );
    }
    let mut written = 0;
    let mut batch = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in 0..appraisers {
        let i = n % inst_rows.len().max(1);
        let inst = &inst_rows[i];
        let cats_text = registry::categories_of(&inst.scope);
        let cats: Vec<&str> = cats_text.split(',').collect();
        let cat = cats[n % cats.len()];
        let (title, senior) = *rng.pick(titles(cat));
        let female = rng.below(2) == 0;
        let born = (1960 + rng.below(35), 1 + rng.below(12), 1 + rng.below(28));
        // Distinct people: bump the sequence until the number is new.
        let mut seq = n;
        let id = loop {
            let id = demo_resident_id(&inst.region_code, born, seq, female);
            if seen.insert(id.as_str().to_string()) {
                break id;
            }
            seq += 1;
        };
        batch.push(AppraiserFields {
            institution_id: inst_ids[i],
            name: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
            gender: if female { "female" } else { "male" }.into(),
            birth_date: Some(format!("{:04}-{:02}-{:02}", born.0, born.1, born.2)),
            id_number: Some(keys.seal_resident_id(&id)),
            education: "bachelor".into(),
            certificate_no: format!(
                "{}{:08}",
                &inst.region_code[..2],
                base as usize * 100 + n + 1
            ),
            scope: appraiser_scope(&inst.scope, cat, n),
            title: title.into(),
            senior_title: senior,
            phone: String::new(),
            status: "active".into(),
        });
        if batch.len() == 1000 || n + 1 == appraisers {
            written += registry::create_appraisers_batch(db, &actor, &batch)
                .await?
                .len();
            batch.clear();
            eprintln!("鉴定人 {written}/{appraisers}");
        }
    }
    Ok((inst_ids.len(), written))
}
