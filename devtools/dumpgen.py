"""Synthetic article dumps for tests and benchmarks.

Pure Python, no Django, deterministic: the same seed gives the same dump on
every machine (only ``random.Random`` seeded with strings is used).  Article
``i`` of a dump is generated from its own seed, so a dump is streamed to a
file object with memory that does not grow with the number of articles; a
planted copy simply regenerates its original.

Text is built from sentence templates whose slots are filled from word lists
(English and Arabic).  The slots are dense enough that two unrelated
articles share very few word 3-shingles (Jaccard far below 0.3), so planted
near-duplicates stand out.
"""

from __future__ import annotations

import io
import random
import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple, Protocol, TextIO

from articles.ingest.dumpparser import ParsedImage

CREDITS = ("AFP", "Reuters", "AP", "AP Photo/Hussein Malla", "Asharq Al-Awsat", "أ.ف.ب")
ARABIC_SHARE = 0.1
WIDGET_NUMBERS = (14, 16, 18, 20, 22, 24, 26)

# Kinds of planted copies.
EXACT = "exact"
HEADLINE_WORD = "headline word changed"
PARAGRAPH_REPLACED = "paragraph replaced"
PARAGRAPH_ADDED = "paragraph added"
PARAGRAPH_REMOVED = "paragraph removed"
PUNCTUATION = "punctuation changed"
# What a desk republishes as an update: a headline word, one paragraph rewritten, one added.
UPDATE = "updated"
NEAR_DUPLICATE_KINDS = (HEADLINE_WORD, PARAGRAPH_REPLACED, PARAGRAPH_ADDED, PARAGRAPH_REMOVED, PUNCTUATION, UPDATE)
# Not a copy: a different story that reuses the earlier one's photo and a
# background paragraph, as a follow-up does. Ground truth for "keep apart".
FOLLOW_UP = "follow-up (not a copy)"
# A story updated several times over: an original with two photos and
# STORY_COPIES copies, each a story_update of the original made independently,
# so the copies differ from each other more than from the original. The
# original and its copies arrive in any order, anywhere in the dump.
STORY_UPDATE = "one of several updates"
STORY_COPIES = 3
PARAGRAPHS = (3, 15)


@dataclass(frozen=True)
class Article:
    title: str
    images: tuple[ParsedImage, ...]
    paragraphs: tuple[str, ...]
    language: str  # "en" or "ar"


class DuplicatePair(NamedTuple):
    """Ground truth: dump position ``copy`` is a planted copy of ``original``."""

    original: int
    copy: int
    kind: str


class _ImageLike(Protocol):
    caption: str
    credit: str


class _ArticleLike(Protocol):
    title: str
    images: Sequence[_ImageLike]
    paragraphs: Sequence[str]


# --------------------------------------------------------------------------
# Word lists (English)

_FIRST_NAMES = """Ahmed Mohammed Ali Hassan Hussein Omar Khaled Youssef Ibrahim Mustafa Karim
Samir Nabil Tariq Walid Ziad Fadi Rami Bassam Adel Salman Nasser Jamal Munir Hisham Faisal
Majid Imad Riad Ghassan Leila Fatima Maryam Nadia Rania Huda Salma Yasmin Dina Hala Lina
Mona Amal Samira Zeinab Noura Reem Sara Layla Farah John David Michael Sarah Emma Pierre
Elena Ivan Mehmet Ayse Hamid Reza Anna Thomas Julia Marco""".split()

_LAST_NAMES = """Haddad Khoury Saleh Mansour Hamdan Jaber Qasim Darwish Sabbagh Awad Najjar
Karam Issa Rahman Yassin Obeid Zein Farouk Shami Masri Halabi Tamimi Jabouri Dulaimi Obeidi
Ansari Hashemi Amiri Bakr Suleiman Aziz Hamad Kanaan Sayegh Bitar Ghanem Nassar Rizk Miller
Carter Dubois Moreau Schmidt Rossi Novak Petrov Yilmaz Demir Kaya Tehrani Rahimi Karimi
Sharif Malik Qureshi Lindqvist Okafor Mendes Tanaka Kowalski Brennan Haidari""".split()

_OFFICES = (
    "Foreign Minister", "Defense Minister", "Interior Minister", "Finance Minister",
    "Health Minister", "Energy Minister", "Prime Minister", "President", "Parliament Speaker",
    "Central Bank Governor", "army spokesman", "government spokeswoman", "opposition leader",
    "senior diplomat", "security official", "provincial governor", "trade union leader",
    "Economy Minister", "Transport Minister", "Water Minister", "Education Minister",
)

_NATIONALITIES = """Iraqi Syrian Lebanese Jordanian Egyptian Saudi Emirati Qatari Kuwaiti Omani
Bahraini Yemeni Sudanese Libyan Tunisian Algerian Moroccan Iranian Turkish Israeli Palestinian
French British American Russian Chinese German Italian Spanish Japanese Indian Pakistani
Afghan Greek Cypriot Ethiopian Somali""".split()

