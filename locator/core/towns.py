"""Town names in English for English pages: the towns (镇) and the subdistrict (街道) of Xinhui
District, each written in Hanyu Pinyin as its official romanisation, with "Town" or
"Subdistrict" for its kind (tests/unit/test_towns.py checks the pinyin). A town not in the
table is shown as the data has it.
"""

# Xinhui District: one subdistrict and ten towns.
TOWNS_EN: dict[str, str] = {
    "会城街道": "Huicheng Subdistrict",
    "大泽镇": "Daze Town",
    "司前镇": "Siqian Town",
    "罗坑镇": "Luokeng Town",
    "双水镇": "Shuangshui Town",
    "崖门镇": "Yamen Town",
    "沙堆镇": "Shadui Town",
    "古井镇": "Gujing Town",
    "三江镇": "Sanjiang Town",
    "睦洲镇": "Muzhou Town",
    "大鳌镇": "Da'ao Town",
}


def town_name(town: str, lang: str) -> str:
    """`town` in `lang`: its English name on English pages when the table knows it."""
    if lang == "en":
        return TOWNS_EN.get(town.strip(), town)
    return town
