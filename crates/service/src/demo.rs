//! A realistic demo dataset: the regions of 浙江省, commissioning organs, about 20 institutions
//! across the four categories, about 100 appraisers and one account for every role. Generated
//! deterministically, written through the same store functions (and so the same events) as
//! real changes.
use crate::secrets::{DataKey, hash_password};
use sijian_domain::Category;
use sijian_domain::Role;
use sijian_domain::classification::Classification;
use sijian_domain::identifiers::ResidentId;
use sijian_domain::identifiers::Uscc;
use sijian_store::organs::{self, OrganFields};
use sijian_store::registry::{self, AppraiserFields, InstitutionFields};
use sijian_store::users::{self, Attachment, NewUser};
use sijian_store::{Actor, Db, Scope, StoreError, settings};

/// Password of every demo account (meets the default password policy).
pub const DEMO_PASSWORD: &str = "Sijian-Demo-2026";

/// Small deterministic generator (xorshift64*), so every demo is the same.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "沈", "蒋", "蔡", "欧阳", "司马", "诸葛",
];
pub(crate) const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "玉兰", "志强", "晓东", "海燕",
    "子涵", "思远", "雨桐", "浩然", "嘉怡", "俊杰", "晨曦",
];

struct InstSpec {
    name: &'static str,
    region: &'static str,
    categories: &'static str,
    status: &'static str,
}

const INSTITUTIONS: &[InstSpec] = &[
    InstSpec {
        name: "浙江明正司法鉴定中心",
        region: "330106",
        categories: "1,2",
        status: "normal",
    },
    InstSpec {
        name: "浙江求真法医司法鉴定所",
        region: "330102",
        categories: "1",
        status: "normal",
    },
    InstSpec {
        name: "杭州钱江司法鉴定所",
        region: "330109",
        categories: "1,3",
        status: "normal",
    },
    InstSpec {
        name: "浙江之江环境损害司法鉴定中心",
        region: "330110",
        categories: "4",
        status: "normal",
    },
    InstSpec {
        name: "杭州天衡声像资料司法鉴定所",
        region: "330105",
        categories: "3",
        status: "normal",
    },
    InstSpec {
        name: "浙江大学医学院附属医院司法鉴定中心",
        region: "330106",
        categories: "1",
        status: "normal",
    },
    InstSpec {
        name: "宁波甬正司法鉴定所",
        region: "330203",
        categories: "1,2",
        status: "normal",
    },
    InstSpec {
        name: "宁波海曙物证司法鉴定所",
        region: "330203",
        categories: "2",
        status: "suspended",
    },
    InstSpec {
        name: "温州瓯江法医司法鉴定所",
        region: "330302",
        categories: "1",
        status: "normal",
    },
    InstSpec {
        name: "温州东海环境损害司法鉴定所",
        region: "330304",
        categories: "4",
        status: "normal",
    },
    InstSpec {
        name: "嘉兴南湖司法鉴定中心",
        region: "330402",
        categories: "1,2,3",
        status: "normal",
    },
    InstSpec {
        name: "湖州太湖司法鉴定所",
        region: "330502",
        categories: "1",
        status: "normal",
    },
    InstSpec {
        name: "绍兴越州司法鉴定所",
        region: "330602",
        categories: "1,2",
        status: "normal",
    },
    InstSpec {
        name: "金华八婺司法鉴定中心",
        region: "330702",
        categories: "1,3",
        status: "normal",
    },
    InstSpec {
        name: "衢州衢江法医司法鉴定所",
        region: "330803",
        categories: "1",
        status: "normal",
    },
    InstSpec {
        name: "舟山海洋环境损害司法鉴定所",
        region: "330902",
        categories: "4",
        status: "normal",
    },
    InstSpec {
        name: "台州椒江司法鉴定所",
        region: "331002",
        categories: "1,2",
        status: "normal",
    },
    InstSpec {
        name: "丽水处州司法鉴定所",
        region: "331102",
        categories: "1",
        status: "cancelled",
    },
    InstSpec {
        name: "义乌商城电子数据司法鉴定所",
        region: "330782",
        categories: "3",
        status: "normal",
    },
    InstSpec {
        name: "浙江公正笔迹文书司法鉴定所",
        region: "330108",
        categories: "2",
        status: "normal",
    },
];

