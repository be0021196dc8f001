#!/usr/bin/env python3
"""TEST STAND-IN ONLY. Generates a small synthetic Chinese person register with known
duplicates so that splink_dedupe.py and evaluate.py can be exercised before the Rust
`sijian match synth` generator is available. The benchmark itself uses the data the
Rust CLI writes; do not report figures on this data as the comparison.

    python make_standin.py --n 10000 --out data.csv --truth truth.csv [--seed 7]

Same contract as `sijian match synth`:
  data.csv   id,name,birth,id_number,phone,address
  truth.csv  id,cluster_id
`birth` is mostly YYYY-MM-DD, sometimes YYYYMMDD or empty; `id_number` an 18-character
PRC resident id with a valid check character (X possible) or empty; `phone` an 11-digit
mobile or empty; `address` a Chinese address or empty.

Duplicates (about 40% of entities have 2-4 records) get homophone or traditional-
character name changes, one-character typos, minority-name separator variants, birth
format changes and day/month typos, ID digit typos, a changed phone, rewritten
addresses and missing fields. About 5% of entities are relatives of another entity
(same surname, address and often phone, different given name and birth) as hard
negatives.
"""
import argparse
import csv
import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Roughly Zipfian weights: the top surnames are much more common.
SURNAME_W = [1.0 / (i + 1) ** 0.9 for i in range(len(SURNAMES))]

GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏建红飞凤辉云波宁俊峰浩宇轩子涵欣怡梓佳雨晨思"
    "博文昊天一诺嘉琪瑶雪梦婷颖琳晶慧斌国庆东海龙志新春亮林凯晓燕丹倩璐珊婧莉琴蕾岚瑞祥福贵荣宝德成坤鑫"
)

# Groups of characters with the same (or nearly the same) Mandarin reading.
HOMOPHONES = [
    "伟玮炜纬韦", "丽莉俐力立利", "娜纳那", "静晶靖婧菁京敬", "敏民旻珉闵", "芳方舫", "军君均俊峻骏",
    "磊蕾垒", "洋阳扬杨", "勇永咏涌", "杰洁捷婕", "涛韬焘滔", "明铭鸣茗", "超潮朝", "华桦骅铧",
    "平萍苹坪", "刚钢纲岗", "辉晖慧惠卉", "玲琳林霖临灵伶凌", "燕艳妍彦雁晏", "红宏虹鸿洪弘",
    "建健剑键坚", "斌彬滨宾冰兵", "霞侠峡夏", "鹏朋彭", "飞菲非斐", "凤峰锋枫丰", "梅玫媚美",
    "婷庭亭霆廷", "宇雨羽语玉瑜煜", "佳嘉家加珈", "欣新馨心鑫昕", "浩昊皓颢灏", "子紫梓",
    "涵晗含寒函韩", "晨辰臣", "怡仪宜依奕逸亦艺", "雪学", "梦蒙孟萌", "瑶遥尧姚", "博波柏伯",
    "晓小筱孝笑", "英莹颖瑛迎盈", "春纯淳", "国果郭", "张章", "王汪", "刘柳", "陈程成", "周舟州",
    "吴武伍", "徐许", "胡扈", "朱诸", "何贺", "罗骆", "唐汤", "冯封", "于余俞虞", "肖萧", "袁元苑",
    "付傅符", "沈申", "卢鲁", "蒋江姜", "魏卫韦", "严颜阎", "钟忠中", "亮量谅", "志智治", "东冬栋",
    "海凯", "龙隆", "云芸耘", "宁凝", "祥翔", "福富", "荣蓉容融", "坤昆", "琴勤芹", "倩茜",
]
HOMOPHONE_OF = {}
for _g in HOMOPHONES:
    for _c in _g:
        HOMOPHONE_OF.setdefault(_c, []).extend(x for x in _g if x != _c)

TRADITIONAL = dict(zip(
    "张陈刘杨黄赵吴孙马郑冯韩邓萧肖袁许谢罗叶苏卢钟伟丽华红军刚辉凤杰涛鹏飞国东龙云兰荣庆宝晓梦颖学贵锋钢铭鸣岚静"
    "娟桦骅玮纬敏浩婧莹顺达亮",
    "張陳劉楊黃趙吳孫馬鄭馮韓鄧蕭肖袁許謝羅葉蘇盧鍾偉麗華紅軍剛輝鳳傑濤鵬飛國東龍雲蘭榮慶寶曉夢穎學貴鋒鋼銘鳴嵐靜"
    "娟樺驊瑋緯敏浩婧瑩順達亮",
))

MINORITY_FIRST = ["阿依古丽", "艾力", "古丽娜尔", "买买提", "热依拉", "努尔", "帕提古丽", "迪丽热巴", "阿不都",
                  "吐尔逊", "玉素甫", "米热古丽", "艾克拜尔", "阿迪力", "扎西", "次仁", "卓玛", "巴特尔"]
