/// Synthetic township and village names in the local pattern: 东张村, 杨家庄村, 涑阳镇, 舜源街道.
///
/// Only the county codes and names are real; townships and villages are invented, so names
/// are drawn from syllables rather than copied from a register.
enum PlaceNames {
    static let townshipFirst = Array("临嵋耽楚角庙牛卓泓陶龙凤安永丰新河清汾涑盐姚舜禹虞峨稷绛解裴条中太")
    static let townshipSecond = Array("杜庄头底里城店营峪坡原阳泉池口村堡寨湾坪川")
    static let villageFirst = Array("东西南北上下前后大小新老高杨柳王张李赵刘郭孙薛贾卫马程吴黄白石桥河")
    static let villageSecond = ["庄", "堡", "寨", "营", "屯", "店", "头", "底", "湾", "坪", "原", "沟", "坡", "峪",
                                "家", "园", "桥", "池", "泉", "阳", "家庄", "家堡", "王", "张", "范", "楼"]
    static let communityFirst = Array("和平安康兴盛福泰锦华荣景翠苑文博银湖金城")
    static let residentialSecond = ["小区", "花园", "家园", "新村", "苑"]

    /// `count` distinct township names; `urban` ones are 街道, the rest mostly 镇, some 乡.
    static func townships(count: Int, urban: (Int) -> Bool, _ g: inout SeededGenerator) -> [String] {
        var used = Set<String>()
        return (0..<count).map { i in
            let suffix = urban(i) ? "街道" : (g.chance(0.2) ? "乡" : "镇")
            return distinct(&used, &g) { g in String(g.pick(townshipFirst)) + String(g.pick(townshipSecond)) } + suffix
        }
    }

    /// `count` distinct village names for one township: 社区 in urban townships, 村 otherwise.
    static func villages(count: Int, urban: Bool, _ g: inout SeededGenerator) -> [String] {
        var used = Set<String>()
        return (0..<count).map { _ in
            if urban {
                return distinct(&used, &g) { g in String(g.pick(communityFirst)) + String(g.pick(communityFirst)) } + "社区"
            }
            return distinct(&used, &g) { g in String(g.pick(villageFirst)) + g.pick(villageSecond) } + "村"
        }
    }

    /// A residential compound name for urban addresses.
    static func compound(_ g: inout SeededGenerator) -> String {
        String(g.pick(communityFirst)) + String(g.pick(communityFirst)) + g.pick(residentialSecond)
    }

    /// Draws until unused; after a few collisions a numbered variant keeps it distinct and bounded.
    private static func distinct(_ used: inout Set<String>, _ g: inout SeededGenerator,
                                 _ make: (inout SeededGenerator) -> String) -> String {
        for _ in 0..<20 {
            let name = make(&g)
            if used.insert(name).inserted { return name }
        }
        // Rare: a township with more villages than pleasant syllable pairs. Chinese uses 东/西/新
        // prefixes to split a village; fall back to those.
        for prefix in ["新", "东", "西", "南", "北", "前", "后", "上", "下"] {
            let name = prefix + make(&g)
            if used.insert(name).inserted { return name }
        }
        let name = make(&g) + "新"
        used.insert(name)
        return name
    }
}
