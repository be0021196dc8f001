//! A synthetic Chinese population with ground truth, for measuring linkage: persons with
//! surname-frequency-weighted names, valid resident IDs and real region codes, phones and
//! addresses; some persons entered several times with the errors clerks make (homophones,
//! shape-similar and traditional characters, swapped or missing given-name characters, ID typos
//! and transpositions, old 15-digit IDs, other date formats, missing fields, moved addresses,
//! new phones); and the hard negatives real registers hold (namesakes, twins). Deterministic for
//! a seed.
use crate::normalise::{readings, shape_groups, surnames_by_share};
use crate::rng::SplitMix64;
use sijian_domain::identifiers::ResidentId;
use std::collections::HashMap;

/// Generation parameters with their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub people: usize,
    pub seed: u64,
    /// Share of persons entered more than once. Default 0.3.
    pub duplicate_share: f64,
    /// Most records of one person. Default 5.
    pub max_records: usize,
    /// Share of children born a twin (same birth date, surname, address and often phone;
    /// another given name, often sharing a character, and another ID). Default 0.03.
    pub twin_share: f64,
    /// Share of persons who live with others: a household of a couple, their children (the
    /// father's surname, born close together) and sometimes a grandparent, sharing the address
    /// and often a family phone. Default 0.6.
    pub household_share: f64,
    /// Probability that a household member's recorded phone is the family's. Default 0.5.
    pub family_phone: f64,
    /// Share of persons given a namesake elsewhere: another person with the same name, sex and
    /// birth date. Default 0.005.
    pub namesake_share: f64,
    /// Probability that a duplicate record's name carries one error. Default 0.3.
    pub name_error: f64,
    /// Probability that a duplicate's ID is mistyped (one digit or a transposition). Default 0.1.
    pub id_error: f64,
    /// Probability that a field is missing in a duplicate (ID, birth, phone, address each).
    /// Default 0.2.
    pub missing: f64,
    /// Names in Latin script (pinyin, surname first; a duplicate sometimes in the other order
    /// or with the surname in capitals), as foreign and older registers write them. Default
    /// false.
    pub latin: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            people: 10_000,
            seed: 1,
            duplicate_share: 0.3,
            max_records: 5,
            twin_share: 0.03,
            household_share: 0.6,
            family_phone: 0.5,
            namesake_share: 0.005,
            name_error: 0.3,
            id_error: 0.1,
            missing: 0.2,
            latin: false,
        }
    }
}

/// One generated record; `person` is the ground truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub person: u32,
    pub name: String,
    /// 男 or 女 (blank when not recorded).
    pub sex: String,
    pub birth: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
}