/// A business scope for the demo: most sub-categories of each category.
pub(crate) fn demo_scope(rng: &mut Rng, categories: &str) -> String {
    let cls = Classification::current();
    let mut codes = Vec::new();
    for c in Category::parse_set(categories).unwrap_or_default() {
        let subs: Vec<String> = cls.sub_categories(c).map(|e| e.code.to_string()).collect();
        let mut picked: Vec<String> = subs.iter().filter(|_| rng.below(4) != 0).cloned().collect();
        if picked.is_empty() {
            picked.push(subs[0].clone());
        }
        codes.extend(picked);
    }
    codes.join(",")
}

/// Practice items for the k-th appraiser: two items of a sub-category of the institution's
/// scope in `cat`.
pub(crate) fn appraiser_scope(inst_scope: &str, cat: &str, k: usize) -> String {
    let cls = Classification::current();
    let subs: Vec<&str> = inst_scope
        .split(',')
        .filter(|c| c.starts_with(cat))
        .collect();
    let sub = subs[k % subs.len()];
    let items: Vec<String> = cls.items(sub).map(|e| e.code.to_string()).collect();
    if items.len() < 2 {
        return sub.to_string();
    }
    let a = k % items.len();
    let b = (k + 1) % items.len();
    let mut v = vec![items[a].clone(), items[b].clone()];
    v.sort();
    v.dedup();
    v.join(",")
}

/// A valid resident ID number for a demo person (region, birth date, sequence, check).
pub(crate) fn demo_resident_id(
    region: &str,
    born: (usize, usize, usize),
    seq: usize,
    female: bool,
) -> ResidentId {
    let seq = (seq % 499) * 2 + if female { 2 } else { 1 };
    let body = format!("{region}{:04}{:02}{:02}{seq:03}", born.0, born.1, born.2);
    match ResidentId::parse(&format!("{body}0")) {
        Ok(id) => id,
        Err(sijian_domain::identifiers::ResidentIdError::Check { expected }) => {
            ResidentId::parse(&format!("{body}{expected}")).expect("check character computed")
        }
        Err(e) => panic!("demo ID {body}: {e}"),
    }
}

const ORGANS: &[(&str, &str, &str)] = &[
    ("浙江省高级人民法院", "court", "330000"),
    ("杭州市中级人民法院", "court", "330100"),
    ("杭州市西湖区人民法院", "court", "330106"),
    ("宁波市中级人民法院", "court", "330200"),
    ("温州市鹿城区人民法院", "court", "330302"),
    ("浙江省人民检察院", "procuratorate", "330000"),
    ("杭州市人民检察院", "procuratorate", "330100"),
    ("杭州市公安局", "police", "330100"),
    ("宁波市公安局海曙分局", "police", "330203"),
    ("浙江省法律援助中心", "other", "330000"),
];

pub(crate) fn titles(cat: &str) -> &'static [(&'static str, bool)] {
    match cat {
        "1" => &[
            ("主任法医师", true),
            ("副主任法医师", true),
            ("主检法医师", false),
            ("法医师", false),
        ],
        "2" => &[
            ("正高级工程师", true),
            ("高级工程师", true),
            ("工程师", false),
        ],
        "3" => &[
            ("高级工程师", true),
            ("工程师", false),
            ("助理工程师", false),
        ],
        _ => &[("研究员", true), ("高级工程师", true), ("工程师", false)],
    }
}