_PLACES = (
    "Baghdad", "Beirut", "Damascus", "Gaza", "Cairo", "Riyadh", "Amman", "Tehran", "Ankara",
    "Istanbul", "Doha", "Dubai", "Abu Dhabi", "Kuwait City", "Muscat", "Sanaa", "Aden",
    "Khartoum", "Tripoli", "Benghazi", "Tunis", "Algiers", "Rabat", "Casablanca", "Mosul",
    "Basra", "Erbil", "Kirkuk", "Aleppo", "Homs", "Idlib", "Raqqa", "Deir Ezzor", "Latakia",
    "Tyre", "Sidon", "Jerusalem", "Ramallah", "Hebron", "Jenin", "Nablus", "Paris", "London",
    "Washington", "Moscow", "Beijing", "Brussels", "Geneva", "Vienna", "Berlin", "Rome",
    "Madrid", "New York", "Tokyo", "New Delhi", "Islamabad", "Kabul", "Jeddah", "Medina",
    "Dammam", "Manama", "Marrakesh", "Port Sudan", "Darfur", "the Sinai Peninsula",
    "the Golan Heights", "the West Bank", "the Bekaa Valley", "Nouakchott", "Mogadishu",
    "Addis Ababa", "Athens", "Nicosia", "Sulaimaniyah", "Najaf", "Karbala", "Hama", "Daraa",
    "Zahle", "Irbid", "Aqaba", "Alexandria", "Luxor", "Aswan", "Taiz", "Hodeidah", "Marib",
)

_ORGS = (
    "the United Nations", "the World Bank", "the International Monetary Fund", "the Arab League",
    "the European Union", "the World Health Organization", "the Red Cross", "the African Union",
    "NATO", "the Gulf Cooperation Council", "the UN refugee agency", "the World Food Programme",
    "Amnesty International", "Human Rights Watch", "Doctors Without Borders", "OPEC",
    "the Islamic Development Bank", "the International Atomic Energy Agency", "UNICEF",
    "the Security Council", "the central bank", "the electoral commission", "the health ministry",
    "the civil defense", "the chamber of commerce", "the national oil company", "the port authority",
)

_NOUNS = """agreement ceasefire election budget reform crisis offensive investigation summit
delegation proposal inquiry pipeline port airport hospital school refinery dam highway market
currency loan harvest drought flood earthquake outbreak vaccine campaign protest strike curfew
checkpoint convoy shipment contract tender tournament festival exhibition museum university
court verdict trial parliament cabinet coalition militia faction brigade drone missile
airstrike ambush raid blockade corridor settlement camp shelter grid subsidy tax tariff
deficit bond startup factory mine railway tunnel bridge stadium ministry embassy consulate
mosque church monastery archive manuscript excavation discovery satellite telescope
cyberattack prisoner truce amnesty referendum constitution decree law regulation license
permit visa passport census survey poll council committee project plan program network
reservoir well clinic bakery warehouse quarry shipyard terminal crossing""".split()

_ADJECTIVES = """new long-awaited controversial fragile temporary permanent regional national
international joint emergency unprecedented ambitious modest sweeping limited major minor
key disputed stalled delayed renewed fresh rare costly deadly peaceful violent secret public
official unofficial preliminary final annual monthly rural urban coastal northern southern
eastern western central remote crowded damaged abandoned restored historic ancient modern
digital local foreign military civilian humanitarian economic political diplomatic legal
judicial financial environmental medical educational cultural agricultural industrial
strategic informal formal expanded reduced overdue contested cautious""".split()

_VERBS_PAST = """approved rejected postponed suspended announced launched criticized welcomed
condemned denied confirmed proposed signed blocked reviewed inspected funded cancelled extended
expanded reduced raised lowered halted resumed discussed debated investigated questioned
backed opposed endorsed delayed finalized unveiled renewed challenged ordered demanded
requested accepted secured restored rebuilt evacuated reopened closed seized captured released
detained targeted repaired surveyed mapped recorded documented monitored tracked audited
drafted amended ratified vetoed""".split()

_VERBS_BASE = """accept support review reject finish protect fund extend rebuild monitor
delay approve defend expand reopen replace restore tolerate ignore repeat""".split()

_VERBS_PRESENT = (
    "Approves", "Rejects", "Postpones", "Suspends", "Announces", "Launches", "Criticizes",
    "Welcomes", "Condemns", "Denies", "Confirms", "Proposes", "Signs", "Blocks", "Reviews",
    "Extends", "Expands", "Halts", "Resumes", "Backs", "Opposes", "Unveils", "Renews",
    "Challenges", "Orders", "Demands", "Secures", "Restores", "Reopens", "Closes", "Seizes",
    "Releases", "Weighs", "Plans", "Eyes", "Probes", "Rules Out", "Defends", "Delays",
)

_CASUALTY_VERBS = ("Killed", "Injured", "Detained", "Evacuated", "Displaced", "Rescued", "Arrested")

_GERUNDS = """protecting rebuilding funding expanding monitoring reopening restoring reducing
securing reforming replacing improving""".split()

_PEOPLE = """protesters residents soldiers fighters workers students doctors farmers officials
civilians refugees journalists engineers teachers lawmakers investors pilgrims tourists
patients volunteers nurses fishermen traders drivers""".split()

_SAID = ("said", "told reporters", "told Asharq Al-Awsat", "added", "noted", "stressed",
         "warned", "explained", "argued", "insisted", "acknowledged", "pointed out")

_TIMES = (
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday",
    "on Sunday", "last week", "earlier this month", "late on Saturday", "overnight",
    "this morning", "in recent days", "since January", "by the end of the year", "next month",
    "in the coming weeks", "two days ago", "after midnight", "at dawn", "last year",
)

