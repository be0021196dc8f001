//! The statutory public holidays of a year, for counting working days provisionally in a year
//! whose State Council arrangement (放假调休通知) is not loaded yet.
//!
//! 《全国年节及纪念日放假办法》 as revised on 2024-11-10 (国务院令第795号, in force 2025-01-01),
//! Art 2 — holidays for all citizens:
//! 元旦 January 1 (1 day); 春节 农历除夕、正月初一至初三 (4 days); 清明节 the day of the Qingming
//! solar term (1 day); 劳动节 May 1–2 (2 days); 端午节 农历端午当日 (五月初五, 1 day); 中秋节 农历中秋当日
//! (八月十五, 1 day); 国庆节 October 1–3 (3 days).
//!
//! These are only the days the regulation fixes. The State Council's yearly notice joins them to
//! weekends into longer breaks and moves weekend days to make up for it (调休); none of that can
//! be derived, so a provisional year has the statutory days off and no worked weekend day.
//!
//! # Sources of the computation
//! - Lunar months: the compact table of lunar years 1900–2100 used by most Chinese calendar
//!   libraries (one number per lunar year: bits 15–4 say whether months 1–12 have 30 days (1) or
//!   29 (0), bits 3–0 the leap month (0 = none), bit 16 whether the leap month has 30 days),
//!   counted from 1900-01-31, 正月初一 of lunar year 1900. The value for 2033 is the corrected
//!   one (闰十一月, per GB/T 33661-2017 《农历的编算和颁行》 and the Purple Mountain Observatory).
//!   The tests check Spring Festival, Dragon Boat and Mid-Autumn of 2020–2030 against the
//!   published dates and every year's festivals against their possible ranges.
//! - Qingming: the day of the 21st century is `⌊Y × 0.2422 + 4.81⌋ − ⌊Y / 4⌋` with Y the
//!   year's last two digits (the common 寿星 formula for the solar terms; no exception is known
//!   for Qingming in 2000–2099). The tests check it against published dates and against the
//!   Sun's apparent longitude of 15° (J. Meeus, *Astronomical Algorithms*, ch. 25) in Beijing time.
use super::Date;

/// The years counted provisionally: from the regulation's entry into force (2025-01-01) to the
/// last year of the Qingming formula (the lunar table reaches 2100).
pub const YEARS: std::ops::RangeInclusive<i32> = 2025..=2099;

/// The source named by a provisional year.
pub const SOURCE: &str =
    "《全国年节及纪念日放假办法》（2024年修订，国务院令第795号）第二条规定的节日（暂定，不含调休）";

/// One number per lunar year 1900–2100 (format in the module documentation).
const LUNAR_INFO: [u32; 201] = [
    0x04bd8, 0x04ae0, 0x0a570, 0x054d5, 0x0d260, 0x0d950, 0x16554, 0x056a0, 0x09ad0,
    0x055d2, // 1900
    0x04ae0, 0x0a5b6, 0x0a4d0, 0x0d250, 0x1d255, 0x0b540, 0x0d6a0, 0x0ada2, 0x095b0,
    0x14977, // 1910
    0x04970, 0x0a4b0, 0x0b4b5, 0x06a50, 0x06d40, 0x1ab54, 0x02b60, 0x09570, 0x052f2,
    0x04970, // 1920
    0x06566, 0x0d4a0, 0x0ea50, 0x06e95, 0x05ad0, 0x02b60, 0x186e3, 0x092e0, 0x1c8d7,
    0x0c950, // 1930
    0x0d4a0, 0x1d8a6, 0x0b550, 0x056a0, 0x1a5b4, 0x025d0, 0x092d0, 0x0d2b2, 0x0a950,
    0x0b557, // 1940
    0x06ca0, 0x0b550, 0x15355, 0x04da0, 0x0a5b0, 0x14573, 0x052b0, 0x0a9a8, 0x0e950,
    0x06aa0, // 1950
    0x0aea6, 0x0ab50, 0x04b60, 0x0aae4, 0x0a570, 0x05260, 0x0f263, 0x0d950, 0x05b57,
    0x056a0, // 1960
    0x096d0, 0x04dd5, 0x04ad0, 0x0a4d0, 0x0d4d4, 0x0d250, 0x0d558, 0x0b540, 0x0b6a0,
    0x195a6, // 1970
    0x095b0, 0x049b0, 0x0a974, 0x0a4b0, 0x0b27a, 0x06a50, 0x06d40, 0x0af46, 0x0ab60,
    0x09570, // 1980
    0x04af5, 0x04970, 0x064b0, 0x074a3, 0x0ea50, 0x06b58, 0x05ac0, 0x0ab60, 0x096d5,
    0x092e0, // 1990
    0x0c960, 0x0d954, 0x0d4a0, 0x0da50, 0x07552, 0x056a0, 0x0abb7, 0x025d0, 0x092d0,
    0x0cab5, // 2000
    0x0a950, 0x0b4a0, 0x0baa4, 0x0ad50, 0x055d9, 0x04ba0, 0x0a5b0, 0x15176, 0x052b0,
    0x0a930, // 2010
    0x07954, 0x06aa0, 0x0ad50, 0x05b52, 0x04b60, 0x0a6e6, 0x0a4e0, 0x0d260, 0x0ea65,
    0x0d530, // 2020
    0x05aa0, 0x076a3, 0x096d0, 0x04afb, 0x04ad0, 0x0a4d0, 0x1d0b6, 0x0d250, 0x0d520,
    0x0dd45, // 2030
    0x0b5a0, 0x056d0, 0x055b2, 0x049b0, 0x0a577, 0x0a4b0, 0x0aa50, 0x1b255, 0x06d20,
    0x0ada0, // 2040
    0x14b63, 0x09370, 0x049f8, 0x04970, 0x064b0, 0x168a6, 0x0ea50, 0x06b20, 0x1a6c4,
    0x0aae0, // 2050
    0x0a2e0, 0x0d2e3, 0x0c960, 0x0d557, 0x0d4a0, 0x0da50, 0x05d55, 0x056a0, 0x0a6d0,
    0x055d4, // 2060
    0x052d0, 0x0a9b8, 0x0a950, 0x0b4a0, 0x0b6a6, 0x0ad50, 0x055a0, 0x0aba4, 0x0a5b0,
    0x052b0, // 2070
    0x0b273, 0x06930, 0x07337, 0x06aa0, 0x0ad50, 0x14b55, 0x04b60, 0x0a570, 0x054e4,
    0x0d160, // 2080
    0x0e968, 0x0d520, 0x0daa0, 0x16aa6, 0x056d0, 0x04ae0, 0x0a9d4, 0x0a2d0, 0x0d150,
    0x0f252, // 2090
    0x0d520, // 2100
];

