"""Older people across the demo villages, their visitors, and months of visits with gaps."""

import datetime
from collections import Counter

from django.utils import timezone

from core.models import Region, User
from core.regions import RegionLevel
from facilities.models import Facility
from visits.idcard import make_id_number
from visits.models import (
    Assessment,
    Elder,
    Method,
    Referral,
    ReferralKind,
    ReferralStatus,
    Residence,
    Visit,
    Visitor,
    VisitorKind,
    month_bounds,
)
from visits.services import referral_update, visits_bulk_record

REAL_KEY_ELDERS_PER_VILLAGE = 52  # 488k key elders over about 9,300 villages
MONTHS_OF_VISITS = 6
CATEGORY_RATES = {
    "is_living_alone": 0.2,
    "is_empty_nest": 0.35,
    "is_left_behind": 0.15,
    "is_extreme_hardship": 0.08,
    "is_incapacitated": 0.1,
    "is_severely_disabled": 0.05,
    "is_family_planning_special": 0.03,
}
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严"
)
GIVEN = [
    "秀英",
    "桂兰",
    "玉兰",
    "凤英",
    "淑珍",
    "淑兰",
    "秀兰",
    "玉珍",
    "桂英",
    "桂芝",
    "凤兰",
    "素珍",
    "建国",
    "德福",
    "福林",
    "宝山",
    "长海",
    "国文",
    "振华",
    "永贵",
    "树林",
    "玉山",
    "春生",
    "德胜",
    "占山",
    "福顺",
    "有才",
    "文斌",
    "长福",
]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng) -> str:
    return f"1{rng.choice('358')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


# An urgent finding's note is about its own dimension, so the referral it opens (health →
# medical treatment, finances → social relief, safety and needs → emergency help) fits it.
URGENT_NOTES = {
    "health": ["血压持续偏高，需要就医", "糖尿病控制不好，需要复诊", "腿疼行走困难，需要就医"],
    "finances": ["冬季取暖困难", "低保待遇未落实，生活困难", "子女无力赡养，经济拮据"],
    "safety": ["独居夜间摔倒风险高", "房屋漏雨，存在安全隐患", "燃气灶老化，有安全隐患"],
    "needs": ["独居无人照料，急需上门帮扶", "突发行动不便，急需紧急照护"],
}
OUTCOMES = {
    ReferralKind.MEDICAL: ["已联系乡镇卫生院上门诊治", "已陪同到县医院复诊"],
    ReferralKind.SOCIAL_RELIEF: ["已纳入临时救助", "已协助申请低保"],
    ReferralKind.EMERGENCY: ["已安排志愿者上门帮扶", "已完成隐患整改"],
}
URGENT_RATE = 0.006  # per dimension of a visit
# Of the referrals opened more than a week ago: most resolved or closed, a few still in hand.
REFERRAL_STATES = [
    (ReferralStatus.RESOLVED, 0.45),
    (ReferralStatus.CLOSED, 0.3),
    (ReferralStatus.IN_PROGRESS, 0.15),
    (ReferralStatus.OPEN, 0.1),
]


def _months_back(today: datetime.date, count: int) -> list[tuple[int, int]]:
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _visitors(rng, villages) -> dict[int, Visitor]:
    visitors = [
        Visitor(
            name=_name(rng),
            kind=rng.choice([VisitorKind.VILLAGE_CADRE, VisitorKind.VOLUNTEER]),
            region=village,
            phone=_phone(rng),
        )
        for village in villages
    ]
    Visitor.objects.bulk_create(visitors)
    demo_visitor = User.objects.filter(username="visitor").select_related("region").first()
    if demo_visitor:
        Visitor.objects.filter(region=demo_visitor.region).update(
            user=demo_visitor, name=demo_visitor.first_name or demo_visitor.username
        )
    return {v.region_id: v for v in Visitor.objects.filter(region__in=villages)}


def _elders(rng, villages, per_village, visitors, institutions, today) -> list[Elder]:
    elders, used = [], set()
    for village in villages:
        for _ in range(per_village):
            birth = datetime.date(rng.randint(1928, 1963), rng.randint(1, 12), rng.randint(1, 28))
            while True:
                number = make_id_number(village.code[:6], birth, rng.randint(1, 999))
                if number not in used:
                    used.add(number)
                    break
            flags = {field: rng.random() < rate for field, rate in CATEGORY_RATES.items()}
            flags["has_dementia"] = flags["is_incapacitated"] and rng.random() < 0.3
            residence, since, institution = Residence.AT_HOME, None, None
            roll = rng.random()
            county_institutions = institutions.get(village.code[:6], [])
            if roll < 0.03 and county_institutions:
                residence, institution = Residence.IN_INSTITUTION, rng.choice(county_institutions)
            elif roll < 0.05:
                residence = Residence.MOVED_AWAY
            elif roll < 0.07:
                residence = Residence.DECEASED
            if residence != Residence.AT_HOME:
                since = today - datetime.timedelta(days=rng.randint(10, 170))
            elders.append(
                Elder(
                    id_number=number,
                    name=_name(rng),
                    sex="M" if int(number[16]) % 2 else "F",
                    birth_date=birth,
                    village=village,
                    household_address=f"{village.parent.name}{village.name}{rng.randint(1, 120)}号",
                    phone=_phone(rng) if rng.random() < 0.7 else "",
                    emergency_contact=_name(rng),
                    emergency_phone=_phone(rng),
                    residence=residence,
                    residence_since=since,
                    institution=institution,
                    assigned_visitor=visitors.get(village.id),
                    archived_on=today - datetime.timedelta(days=rng.randint(200, 900)),
                    **flags,
                )
            )
    Elder.objects.bulk_create(elders, batch_size=2000)
    return elders