_CONNECTORS = ("Meanwhile", "However", "Separately", "Earlier", "Later", "At the same time",
               "In response", "By contrast", "Nevertheless", "For now", "Since then", "In addition")

_SOURCES = ("officials", "witnesses", "a statement from the ministry", "local media",
            "two people familiar with the matter", "a senior source", "medical sources",
            "the state news agency", "a security source", "a report seen by Asharq Al-Awsat")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

_POSITIONS = ("C", "L", "R", "2nd L", "3rd R", "center", "front")

_SMALL_WORDS = frozenset("a an the of in on at to for with and by as from or over after".split())


def _pick(words: Sequence[str]) -> Callable[[random.Random], str]:
    # Indexing with random() is about twice as fast as rng.choice, which
    # matters: slot filling is most of the generator's time.
    size = len(words)
    return lambda rng: words[int(rng.random() * size)]


def _plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"


def _official(rng: random.Random) -> str:
    return f"{rng.choice(_NATIONALITIES)} {rng.choice(_OFFICES)} {_person(rng)}"


def _number(rng: random.Random) -> str:
    return str(rng.choice((rng.randint(2, 60), rng.randint(61, 999), rng.randint(1000, 90000))))


def _date(rng: random.Random) -> str:
    return f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(2005, 2025)}"


def _quote(rng: random.Random) -> str:
    subject = rng.choice(("We", "They", "The government", "Nobody", "Our teams", "The people"))
    modal = rng.choice(("will not", "cannot", "must", "will", "should", "are ready to"))
    return (
        f"{subject} {modal} {rng.choice(_VERBS_BASE)} the {rng.choice(_ADJECTIVES)} "
        f"{rng.choice(_NOUNS)} {rng.choice(_TIMES)}"
    )


_EN_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "person": _person,
    "official": _official,
    "place": _pick(_PLACES),
    "org": _pick(_ORGS),
    "noun": _pick(_NOUNS),
    "nouns": lambda rng: _plural(rng.choice(_NOUNS)),
    "adj": _pick(_ADJECTIVES),
    "verb": _pick(_VERBS_PAST),
    "verb_base": _pick(_VERBS_BASE),
    "gerund": _pick(_GERUNDS),
    "people": _pick(_PEOPLE),
    "said": _pick(_SAID),
    "time": _pick(_TIMES),
    "connector": _pick(_CONNECTORS),
    "source": _pick(_SOURCES),
    "number": _number,
    "year": lambda rng: str(rng.randint(1990, 2025)),
    "month": _pick(_MONTHS),
    "date": _date,
    "quote": _quote,
    "nationality": _pick(_NATIONALITIES),
    "position": _pick(_POSITIONS),
}

_EN_SENTENCES = (
    "{official} {verb} the {adj} {noun} {time}, saying it would {verb_base} {adj} {nouns} in {place}.",
    "The {adj} {noun} in {place} was {verb} {time} after {number} {nouns} were {verb} by {org}.",
    "{org} {said} that {number} {people} had been {verb} near {place} {time}.",
    "“{quote},” {person} {said}.",
    "According to {source}, the {noun} was {verb} because of a {adj} {noun} linked to {org}.",
    "{connector}, {person}, {a_nationality} {people} leader in {place}, {said} the {nouns} were {adj} and {adj}.",
    "{number} {people} {verb} the {adj} {noun} outside {place} {time}, {source} {said}.",
    "The {noun} is expected to cost about ${number} million and will be {verb} by {org}.",
    "Officials in {place} {verb} a {adj} {noun} aimed at {gerund} the {adj} {noun}.",
    "{person}, who {verb} the {noun} in {year}, {said} the {adj} {noun} had been {verb} {number} times.",
    "Residents of {place} {said} {adj} {nouns} and {nouns} had been {verb} since {month}.",
    "It was not clear whether the {adj} {noun} would be {verb} before the {noun} in {place}.",
    "Critics {said} the {adj} {noun} {verb} the {adj} {nouns} of {place} and {place}.",
    "{connector}, {org} {verb} {number} {nouns} for {people} in {place} and {place}.",
    "The {nationality} {noun} {verb} {time} a {adj} {noun} to {verb_base} {nouns} across {place}.",
    "{official} {said} {time} that “{quote}.”",
    "Figures released by {org} on {date} showed {number} {people} in {place} had lost their {nouns}.",
    "{connector}, the {adj} {noun} near {place} remained {verb} as {people} {verb} {adj} {nouns}.",
)

_EN_HEADLINES = (
    "{official} {verb_present} {adj} {noun} in {place}",
    "{place} {verb_present} {adj} {noun} as {people} {verb} {nouns}",
    "{org} {verb_present} {noun} over {adj} {nouns} in {place}",
    "Report: {nationality} {nouns} {verb} {adj} {noun} with {org}",
    "{number} {people} {casualty} in {adj} {noun} near {place}",
    "{nationality} {noun} {verb_present} {adj} {noun} After {adj} {noun}",
    "{person} {verb_present} {adj} {noun} Talks with {place}",
)