const FIRST_LUNAR_YEAR: i32 = 1900;

fn info(year: i32) -> Option<u32> {
    let i = usize::try_from(year.checked_sub(FIRST_LUNAR_YEAR)?).ok()?;
    LUNAR_INFO.get(i).copied()
}

/// Days of month `m` (1–12, not the leap month) of a lunar year.
fn month_days(info: u32, m: u8) -> i64 {
    if info & (0x10000 >> m) != 0 { 30 } else { 29 }
}

fn leap_month(info: u32) -> u8 {
    // Four bits, so always fits.
    (info & 0xf) as u8
}

fn leap_days(info: u32) -> i64 {
    match (leap_month(info), info & 0x10000) {
        (0, _) => 0,
        (_, 0) => 29,
        _ => 30,
    }
}

fn year_days(info: u32) -> i64 {
    (1..=12).map(|m| month_days(info, m)).sum::<i64>() + leap_days(info)
}

/// 正月初一 of a lunar year (1900–2100).
pub fn lunar_new_year(year: i32) -> Option<Date> {
    info(year)?;
    let base = Date::new(1900, 1, 31).ok()?;
    let days: i64 = (FIRST_LUNAR_YEAR..year)
        .map(|y| info(y).map_or(0, year_days))
        .sum();
    base.checked_add_days(days)
}

/// The Gregorian date of day `day` of the ordinary (not leap) month `month` of a lunar year.
pub fn lunar_date(year: i32, month: u8, day: u8) -> Option<Date> {
    let info = info(year)?;
    if !(1..=12).contains(&month) || day == 0 || i64::from(day) > month_days(info, month) {
        return None;
    }
    let mut days: i64 = (1..month).map(|m| month_days(info, m)).sum();
    let leap = leap_month(info);
    // A leap month follows the ordinary month of the same number.
    if leap != 0 && leap < month {
        days += leap_days(info);
    }
    lunar_new_year(year)?.checked_add_days(days + i64::from(day) - 1)
}

/// The day of the Qingming solar term (the Sun's apparent longitude 15°) in Beijing time, for
/// 2000–2099.
pub fn qingming(year: i32) -> Option<Date> {
    if !(2000..=2099).contains(&year) {
        return None;
    }
    let y = year - 2000;
    // ⌊y × 0.2422 + 4.81⌋ in integers.
    let day = (y * 2422 + 48_100) / 10_000 - y / 4;
    Date::new(year, 4, u8::try_from(day).ok()?).ok()
}