/// Loads the demo dataset unless it is already there. Returns whether it loaded now.
pub async fn load(db: &Db, keys: &DataKey) -> Result<bool, StoreError> {
    if settings::get(db, "demo_loaded").await?.is_some() {
        return Ok(false);
    }
    if users::count(db).await? > 0 {
        return Err(StoreError::Config(
            "该数据库已有用户，拒绝写入演示数据；请为演示指定新的数据目录".into(),
        ));
    }
    let actor = Actor::system("demo");
    let all = Scope::All;
    let mut rng = Rng(0x5EED_2026_1128);
    let mut organ_ids = Vec::new();
    for (name, kind, region) in ORGANS {
        let o = organs::create(
            db,
            &actor,
            &all,
            &OrganFields {
                name: name.to_string(),
                kind: kind.to_string(),
                region_code: region.to_string(),
                address: String::new(),
                phone: format!("0571-{}", 8000_0000 + rng.below(1000_0000)),
            },
        )
        .await?;
        organ_ids.push(o.id);
    }
    let mut inst_ids = Vec::new();
    let mut appraiser_ids = Vec::new();
    for (n, spec) in INSTITUTIONS.iter().enumerate() {
        let org_body: String = (0..8)
            .map(|_| char::from_digit(rng.below(10) as u32, 10).unwrap_or('0'))
            .collect();
        // Registration authority 3 (司法行政), category 4 (司法鉴定机构), the city's code.
        let uscc = Uscc::with_checks(&format!("34{}00{org_body}", &spec.region[..4]))
            .map_err(|e| StoreError::Config(e.to_string()))?;
        let head = format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN));
        let inst = registry::create_institution(
            db,
            &actor,
            &all,
            &InstitutionFields {
                name: spec.name.to_string(),
                uscc: Some(uscc.as_str().to_string()),
                uscc_override: None,
                licence_no: format!("{}{:04}", &spec.region[..4], 1001 + n),
                licence_valid_to: Some(format!("{}-12-31", 2027 + n % 4)),
                region_code: spec.region.to_string(),
                registering_authority: "浙江省司法厅".into(),
                scope: demo_scope(&mut rng, spec.categories),
                qualification_level: match n {
                    0 => "national",
                    1 | 4 | 6 => "provincial",
                    _ => "ordinary",
                }
                .into(),
                accreditations: registry::Accreditations(
                    if spec.categories.contains('2') || spec.categories.contains('4') || n % 3 == 0
                    {
                        vec![registry::Accreditation {
                            kind: if n % 2 == 0 { "CNAS" } else { "CMA" }.into(),
                            certificate_no: format!(
                                "{}{:05}",
                                if n % 2 == 0 { "CNAS IB" } else { "2025" },
                                100 + n * 7
                            ),
                            scope: "本机构执业范围内的检测项目".into(),
                            expires_on: format!("{}-06-30", 2027 + n % 3),
                        }]
                    } else {
                        Vec::new()
                    },
                ),
                insurer: rng
                    .pick(&[
                        "中国人民财产保险股份有限公司浙江省分公司",
                        "中国平安财产保险股份有限公司浙江分公司",
                        "中国太平洋财产保险股份有限公司浙江分公司",
                    ])
                    .to_string(),
                insurance_policy: format!("PZJ{:010}", rng.below(10_000_000_000)),
                insurance_expires: Some("2027-03-31".into()),
                military: false,
                party_org: n % 3 != 2,
                party_members: (3 + rng.below(20)) as i64,
                legal_rep: head.clone(),
                head_name: head,
                address: format!(
                    "{}路{}号",
                    rng.pick(&["文三", "学院", "解放", "中山", "人民", "延安", "环城西"]),
                    1 + rng.below(300)
                ),
                phone: format!(
                    "0{}-{}",
                    570 + rng.below(10),
                    8000_0000 + rng.below(1000_0000)
                ),
                status: spec.status.to_string(),
            },
            "",
        )
        .await?;
        inst_ids.push(inst.id);
        let cats: Vec<&str> = spec.categories.split(',').collect();
        for k in 0..5 {
            let cat = cats[k % cats.len()];
            let born = (1962 + rng.below(30), 1 + rng.below(12), 1 + rng.below(28));
            let (title, senior) = *rng.pick(titles(cat));
            let gender = if rng.below(2) == 0 { "male" } else { "female" };
            let id = demo_resident_id(spec.region, born, n * 10 + k, gender == "female");
            let status = if spec.status == "cancelled" {
                "cancelled"
            } else if n == 3 && k == 4 {
                "suspended"
            } else {
                "active"
            };
            let a = registry::create_appraiser(
                db,
                &actor,
                &all,
                &AppraiserFields {
                    institution_id: inst.id,
                    name: format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
                    gender: gender.into(),
                    birth_date: Some(format!("{:04}-{:02}-{:02}", born.0, born.1, born.2)),
                    id_number: Some(keys.seal_resident_id(&id)),
                    education: rng
                        .pick(&["doctorate", "master", "master", "bachelor", "bachelor"])
                        .to_string(),
                    certificate_no: format!("{}{:03}{:02}", &spec.region[..4], n + 1, k + 1),
                    // The first two of each category practise all of its sub-classes in the
                    // institution's scope, so that each matter has two appraisers and a
                    // reviewer who hold it (通则第十九、三十五条).
                    scope: if k < 2 * cats.len() {
                        inst.scope
                            .split(',')
                            .filter(|c| c.split('.').next() == Some(cat))
                            .collect::<Vec<_>>()
                            .join(",")
                    } else {
                        appraiser_scope(&inst.scope, cat, k)
                    },
                    title: title.into(),
                    senior_title: senior,
                    phone: format!("13{:09}", rng.below(1_000_000_000)),
                    status: status.into(),
                },
                "",
            )
            .await?;
            appraiser_ids.push(a.id);
        }
    }
    let hash = hash_password(DEMO_PASSWORD);
    for (username, display, role, att) in demo_users(&inst_ids, &appraiser_ids, &organ_ids) {
        users::create(
            db,
            &actor,
            &all,
            &NewUser {
                username: username.into(),
                display_name: display.into(),
                password_hash: hash.clone(),
                role,
                attachment: att,
                lang: "zh".into(),
                must_change_password: false,
            },
        )
        .await?;
    }
    demo_licensing(db, keys, &inst_ids).await?;
    let court = ORGANS
        .iter()
        .position(|(name, ..)| *name == "杭州市西湖区人民法院")
        .map(|i| (organ_ids[i], ORGANS[i].0));
    if let Some(court) = court {
        crate::demo_cases::load(db, keys, inst_ids[0], court).await?;
        crate::demo_cases::load_linkage(db, keys, inst_ids[0]).await?;
    }
    settings::set(db, "demo_loaded", &sijian_store::now_ms().to_string()).await?;
    Ok(true)
}