_EN_CAPTIONS = (
    "{official} ({position}) meets {org} officials in {place} {time}.",
    "{people} gather near the {adj} {noun} in {place} {time}.",
    "A view of the {adj} {noun} in {place} (file photo).",
    "{people} inspect the site of a {adj} {noun} in {place}, {date}.",
    "Smoke rises over {place} following a {adj} {noun} {time}.",
    "{person} speaks during an interview in {place}, {date}.",
    "{people} wait at a {noun} outside {place} ({year} file photo).",
    "Members of the {nationality} {noun} are seen at a rally in {place}.",
)

# --------------------------------------------------------------------------
# Word lists (Arabic)

_AR_SUBJECTS = (
    "الرئيس", "رئيس الوزراء", "وزير الخارجية", "وزير الدفاع", "المتحدث باسم الحكومة",
    "مصدر مسؤول", "قائد الجيش", "الأمين العام للأمم المتحدة", "المبعوث الأممي", "السفير",
    "رئيس البرلمان", "محافظ البنك المركزي", "وزير المالية", "وزير الداخلية", "نائب الرئيس",
    "زعيم المعارضة", "مسؤول أمني", "وزير الصحة", "وزير الطاقة", "محافظ المدينة",
)

_AR_SAYS = (
    "أكد {s} أن", "أعلن {s} أن", "قال {s} إن", "أوضح {s} أن", "أضاف {s} أن", "ذكر {s} أن",
    "كشف {s} أن", "رأى {s} أن", "اعتبر {s} أن", "أشار {s} إلى أن", "لفت {s} إلى أن",
    "شدد {s} على أن",
)

_AR_TOPICS = (
    "المفاوضات الجارية", "الوضع الأمني", "الأزمة الاقتصادية", "الاتفاق الجديد",
    "المساعدات الإنسانية", "العملية العسكرية", "الحكومة الجديدة", "الانتخابات المقبلة",
    "الحدود الشمالية", "المنطقة العازلة", "خطة السلام", "الموازنة العامة", "أسعار الوقود",
    "قطاع الكهرباء", "محطات المياه", "المعابر الحدودية", "الهدنة المؤقتة", "عودة اللاجئين",
    "أوضاع النازحين", "الاستثمارات الأجنبية", "مشروع القانون", "التحقيقات القضائية",
    "إعادة الإعمار", "المحادثات الثنائية", "الخطة الزراعية", "شبكة الطرق", "المستشفيات الميدانية",
    "الامتحانات الرسمية", "قطاع السياحة", "سعر صرف العملة",
)

_AR_PREDICATES = (
    "تشهد تقدما ملحوظا", "تواجه صعوبات كبيرة", "ستستمر خلال الأسابيع المقبلة",
    "تحتاج إلى دعم دولي", "لم تحقق أهدافها بعد", "تتطلب حوارا شاملا", "باتت أكثر تعقيدا",
    "قد تتحسن قريبا", "تخضع لمراجعة دقيقة", "تحظى بتأييد واسع", "تأثرت بالأحداث الأخيرة",
    "دخلت مرحلة حاسمة", "تعرضت لانتقادات حادة", "ما زالت معلقة", "ستنفذ على مراحل",
)

_AR_PLACES = (
    "في بغداد", "في بيروت", "في دمشق", "في غزة", "في القاهرة", "في الرياض", "في عمّان",
    "في طهران", "في أنقرة", "في الدوحة", "في الخرطوم", "في طرابلس", "في تونس", "في الجزائر",
    "في الرباط", "في صنعاء", "في الموصل", "في حلب", "في إدلب", "في البصرة", "في أربيل",
    "في جنيف", "في نيويورك", "في باريس", "في لندن", "في واشنطن", "في موسكو", "في جدة",
    "في عدن", "في بنغازي", "في الإسكندرية", "في حمص",
)

_AR_TIMES = (
    "يوم الاثنين", "يوم الثلاثاء", "يوم الأربعاء", "يوم الخميس", "يوم الجمعة", "يوم السبت",
    "يوم الأحد", "مساء أمس", "صباح اليوم", "الأسبوع الماضي", "خلال الشهر الجاري",
    "في وقت سابق", "منذ مطلع العام", "خلال الأيام المقبلة",
)

_AR_CONNECTORS = (
    "وفي سياق متصل،", "من جهة أخرى،", "في المقابل،", "إلى ذلك،", "وبحسب مصادر مطلعة،",
    "ووفقا للبيان،", "وفي تطور لافت،", "على صعيد آخر،",
)

_AR_FIRST_NAMES = (
    "محمد", "أحمد", "علي", "حسن", "خالد", "عمر", "يوسف", "إبراهيم", "سامي", "كريم", "ماجد",
    "فيصل", "نبيل", "طارق", "هشام", "رامي", "وليد", "زياد", "باسل", "عادل", "سلمان", "ناصر",
    "جمال", "منير", "فادي", "ليلى", "فاطمة", "مريم", "نادية", "رانيا", "هدى", "سلمى",
)

_AR_LAST_NAMES = (
    "العبدالله", "الحسيني", "الخطيب", "النجار", "الحداد", "المصري", "الشامي", "العلي",
    "الزعبي", "الحلبي", "البغدادي", "الكردي", "السعدي", "التميمي", "الجبوري", "الدليمي",
    "العمري", "الأنصاري", "الهاشمي", "القاسم", "الصالح", "المنصور", "الحمدان", "الجابر",
)

