import FieldModel

/// Chinese personal names: a surname drawn by frequency, a given name in the fashion of the
/// person's birth decade.
///
/// The pools include characters Unihan gives a numeric value (陆, 万, 伍, 一, 兆): they are
/// ordinary in names, and the data should exercise the name rule with them.
public enum PersonNames {
    /// Common surnames, most frequent first, with Yuncheng's local ones (裴 of 闻喜, 解 of 解州,
    /// 卫, 畅, 柴, 景) mixed in at plausible ranks.
    static let surnames: [String] = [
        "王", "李", "张", "刘", "杨", "赵", "郭", "陈", "薛", "贾", "梁", "吴", "孙", "黄", "周",
        "马", "高", "武", "卫", "裴", "柴", "畅", "景", "解", "樊", "宁", "牛", "燕", "申", "原",
        "徐", "胡", "朱", "林", "何", "罗", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程",
        "曹", "袁", "邓", "许", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "丁", "魏", "叶",
        "阎", "潘", "杜", "夏", "田", "任", "姜", "范", "方", "石", "姚", "廖", "金", "郝", "孔",
        "白", "崔", "康", "毛", "秦", "史", "侯", "孟", "段", "雷", "汤", "尹", "常", "乔", "贺",
        "荆", "陆", "万", "伍", "司马",
    ]

    /// Zipf-like: the first surnames carry most of the weight, as in any county register.
    static let surnameTable = WeightedTable(surnames.enumerated().map { ($0.element, 1.0 / Double($0.offset + 4)) })

    /// Given-name characters by sex and generation.
    static let olderMale = Array("建国军华庆强志刚明文德胜福生永保拴柱铁长青春俊海平林忠宝贵兴旺成有红卫东峰松山虎龙学民")
    static let olderFemale = Array("秀英桂兰玉淑珍凤翠花梅金改爱娥莲霞芳琴荣香枝巧云粉叶彩菊娟")
    static let middleMale = Array("伟军勇杰涛斌鹏飞超波辉磊亮刚强晓东宏明建兆浩峰鑫俊利万")
    static let middleFemale = Array("丽娟艳敏静燕红霞芳萍玲丹洁晶莉娜慧颖倩琳雪")
    static let youngMale = Array("浩宇轩博睿子俊杰鹏晨阳皓泽辰航铭豪天逸瑞嘉然烁一")
    static let youngFemale = Array("欣怡涵雨萱梓悦诗琪佳雪婷若彤可馨语嘉璐妍然")

    /// Every character the generator can put in a name, for the test that each passes the name rule.
    public static var allCharacters: Set<Character> {
        var all = Set(surnames.flatMap { Array($0) })
        for pool in [olderMale, olderFemale, middleMale, middleFemale, youngMale, youngFemale] { all.formUnion(pool) }
        return all
    }

    public static func surname(_ g: inout SeededGenerator) -> String { surnameTable.draw(&g) }

    /// A given name of one or two characters for a person born in `birthYear`.
    public static func givenName(male: Bool, birthYear: Int, _ g: inout SeededGenerator) -> String {
        let pool: [Character] = switch (male, birthYear) {
        case (true, ..<1970): olderMale
        case (false, ..<1970): olderFemale
        case (true, ..<1995): middleMale
        case (false, ..<1995): middleFemale
        case (true, _): youngMale
        case (false, _): youngFemale
        }
        let first = g.pick(pool)
        // Single-character given names were common before the 1990s and rarer since.
        if g.chance(birthYear < 1990 ? 0.3 : 0.15) { return String(first) }
        var second = g.pick(pool)
        if second == first && g.chance(0.7) { second = g.pick(pool) }
        return String([first, second])
    }

    /// A full name: `surname` (or a drawn one) and a given name.
    public static func fullName(surname: String? = nil, male: Bool, birthYear: Int, _ g: inout SeededGenerator) -> String {
        (surname ?? self.surname(&g)) + givenName(male: male, birthYear: birthYear, &g)
    }
}
