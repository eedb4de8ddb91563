"""Demo townships, villages and one account per role (demo passwords, never for production)."""

import csv
import io
import secrets

from django.conf import settings

from core.models import Region, User
from core.regions import RegionLevel
from core.roles import Dataset, Role
from core.services import regions_import_csv, user_create

# Jilin has about 934 township-level divisions and 9,331 villages/communities in 60 counties.
REAL_TOWNSHIPS_PER_COUNTY = 15.6
REAL_VILLAGES_PER_TOWNSHIP = 10.0

TOWN_NAMES = [
    "太平",
    "永安",
    "长安",
    "新兴",
    "红旗",
    "民主",
    "兴隆",
    "双河",
    "三合",
    "东升",
    "福安",
    "黎明",
    "胜利",
    "建设",
    "合心",
    "大岭",
    "石头",
    "榆林",
    "柳树",
    "靠山",
    "朝阳",
    "向阳",
    "平安",
    "和平",
    "光明",
    "团结",
    "前进",
    "五星",
    "明月",
]
VILLAGE_NAMES = [
    "东风",
    "西岗",
    "南沟",
    "北山",
    "前屯",
    "后屯",
    "王家",
    "李家",
    "张家",
    "刘家",
    "新立",
    "永胜",
    "长山",
    "杨树",
    "榆树",
    "河口",
    "泉眼",
    "双山",
    "大房",
    "三道",
    "四合",
    "五一",
    "六家子",
    "七里",
    "八棵树",
    "九台",
    "十里堡",
    "荒沟",
    "松林",
    "红光",
]
STREET_NAMES = ["中心", "站前", "新华", "人民", "建设", "胜利", "和平", "东盛", "西安", "南岭"]

DEMO_PASSWORD = "demo-eldercare-2023"
DEMO_MAIL_DOMAIN = "demo.example.com"  # reserved for examples (RFC 2606): never delivered


def _demo_regions_csv(*, scale: float, rng) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "name", "parent_code", "is_urban", "longitude", "latitude"])
    towns_per_county = max(1, round(REAL_TOWNSHIPS_PER_COUNTY * scale))
    villages_per_town = max(1, round(REAL_VILLAGES_PER_TOWNSHIP * scale))
    for county in Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"):
        urban = county.is_urban
        lon = float(county.longitude or 125)
        lat = float(county.latitude or 43.5)
        for t in range(1, towns_per_county + 1):
            # Streets are numbered 001-099, towns 100-199, as in the statistical codes.
            town_code = f"{county.code[:6]}{(t if urban else 100 + t):03d}000"
            if urban:
                town_name = f"{rng.choice(STREET_NAMES)}街道"
            else:
                town_name = f"{rng.choice(TOWN_NAMES)}{'镇' if t % 3 else '乡'}"
            t_lon, t_lat = lon + rng.uniform(-0.3, 0.3), lat + rng.uniform(-0.25, 0.25)
            writer.writerow(
                [town_code, town_name, county.code, int(urban), f"{t_lon:.6f}", f"{t_lat:.6f}"]
            )
            for v in range(1, villages_per_town + 1):
                # Communities (居委会) 001-199, villages (村委会) 200-399.
                village_code = f"{town_code[:9]}{(v if urban else 200 + v):03d}"
                village_name = f"{rng.choice(VILLAGE_NAMES)}{'社区' if urban else '村'}"
                writer.writerow(
                    [
                        village_code,
                        village_name,
                        town_code,
                        int(urban),
                        f"{t_lon + rng.uniform(-0.05, 0.05):.6f}",
                        f"{t_lat + rng.uniform(-0.05, 0.05):.6f}",
                    ]
                )
    return buffer.getvalue().encode("utf-8")


def _demo_users(stdout) -> None:
    province = Region.objects.get(level=RegionLevel.PROVINCE)
    yanbian = Region.objects.get(code="222400000000")
    hunchun = Region.objects.get(code="222404000000")
    township = Region.objects.subtree(hunchun).filter(level=RegionLevel.TOWNSHIP).first()
    village = Region.objects.subtree(township).filter(level=RegionLevel.VILLAGE).first()
    # Real-looking people (and e-mail addresses, so urgent-finding e-mails show in the console).
    accounts = [
        ("admin", "王建华", Role.PROVINCIAL_ADMIN, province, None),
        ("leader", "刘志强", Role.PROVINCIAL_LEADER, province, None),
        ("yanbian", "金光日", Role.PREFECTURE_OFFICER, yanbian, None),
        ("hunchun", "朴成浩", Role.COUNTY_OFFICER, hunchun, None),
        ("township", "崔美兰", Role.TOWNSHIP_STAFF, township, None),
        ("visitor", "李秀珍", Role.VISITOR, village, None),
        ("finance", "张立新", Role.PARTNER, province, [Dataset.FUNDING, Dataset.INDICATORS]),
    ]
    # Under production settings (generate_demo --force) never the published demo password:
    # a random one per account, printed once.
    published = not settings.PRODUCTION
    if published:
        stdout.write(f"Demo accounts (demo only; password for all: {DEMO_PASSWORD})")
    else:
        stdout.write("Demo accounts (production settings: random passwords, shown only now)")
    for username, full_name, role, region, datasets in accounts:
        if not User.objects.filter(username=username).exists():
            password = DEMO_PASSWORD if published else secrets.token_urlsafe(12)
            if not published:
                stdout.write(f"  {username:<10} password {password}")
            user_create(
                username=username,
                password=password,
                role=role,
                region=region,
                first_name=full_name,
                email=f"{username}@{DEMO_MAIL_DOMAIN}",
                datasets=datasets,
            )
        stdout.write(
            f"  {username:<10} {Role(role).label} @ {region.name} <{username}@{DEMO_MAIL_DOMAIN}>"
        )


def generate(*, scale: float, rng, stdout) -> None:
    result = regions_import_csv(raw=_demo_regions_csv(scale=scale, rng=rng))
    stdout.write(
        f"  regions: {result.created} created, {result.updated} updated "
        f"({result.by_level.get(RegionLevel.TOWNSHIP, 0)} townships, "
        f"{result.by_level.get(RegionLevel.VILLAGE, 0)} villages)"
    )
    _demo_users(stdout)