_AR_PEOPLE = (
    "متظاهرين", "مدنيين", "جنود", "عمال", "طلاب", "أطباء", "مزارعين", "لاجئين", "صحافيين",
    "مهندسين", "معلمين", "نواب", "متطوعين", "مسعفين", "تجار",
)

_AR_PEOPLE_EVENTS = (
    "أصيبوا في حادث", "شاركوا في اجتماع", "نزحوا من منازلهم", "اعتقلوا خلال مداهمة",
    "تظاهروا أمام مقر الحكومة", "عادوا إلى قراهم", "تلقوا مساعدات غذائية", "أضربوا عن العمل",
)

_AR_AGENCIES = ("الأنباء الرسمية", "رويترز", "الصحافة الفرنسية", "أسوشيتد برس", "الأنباء المحلية")

_AR_HEAD_VERBS = (
    "يبحث", "يناقش", "يتابع", "يراجع", "ينتقد", "يدعم", "يرفض", "يعلن عن", "يحذر من",
    "يدعو إلى", "يؤيد", "يعارض",
)

_AR_CAPTION_ACTIONS = (
    "يتجمعون قرب مبنى حكومي", "يشاركون في مسيرة", "ينتظرون عند معبر حدودي",
    "يتفقدون موقع الانفجار", "يرفعون الأعلام خلال احتفال", "يعملون في إزالة الأنقاض",
)


def _ar_person(rng: random.Random) -> str:
    return f"{rng.choice(_AR_FIRST_NAMES)} {rng.choice(_AR_LAST_NAMES)}"


_AR_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "says": lambda rng: rng.choice(_AR_SAYS).replace("{s}", rng.choice(_AR_SUBJECTS)),
    "subject": _pick(_AR_SUBJECTS),
    "topic": _pick(_AR_TOPICS),
    "predicate": _pick(_AR_PREDICATES),
    "place": _pick(_AR_PLACES),
    "time": _pick(_AR_TIMES),
    "connector": _pick(_AR_CONNECTORS),
    "person": _ar_person,
    "people": _pick(_AR_PEOPLE),
    "people_event": _pick(_AR_PEOPLE_EVENTS),
    "agency": _pick(_AR_AGENCIES),
    "number": _number,
    "head_verb": _pick(_AR_HEAD_VERBS),
    "caption_action": _pick(_AR_CAPTION_ACTIONS),
}

_AR_SENTENCES = (
    "{says} {topic} {predicate} {place} {time}.",
    "{connector} {says} {topic} {predicate}، وأن {topic} {predicate}.",
    "وأفادت مصادر محلية بأن {number} من ال{people} {people_event} {place} {time}.",
    "ونقلت وكالة {agency} عن {person} قوله إن {topic} {predicate} {place}.",
    "{connector} عقد {subject} اجتماعا مع {subject} {place} لبحث {topic} و{topic}.",
    "وتأتي هذه الخطوة بعد {number} يوما من {topic} {place}، بحسب {person}.",
    "ويبلغ حجم {topic} نحو {number} مليون دولار، وفق ما ذكره {subject} {time}.",
    "«{topic} {predicate}»، قال {person} {place} {time}.",
)

_AR_HEADLINES = (
    "{subject} {head_verb} {topic} {place}",
    "{subject} {head_verb} {topic} و{topic} {time}",
    "{number} من ال{people} {people_event} {place}",
)

_AR_CAPTIONS = (
    "{people} {caption_action} {place} {time}.",
    "{subject} خلال زيارته {place} (أرشيفية).",
    "{person} يتحدث إلى الصحافيين {place}.",
)


class _Template:
    """A format string split once into (literal, slot) pieces."""

    __slots__ = ("pieces",)

    def __init__(self, text: str) -> None:
        self.pieces = [(literal, slot) for literal, slot, _, _ in string.Formatter().parse(text)]

    def fill(self, rng: random.Random, slots: dict[str, Callable[[random.Random], str]]) -> str:
        out = []
        for literal, slot in self.pieces:
            out.append(literal)
            if slot:
                out.append(slots[slot](rng))
        text = "".join(out)
        return text[0].upper() + text[1:]


_LANGUAGES = {
    "en": (
        _EN_SLOTS,
        [_Template(t) for t in _EN_SENTENCES],
        [_Template(t) for t in _EN_HEADLINES],
        [_Template(t) for t in _EN_CAPTIONS],
    ),
    "ar": (
        _AR_SLOTS,
        [_Template(t) for t in _AR_SENTENCES],
        [_Template(t) for t in _AR_HEADLINES],
        [_Template(t) for t in _AR_CAPTIONS],
    ),
}
_EN_SLOTS["verb_present"] = _pick(_VERBS_PRESENT)
_EN_SLOTS["casualty"] = _pick(_CASUALTY_VERBS)


def _a_nationality(rng: random.Random) -> str:
    nationality = rng.choice(_NATIONALITIES)
    return ("an " if nationality[0] in "AEIOU" else "a ") + nationality


_EN_SLOTS["a_nationality"] = _a_nationality


# --------------------------------------------------------------------------
# Articles


def _title_case(headline: str) -> str:
    words = headline.split()
    return " ".join(
        word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    )


def _headline(rng: random.Random, language: str) -> str:
    slots, _, headlines, _ = _LANGUAGES[language]
    while True:
        text = rng.choice(headlines).fill(rng, slots)
        if 5 <= len(text.split()) <= 14:
            return _title_case(text) if language == "en" else text