const EXPERTS: &[(&str, &str, &str, &str)] = &[
    ("周建国", "浙江大学医学院", "教授、主任法医师", "1.01,1.02"),
    ("孙立华", "浙江省人民医院", "主任医师", "1.02,1.03"),
    ("钱文博", "浙江警察学院", "教授", "2.01,2.02"),
    ("李慧敏", "浙江工业大学", "正高级工程师", "3.01,3.02,3.03"),
    ("吴海峰", "浙江省生态环境科学设计研究院", "研究员", "4.01"),
    ("郑雅琴", "温州医科大学", "教授、主任法医师", "1.04,1.05"),
    ("王志远", "浙江省司法鉴定协会", "高级工程师", "2.03,3.03"),
    ("陈少波", "宁波大学", "教授", "1.02,2.01"),
];

/// Experts and applications at every stage, so the licensing pages have something to show.
async fn demo_licensing(db: &Db, keys: &DataKey, inst_ids: &[i64]) -> Result<(), StoreError> {
    use sijian_domain::licensing::{ApplicationCommand as C, ApplicationKind, Policy};
    use sijian_store::applications::{self, NewApplication, NewAttachment, NewExpert, Proposal};
    let actor = Actor::system("演示数据");
    let all = Scope::All;
    let mut experts = Vec::new();
    for (name, org, title, spec) in EXPERTS {
        let e = applications::add_expert(
            db,
            &actor,
            &all,
            &NewExpert {
                name: name.to_string(),
                organisation: org.to_string(),
                title: title.to_string(),
                speciality: spec.to_string(),
                region_code: "330000".into(),
            },
        )
        .await?;
        experts.push(e.id);
    }
    let today = crate::services::today().to_string();
    let policy = Policy::default();
    macro_rules! step {
        ($app:expr, $version:expr, $cmd:expr) => {
            applications::step(
                db,
                &applications::At {
                    actor: &actor,
                    scope: &all,
                    id: $app.id,
                    version: $version,
                    today: &today,
                    policy: &|_: &str| policy,
                },
                $cmd,
                &[],
            )
            .await?
        };
    }
    let accept = || C::CheckMaterials {
        complete: true,
        reasons: String::new(),
    };
    let material = |name: &str| NewAttachment {
        name: name.to_string(),
        content_type: "application/pdf".into(),
        data: format!("%PDF-1.4\n% {name}\n%%EOF\n").into_bytes(),
    };
    let person = |n: usize, inst: i64, name: &str, female: bool, scope: &str| {
        let id = demo_resident_id("330106", (1980 + n, 3 + n, 10 + n), 700 + n, female);
        let (y, m, d) = id.birth_date();
        AppraiserFields {
            institution_id: inst,
            name: name.to_string(),
            gender: if female { "female" } else { "male" }.into(),
            birth_date: Some(format!("{y:04}-{m:02}-{d:02}")),
            id_number: Some(keys.seal_resident_id(&id)),
            education: "master".into(),
            certificate_no: format!("3301DEMO{n:02}"),
            scope: scope.to_string(),
            title: "副主任法医师".into(),
            senior_title: true,
            phone: format!("1390571{n:04}"),
            status: "active".into(),
        }
    };
    let inst = registry::get_institution(db, &all, inst_ids[0]).await?;
    let first_item = inst.scope.split(',').next().unwrap_or("1").to_string();
    let declarations =
        serde_json::json!({ "declarations": { "years_in_field": 8, "healthy": true } });
    let new_app = |kind, inst: Option<i64>, subject: &str, proposal| NewApplication {
        kind,
        institution_id: inst,
        appraiser_id: None,
        subject: subject.to_string(),
        proposal,
        eligibility: declarations.clone(),
        today: today.clone(),
    };
    // 1. Submitted, waiting for the material check.
    applications::submit(
        db,
        &actor,
        &all,
        &new_app(
            ApplicationKind::AppraiserRegister,
            Some(inst.id),
            "沈嘉怡",
            Proposal::Appraiser(person(1, inst.id, "沈嘉怡", true, &first_item)),
        ),
        &[
            material("执业登记申请表.pdf"),
            material("学历证书.pdf"),
            material("职称证书.pdf"),
        ],
    )
    .await?;
    // 2. Accepted and in expert review: two of three reviews in.
    let a2 = applications::submit(
        db,
        &actor,
        &all,
        &new_app(
            ApplicationKind::AppraiserRegister,
            Some(inst.id),
            "韩思远",
            Proposal::Appraiser(person(2, inst.id, "韩思远", false, &first_item)),
        ),
        &[material("执业登记申请表.pdf"), material("工作经历证明.pdf")],
    )
    .await?;
    let a2 = step!(a2, Some(a2.version), accept());
    for (n, e) in experts.iter().take(2).enumerate() {
        step!(
            a2,
            None,
            C::AddReview {
                expert_id: *e,
                score: 82 + n as u32 * 5,
                recommend: true,
                comment: "专业能力符合要求。".into(),
            }
        );
    }
    // 3. Renewal accepted, ready for the decision.
    let renew_inst = registry::get_institution(db, &all, inst_ids[2]).await?;
    let mut renewed = renew_inst.fields();
    renewed.licence_valid_to = Some("2031-12-31".into());
    let a3 = applications::submit(
        db,
        &actor,
        &all,
        &new_app(
            ApplicationKind::InstitutionRenew,
            Some(renew_inst.id),
            &renew_inst.name,
            Proposal::Institution(renewed),
        ),
        &[material("延续登记申请书.pdf")],
    )
    .await?;
    step!(a3, Some(a3.version), accept());
    // 4. A new institution, returned for correction.
    let new_inst = InstitutionFields {
        name: "杭州钱塘声像资料司法鉴定所".into(),
        uscc: None,
        uscc_override: None,
        licence_no: "330100DEMO".into(),
        licence_valid_to: None,
        region_code: "330114".into(),
        registering_authority: "浙江省司法厅".into(),
        scope: "3.01,3.02".into(),
        qualification_level: "ordinary".into(),
        accreditations: registry::Accreditations::default(),
        insurer: String::new(),
        insurance_policy: String::new(),
        insurance_expires: None,
        military: false,
        party_org: false,
        party_members: 0,
        legal_rep: "林晓东".into(),
        head_name: "林晓东".into(),
        address: "杭州市钱塘区学源街 88 号".into(),
        phone: "0571-86001234".into(),
        status: "normal".into(),
    };
    let a4 = applications::submit(
        db,
        &actor,
        &all,
        &new_app(
            ApplicationKind::InstitutionEstablish,
            None,
            &new_inst.name,
            Proposal::Institution(new_inst.clone()),
        ),
        &[material("设立登记申请书.pdf")],
    )
    .await?;
    step!(
        a4,
        Some(a4.version),
        C::CheckMaterials {
            complete: false,
            reasons: "1. 缺少住所使用证明；2. 仪器设备清单未加盖公章；3. 拟执业鉴定人名单须附执业资格证明。".into(),
        }
    );
    // 5. Approved: the appraiser is on the register.
    let a5 = applications::submit(
        db,
        &actor,
        &all,
        &new_app(
            ApplicationKind::AppraiserRegister,
            Some(inst.id),
            "罗晨曦",
            Proposal::Appraiser(person(3, inst.id, "罗晨曦", true, &first_item)),
        ),
        &[material("执业登记申请表.pdf")],
    )
    .await?;
    let a5 = step!(a5, Some(a5.version), accept());
    for (n, e) in experts.iter().skip(2).take(3).enumerate() {
        step!(
            a5,
            None,
            C::AddReview {
                expert_id: *e,
                score: 78 + n as u32 * 4,
                recommend: true,
                comment: "符合执业登记条件。".into(),
            }
        );
    }
    let a5 = applications::get(db, &all, a5.id).await?;
    step!(
        a5,
        Some(a5.version),
        C::Decide {
            approve: true,
            reasons: String::new(),
        }
    );
    Ok(())
}