/// Real county-level codes (GB/T 2260) with their province, city and district names.
const REGIONS: &[(&str, &str, &str, &str)] = &[
    ("110101", "北京市", "", "东城区"),
    ("110102", "北京市", "", "西城区"),
    ("110105", "北京市", "", "朝阳区"),
    ("110108", "北京市", "", "海淀区"),
    ("120101", "天津市", "", "和平区"),
    ("130102", "河北省", "石家庄市", "长安区"),
    ("140105", "山西省", "太原市", "小店区"),
    ("150102", "内蒙古自治区", "呼和浩特市", "新城区"),
    ("210102", "辽宁省", "沈阳市", "和平区"),
    ("220102", "吉林省", "长春市", "南关区"),
    ("230102", "黑龙江省", "哈尔滨市", "道里区"),
    ("310101", "上海市", "", "黄浦区"),
    ("310104", "上海市", "", "徐汇区"),
    ("310115", "上海市", "", "浦东新区"),
    ("320102", "江苏省", "南京市", "玄武区"),
    ("320506", "江苏省", "苏州市", "吴中区"),
    ("330102", "浙江省", "杭州市", "上城区"),
    ("330106", "浙江省", "杭州市", "西湖区"),
    ("330203", "浙江省", "宁波市", "海曙区"),
    ("340103", "安徽省", "合肥市", "庐阳区"),
    ("350102", "福建省", "福州市", "鼓楼区"),
    ("350203", "福建省", "厦门市", "思明区"),
    ("360102", "江西省", "南昌市", "东湖区"),
    ("370102", "山东省", "济南市", "历下区"),
    ("370202", "山东省", "青岛市", "市南区"),
    ("410102", "河南省", "郑州市", "中原区"),
    ("420102", "湖北省", "武汉市", "江岸区"),
    ("430102", "湖南省", "长沙市", "芙蓉区"),
    ("440103", "广东省", "广州市", "荔湾区"),
    ("440106", "广东省", "广州市", "天河区"),
    ("440304", "广东省", "深圳市", "福田区"),
    ("450102", "广西壮族自治区", "南宁市", "兴宁区"),
    ("460105", "海南省", "海口市", "秀英区"),
    ("500103", "重庆市", "", "渝中区"),
    ("510104", "四川省", "成都市", "锦江区"),
    ("520102", "贵州省", "贵阳市", "南明区"),
    ("530102", "云南省", "昆明市", "五华区"),
    ("540102", "西藏自治区", "拉萨市", "城关区"),
    ("610102", "陕西省", "西安市", "新城区"),
    ("620102", "甘肃省", "兰州市", "城关区"),
    ("630102", "青海省", "西宁市", "城东区"),
    ("640104", "宁夏回族自治区", "银川市", "兴庆区"),
    ("650102", "新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
];

/// Characters common in given names (one-character given names draw from the same list).
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯健俊帆帅旭宁\
龙林欣佳雪梅琳晨阳波婷玲燕飞云峰亮成志海鑫昊博然宏晓东新雨春雅倩颖慧瑞璐嘉怡彤悦雯思琪蕾\
晶莉蓉薇淑珍凤荣庆福贵祥瑶琦玮婉君莹洁泽宁坤楠彬锋鸿鹤松柏翔伦丹菲迪诗韵萱晗妍瑾昕睿轩";

/// Other common characters, the pool homophone errors are drawn from.
const POOL: &str = "方放芳坊仿访房防妨纺肪娜那哪纳钠呐敏闽悯皿静敬境镜径竞净靖丽力立利历励厉莉荔粒\
强墙蔷枪腔磊垒雷蕾类泪累军君均钧俊骏峻竣洋阳杨扬仰样漾勇永咏泳涌用艳燕宴焰雁砚彦晏杰洁\
结捷节杰劫涛滔陶桃逃淘讨套明鸣铭名冥茗超潮朝抄巢秀绣锈袖修休羞霞侠峡狭夏下吓平评萍瓶\
苹屏凭刚钢纲岗港缸英鹰樱莺婴颖影营赢迎华化画话花滑划桦玉育宇雨语鱼愈浴域遇兰蓝岚澜\
栏篮拦鹏朋蓬棚彭捧辉挥灰徽晖恢回慧惠会汇建剑健件见舰箭荐键国果过锅郭帼文闻纹蚊稳问\
斌彬宾滨缤冰兵饼浩昊皓号豪毫好郝凯楷铠慨开健宁凝柠拧泞龙隆笼聋珑林琳霖临淋邻磷麟欣新\
心辛馨薪信星佳家嘉加夹甲假价雪学薛血穴梅美媚玫眉煤霉晨辰尘沉臣陈成诚城承程乘婷廷亭庭\
停霆玲铃灵龄凌菱零岭领令燕彦飞非菲霏妃斐云芸运韵允孕峰锋风枫丰封蜂凤亮量谅两辆靓海\
还孩骇害鑫欣博伯柏泊勃宏洪虹红弘鸿晓小筱孝效校笑东冬董栋洞动春纯淳唇醇雅亚娅压鸭倩\
茜欠谦前钱潜瑞锐睿芮蕊璐路鹿露禄陆怡宜仪移遗颐彤同童桐铜瞳通悦月越岳跃阅乐雯文琪奇\
其齐祺旗棋骑起启晶京经惊精菁荆蓉荣容融溶薇微维唯威伟卫淑书舒叔殊珍真贞针甄臻福富夫\
府符扶贵桂柜跪祥翔详想向享瑶遥摇谣姚尧玮炜苇莹盈萤赢婉晚碗挽宛君骏坤昆琨楠南男难\
锋翔伦轮论仑丹单担胆迪笛敌涤诗师施狮湿韵萱宣轩喧玄晗涵寒含韩函妍研言颜岩炎瑾谨锦紧\
尽昕睿";

/// Common traditional forms of name characters (simplified → traditional).
const TRADITIONAL: &[(char, char)] = &[
    ('张', '張'),
    ('陈', '陳'),
    ('刘', '劉'),
    ('黄', '黃'),
    ('赵', '趙'),
    ('吴', '吳'),
    ('孙', '孫'),
    ('马', '馬'),
    ('郑', '鄭'),
    ('谢', '謝'),
    ('韩', '韓'),
    ('冯', '馮'),
    ('邓', '鄧'),
    ('许', '許'),
    ('罗', '羅'),
    ('杨', '楊'),
    ('叶', '葉'),
    ('钟', '鍾'),
    ('卢', '盧'),
    ('苏', '蘇'),
    ('蒋', '蔣'),
    ('贾', '賈'),
    ('伟', '偉'),
    ('丽', '麗'),
    ('军', '軍'),
    ('艳', '艷'),
    ('杰', '傑'),
    ('娟', '娟'),
    ('涛', '濤'),
    ('华', '華'),
    ('兰', '蘭'),
    ('红', '紅'),
    ('鹏', '鵬'),
    ('辉', '輝'),
    ('建', '建'),
    ('国', '國'),
    ('文', '文'),
    ('凯', '凱'),
    ('俊', '俊'),
    ('帅', '帥'),
    ('宁', '寧'),
    ('龙', '龍'),
    ('欣', '欣'),
    ('雪', '雪'),
    ('阳', '陽'),
    ('玲', '玲'),
    ('燕', '燕'),
    ('飞', '飛'),
    ('云', '雲'),
    ('峰', '峰'),
    ('亮', '亮'),
    ('海', '海'),
    ('鑫', '鑫'),
    ('宏', '宏'),
    ('晓', '曉'),
    ('东', '東'),
    ('春', '春'),
    ('颖', '穎'),
    ('慧', '慧'),
    ('彤', '彤'),
    ('悦', '悅'),
    ('琪', '琪'),
    ('晶', '晶'),
    ('莉', '莉'),
    ('荣', '榮'),
    ('庆', '慶'),
    ('贵', '貴'),
    ('凤', '鳳'),
    ('瑶', '瑤'),
    ('婉', '婉'),
    ('莹', '瑩'),
    ('洁', '潔'),
    ('锋', '鋒'),
    ('鸿', '鴻'),
    ('鹤', '鶴'),
    ('伦', '倫'),
    ('诗', '詩'),
    ('韵', '韻'),
    ('轩', '軒'),
    ('昕', '昕'),
];

/// Parts of Uyghur, Tibetan and other minority names as written in Chinese characters.
const MINORITY: &[&str] = &[
    "阿依古丽",
    "买买提",
    "艾力",
    "努尔",
    "古丽",
    "热依拉",
    "帕提古丽",
    "阿不都",
    "吐尔逊",
    "艾买提",
    "迪丽拜尔",
    "扎西",
    "卓玛",
    "次仁",
    "达瓦",
    "格桑",
    "巴特尔",
    "其其格",
];

const STREETS: &[&str] = &[
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "文化路",
    "新华路",
    "长江路",
    "胜利路",
    "朝阳路",
    "光明街",
    "民主路",
    "青年路",
    "东风路",
    "学院路",
    "滨江大道",
];

struct Tables {
    surnames: Vec<&'static str>,
    cumulative: Vec<f64>,
    given: Vec<char>,
    /// Reading → characters of the pool with it.
    by_reading: HashMap<&'static str, Vec<char>>,
    shape: HashMap<char, Vec<char>>,
    traditional: HashMap<char, char>,
}

impl Tables {
    fn new() -> Self {
        let table = surnames_by_share();
        let mut acc = 0.0;
        let mut surnames = Vec::new();
        let mut cumulative = Vec::new();
        for (s, share) in table {
            acc += share;
            surnames.push(s);
            cumulative.push(acc);
        }
        let mut by_reading: HashMap<&'static str, Vec<char>> = HashMap::new();
        let mut pool: Vec<char> = POOL.chars().chain(GIVEN.chars()).collect();
        pool.sort_unstable();
        pool.dedup();
        for c in pool {
            for r in readings(c) {
                by_reading.entry(r).or_default().push(c);
            }
        }
        let mut shape: HashMap<char, Vec<char>> = HashMap::new();
        for group in shape_groups() {
            for &c in &group {
                shape
                    .entry(c)
                    .or_default()
                    .extend(group.iter().filter(|&&o| o != c));
            }
        }
        let traditional = TRADITIONAL
            .iter()
            .copied()
            .filter(|(s, t)| s != t)
            .collect();
        let mut given: Vec<char> = GIVEN.chars().collect();
        given.dedup();
        Tables {
            surnames,
            cumulative,
            given,
            by_reading,
            shape,
            traditional,
        }
    }
}

fn pick<'a, T>(rng: &mut SplitMix64, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

struct Truth {
    name: String,
    surname_len: usize,
    male: bool,
    birth: (i32, u8, u8),
    id_number: String,
    phone: String,
    region: usize,
    address: String,
}

struct Generator {
    rng: SplitMix64,
    t: Tables,
    /// ID numbers already handed out (resident IDs are unique).
    issued: std::collections::HashSet<String>,
}

/// The latest birth year generated (children are not born after it).
const LAST_BIRTH_YEAR: i32 = 2024;

impl Generator {
    fn surname(&mut self) -> &'static str {
        let total = *self
            .t
            .cumulative
            .last()
            .expect("surname table is not empty");
        let x = self.rng.unit() * total;
        let i = self.t.cumulative.partition_point(|&c| c <= x);
        self.t.surnames[i.min(self.t.surnames.len() - 1)]
    }

    fn given(&mut self) -> String {
        let n = if self.rng.unit() < 0.25 { 1 } else { 2 };
        (0..n)
            .map(|_| *pick(&mut self.rng, &self.t.given))
            .collect()
    }

    fn birth(&mut self) -> (i32, u8, u8) {
        let y = 1940 + self.rng.below(70) as i32;
        self.birth_in(y)
    }

    fn birth_in(&mut self, y: i32) -> (i32, u8, u8) {
        let m = 1 + self.rng.below(12) as u8;
        let d = 1 + self.rng.below(28) as u8;
        (y, m, d)
    }

    /// A valid resident ID: the sequence's last digit is odd for men (GB 11643).
    fn id_number(&mut self, region: usize, birth: (i32, u8, u8), male: bool) -> String {
        loop {
            let seq = self.rng.below(500) * 2 + u64::from(male);
            let first17 = format!(
                "{}{:04}{:02}{:02}{:03}",
                REGIONS[region].0, birth.0, birth.1, birth.2, seq
            );
            let check = ResidentId::check_char(&first17).expect("17 digits");
            let id = format!("{first17}{check}");
            if self.issued.insert(id.clone()) {
                return id;
            }
        }
    }

    fn phone(&mut self) -> String {
        let prefixes = ["13", "15", "17", "18", "19"];
        format!(
            "{}{}{:08}",
            pick(&mut self.rng, &prefixes),
            self.rng.below(10),
            self.rng.below(100_000_000)
        )
    }

    fn address(&mut self, region: usize) -> String {
        let (_, province, city, district) = REGIONS[region];
        format!(
            "{province}{city}{district}{}{}号{}幢{}室",
            pick(&mut self.rng, STREETS),
            1 + self.rng.below(300),
            1 + self.rng.below(30),
            101 + self.rng.below(20) * 100 + self.rng.below(4)
        )
    }

    fn person(&mut self) -> Truth {
        let (name, surname_len) = if self.rng.unit() < 0.01 {
            let a = *pick(&mut self.rng, MINORITY);
            let b = *pick(&mut self.rng, MINORITY);
            (format!("{a}·{b}"), 0)
        } else {
            let s = self.surname();
            (format!("{s}{}", self.given()), s.chars().count())
        };
        let region = self.rng.below(REGIONS.len() as u64) as usize;
        let birth = self.birth();
        let male = self.rng.unit() < 0.5;
        Truth {
            id_number: self.id_number(region, birth, male),
            phone: self.phone(),
            address: self.address(region),
            name,
            surname_len,
            male,
            birth,
            region,
        }
    }

    /// Another member of `home`'s household: its address and region, a family phone or an own
    /// one, the given surname (a new one when `None`).
    fn member(
        &mut self,
        home: &Truth,
        surname: Option<&str>,
        male: bool,
        birth: (i32, u8, u8),
        params: &Params,
    ) -> Truth {
        let surname = surname.map_or_else(|| self.surname().to_owned(), str::to_owned);
        let name = format!("{surname}{}", self.given());
        let phone = if self.rng.unit() < params.family_phone {
            home.phone.clone()
        } else {
            self.phone()
        };
        Truth {
            id_number: self.id_number(home.region, birth, male),
            phone,
            address: home.address.clone(),
            surname_len: surname.chars().count(),
            name,
            male,
            birth,
            region: home.region,
        }
    }

    /// A twin of `of`: same birth date, surname, address, usually the same phone; another
    /// given name that often shares a character (晓明 and 晓亮), another ID.
    fn twin(&mut self, of: &Truth) -> Truth {
        let surname: String = of.name.chars().take(of.surname_len.max(1)).collect();
        let own_given: Vec<char> = of.name.chars().skip(of.surname_len.max(1)).collect();
        let mut name = if own_given.len() == 2 && self.rng.unit() < 0.5 {
            let keep = own_given[self.rng.below(2) as usize];
            let other = *pick(&mut self.rng, &self.t.given);
            if self.rng.unit() < 0.5 {
                format!("{surname}{keep}{other}")
            } else {
                format!("{surname}{other}{keep}")
            }
        } else {
            format!("{surname}{}", self.given())
        };
        while name == of.name {
            name.push(*pick(&mut self.rng, &self.t.given));
        }
        let male = self.rng.unit() < 0.5;
        let phone = if self.rng.unit() < 0.7 {
            of.phone.clone()
        } else {
            self.phone()
        };
        Truth {
            id_number: self.id_number(of.region, of.birth, male),
            phone,
            address: of.address.clone(),
            name,
            surname_len: of.surname_len.max(1),
            male,
            birth: of.birth,
            region: of.region,
        }
    }

    /// A household around `head` (alone with probability 1 − `household_share`): a spouse of
    /// the other sex born within five years, up to three children with the father's surname
    /// born one to five years apart (twins among them), sometimes a grandparent.
    fn household(&mut self, head: Truth, params: &Params, out: &mut Vec<Truth>) {
        if self.rng.unit() >= params.household_share || head.surname_len == 0 {
            out.push(head);
            return;
        }
        let (hy, _, _) = head.birth;
        let spouse_year = hy - 5 + self.rng.below(11) as i32;
        let spouse_birth = self.birth_in(spouse_year);
        let spouse = self.member(&head, None, !head.male, spouse_birth, params);
        let father = if head.male { &head } else { &spouse };
        let family_surname: String = father.name.chars().take(father.surname_len).collect();
        let mut members = Vec::new();
        let children = [0, 1, 1, 2, 2, 3][self.rng.below(6) as usize];
        let mut year = hy.max(spouse_year) + 22 + self.rng.below(12) as i32;
        for _ in 0..children {
            if year > LAST_BIRTH_YEAR {
                break;
            }
            let birth = self.birth_in(year);
            let male = self.rng.unit() < 0.5;
            let child = self.member(&head, Some(&family_surname), male, birth, params);
            if self.rng.unit() < params.twin_share {
                let twin = self.twin(&child);
                members.push(twin);
            }
            members.push(child);
            year += 1 + self.rng.below(5) as i32;
        }
        if self.rng.unit() < 0.15 {
            let year = hy - 22 - self.rng.below(14) as i32;
            let birth = self.birth_in(year);
            let male = self.rng.unit() < 0.5;
            let elder_surname = if male {
                Some(family_surname.as_str())
            } else {
                None
            };
            let elder = self.member(&head, elder_surname, male, birth, params);
            members.push(elder);
        }
        out.push(head);
        out.push(spouse);
        out.extend(members);
    }

    /// Someone else with `of`'s name, sex and birth date, living elsewhere.
    fn namesake(&mut self, of: &Truth) -> Truth {
        let mut p = self.person();
        p.name = of.name.clone();
        p.surname_len = of.surname_len;
        p.male = of.male;
        p.birth = of.birth;
        self.issued.remove(&p.id_number);
        p.id_number = self.id_number(p.region, p.birth, p.male);
        p
    }

    /// One error in the given name (or the whole name for the traditional form).
    fn corrupt_name(&mut self, name: &str, surname_len: usize) -> String {
        let chars: Vec<char> = name.chars().collect();
        let given: Vec<usize> = (surname_len..chars.len())
            .filter(|&i| chars[i] != '·')
            .collect();
        for _ in 0..8 {
            let mut out = chars.clone();
            match self.rng.below(6) {
                // Homophone: another character with a shared reading.
                0 if !given.is_empty() => {
                    let i = *pick(&mut self.rng, &given);
                    let mut options: Vec<char> = readings(out[i])
                        .iter()
                        .flat_map(|r| self.t.by_reading.get(r).into_iter().flatten().copied())
                        .filter(|&c| c != out[i])
                        .collect();
                    options.sort_unstable();
                    options.dedup();
                    if options.is_empty() {
                        continue;
                    }
                    out[i] = *pick(&mut self.rng, &options);
                }
                // Shape-similar character anywhere in the name.
                1 => {
                    let cand: Vec<usize> = (0..out.len())
                        .filter(|i| self.t.shape.contains_key(&out[*i]))
                        .collect();
                    if cand.is_empty() {
                        continue;
                    }
                    let i = *pick(&mut self.rng, &cand);
                    let options = self.t.shape[&out[i]].clone();
                    out[i] = *pick(&mut self.rng, &options);
                }
                // Traditional forms of every character that has one.
                2 => {
                    let before = out.clone();
                    for c in &mut out {
                        if let Some(&t) = self.t.traditional.get(c) {
                            *c = t;
                        }
                    }
                    if out == before {
                        continue;
                    }
                }
                // Given-name characters swapped.
                3 if given.len() == 2 && out[given[0]] != out[given[1]] => {
                    out.swap(given[0], given[1]);
                }
                // One given-name character missing.
                4 if given.len() >= 2 && out.len() >= 3 => {
                    let i = *pick(&mut self.rng, &given);
                    out.remove(i);
                }
                // A middle dot written as a full stop or a bullet.
                5 if out.contains(&'·') => {
                    let dot = *pick(&mut self.rng, &['.', '•', '・']);
                    for c in &mut out {
                        if *c == '·' {
                            *c = dot;
                        }
                    }
                }
                _ => continue,
            }
            return out.into_iter().collect();
        }
        name.to_owned()
    }

    fn corrupt_id(&mut self, id: &str) -> String {
        let mut b: Vec<u8> = id.bytes().collect();
        match self.rng.below(3) {
            0 => {
                let i = self.rng.below(17) as usize;
                let d = b'0' + ((b[i] - b'0' + 1 + self.rng.below(9) as u8) % 10);
                b[i] = d;
            }
            1 => {
                let i = self.rng.below(16) as usize;
                if b[i] == b[i + 1] {
                    b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
                } else {
                    b.swap(i, i + 1);
                }
            }
            // The old 15-digit form: century and check character dropped.
            _ => {
                let old = format!("{}{}", &id[..6], &id[8..17]);
                return old;
            }
        }
        String::from_utf8(b).expect("ASCII")
    }

    fn record(&mut self, p: &Truth, duplicate: bool, params: &Params) -> Record {
        let mut name = p.name.clone();
        let mut sex = if p.male { "男" } else { "女" }.to_owned();
        let (y, m, d) = p.birth;
        let mut birth = format!("{y:04}-{m:02}-{d:02}");
        let mut id_number = p.id_number.clone();
        let mut phone = p.phone.clone();
        let mut address = p.address.clone();
        if duplicate {
            let r = &mut self.rng;
            if r.unit() < params.name_error {
                name = self.corrupt_name(&name, p.surname_len);
            }
            let r = &mut self.rng;
            match r.below(10) {
                0..=2 => birth = format!("{y:04}{m:02}{d:02}"),
                3 if d <= 12 && d != m => birth = format!("{y:04}-{d:02}-{m:02}"),
                _ => {}
            }
            if self.rng.unit() < params.id_error {
                id_number = self.corrupt_id(&id_number);
            }
            if self.rng.unit() < 0.3 {
                phone = self.phone();
            }
            if self.rng.unit() < 0.25 {
                let moved_to = self.rng.below(REGIONS.len() as u64) as usize;
                address = self.address(moved_to);
            }
            let miss = params.missing;
            for field in [&mut birth, &mut id_number, &mut phone, &mut address] {
                if self.rng.unit() < miss {
                    field.clear();
                }
            }
            match self.rng.below(100) {
                0 => sex = if p.male { "女" } else { "男" }.to_owned(),
                1..=9 => sex.clear(),
                _ => {}
            }
        }
        Record {
            id: String::new(),
            person: 0,
            name,
            sex,
            birth,
            id_number,
            phone,
            address,
        }
    }
}