def _paragraph(rng: random.Random, language: str, max_sentences: int = 4) -> str:
    slots, sentences, _, _ = _LANGUAGES[language]
    count = rng.randint(1, max_sentences)
    return " ".join(rng.choice(sentences).fill(rng, slots) for _ in range(count))


def _image(rng: random.Random, language: str) -> ParsedImage:
    slots, _, _, captions = _LANGUAGES[language]
    credit = "أ.ف.ب" if language == "ar" and rng.random() < 0.6 else rng.choice(CREDITS)
    return ParsedImage(rng.choice(captions).fill(rng, slots), credit)


def generate_article(rng: random.Random, paragraphs: tuple[int, int] = PARAGRAPHS) -> Article:
    """One random article: 5-14 word headline, 3-15 paragraphs (or as many as asked), 0-3 photos."""
    language = "ar" if rng.random() < ARABIC_SHARE else "en"
    title = _headline(rng, language)
    images = tuple(_image(rng, language) for _ in range(rng.choice((0, 1, 1, 1, 2, 3))))
    paragraphs = [_paragraph(rng, language) for _ in range(rng.randint(*paragraphs))]
    if language == "en" and rng.random() < 0.15:
        # Wire copy: a body paragraph ending in a credit, which must stay body.
        index = rng.randrange(len(paragraphs))
        paragraphs[index] += " (Reuters)"
    return Article(title, images, tuple(paragraphs), language)


def article_at(seed: int | str, index: int, paragraphs: tuple[int, int] = PARAGRAPHS) -> Article:
    """The original article for dump position ``index`` (unless a copy is planted there)."""
    return generate_article(random.Random(f"dumpgen:{seed}:{index}"), paragraphs)