/// The statutory days off of a year in [`YEARS`], in date order with the festival's name (a
/// day two festivals share, as when 中秋 falls on 1–3 October, appears once with both names).
pub fn holidays(year: i32) -> Option<Vec<(Date, String)>> {
    if !YEARS.contains(&year) {
        return None;
    }
    let fixed = |m: u8, d: u8| Date::new(year, m, d).ok();
    let new_year = lunar_new_year(year)?;
    let mut days: Vec<(Date, &str)> = vec![
        (fixed(1, 1)?, "元旦"),
        (new_year.checked_add_days(-1)?, "春节"),
        (new_year, "春节"),
        (new_year.checked_add_days(1)?, "春节"),
        (new_year.checked_add_days(2)?, "春节"),
        (qingming(year)?, "清明节"),
        (fixed(5, 1)?, "劳动节"),
        (fixed(5, 2)?, "劳动节"),
        (lunar_date(year, 5, 5)?, "端午节"),
        (fixed(10, 1)?, "国庆节"),
        (fixed(10, 2)?, "国庆节"),
        (fixed(10, 3)?, "国庆节"),
        (lunar_date(year, 8, 15)?, "中秋节"),
    ];
    // Stable: a shared day keeps the order above (国庆节、中秋节, as the notices write it).
    days.sort_by_key(|(date, _)| *date);
    let mut out: Vec<(Date, String)> = Vec::with_capacity(days.len());
    for (date, name) in days {
        match out.last_mut() {
            Some((last, names)) if *last == date => {
                names.push('、');
                names.push_str(name);
            }
            _ => out.push((date, name.to_string())),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn festivals_2020_to_2030_match_the_published_dates() {
        // (Spring Festival, Dragon Boat, Mid-Autumn), as published in the State Council's
        // notices for 2020–2026 and in the almanac of the Purple Mountain Observatory after.
        let published = [
            (2020, "2020-01-25", "2020-06-25", "2020-10-01"),
            (2021, "2021-02-12", "2021-06-14", "2021-09-21"),
            (2022, "2022-02-01", "2022-06-03", "2022-09-10"),
            (2023, "2023-01-22", "2023-06-22", "2023-09-29"),
            (2024, "2024-02-10", "2024-06-10", "2024-09-17"),
            (2025, "2025-01-29", "2025-05-31", "2025-10-06"),
            (2026, "2026-02-17", "2026-06-19", "2026-09-25"),
            (2027, "2027-02-06", "2027-06-09", "2027-09-15"),
            (2028, "2028-01-26", "2028-05-28", "2028-10-03"),
            (2029, "2029-02-13", "2029-06-16", "2029-09-22"),
            (2030, "2030-02-03", "2030-06-05", "2030-09-12"),
        ];
        for (year, spring, dragon, moon) in published {
            assert_eq!(lunar_new_year(year), Some(d(spring)), "{year}");
            assert_eq!(lunar_date(year, 5, 5), Some(d(dragon)), "{year}");
            assert_eq!(lunar_date(year, 8, 15), Some(d(moon)), "{year}");
        }
        // Leap months before the festivals: 闰四月 2020, 闰六月 2025, 闰五月 2028.
        assert_eq!(leap_month(info(2020).unwrap()), 4);
        assert_eq!(leap_month(info(2025).unwrap()), 6);
        assert_eq!(leap_month(info(2028).unwrap()), 5);
        // 2033: 闰十一月 (the corrected value), so Mid-Autumn is not pushed a month late.
        assert_eq!(leap_month(info(2033).unwrap()), 11);
        assert_eq!(lunar_date(2033, 8, 15), Some(d("2033-09-08")));
        assert_eq!(lunar_new_year(2034), Some(d("2034-02-19")));
    }

    #[test]
    fn every_lunar_year_is_plausible() {
        // A lunar year has 12 or 13 months of 29 or 30 days; its new year falls on
        // 21 January – 20 February; Dragon Boat on 27 May – 26 June; Mid-Autumn 7 Sep – 8 Oct.
        for year in 1901..=2100 {
            let i = info(year).unwrap();
            let len = year_days(i);
            assert!(
                (353..=355).contains(&len) || (383..=385).contains(&len),
                "{year}: {len}"
            );
            let ny = lunar_new_year(year).unwrap();
            assert!(
                d(&format!("{year}-01-21")) <= ny && ny <= d(&format!("{year}-02-20")),
                "{year}: {ny}"
            );
            let next = lunar_new_year(year + 1);
            if let Some(next) = next {
                assert_eq!(next.to_days() - ny.to_days(), len, "{year}");
            }
            let dragon = lunar_date(year, 5, 5).unwrap();
            assert!(
                d(&format!("{year}-05-27")) <= dragon && dragon <= d(&format!("{year}-06-26")),
                "{year}: {dragon}"
            );
            let moon = lunar_date(year, 8, 15).unwrap();
            assert!(
                d(&format!("{year}-09-07")) <= moon && moon <= d(&format!("{year}-10-08")),
                "{year}: {moon}"
            );
        }
        assert_eq!(lunar_new_year(1900), Some(d("1900-01-31")));
        assert_eq!(lunar_new_year(2101), None);
        assert_eq!(lunar_date(2026, 13, 1), None);
        assert_eq!(lunar_date(2026, 1, 0), None);
    }

    #[test]
    fn qingming_matches_the_published_dates() {
        // Published dates of Qingming (Beijing time), 2000–2030.
        let april_4 = [
            2000, 2004, 2008, 2009, 2012, 2013, 2016, 2017, 2020, 2021, 2024, 2025, 2028, 2029,
        ];
        for year in 2000..=2030 {
            let day = if april_4.contains(&year) { 4 } else { 5 };
            assert_eq!(qingming(year), Date::new(year, 4, day).ok(), "{year}");
        }
        assert_eq!(qingming(1999), None);
        assert_eq!(qingming(2100), None);
    }

    /// The Sun's apparent ecliptic longitude in degrees at Julian Ephemeris Day `jde`
    /// (Meeus, *Astronomical Algorithms*, 2nd ed., ch. 25, low accuracy: about 0.01°).
    fn sun_longitude(jde: f64) -> f64 {
        let t = (jde - 2_451_545.0) / 36_525.0;
        let l0 = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t * t;
        let m = (357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t * t).to_radians();
        let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t * t) * m.sin()
            + (0.019_993 - 0.000_101 * t) * (2.0 * m).sin()
            + 0.000_289 * (3.0 * m).sin();
        let omega = (125.04 - 1_934.136 * t).to_radians();
        (l0 + c - 0.005_69 - 0.004_78 * omega.sin()).rem_euclid(360.0)
    }

    #[test]
    fn qingming_agrees_with_the_sun_2000_to_2099() {
        let mut checked = 0;
        for year in 2000..=2099 {
            // Midnight Beijing time (16:00 UT the day before) of 1 April, as a Julian Day;
            // ΔT (about a minute) is well inside the margin below.
            let start = Date::new(year, 4, 1).unwrap();
            let midnight = |date: Date| date.to_days() as f64 + 2_440_587.5 - 8.0 / 24.0;
            let mut day = start;
            // The first Beijing day at whose end the Sun has passed 15°.
            while sun_longitude(midnight(day.add_days(1))) < 15.0 {
                day = day.add_days(1);
            }
            // Skip a year whose crossing lies within 30 minutes of midnight: the low-accuracy
            // theory cannot tell the day there.
            let speed = 360.0 / 365.2422;
            let margin = 0.5 / 24.0 * speed;
            let at_end = sun_longitude(midnight(day.add_days(1))) - 15.0;
            let at_start = 15.0 - sun_longitude(midnight(day));
            if at_end < margin || at_start < margin {
                continue;
            }
            assert_eq!(qingming(year), Some(day), "{year}");
            checked += 1;
        }
        assert!(checked >= 90, "only {checked} years checked");
    }

    #[test]
    fn statutory_days_fall_inside_the_published_breaks_of_2025_and_2026() {
        let cal = crate::calendar::WorkingCalendar::shipped();
        for year in [2025, 2026] {
            let table = cal.table(year).unwrap();
            let days = holidays(year).unwrap();
            assert_eq!(days.len(), 13, "{year}");
            for (date, name) in days {
                assert!(
                    table.holidays().any(|(h, _)| h == date),
                    "{year}: {date} {name} is not a published day off"
                );
            }
        }
    }

    #[test]
    fn thirteen_days_a_year_or_twelve_when_two_festivals_meet() {
        let y2027 = holidays(2027).unwrap();
        let dates: Vec<String> = y2027.iter().map(|(d, _)| d.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2027-01-01",
                "2027-02-05",
                "2027-02-06",
                "2027-02-07",
                "2027-02-08",
                "2027-04-05",
                "2027-05-01",
                "2027-05-02",
                "2027-06-09",
                "2027-09-15",
                "2027-10-01",
                "2027-10-02",
                "2027-10-03",
            ]
        );
        assert_eq!(y2027[1].1, "春节");
        for year in YEARS {
            let days = holidays(year).unwrap();
            assert!(days.iter().all(|(d, _)| d.year() == year), "{year}");
            let shared = days.iter().filter(|(_, n)| n.contains('、')).count();
            assert_eq!(days.len() + shared, 13, "{year}");
        }
        // 2039: 中秋 on 2 October, shared with 国庆节.
        let y2039 = holidays(2039).unwrap();
        assert!(
            y2039
                .iter()
                .any(|(d, n)| d.to_string() == "2039-10-02" && n == "国庆节、中秋节")
        );
        assert_eq!(holidays(2024), None);
        assert_eq!(holidays(2100), None);
    }
}