fn demo_users(
    inst: &[i64],
    appr: &[i64],
    organs: &[i64],
) -> Vec<(&'static str, &'static str, Role, Attachment)> {
    vec![
        ("admin", "系统管理员", Role::Admin, Attachment::default()),
        (
            "moj",
            "司法部公共法律服务管理局",
            Role::RegulatorMinistry,
            Attachment::default(),
        ),
        (
            "zj.reg",
            "浙江省司法厅鉴定处",
            Role::RegulatorProvince,
            Attachment::region("330000"),
        ),
        (
            "hz.reg",
            "杭州市司法局",
            Role::RegulatorCity,
            Attachment::region("330100"),
        ),
        (
            "xh.reg",
            "杭州市西湖区司法局",
            Role::RegulatorCounty,
            Attachment::region("330106"),
        ),
        (
            "assoc",
            "浙江省司法鉴定协会",
            Role::Association,
            Attachment::region("330000"),
        ),
        (
            "inspector",
            "杭州市检查人员",
            Role::Inspector,
            Attachment::region("330100"),
        ),
        (
            "inst.head",
            "明正中心负责人",
            Role::InstitutionHead,
            Attachment::institution(inst[0]),
        ),
        (
            "inst.clerk",
            "明正中心受理员",
            Role::InstitutionClerk,
            Attachment::institution(inst[0]),
        ),
        (
            "appraiser",
            "明正中心鉴定人",
            Role::Appraiser,
            Attachment::appraiser(appr[0]),
        ),
        (
            "court",
            "西湖区法院立案庭",
            Role::Organ,
            Attachment::organ(organs[2]),
        ),
        (
            "procurator",
            "杭州市检察院",
            Role::Organ,
            Attachment::organ(organs[6]),
        ),
        (
            "police",
            "杭州市公安局",
            Role::Organ,
            Attachment::organ(organs[7]),
        ),
    ]
}

/// The demo accounts, for printing.
pub async fn accounts(db: &Db) -> Result<Vec<(String, String, String)>, StoreError> {
    let page = users::list(
        db,
        &Scope::All,
        &Default::default(),
        &sijian_store::ListQuery {
            per_page: 200,
            sort: Some("username".into()),
            ..Default::default()
        },
    )
    .await?;
    Ok(page
        .items
        .into_iter()
        .map(|u| {
            let r = u.role();
            (
                u.username.clone(),
                r.label_zh().to_string(),
                u.org_name.clone().unwrap_or_else(|| "全国".into()),
            )
        })
        .collect())
}
