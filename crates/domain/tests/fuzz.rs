//! Fuzzing of every parser of the domain (issue 14, point 21): opinion codes, case numbers
//! (案号), resident IDs, USCC, electronic licence identifiers, licence and certificate numbers,
//! dates and holiday tables, region codes and paths, classification codes, networks, category
//! sets, account names, opinion conclusions and the names of every stored enum. No input
//! panics, and what a parser accepts it accepts again in the form it gives back
//! (parse ∘ format = identity).
//!
//! `cargo test -p sijian-domain --test fuzz` runs a short pass; the long run is `fuzz_long`
//! (ignored, 1,000,000 inputs per parser, `SJTEST_FUZZ_LONG_CASES`).
#[path = "../../testkit/src/fuzz.rs"]
mod fuzzing;

use fuzzing::{Target, accepted, run_long, run_short};
use proptest::prelude::*;
use sijian_domain::calendar::{Date, YearTable, parse_tables};
use sijian_domain::case_number::CaseNumber;
use sijian_domain::classification::{Classification, Code};
use sijian_domain::conclusion::{Conclusion, ConclusionInput, InjuryDegree};
use sijian_domain::identifiers::{CertificateNo, ElectronicLicenceId, LicenceNo, ResidentId, Uscc};
use sijian_domain::netaddr::Network;
use sijian_domain::opinion_code::OpinionCode;
use sijian_domain::{Category, PasswordPolicy, RegionCode, RegionPath, validate_username};

fn opinion_code() -> Target {
    Target::text("opinion code", |s| {
        let Ok(c) = OpinionCode::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(c.as_str().len(), 19);
        prop_assert_eq!(OpinionCode::parse(c.as_str()), Ok(c.clone()));
        prop_assert_eq!(OpinionCode::parse(&c.grouped()), Ok(c.clone()));
        let again = OpinionCode::new(c.region(), c.year(), c.category(), c.serial());
        prop_assert_eq!(again, Ok(c.clone()));
        let _ = (c.region_code(), c.appraisal_category(), c.check());
        Ok(true)
    })
    .seeds([
        "3100002026100012345",
        "310000-2026-1-0001234-5",
        "330100-2025-2-0000002-x",
        "３３０１００ ２０２５ ２ ０００００２ Ｘ",
        "1100002099499999998",
    ])
    .dict(["-", "－", "—", " ", "ｘ", "０"])
}

fn case_number() -> Target {
    Target::text("case number", |s| {
        let Ok(c) = CaseNumber::parse(s) else {
            return Ok(false);
        };
        let again = CaseNumber::parse(c.as_str());
        prop_assert_eq!(again.as_ref(), Ok(&c), "normalised form refused or changed");
        prop_assert_eq!(again.unwrap().key(), c.key());
        let _ = (
            c.shape(),
            c.year(),
            c.court(),
            c.kind(),
            c.serial(),
            c.is_court(),
        );
        Ok(true)
    })
    .seeds([
        "（2024）京0105民初1234号",
        "(2023)沪01刑终56号",
        "（2022）最高法民申789号",
        "（2024）浙0106执恢12号",
        "（2019）最高法知民终1号",
        "杭西检刑诉〔2024〕123号",
        "杭公（西）立字〔2024〕1234号",
        "［2024］京0105民初第１２３４號",
    ])
    .dict([
        "（",
        "）",
        "(",
        ")",
        "〔",
        "〕",
        "[",
        "]",
        "【",
        "】",
        "号",
        "號",
        "第",
        "民初",
        "刑终",
        "最高法",
        "2024",
        "０",
    ])
}

fn resident_id() -> Target {
    Target::text("resident ID", |s| {
        let Ok(id) = ResidentId::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(ResidentId::parse(id.as_str()), Ok(id.clone()));
        prop_assert_eq!(id.as_str().len(), 18);
        let masked = id.masked();
        prop_assert!(
            !masked.contains(&id.as_str()[1..17]),
            "mask shows the number"
        );
        let _ = (id.birth_date(), id.is_female(), id.region());
        Ok(true)
    })
    .seeds([
        "11010519491231002X",
        "110105194912310029",
        "110105491231002",
        " 11010519491231002x ",
        "440524188001010014",
    ])
    .dict(["X", "x", "1850", "2100", "0229", "1231"])
}