MINORITY_LAST = ["买买提", "吐尔逊", "艾买提", "依明", "阿不都", "艾合买提", "玉素甫", "迪力木拉提", "肉孜",
                 "热合曼", "多吉", "旺堆", "巴图", "苏和"]
MINORITY_VARIANT = {"买买提": "麦麦提", "古丽": "古力", "艾合买提": "艾海提", "玉素甫": "玉苏甫",
                    "阿不都": "阿布都", "依明": "伊明", "热依拉": "热依拉", "吐尔逊": "图尔逊"}
DOTS = ["•", "・", "．", ".", ""]

PLACES = [  # (province, city, district, id prefix)
    ("北京市", "", "朝阳区", "110105"), ("北京市", "", "海淀区", "110108"), ("上海市", "", "浦东新区", "310115"),
    ("上海市", "", "徐汇区", "310104"), ("广东省", "广州市", "天河区", "440106"), ("广东省", "深圳市", "南山区", "440305"),
    ("四川省", "成都市", "武侯区", "510107"), ("湖北省", "武汉市", "洪山区", "420111"), ("浙江省", "杭州市", "西湖区", "330106"),
    ("江苏省", "南京市", "鼓楼区", "320106"), ("陕西省", "西安市", "雁塔区", "610113"), ("山东省", "济南市", "历下区", "370102"),
    ("河南省", "郑州市", "金水区", "410105"), ("湖南省", "长沙市", "岳麓区", "430104"), ("福建省", "厦门市", "思明区", "350203"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "650102"), ("西藏自治区", "拉萨市", "城关区", "540102"),
    ("内蒙古自治区", "呼和浩特市", "新城区", "150102"), ("辽宁省", "沈阳市", "和平区", "210102"), ("重庆市", "", "渝中区", "500103"),
]
ROADS = ["人民路", "解放路", "中山路", "建设路", "和平路", "胜利街", "长江路", "黄河路", "文化路", "光明街", "新华路",
         "朝阳路", "东风路", "青年路", "学府路", "科技路", "滨江路", "迎宾大道", "世纪大道", "公园路"]
ESTATES = ["阳光花园", "幸福小区", "金色家园", "翠苑", "锦绣城", "书香门第", "滨江苑", "和谐家园", "万科城", "碧桂园"]

ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_C = "10X98765432"


def id_check(body17: str) -> str:
    return ID_C[sum(int(d) * w for d, w in zip(body17, ID_W)) % 11]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def name(self, surname=None):
        r = self.r
        if r.random() < 0.04:
            return r.choice(MINORITY_FIRST) + "·" + r.choice(MINORITY_LAST)
        s = surname or r.choices(SURNAMES, SURNAME_W)[0]
        if r.random() < 0.01:  # compound surname
            s = r.choice(["欧阳", "司马", "诸葛", "上官", "慕容"])
        n_given = 1 if r.random() < 0.3 else 2
        return s + "".join(r.choice(GIVEN) for _ in range(n_given))

    def birth(self):
        r = self.r
        return (r.randint(1940, 2005), r.randint(1, 12), r.randint(1, 28))

    def id_number(self, place, birth):
        body = place[3] + "%04d%02d%02d" % birth + "%03d" % self.r.randint(0, 999)
        return body + id_check(body)

    def phone(self):
        r = self.r
        return "1" + r.choice("3456789") + "".join(r.choice("0123456789") for _ in range(9))

    def address(self, place):
        r = self.r
        prov, city, dist, _ = place
        return (f"{prov}{city}{dist}{r.choice(ROADS)}{r.randint(1, 999)}号"
                f"{r.choice(ESTATES)}{r.randint(1, 30)}栋{r.randint(1, 3)}单元{r.randint(1, 32)}{r.randint(1, 4):02d}室")

    # ---------- mutations applied to duplicate records ----------
    def mutate_name(self, name):
        r = self.r
        if "·" in name:
            x = r.random()
            if x < 0.4:
                return name.replace("·", r.choice(DOTS))
            if x < 0.8:
                for k, v in MINORITY_VARIANT.items():
                    if k in name:
                        return name.replace(k, v, 1)
            return name
        x = r.random()
        chars = list(name)
        if x < 0.45:  # homophone substitution of one character
            idx = [i for i, c in enumerate(chars) if c in HOMOPHONE_OF]
            if idx:
                i = r.choice(idx)
                chars[i] = r.choice(HOMOPHONE_OF[chars[i]])
        elif x < 0.65:  # traditional characters
            chars = [TRADITIONAL.get(c, c) for c in chars]
        elif x < 0.75 and len(chars) >= 3:  # dropped or swapped given-name character
            if r.random() < 0.5:
                del chars[r.randrange(1, len(chars))]
            else:
                chars[1], chars[2] = chars[2], chars[1]
        elif x < 0.85:  # arbitrary wrong character
            chars[r.randrange(len(chars))] = r.choice(GIVEN)
        return "".join(chars)

    def mutate_birth(self, b):
        r = self.r
        y, m, d = b
        x = r.random()
        if x < 0.08:
            d = min(28, max(1, d + r.choice([-1, 1])))
        elif x < 0.12:
            m, d = (d, m) if d <= 12 else (m, d)
        elif x < 0.15:
            y += r.choice([-1, 1, -10, 10])
        return (y, m, d)

    def mutate_id(self, s):
        r = self.r
        x = r.random()
        chars = list(s)
        if x < 0.12:
            i = r.randrange(17)
            chars[i] = r.choice([c for c in "0123456789" if c != chars[i]])
        elif x < 0.16:
            i = r.randrange(16)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif x < 0.19 and chars[-1] == "X":
            chars[-1] = "x"
        return "".join(chars)

    def mutate_address(self, a, place):
        r = self.r
        x = r.random()
        if x < 0.25:  # omit province / city prefix
            return a.replace(place[0], "", 1).replace(place[1], "", 1) if place[1] else a.replace(place[0], "", 1)
        if x < 0.4:
            return a.replace("栋", "幢").replace("单元", "-").replace("室", "")
        if x < 0.5:  # cut the flat details
            return a.split("号")[0] + "号"
        if x < 0.6:
            i = r.randrange(len(a))
            return a[:i] + a[i + 1:]
        return a


