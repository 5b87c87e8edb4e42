"""Chinese lookup-table phrases beside the catalog's own (which are Latin script and serve
both languages): brands as Chinese shoppers write them and store departments in Chinese.
A shop with a Chinese catalog adds its own brands here, or names them in its catalog."""

BRANDS_ZH = (
    "小米", "红米", "华为", "荣耀", "OPPO", "vivo", "一加", "魅族", "联想", "苹果", "三星", "索尼",
    "优衣库", "李宁", "安踏", "特步", "361度", "鸿星尔克", "匹克", "耐克", "阿迪达斯", "彪马", "斯凯奇",
    "美的", "格力", "海尔", "九阳", "苏泊尔", "小熊", "戴森", "飞利浦", "松下", "西门子", "博世",
    "欧莱雅", "兰蔻", "雅诗兰黛", "完美日记", "花西子", "珀莱雅", "自然堂", "百雀羚", "资生堂",
    "三只松鼠", "良品铺子", "百草味", "蒙牛", "伊利", "农夫山泉", "元气森林", "乐高", "宜家",
    "森马", "太平鸟", "波司登", "海澜之家", "ZARA", "H&M", "Nike", "adidas", "Apple", "Dyson",
    "南极人", "罗莱", "水星家纺", "得力", "晨光", "公牛", "绿联", "倍思", "Anker", "安克",
)  # fmt: skip

CATEGORIES_ZH = (
    "女装", "男装", "童装", "内衣", "鞋类", "女鞋", "男鞋", "童鞋", "运动鞋", "箱包", "配饰", "珠宝",
    "首饰", "手表", "数码", "手机", "电脑", "家电", "厨房电器", "家居", "家纺", "厨具", "美妆", "护肤",
    "彩妆", "个护", "母婴", "玩具", "食品", "零食", "生鲜", "酒水", "运动户外", "户外", "宠物用品",
    "图书", "文具", "办公用品", "汽车用品", "家装", "五金", "医药保健",
)  # fmt: skip