const USCC_SEEDS: [&str; 8] = [
    "11220000013544541J",
    "11430000006122244L",
    "11330105002500287C",
    "11100000000013338W",
    "11100000MB0341032Y",
    "91350100M000100Y43",
    "91350100M0001TGQXM",
    " 91350100m000100y43 ",
];

fn uscc() -> Target {
    Target::text("USCC", |s| {
        // The override reason travels in the same input after a tab, when there is one.
        let (code, reason) = s.split_once('\t').unwrap_or((s, ""));
        let strict = Uscc::parse(code);
        let Ok(u) = Uscc::parse_with_override(code, reason) else {
            prop_assert!(strict.is_err(), "a strict code refused with a reason");
            return Ok(false);
        };
        prop_assert_eq!(Uscc::parse_with_override(u.as_str(), reason), Ok(u.clone()));
        prop_assert_eq!(strict.is_ok(), u.override_reason().is_none());
        let _ = (
            u.registration_authority(),
            u.category(),
            u.region_digits(),
            u.region(),
            u.organisation_code(),
            u.is_appraisal_institution(),
        );
        Ok(true)
    })
    .seeds(USCC_SEEDS)
    .seeds(["91350100M0001TGQXM\t早期试点代码"])
    .dict(["\t", "I", "O", "S", "V", "Z", "Y"])
}

fn electronic_licence_id() -> Target {
    Target::text("electronic licence ID", |s| {
        let Ok(id) = ElectronicLicenceId::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(ElectronicLicenceId::parse(id.as_str()), Ok(id.clone()));
        let built =
            ElectronicLicenceId::build(id.type_code(), id.issuer(), id.serial(), id.version());
        prop_assert_eq!(built, Ok(id.clone()));
        let _ = (id.type_authority(), id.check_char());
        Ok(true)
    })
    .seeds([
        "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
        "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
    ])
    .dict([".", "1.2.156.3005.2", "000", "999"])
}

fn licence_and_certificate_numbers() -> Target {
    Target::text("licence and certificate numbers", |s| {
        let licence = LicenceNo::parse(s);
        let certificate = CertificateNo::parse(s);
        // One shape rule for both.
        prop_assert_eq!(licence.is_ok(), certificate.is_ok());
        if let Ok(l) = &licence {
            prop_assert_eq!(LicenceNo::parse(l.as_str()), Ok(l.clone()));
        }
        if let Ok(c) = &certificate {
            prop_assert_eq!(CertificateNo::parse(c.as_str()), Ok(c.clone()));
        }
        accepted(&licence)
    })
    .seeds([
        "330112001",
        "司鉴证字〔2024〕第33010001号",
        "（浙）A-123[4]",
        " 330112001 ",
    ])
    .dict(["（", "）", "〔", "〕", "[", "]", "-"])
}

// ---------------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------------

fn date() -> Target {
    Target::text("date", |s| {
        let Ok(d) = Date::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(d.to_string(), s);
        prop_assert_eq!(Date::from_days(d.to_days()), Some(d));
        let _ = (
            d.weekday(),
            d.checked_add_days(i64::MAX),
            d.checked_add_days(i64::MIN),
        );
        Ok(true)
    })
    .seeds([
        "2026-12-07",
        "2024-02-29",
        "1970-01-01",
        "0001-01-01",
        "9999-12-31",
    ])
    .dict(["-", "00", "29", "31", "13"])
}

const SHIPPED_TABLES: &str = include_str!("../data/holidays.txt");