/// Generate the population: records in shuffled order with ids `r0000001`…, each with its true
/// person.
pub fn generate(params: &Params) -> Vec<Record> {
    let mut g = Generator {
        rng: SplitMix64::new(params.seed),
        t: Tables::new(),
        issued: Default::default(),
    };
    let mut out = Vec::with_capacity(params.people * 3 / 2);
    let mut person = 0u32;
    let mut truths = Vec::with_capacity(params.people);
    while truths.len() < params.people {
        let p = g.person();
        let namesake = (g.rng.unit() < params.namesake_share).then(|| g.namesake(&p));
        g.household(p, params, &mut truths);
        truths.extend(namesake);
    }
    truths.truncate(params.people);
    for p in &truths {
        let extra = if g.rng.unit() < params.duplicate_share {
            let mut k = 1;
            while k + 1 < params.max_records && g.rng.unit() < 0.4 {
                k += 1;
            }
            k
        } else {
            0
        };
        for r in 0..=extra {
            let mut rec = g.record(p, r > 0, params);
            rec.person = person;
            out.push(rec);
        }
        person += 1;
    }
    if params.latin {
        let mut first_seen = std::collections::HashSet::new();
        for r in &mut out {
            let duplicate = !first_seen.insert(r.person);
            let style = if duplicate { g.rng.below(10) } else { 0 };
            r.name = romanise(&r.name, style);
        }
    }
    // Fisher–Yates, so duplicates are not neighbours.
    for i in (1..out.len()).rev() {
        let j = g.rng.below(i as u64 + 1) as usize;
        out.swap(i, j);
    }
    let width = out.len().to_string().len().max(7);
    for (i, r) in out.iter_mut().enumerate() {
        r.id = format!("r{:0width$}", i + 1);
    }
    out
}