def near_duplicate(article: Article, kind: str, rng: random.Random) -> Article:
    """A lightly edited copy of ``article``; most paragraphs stay identical."""
    paragraphs = list(article.paragraphs)
    if kind == HEADLINE_WORD:
        return replace(article, title=_change_one_word(article, rng))
    if kind == UPDATE:
        paragraphs[_short_paragraph_index(paragraphs, rng)] = _paragraph(rng, article.language, 2)
        paragraphs.insert(rng.randint(0, len(paragraphs)), _paragraph(rng, article.language, 2))
        return replace(article, title=_change_one_word(article, rng), paragraphs=tuple(paragraphs))
    if kind == PARAGRAPH_REPLACED:
        paragraphs[_short_paragraph_index(paragraphs, rng)] = _paragraph(rng, article.language, 2)
    elif kind == PARAGRAPH_ADDED:
        paragraphs.insert(rng.randint(0, len(paragraphs)), _paragraph(rng, article.language, 2))
    elif kind == PARAGRAPH_REMOVED:
        del paragraphs[_short_paragraph_index(paragraphs, rng)]
    elif kind == PUNCTUATION:
        changes = rng.randint(1, max(1, len(paragraphs) // 3))
        for index in rng.sample(range(len(paragraphs)), changes):
            paragraphs[index] = _change_punctuation(paragraphs[index])
    else:
        raise ValueError(f"unknown near-duplicate kind: {kind!r}")
    return replace(article, paragraphs=tuple(paragraphs))


def follow_up(article: Article, story: Article, rng: random.Random) -> Article:
    """``story`` reusing ``article``'s first photo and one of its shorter paragraphs as background.

    One of the shorter half: a follow-up quotes background, not the whole
    earlier story (which would make it a copy, as an expanded brief is).
    """
    images = article.images[:1] or (_image(rng, article.language),)
    paragraphs = list(story.paragraphs)
    background = article.paragraphs[_short_paragraph_index(list(article.paragraphs), rng)]
    paragraphs.insert(rng.randint(0, len(paragraphs)), background)
    return replace(story, images=images, paragraphs=tuple(paragraphs))


def _short_paragraph_index(paragraphs: list[str], rng: random.Random) -> int:
    """A random paragraph from the shorter half, so an edit never removes most of the text."""
    by_length = sorted(range(len(paragraphs)), key=lambda index: len(paragraphs[index]))
    return rng.choice(by_length[: max(1, len(by_length) // 2)])


def _change_one_word(article: Article, rng: random.Random) -> str:
    words = article.title.split()
    index = rng.randrange(len(words))
    pool = _AR_TOPICS if article.language == "ar" else _NOUNS
    while True:  # the pools hold dozens of distinct words, so this ends quickly
        replacement = rng.choice(pool).split()[0]
        if article.language == "en" and words[index][:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        if replacement != words[index]:
            break
    words[index] = replacement
    return " ".join(words)


_PUNCTUATION_SWAPS = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "،": ",", ",": ""})


def _change_punctuation(paragraph: str) -> str:
    changed = paragraph.translate(_PUNCTUATION_SWAPS)
    return changed if changed != paragraph else paragraph.rstrip(".") + "!"


# --------------------------------------------------------------------------
# Dumps


def plan_duplicates(
    n: int, *, seed: int | str = 0, exact_duplicates: int = 0, near_duplicates: int = 0, follow_ups: int = 0,
    stories: int = 0,
) -> list[DuplicatePair]:
    """Choose where planted copies go in a dump of ``n`` distinct articles.

    The dump has ``n + exact_duplicates + near_duplicates + follow_ups``
    positions. Copies sit at random positions after their original; an
    original is never itself a copy.  Sorted by copy position. Follow-ups
    (kind FOLLOW_UP) are pairs that must not be found.

    ``stories`` adds that many originals with STORY_COPIES updates each
    (kind STORY_UPDATE), ``stories * (STORY_COPIES + 1)`` more positions
    spread through the dump; an original may come after its copies. The
    other articles are those of the dump without stories, in the same order.
    """
    layout = _layout(n, seed, exact_duplicates + near_duplicates + follow_ups, stories)
    pairs = [DuplicatePair(layout.position[p.original], layout.position[p.copy], p.kind)
             for p in _base_plan(n, seed, exact_duplicates, near_duplicates, follow_ups)]
    pairs += [DuplicatePair(group[0], copy, STORY_UPDATE) for group in layout.stories for copy in group[1:]]
    return sorted(pairs, key=lambda pair: pair.copy)


def _base_plan(n: int, seed: int | str, exact_duplicates: int, near_duplicates: int,
               follow_ups: int) -> list[DuplicatePair]:
    """The plan of a dump without stories, in its own positions."""
    copies = exact_duplicates + near_duplicates + follow_ups
    if n < 0 or exact_duplicates < 0 or near_duplicates < 0 or follow_ups < 0 or (copies and n < 1):
        raise ValueError("need n >= 1 original to copy and non-negative counts")
    rng = random.Random(f"dumpgen-plan:{seed}")
    positions = rng.sample(range(1, n + copies), copies)
    kinds = [EXACT] * exact_duplicates + [rng.choice(NEAR_DUPLICATE_KINDS) for _ in range(near_duplicates)]
    kinds += [FOLLOW_UP] * follow_ups
    rng.shuffle(kinds)
    original_of: dict[int, int] = {}
    pairs = []
    for position, kind in sorted(zip(positions, kinds)):
        candidate = rng.randrange(position)
        # A copy of a copy would blur the ground truth: use its original.
        original = original_of.get(candidate, candidate)
        original_of[position] = original
        pairs.append(DuplicatePair(original, position, kind))
    return pairs


class _Layout(NamedTuple):
    """Where each article of the dump without stories goes, and each story's positions (original first)."""

    position: Sequence[int]
    stories: list[list[int]]


def _layout(n: int, seed: int | str, copies: int, stories: int) -> _Layout:
    base = n + copies
    if stories < 0:
        raise ValueError("stories must be non-negative")
    if not stories:
        return _Layout(range(base), [])  # a range: a dump without stories still streams in constant memory
    rng = random.Random(f"dumpgen-stories:{seed}")
    size = STORY_COPIES + 1
    extra = rng.sample(range(base + stories * size), stories * size)
    taken = set(extra)
    # The order of the sample is random: each story's original is as likely
    # to come last as first.
    groups = [extra[i:i + size] for i in range(0, len(extra), size)]
    return _Layout([p for p in range(base + stories * size) if p not in taken], groups)


def story_update(article: Article, rng: random.Random) -> Article:
    """An update of ``article``: a headline word changed, any one paragraph rewritten, one added, the same photos.

    Unlike UPDATE, the paragraph rewritten may be the longest: a brief of two
    paragraphs can then keep less than a fifth of its text in the update.
    """
    paragraphs = list(article.paragraphs)
    paragraphs[rng.randrange(len(paragraphs))] = _paragraph(rng, article.language, 2)
    paragraphs.insert(rng.randint(0, len(paragraphs)), _paragraph(rng, article.language, 2))
    return replace(article, title=_change_one_word(article, rng), paragraphs=tuple(paragraphs))


def story_original(seed: int | str, story: int, paragraphs: tuple[int, int] = PARAGRAPHS) -> Article:
    """The original of story ``story`` of a dump: a generated article with two photos."""
    article = generate_article(random.Random(f"dumpgen-story:{seed}:{story}"), paragraphs)
    rng = random.Random(f"dumpgen-story-photos:{seed}:{story}")
    return replace(article, images=(_image(rng, article.language), _image(rng, article.language)))


def dump_articles(
    n: int, *, seed: int | str = 0, exact_duplicates: int = 0, near_duplicates: int = 0, follow_ups: int = 0,
    paragraphs: tuple[int, int] = PARAGRAPHS, stories: int = 0,
) -> Iterator[Article]:
    """The articles of a dump in order: ``n`` originals plus the planted copies."""
    yield from _articles_for_plan(n, seed, exact_duplicates, near_duplicates, follow_ups, paragraphs, stories)


def _articles_for_plan(n: int, seed: int | str, exact_duplicates: int, near_duplicates: int, follow_ups: int,
                       paragraphs: tuple[int, int], stories: int) -> Iterator[Article]:
    plan = _base_plan(n, seed, exact_duplicates, near_duplicates, follow_ups)
    copies = {pair.copy: pair for pair in plan}
    layout = _layout(n, seed, exact_duplicates + near_duplicates + follow_ups, stories)
    in_story = {position: (story, member) for story, group in enumerate(layout.stories)
                for member, position in enumerate(group)}
    base = iter(range(len(layout.position)))
    for position in range(len(layout.position) + len(in_story)):
        if position in in_story:
            story, member = in_story[position]
            original = story_original(seed, story, paragraphs)
            yield original if member == 0 else story_update(
                original, random.Random(f"dumpgen-story-copy:{seed}:{story}:{member}"))
            continue
        index = next(base)
        pair = copies.get(index)
        if pair is None:
            yield article_at(seed, index, paragraphs)
            continue
        original = article_at(seed, pair.original, paragraphs)
        if pair.kind == EXACT:
            yield original
        elif pair.kind == FOLLOW_UP:
            yield follow_up(original, article_at(seed, index, paragraphs), random.Random(f"dumpgen-copy:{seed}:{index}"))
        else:
            yield near_duplicate(original, pair.kind, random.Random(f"dumpgen-copy:{seed}:{index}"))


def render_article(
    article: _ArticleLike,
    *,
    widget_number: int = 20,
    rng: random.Random | None = None,
    noise: bool = False,
) -> str:
    """One article in the dump format, "\\n" line endings, ending with "\\n".

    With ``noise``, ``rng`` (default ``Random(0)``) adds what real dumps
    have: a leading space or NBSP on the first copy of a caption, trailing
    NBSPs, leading spaces on paragraphs, extra blank lines and a random
    widget number.  None of it changes the parsed content.
    """
    if noise and rng is None:
        rng = random.Random(0)
    noisy = rng if noise else None
    if noisy is not None:
        widget_number = noisy.choice(WIDGET_NUMBERS)
    captions = [_caption_line(image) for image in article.images]
    title = article.title + _trailing_noise(noisy)
    header = [title, *_blanks(noisy)]
    for caption in captions:
        header += [_leading_noise(noisy, 0.5) + caption, caption + _trailing_noise(noisy)]
    lines = [*header, "TT", str(widget_number), *_blanks(noisy), title, *_blanks(noisy)]
    if captions:
        for caption in captions:
            lines += [_leading_noise(noisy, 0.5) + caption, caption]
        lines += _blanks(noisy)
    for index, paragraph in enumerate(article.paragraphs):
        if index:
            lines += _blanks(noisy)
        lines.append(_leading_noise(noisy, 0.05) + paragraph + _trailing_noise(noisy))
    return "\n".join(lines) + "\n"


def _caption_line(image: _ImageLike) -> str:
    return f"{image.caption} ({image.credit})" if image.credit else image.caption


def _blanks(rng: random.Random | None) -> list[str]:
    if rng is None or rng.random() < 0.8:
        return [""]
    return [rng.choice(("", " ", "\u00a0"))] * rng.randint(1, 3)


def _leading_noise(rng: random.Random | None, probability: float) -> str:
    if rng is None or rng.random() >= probability:
        return ""
    return rng.choice((" ", "\u00a0", "  "))


def _trailing_noise(rng: random.Random | None) -> str:
    if rng is None or rng.random() >= 0.2:
        return ""
    return rng.choice(("\u00a0", " ", "\u00a0\u00a0"))


def write_dump(
    out: TextIO | io.BufferedIOBase,
    n: int,
    *,
    seed: int | str = 0,
    exact_duplicates: int = 0,
    near_duplicates: int = 0,
    follow_ups: int = 0,
    paragraphs: tuple[int, int] = PARAGRAPHS,
    crlf: bool = False,
    noise: bool = False,
    stories: int = 0,
) -> list[DuplicatePair]:
    """Write ``n`` distinct articles plus planted copies to ``out``; return the ground truth.

    The ground truth pairs are 0-based positions in the written dump.
    ``out`` may be a text stream (open it with ``newline=""`` so CRLF is
    written as given) or a binary stream (UTF-8 is written).  Articles are
    separated by three blank lines, or 1-5 with ``noise``.
    """
    plan = plan_duplicates(n, seed=seed, exact_duplicates=exact_duplicates, near_duplicates=near_duplicates,
                           follow_ups=follow_ups, stories=stories)
    write = _writer(out)
    rng = random.Random(f"dumpgen-noise:{seed}")
    newline = "\r\n" if crlf else "\n"
    articles = _articles_for_plan(n, seed, exact_duplicates, near_duplicates, follow_ups, paragraphs, stories)
    for index, article in enumerate(articles):
        separator = "" if index == 0 else "\n" * (rng.randint(1, 5) if noise else 3)
        text = separator + render_article(article, rng=rng, noise=noise)
        write(text.replace("\n", newline) if crlf else text)
    return plan


def _writer(out: TextIO | io.BufferedIOBase) -> Callable[[str], object]:
    if isinstance(out, io.TextIOBase):
        return out.write
    return lambda text: out.write(text.encode("utf-8"))


__all__ = [
    "ARABIC_SHARE",
    "CREDITS",
    "EXACT",
    "FOLLOW_UP",
    "HEADLINE_WORD",
    "NEAR_DUPLICATE_KINDS",
    "PARAGRAPH_ADDED",
    "PARAGRAPH_REMOVED",
    "PARAGRAPH_REPLACED",
    "PUNCTUATION",
    "STORY_COPIES",
    "STORY_UPDATE",
    "UPDATE",
    "Article",
    "DuplicatePair",
    "article_at",
    "dump_articles",
    "generate_article",
    "follow_up",
    "near_duplicate",
    "plan_duplicates",
    "render_article",
    "story_original",
    "story_update",
    "write_dump",
]