fn holiday_tables() -> Target {
    let years: Vec<String> = parse_tables(SHIPPED_TABLES)
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect();
    Target::text("holiday tables", |s| {
        let Ok(tables) = parse_tables(s) else {
            return Ok(false);
        };
        // Written back, each year reads the same; all years together read the same.
        let mut all = String::new();
        for t in &tables {
            let text = t.to_string();
            let again = YearTable::parse(&text);
            prop_assert_eq!(again.as_ref(), Ok(t), "{}", text);
            all.push_str(&text);
        }
        prop_assert_eq!(parse_tables(&all), Ok(tables));
        Ok(true)
    })
    .seeds([SHIPPED_TABLES.to_string()])
    .seeds(years)
    .dict([
        "year ",
        "source ",
        "holiday ",
        "workday ",
        "..",
        "#",
        "\u{feff}",
        "2026-01-01",
        "春节",
    ])
}

// ---------------------------------------------------------------------------------------------
// Regions, classification, networks, categories, accounts, enums
// ---------------------------------------------------------------------------------------------

fn region_code() -> Target {
    Target::text("region code", |s| {
        let Ok(r) = RegionCode::parse(s) else {
            return Ok(false);
        };
        let text = r.as_string();
        prop_assert_eq!(RegionCode::parse(&text), Ok(r));
        prop_assert_eq!(text.as_str(), s.trim());
        let _ = (r.level(), r.province(), r.parent());
        Ok(true)
    })
    .seeds(["330000", "330100", "330106", " 110105 ", "820000"])
}

fn region_path() -> Target {
    Target::text("region path", |s| {
        let Some(p) = RegionPath::parse(s) else {
            return Ok(false);
        };
        // Accepted paths are the ones the codes build: a path compares and ranges as text.
        let codes: Vec<RegionCode> = p
            .as_str()
            .split('/')
            .filter(|c| !c.is_empty())
            .map(|c| RegionCode::parse(c).unwrap())
            .collect();
        prop_assert_eq!(RegionPath::from_codes(&codes), p.clone());
        prop_assert_eq!(p.depth(), codes.len());
        prop_assert_eq!(p.leaf(), codes.last().copied());
        let (lo, hi) = p.range();
        prop_assert!(lo < hi);
        Ok(true)
    })
    .seeds(["/", "/330000/", "/330000/330100/330106/", "/110000/110100/"])
    .dict(["/", "//", " ", "000000"])
}

fn classification_code() -> Target {
    let cls = Classification::current();
    let seeds: Vec<String> = cls.entries().iter().map(|e| e.code.to_string()).collect();
    Target::text("classification code", move |s| {
        let entry = cls.parse(s);
        let in_force = cls.parse_in_force(s);
        prop_assert!(in_force.is_err() || entry.is_ok());
        let _ = (cls.category_of(s), cls.items(s).count());
        let Ok(c) = Code::parse(s) else {
            prop_assert!(entry.is_err());
            return Ok(false);
        };
        prop_assert_eq!(c.to_string(), s, "one spelling per code");
        prop_assert!(c.parent().is_none_or(|p| p.covers(c)));
        Ok(true)
    })
    .seeds(seeds)
    .dict([".", "00", "99", "5"])
}

fn network() -> Target {
    Target::text("network", |s| {
        let Ok(n) = Network::parse(s) else {
            return Ok(false);
        };
        prop_assert_eq!(Network::parse(&n.to_string()), Ok(n));
        Ok(true)
    })
    .seeds([
        "10.20.0.0/16",
        "fd12:3456::/48",
        "192.0.2.1",
        "::ffff:10.0.0.0/104",
        "0.0.0.0/0",
        "::/0",
    ])
    .dict(["/", ":", "::", ".", "32", "128", "129", "%eth0"])
}

fn category_set() -> Target {
    Target::text("category set", |s| {
        let Ok(set) = Category::parse_set(s) else {
            return Ok(false);
        };
        prop_assert_eq!(Category::parse_set(&Category::format_set(&set)), Ok(set));
        Ok(true)
    })
    .seeds(["1,3", "3, 1,1", "4", "", "1,2,3,4"])
}

