//! Fuzzing of the record-linkage parsers (issue 14, point 21): the person records `sijian
//! match` reads from CSV cells (names, birth dates, identity numbers, phones, addresses) and the
//! model files it loads. No input panics; normalisation is idempotent (a normalised value
//! normalises to itself, which the online index relies on); a loaded model scores every valid
//! comparison vector to a probability.
//!
//! `cargo test -p sijian-linkage --test fuzz` runs a short pass; the long run is `fuzz_long`
//! (ignored, 1,000,000 inputs per parser, `SJTEST_FUZZ_LONG_CASES`). The CSV layer itself is
//! fuzzed in the `sijian` crate.
#[path = "../../testkit/src/fuzz.rs"]
mod fuzzing;

use fuzzing::{Target, run_long, run_short};
use proptest::prelude::*;
use sijian_linkage::fs::{Model, Scorer, score};
use sijian_linkage::normalise::{self, NameKey};
use sijian_linkage::person::{
    KeyHasher, Layout, Person, RawPerson, blocking_keys, compare_into, id_number_key,
};

const NAMES: &[&str] = &[
    "张三丰",
    "張學良",
    "欧阳 明明",
    "买买提·艾力",
    "ZHANG, Wei",
    "zhang wei",
    "李某",
    "不详",
    "司马　懿",
    "𠀀大",
];

fn name() -> Target {
    Target::text("name", |s| {
        let Some(k) = NameKey::new(s) else {
            return Ok(false);
        };
        // Normalising again changes nothing, and the index's shortcut gives the same key.
        let again = NameKey::new(k.full());
        prop_assert_eq!(again.as_ref().map(NameKey::full), Some(k.full()));
        let fast = NameKey::from_normalised(k.full());
        prop_assert_eq!(fast.as_ref().map(NameKey::pinyin_key), Some(k.pinyin_key()));
        let _ = (k.readings(), k.is_latin());
        Ok(true)
    })
    .seeds(NAMES)
    .dict(["·", "・", ".", " ", "　", "某", "不详", "unknown"])
}

fn birth_date() -> Target {
    Target::text("birth date", |s| {
        let layout = Layout {
            birth: true,
            ..Layout::default()
        };
        let raw = RawPerson {
            birth: Some(s),
            ..RawPerson::default()
        };
        let Ok(p) = Person::prepare(&layout, &raw) else {
            return Ok(false);
        };
        Ok(p.birth.is_some())
    })
    .seeds([
        "1980-05-03",
        "19800503",
        "1980/5/3",
        "1980年5月3日",
        "2000-02-29",
    ])
    .dict(["年", "月", "日", "/", "-", "0"])
}

fn identity_number() -> Target {
    Target::text("identity number", |s| {
        let strict = normalise::resident_id(s);
        let Some(k) = id_number_key(s) else {
            prop_assert!(strict.is_none(), "a valid number without a key");
            return Ok(false);
        };
        prop_assert_eq!(id_number_key(&k), Some(k.clone()));
        if let Some(v) = &strict {
            prop_assert_eq!(v, &k);
            prop_assert_eq!(normalise::resident_id(v), Some(v.clone()));
            prop_assert!(normalise::id_birth_date(v).is_some());
        }
        Ok(true)
    })
    .seeds([
        "11010519491231002X",
        "110105 19491231 002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105491231002",
        "110105-1949-1231-0021",
    ])
    .dict(["-", " ", "x", "Ｘ", "０"])
}

fn phone() -> Target {
    Target::text("phone", |s| {
        let Some(p) = normalise::phone(s) else {
            return Ok(false);
        };
        prop_assert_eq!(normalise::phone(&p), Some(p.clone()), "not idempotent");
        Ok(true)
    })
    .seeds([
        "13812345678",
        "+86 138 1234 5678",
        "0086-571-88880000",
        "(0571) 8888 0000 转 123",
        "010-12345678",
        "400-123-4567",
        "１３８１２３４５６７８",
    ])
    .dict([
        "+86", "0086", "转", "ext", "分机", "#", "(", ")", "（", "）", "-", " ",
    ])
}