/// A Chinese name in pinyin: `Zhang Xiaoming`; style 1 writes `Xiaoming Zhang`, style 2
/// `ZHANG Xiaoming`, any other the plain form. Characters without a reading are kept.
fn romanise(name: &str, style: u64) -> String {
    let Some(key) = crate::normalise::NameKey::new(name) else {
        return name.to_owned();
    };
    let surname_chars = key.surname().chars().filter(|c| *c != '·').count();
    let syllables: Vec<&str> = key
        .readings()
        .iter()
        .map(|r| r.first().copied().unwrap_or(""))
        .collect();
    let cap = |s: &str| {
        let mut c = s.chars();
        c.next()
            .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
    };
    if surname_chars == 0 || syllables.len() <= surname_chars {
        return syllables
            .iter()
            .map(|s| cap(s))
            .collect::<Vec<_>>()
            .join(" ");
    }
    let surname = cap(&syllables[..surname_chars].concat());
    let given = cap(&syllables[surname_chars..].concat());
    match style {
        1 => format!("{given} {surname}"),
        2 => format!("{} {given}", surname.to_uppercase()),
        _ => format!("{surname} {given}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{NameKey, NameLevel, compare_names, resident_id};

    #[test]
    fn deterministic_and_shaped_as_promised() {
        let p = Params {
            people: 3000,
            ..Params::default()
        };
        let a = generate(&p);
        assert_eq!(a, generate(&p));
        assert_ne!(
            a,
            generate(&Params {
                seed: 2,
                ..p.clone()
            })
        );
        let persons: std::collections::HashSet<u32> = a.iter().map(|r| r.person).collect();
        assert_eq!(persons.len(), 3000);
        // About 30 % duplicated, about 1.6 extra records each.
        let ratio = a.len() as f64 / 3000.0;
        assert!((1.3..1.8).contains(&ratio), "{ratio}");
        let mut originals = 0;
        let mut ids = std::collections::HashSet::new();
        for r in &a {
            assert!(ids.insert(r.id.clone()));
            if !r.id_number.is_empty() && resident_id(&r.id_number).is_some() {
                originals += 1;
            }
            assert!(NameKey::new(&r.name).is_some(), "{}", r.name);
        }
        assert!(originals as f64 > 0.85 * a.len() as f64);
    }

    #[test]
    fn corruptions_are_what_the_comparator_sees() {
        let mut g = Generator {
            rng: SplitMix64::new(7),
            t: Tables::new(),
            issued: Default::default(),
        };
        let mut seen: HashMap<NameLevel, usize> = HashMap::new();
        for _ in 0..3000 {
            let p = g.person();
            let c = g.corrupt_name(&p.name, p.surname_len);
            let level = compare_names(NameKey::new(&p.name).as_ref(), NameKey::new(&c).as_ref());
            *seen.entry(level).or_default() += 1;
        }
        // Every kind of error occurs, and traditional forms and dot variants fold to Exact.
        for l in [
            NameLevel::Exact,
            NameLevel::Homophone,
            NameLevel::ShapeSimilar,
            NameLevel::Transposed,
            NameLevel::OneCharMissing,
        ] {
            assert!(seen.get(&l).copied().unwrap_or(0) > 30, "{l:?}: {seen:?}");
        }
    }

    #[test]
    fn households_twins_and_namesakes_are_there() {
        let recs = generate(&Params {
            people: 4000,
            duplicate_share: 0.0,
            ..Params::default()
        });
        let mut by_address: HashMap<&str, Vec<&Record>> = HashMap::new();
        for r in &recs {
            by_address.entry(&r.address).or_default().push(r);
        }
        let households = by_address.values().filter(|v| v.len() >= 2).count();
        assert!(households > 500, "{households}");
        let twins = by_address
            .values()
            .flat_map(|v| {
                v.iter()
                    .enumerate()
                    .flat_map(move |(i, a)| v[i + 1..].iter().filter(move |b| b.birth == a.birth))
            })
            .count();
        assert!(twins > 5, "{twins}");
        let mut name_birth: HashMap<(&str, &str), usize> = HashMap::new();
        for r in &recs {
            *name_birth.entry((&r.name, &r.birth)).or_default() += 1;
        }
        assert!(name_birth.values().any(|&n| n >= 2), "a namesake");
        // The ID's sequence carries the sex.
        for r in &recs {
            let male = (r.id_number.as_bytes()[16] - b'0') % 2 == 1;
            assert_eq!(r.sex, if male { "男" } else { "女" });
        }
    }

    #[test]
    fn latin_names_read_as_the_same_person() {
        assert_eq!(romanise("张晓明", 0), "Zhang Xiaoming");
        assert_eq!(romanise("欧阳娜娜", 1), "Nana Ouyang");
        assert_eq!(romanise("张晓明", 2), "ZHANG Xiaoming");
        let recs = generate(&Params {
            people: 300,
            latin: true,
            ..Params::default()
        });
        assert!(recs.iter().all(|r| r.name.is_ascii()), "romanised");
        let a = NameKey::new("Zhang Xiaoming");
        let b = NameKey::new("Xiaoming Zhang");
        assert_eq!(compare_names(a.as_ref(), b.as_ref()), NameLevel::Transposed);
    }

    #[test]
    fn traditional_table_folds_back() {
        for (s, t) in TRADITIONAL.iter().filter(|(s, t)| s != t) {
            let a = NameKey::new(&format!("王{s}")).unwrap();
            let b = NameKey::new(&format!("王{t}")).unwrap();
            assert_eq!(a.full(), b.full(), "{s} {t}");
        }
    }

    #[test]
    fn generated_ids_are_valid_and_unique() {
        let recs = generate(&Params {
            people: 500,
            duplicate_share: 0.0,
            twin_share: 0.2,
            ..Params::default()
        });
        let ids: std::collections::HashSet<&str> =
            recs.iter().map(|r| r.id_number.as_str()).collect();
        assert_eq!(ids.len(), recs.len());
        for r in &recs {
            let id = resident_id(&r.id_number).expect("valid");
            let region = &id[..6];
            assert!(REGIONS.iter().any(|x| x.0 == region));
            assert!(
                r.address.contains(
                    &REGIONS
                        .iter()
                        .find(|x| x.0 == region)
                        .unwrap()
                        .3
                        .to_string()
                )
            );
        }
    }
}