fn account() -> Target {
    let policy = PasswordPolicy::default();
    Target::text("user name and password", move |s| {
        let (name, password) = s.split_once('\t').unwrap_or((s, s));
        let ok = validate_username(name).is_ok();
        let _ = policy.check(name, password);
        Ok(ok)
    })
    .seeds(["clerk.west", "a_b-c.d\tCorrect-Horse-9", "admin\tadmin"])
}

/// Stored names of every enum: accepted exactly when it is a name the enum writes.
fn enum_names() -> Target {
    use sijian_domain::elicence::{LicenceKind, LicenceStatus};
    use sijian_domain::licensing::{ApplicationKind, Stage as ApplicationStage};
    use sijian_domain::procedure::{
        Appearance, RefusalReason, Stage, StopReason, TerminationReason,
    };
    use sijian_domain::{AppraiserStatus, InstitutionStatus, OrganKind, RegionLevel, Role};
    macro_rules! names {
        ($s:ident; $($t:ty),*) => {{
            let mut n = 0;
            $(
                if let Some(v) = <$t>::parse($s) {
                    prop_assert_eq!(v.as_str(), $s);
                    n += 1;
                }
            )*
            n
        }};
    }
    let seeds: Vec<&str> = Stage::ALL
        .iter()
        .map(|s| s.as_str())
        .chain(ApplicationKind::ALL.iter().map(|k| k.as_str()))
        .chain(Role::ACCOUNT_ROLES.iter().map(|r| r.as_str()))
        .chain([
            "material_supplement",
            "notified",
            "province",
            "public",
            "light_2",
        ])
        .collect();
    Target::text("enum names", |s| {
        let n: usize = names!(s; Stage, RefusalReason, TerminationReason, StopReason, Appearance,
            InjuryDegree,
            ApplicationKind, ApplicationStage, LicenceKind, LicenceStatus, AppraiserStatus,
            InstitutionStatus, OrganKind, RegionLevel, Role);
        Ok(n > 0)
    })
    .seeds(seeds)
    .dict(["_"])
}

/// A conclusion as entered, `kind:value` (split at the first colon).
fn conclusion() -> Target {
    Target::text("conclusion", |s| {
        let (kind, value) = s.split_once(':').unwrap_or((s, ""));
        let Ok(c) = Conclusion::parse(ConclusionInput { kind, value }) else {
            return Ok(false);
        };
        let again = Conclusion::parse(ConclusionInput {
            kind: c.kind(),
            value: &c.value(),
        });
        prop_assert_eq!(again.as_ref(), Ok(&c));
        let stored = serde_json::to_string(&c).unwrap();
        prop_assert_eq!(
            serde_json::from_str::<Conclusion>(&stored).ok(),
            Some(c.clone())
        );
        let _ = (c.label_zh(), c.label_en());
        Ok(true)
    })
    .seeds([
        "injury_degree:light_2",
        "disability_grade:10",
        "parentage:excluded",
        "text: 被鉴定人  左眼\t视力下降 ",
    ])
    .dict([
        ":",
        "injury_degree",
        "disability_grade",
        "parentage",
        "text",
        "0",
        "11",
        " ",
    ])
}

// Every target with its short test, in the order of the long run's table.
fuzz_tests! {
    fuzz_opinion_code => opinion_code,
    fuzz_case_number => case_number,
    fuzz_resident_id => resident_id,
    fuzz_uscc => uscc,
    fuzz_electronic_licence_id => electronic_licence_id,
    fuzz_licence_and_certificate_numbers => licence_and_certificate_numbers,
    fuzz_date => date,
    fuzz_holiday_tables => holiday_tables,
    fuzz_region_code => region_code,
    fuzz_region_path => region_path,
    fuzz_classification_code => classification_code,
    fuzz_network => network,
    fuzz_category_set => category_set,
    fuzz_account => account,
    fuzz_enum_names => enum_names,
    fuzz_conclusion => conclusion,
}