def fmt_birth(b, r):
    y, m, d = b
    return ("%04d%02d%02d" if r.random() < 0.15 else "%04d-%02d-%02d") % (y, m, d)


def main():
    ap = argparse.ArgumentParser(description="TEST STAND-IN synthetic data generator")
    ap.add_argument("--n", type=int, default=10000, help="number of records")
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    g = Gen(args.seed)
    r = g.r

    records = []  # (cluster, name, birth, id, phone, address)
    entities = []
    cluster = 0
    while len(records) < args.n:
        cluster += 1
        if entities and r.random() < 0.05:  # relative of an earlier entity: hard negative
            rel = r.choice(entities)
            surname = rel["name"][0] if "·" not in rel["name"] else None
            place = rel["place"]
            e = {"name": g.name(surname), "birth": g.birth(), "place": place, "address": rel["address"],
                 "phone": rel["phone"] if r.random() < 0.5 else g.phone()}
        else:
            place = r.choice(PLACES)
            e = {"name": g.name(), "birth": g.birth(), "place": place, "address": g.address(place), "phone": g.phone()}
        e["id"] = g.id_number(e["place"], e["birth"])
        entities.append(e)
        x = r.random()
        copies = 1 if x < 0.6 else 2 if x < 0.85 else 3 if x < 0.95 else 4
        for k in range(copies):
            dup = k > 0
            name = g.mutate_name(e["name"]) if dup and r.random() < 0.6 else e["name"]
            b = g.mutate_birth(e["birth"]) if dup else e["birth"]
            birth = "" if r.random() < (0.12 if dup else 0.05) else fmt_birth(b, r)
            idn = g.mutate_id(e["id"]) if dup else e["id"]
            idn = "" if r.random() < (0.25 if dup else 0.1) else idn
            phone = e["phone"]
            if dup and r.random() < 0.15:
                phone = g.phone()
            phone = "" if r.random() < (0.3 if dup else 0.15) else phone
            addr = g.mutate_address(e["address"], e["place"]) if dup else e["address"]
            addr = "" if r.random() < (0.2 if dup else 0.08) else addr
            records.append((cluster, name, birth, idn, phone, addr))
    records = records[: args.n]
    r.shuffle(records)

    with open(args.out, "w", newline="", encoding="utf-8") as f, \
            open(args.truth, "w", newline="", encoding="utf-8") as t:
        w = csv.writer(f, lineterminator="\n")
        wt = csv.writer(t, lineterminator="\n")
        w.writerow(["id", "name", "birth", "id_number", "phone", "address"])
        wt.writerow(["id", "cluster_id"])
        sizes = {}
        for i, (c, *fields) in enumerate(records, 1):
            rid = "r%06d" % i
            w.writerow([rid, *fields])
            wt.writerow([rid, "c%d" % c])
            sizes[c] = sizes.get(c, 0) + 1
    pairs = sum(s * (s - 1) // 2 for s in sizes.values())
    print(f"stand-in: {len(records)} records, {len(sizes)} entities, {pairs} true pairs -> {args.out}, {args.truth}")


if __name__ == "__main__":
    main()