fn free_text() -> Target {
    Target::text("address and organisation", |s| {
        let t = normalise::free_text(s);
        prop_assert_eq!(
            normalise::free_text(&t),
            t.clone(),
            "free text not idempotent"
        );
        let o = normalise::organisation(s);
        prop_assert_eq!(
            normalise::organisation(&o),
            o.clone(),
            "organisation not idempotent"
        );
        let _ = normalise::case_number(s);
        Ok(!t.is_empty())
    })
    .seeds([
        "浙江省杭州市西湖区文三路 100 号",
        "杭州市西湖区人民法院",
        "浙江某某司法鉴定中心（普通合伙）",
        "（2024）京0105民初1234号",
    ])
    .dict(["（", "）", "(", ")", " ", "　", "号"])
}

/// A whole record as `sijian match` prepares it from one CSV row: the cells, in the order
/// name, birth, identity number, phone, address, extra, sex, separated by tabs in the input.
fn person_record() -> Target {
    let layout = Layout {
        birth: true,
        id_number: true,
        phone: true,
        address: true,
        sex: true,
        extra: vec!["单位".into()],
    };
    let hasher = KeyHasher::new([7; 16]);
    Target::text("person record", move |s| {
        let cells: Vec<&str> = s.split('\t').collect();
        let cell = |i: usize| cells.get(i).copied();
        let raw = RawPerson {
            name: cell(0),
            birth: cell(1),
            id_number: cell(2),
            phone: cell(3),
            address: cell(4),
            sex: cell(6),
            extra: vec![cell(5)],
        };
        let Ok(p) = Person::prepare(&layout, &raw) else {
            return Ok(false);
        };
        let mut gamma = Vec::new();
        compare_into(&layout, &p, &p, &mut gamma);
        prop_assert_eq!(gamma.len(), layout.width());
        prop_assert_eq!(layout.settings().check_gamma(&gamma), Ok(()));
        let mut keys = Vec::new();
        blocking_keys(&hasher, &p, &mut keys);
        let _ = p.blocking_birth();
        Ok(true)
    })
    .seeds([
        "张三丰\t1980-05-03\t11010519491231002X\t13812345678\t杭州市西湖区\t某公司",
        "ZHANG, Wei\t19491231\t110105491231002\t0571-88880000\t\t",
        "欧阳 明明\t\t\t\t\t",
        "李四\t1990/1/2\t110105199001020011\t+86 138 1234 5678\t北京市\t",
    ])
    .dict(["\t", ",", "\"", "\n"])
}

const SHIPPED_MODEL: &str = include_str!("../data/online_model.json");

fn model_file() -> Target {
    Target::text("model file", |s| {
        let Ok(m) = Model::from_json(s) else {
            return Ok(false);
        };
        // What loads writes back and loads the same, and scores every vector it allows.
        let text = m.to_json();
        prop_assert!(text.is_ok(), "a loaded model does not write back");
        let again = Model::from_json(&text.unwrap());
        prop_assert!(again.is_ok(), "what was written back does not load");
        let again = again.unwrap();
        prop_assert_eq!(&again.settings, &m.settings);
        prop_assert_eq!(&again.tf, &m.tf);
        // serde_json parses decimals to within an ulp (its exact mode is not enabled).
        let close = |a: f64, b: f64| (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs());
        prop_assert!(close(again.lambda, m.lambda));
        for (x, y) in [(&again.m, &m.m), (&again.u, &m.u)] {
            let same = x
                .iter()
                .flatten()
                .zip(y.iter().flatten())
                .all(|(a, b)| close(*a, *b));
            prop_assert!(same, "probabilities written back differently");
        }
        let scorer = Scorer::new(&m);
        let gamma: Vec<u8> = m
            .settings
            .fields
            .iter()
            .map(|f| (f.levels.len() - 1) as u8)
            .collect();
        let scored = score(&m, &gamma, &[]);
        prop_assert!(scored.is_ok());
        let p = scorer.probability(&gamma);
        prop_assert!((0.0..=1.0).contains(&p), "probability {}", p);
        Ok(true)
    })
    .seeds([SHIPPED_MODEL])
    .dict([
        "\"version\"",
        "1",
        "2",
        "0.0",
        "1.0",
        "-1",
        "1e308",
        "NaN",
        "null",
        "[]",
        "{}",
        "true",
        "\"is_null\": true",
        ",",
    ])
}

// Every target with its short test, in the order of the long run's table.
fuzz_tests! {
    fuzz_name => name,
    fuzz_birth_date => birth_date,
    fuzz_identity_number => identity_number,
    fuzz_phone => phone,
    fuzz_free_text => free_text,
    fuzz_person_record => person_record,
    fuzz_model_file => model_file,
}