def _visits(rng, elders, visitors, today) -> list[Visit]:
    visits = []
    months = _months_back(today, MONTHS_OF_VISITS)
    for elder in elders:
        visitor = visitors.get(elder.village_id)
        if visitor is None:
            continue
        for year, month in months:
            start, end = month_bounds(year, month)
            current = (year, month) == (today.year, today.month)
            if rng.random() > (0.45 if current else 0.9):  # the gaps the work list shows
                continue
            last_day = min(end, today)
            if elder.residence != Residence.AT_HOME and elder.residence_since < last_day:
                last_day = elder.residence_since
            if last_day < start:
                continue
            day = start + datetime.timedelta(days=rng.randint(0, (last_day - start).days))
            values = {}
            for dimension in ("health", "finances", "safety", "needs"):
                roll = rng.random()
                values[dimension] = (
                    Assessment.URGENT
                    if roll < URGENT_RATE
                    else Assessment.ATTENTION
                    if roll < 0.1
                    else Assessment.NORMAL
                )
                if values[dimension] == Assessment.URGENT:
                    values[f"{dimension}_note"] = rng.choice(URGENT_NOTES[dimension])
            visits.append(
                Visit(
                    elder=elder,
                    visitor=visitor,
                    visited_on=day,
                    method=rng.choices(
                        [Method.IN_PERSON, Method.PHONE, Method.VIDEO], [0.8, 0.15, 0.05]
                    )[0],
                    helps_needed=rng.sample(["meals", "cleaning", "medical"], rng.randint(0, 1)),
                    **values,
                )
            )
    return visits


def generate(*, scale: float, rng, stdout) -> None:
    if Elder.objects.exists():
        stdout.write("  older people: already present, left as they are")
        return
    today = timezone.localdate()
    villages = list(Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent"))
    per_village = max(3, round(REAL_KEY_ELDERS_PER_VILLAGE * min(1.0, scale * 4)))
    institutions: dict[str, list[Facility]] = {}
    for facility in Facility.objects.filter(kind="institution").select_related("region"):
        institutions.setdefault(facility.region.code[:6], []).append(facility)
    visitors = _visitors(rng, villages)
    elders = _elders(rng, villages, per_village, visitors, institutions, today)
    inserted = visits_bulk_record(visits=_visits(rng, elders, visitors, today), user=None)
    states = _referral_states(rng, today)
    stdout.write(
        f"  older people: {len(elders)} archived, {len(visitors)} visitors, {inserted} visits, "
        f"referrals {states}"
    )


def _referral_states(rng, today: datetime.date) -> dict[str, int]:
    """Date each referral on its visit's day and move it along as the county would have: those
    of the last week still open, older ones mostly resolved or closed (through the service)."""
    referrals = list(Referral.objects.select_related("visit", "elder__village").order_by("id"))
    week_ago = today - datetime.timedelta(days=7)
    old = [r for r in referrals if r.visit.visited_on < week_ago]
    # every state shows on the board, whatever the scale
    forced = dict(zip([r.pk for r in old], [s for s, _ in REFERRAL_STATES], strict=False))
    for referral in referrals:
        if referral.visit.visited_on >= week_ago:
            continue
        target = (
            forced.get(referral.pk)
            or rng.choices([s for s, _ in REFERRAL_STATES], [w for _, w in REFERRAL_STATES])[0]
        )
        outcome = rng.choice(OUTCOMES.get(referral.kind, ["已处理"]))
        if target == ReferralStatus.IN_PROGRESS:
            referral_update(user=None, referral=referral, status=target)
        elif target != ReferralStatus.OPEN:
            referral_update(user=None, referral=referral, status=target, outcome=outcome)
    now = timezone.now()
    stamped = []
    for referral in Referral.objects.select_related("visit").order_by("id"):
        visited = referral.visit.visited_on
        opened = timezone.make_aware(
            datetime.datetime.combine(
                visited, datetime.time(rng.randint(9, 17), rng.randint(0, 59))
            )
        )
        referral.opened_at = min(opened, now)
        if referral.status == ReferralStatus.CLOSED:
            closed = referral.opened_at + datetime.timedelta(days=rng.randint(1, 6))
            referral.closed_at = min(closed, now)
        stamped.append(referral)
    Referral.objects.bulk_update(stamped, ["opened_at", "closed_at"], batch_size=2000)
    counts = Counter(r.status for r in stamped)
    return {str(status): counts.get(status, 0) for status in ReferralStatus.values}
