"""Measure near-duplicate detection (articles.duplicates.minhash) on a generated corpus.

Run from the repository root:  .venv/bin/python scripts/similarity_study.py

The corpus is synthetic but built to be awkward: articles cluster by topic,
repeat the topic's stock background sentences and often carry the topic's
identical photo caption, so unrelated same-topic stories share real phrases.
Planted near-duplicates are edited copies (headline word, paragraph
replaced/added/removed, punctuation/whitespace, or two of those combined).

Prints: shingle-size sweep (exact Jaccard of dups vs unrelated same-topic
pairs), a threshold table, a BANDS x ROWS sweep on 20,000 articles (recall,
precision, candidates), a short-article stress test, timings, and (6) the
finder's whole rule on short (2-5 paragraphs) and long (4-18) stories with
desk updates among the copies: candidates from band, headline and paragraph
keys, judged by minhash.verdict, against the body-only rule.

Summary of the last run (docs/benchmarks.md has the tables): bodies alone
find 0.863 of the short copies and 0.993 of the long ones; with headlines,
containment and photos, 0.997 and 1.000, at precision 1.000 on both.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from articles.core.text import normalize_for_matching  # noqa: E402
from articles.duplicates import minhash as sim  # noqa: E402

SEED = 20240611

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

FIRST = (
    "Amira Daniel Helena Omar Priya Tomas Grace Yusuf Marta Liam Sofia Karim Elena "
    "Jonas Leila Victor Nadia Samuel Irene Hassan Clara Felix Rania Oscar Mei Pablo "
    "Ingrid Tariq Louise Mateo Hana Rafael Dana Kofi Aisha Bruno Nora Idris Vera"
).split()
LAST = (
    "Okafor Lindqvist Haddad Moreau Castillo Brennan Novak Farouk Whitlock Salazar "
    "Ivanova Mensah Kowalski Duarte Nakamura Abbasi Holloway Ferreira Kaplan Osei "
    "Delacroix Rahman Petrov Quinlan Mbeki Varga Sorensen Acheampong Bianchi Thorne"
).split()
ROLES = [
    "the finance minister", "the city's mayor", "a senior police officer", "the health secretary",
    "a union representative", "the opposition leader", "a government spokesperson",
    "the regional governor", "an independent analyst", "the head of the fire service",
    "a local councillor", "the company's chief executive", "a hospital director",
    "the education minister", "a senior diplomat", "the transport commissioner",
    "a spokesperson for the prosecutors", "the central bank governor", "a residents' group leader",
]
ORGS = [
    "the national statistics office", "the port authority", "the teachers' union",
    "the environmental agency", "the chamber of commerce", "the supreme court",
    "the state broadcaster", "the ministry of health", "the regional assembly",
    "the consumer watchdog", "the railway operator", "the water utility", "the city council",
    "the electoral commission", "the farmers' cooperative", "the airport operator",
]
TOWN_A = "Ash Brook Kestrel Marl Oak Raven Stone Thorn Wil Elder Fen Gold Hollow Iron Lark".split()
TOWN_B = "ford haven mere bury field wick dale port ton gate moor cliffe stead".split()
PLACES = [a + b for a in TOWN_A for b in TOWN_B]
TIMES = [
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "over the weekend",
    "late on Sunday", "earlier this month", "last week", "this morning", "on Saturday evening",
    "in recent days", "after a long meeting", "for the second time this year",
]
SAY = ["said", "told reporters", "said in a statement", "told a news conference", "wrote in a letter",
       "said in an interview", "told parliament", "confirmed"]
VERBS = [
    "approved", "rejected", "postponed", "criticised", "defended", "announced", "suspended",
    "reviewed", "expanded", "cancelled", "funded", "questioned", "backed", "blocked", "delayed",
    "investigated", "welcomed", "challenged", "revised", "extended",
]
HEAD_VERBS = ["Approves", "Rejects", "Delays", "Warns", "Backs", "Blocks", "Questions", "Defends",
              "Unveils", "Slams", "Weighs", "Halts", "Expands", "Probes", "Targets", "Eyes"]
ADJ = [
    "new", "controversial", "long-awaited", "costly", "temporary", "emergency", "revised",
    "ambitious", "disputed", "modest", "sweeping", "delayed", "regional", "national", "urgent",
    "unexpected", "popular", "expensive", "partial", "final",
]
NOUNS = [
    "budget", "housing plan", "tax increase", "safety review", "investment", "contract",
    "rescue effort", "inquiry", "curfew", "subsidy", "reform", "deal", "report", "ban",
    "evacuation order", "pay offer", "road project", "pension change", "audit", "merger",
    "vaccination drive", "recycling scheme", "water restriction", "school closure", "tariff",
]
REASONS = [
    "because of rising costs", "after complaints from residents", "amid growing pressure",
    "despite strong opposition", "following a court ruling", "as prices continued to climb",
    "after heavy rain flooded several streets", "to ease pressure on hospitals",
    "while negotiations continue", "pending an independent review", "citing safety concerns",
    "in response to a wave of protests", "to protect jobs in the region",
]
QUOTES = [
    "We cannot wait any longer", "This is a difficult decision but the right one",
    "People deserve clear answers", "The figures speak for themselves", "We were never consulted",
    "Nobody wants to see this happen again", "It is far too early to draw conclusions",
    "We will keep working until the job is done", "This changes very little for ordinary families",
    "The plan simply does not add up", "Our priority is the safety of residents",
]
NUMBER_UNITS = ["residents", "jobs", "homes", "students", "patients", "workers", "families",
                "passengers", "schools", "businesses"]
CAPTION_SUBJECTS = [
    "Firefighters work", "Protesters gather", "Officials inspect the site", "Residents queue",
    "Workers repair a damaged road", "Police stand guard", "Delegates arrive",
    "Volunteers hand out supplies", "Students march", "A rescue team searches the rubble",
]
AGENCIES = ["(AFP)", "(Reuters)", "(AP)", "(File photo)", "(Photo: Staff)"]
TOPIC_SEEDS = [
    ("the proposed harbour bridge in {p}", "Harbour Bridge"), ("the nurses' pay dispute", "Nurses"),
    ("the wildfire near {p}", "Wildfire"), ("the {p} council corruption inquiry", "Council Inquiry"),
    ("the teachers' strike", "Teachers' Strike"), ("the flooding in {p}", "Flooding"),
    ("the new rail link to {p}", "Rail Link"), ("the fuel price cap", "Fuel Prices"),
    ("the hospital waiting lists", "Waiting Lists"), ("the {p} factory closure", "Factory Closure"),
    ("the drought in the southern provinces", "Drought"), ("the local election in {p}", "Election"),
    ("the airport expansion at {p}", "Airport"), ("the minimum wage increase", "Minimum Wage"),
    ("the measles outbreak in {p}", "Measles Outbreak"), ("the housing shortage", "Housing"),
    ("the border trade agreement", "Trade Deal"), ("the stadium renovation in {p}", "Stadium"),
]


def title_case(words: list[str]) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in words)


class Generator:
    """Random English-like news text with topics, stock phrases and captions."""

    def __init__(self, seed: int, n_topics: int = 60):
        self.rng = random.Random(seed)
        self.topics = [self._make_topic() for _ in range(n_topics)]

    # -- building blocks ---------------------------------------------------
    def person(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return f"{r.choice(FIRST)} {r.choice(LAST)}"
        return f"{r.choice(ROLES)}, {r.choice(FIRST)} {r.choice(LAST)},"

    def thing(self) -> str:
        return f"the {self.rng.choice(ADJ)} {self.rng.choice(NOUNS)}"

    def number(self) -> str:
        r = self.rng
        return f"{r.choice(['about', 'more than', 'nearly', 'at least', 'some'])} " \
               f"{r.randint(2, 950) * r.choice([1, 10, 100]):,} {r.choice(NUMBER_UNITS)}"

    def _make_topic(self) -> dict:
        r = self.rng
        phrase, keyword = r.choice(TOPIC_SEEDS)
        place = r.choice(PLACES)
        phrase = phrase.format(p=place)
        stock = [self.sentence(phrase, place) for _ in range(4)]
        captions = [
            f"{r.choice(CAPTION_SUBJECTS)} in {place} {r.choice(TIMES)}, as {phrase} "
            f"continues to divide opinion. {r.choice(AGENCIES)}"
            for _ in range(3)
        ]
        return {"phrase": phrase, "keyword": keyword, "place": place, "stock": stock,
                "captions": captions}

    def sentence(self, phrase: str, place: str) -> str:
        r = self.rng
        forms = [
            lambda: f"{self.person()} {r.choice(SAY)} {r.choice(TIMES)} that {self.thing()} "
                    f"would affect {self.number()} in {place}.",
            lambda: f"{r.choice(ORGS).capitalize()} {r.choice(VERBS)} {self.thing()} "
                    f"{r.choice(REASONS)}.",
            lambda: f"\"{r.choice(QUOTES)},\" {self.person()} {r.choice(SAY)}.",
            lambda: f"The decision on {phrase} comes {r.choice(REASONS)}, and "
                    f"{r.choice(ORGS)} is expected to respond {r.choice(TIMES)}.",
            lambda: f"According to {r.choice(ORGS)}, {self.number()} have been affected "
                    f"since {phrase} began.",
            lambda: f"In {r.choice(PLACES)}, {self.number()} {r.choice(VERBS)} "
                    f"{self.thing()} {r.choice(TIMES)}.",
            lambda: f"Critics say {self.thing()} {r.choice(REASONS)} will do little for "
                    f"{self.number()}, while supporters point to {self.thing()}.",
            lambda: f"{self.person()} {r.choice(VERBS)} {self.thing()} {r.choice(TIMES)} "
                    f"and {r.choice(SAY)} that {r.choice(QUOTES).lower()}.",
            lambda: f"It is not yet clear whether {r.choice(ORGS)} will {r.choice(['approve', 'block', 'review', 'fund'])} "
                    f"{self.thing()} before the end of the year.",
            lambda: f"Speaking {r.choice(TIMES)}, {self.person()} warned that {self.thing()} "
                    f"could cost {self.number()} their livelihoods.",
            lambda: f"{r.choice(FIRST)}, who lives in {r.choice(PLACES)}, said the {r.choice(NOUNS)} "
                    f"had left her family {r.choice(['worried', 'angry', 'relieved', 'confused'])}.",
            lambda: f"Officials {r.choice(VERBS)} the {r.choice(NOUNS)} in {place} "
                    f"{r.choice(REASONS)}, {r.choice(ORGS)} {r.choice(SAY)}.",
            lambda: f"The figures, published by {r.choice(ORGS)} {r.choice(TIMES)}, show {self.number()} "
                    f"waiting for {self.thing()}.",
        ]
        text = r.choice(forms)()
        return text[0].upper() + text[1:]

    def paragraph(self, topic: dict) -> str:
        r = self.rng
        parts = []
        for _ in range(r.randint(1, 4)):
            if r.random() < 0.08:
                parts.append(r.choice(topic["stock"]))  # shared stock phrasing
            else:
                parts.append(self.sentence(topic["phrase"], topic["place"]))
        return " ".join(parts)

    def headline(self, topic: dict) -> str:
        r = self.rng
        while True:
            words = [topic["keyword"]]
            words += [r.choice([topic["place"], r.choice(LAST), r.choice(ORGS).split()[-1].capitalize()])]
            words += [r.choice(HEAD_VERBS)]
            words += r.choice(ADJ).split() + r.choice(NOUNS).split()
            if r.random() < 0.7:
                words += r.choice(REASONS).split()
            if r.random() < 0.4:
                words += r.choice(TIMES).split()
            if 5 <= len(words) <= 14:
                return title_case(" ".join(words).split())

    def article(self, topic: dict | None = None, n_paragraphs: int | None = None) -> dict:
        r = self.rng
        topic = topic or r.choice(self.topics)
        n = n_paragraphs or r.randint(3, 15)
        paragraphs = [self.paragraph(topic) for _ in range(n)]
        if r.random() < 0.35:  # photo caption, usually one of the topic's few
            paragraphs[0] = r.choice(topic["captions"])
        if r.random() < 0.5:  # topic phrase in the lead
            paragraphs[min(1, n - 1)] += f" The row over {topic['phrase']} shows no sign of ending."
        return {"title": self.headline(topic), "paragraphs": paragraphs, "topic": topic}


# --------------------------------------------------------------------------
# Edits that make a near-duplicate
# --------------------------------------------------------------------------

def edit_headline(g: Generator, a: dict) -> dict:
    words = a["title"].split()
    i = g.rng.randrange(len(words))
    words[i] = g.rng.choice(HEAD_VERBS + [w.capitalize() for w in ADJ])
    return {**a, "title": " ".join(words)}


def edit_replace(g: Generator, a: dict) -> dict:
    ps = list(a["paragraphs"])
    ps[g.rng.randrange(len(ps))] = g.paragraph(a["topic"])
    return {**a, "paragraphs": ps}


def edit_add(g: Generator, a: dict) -> dict:
    ps = list(a["paragraphs"])
    ps.insert(g.rng.randint(0, len(ps)), g.paragraph(a["topic"]))
    return {**a, "paragraphs": ps}


def edit_remove(g: Generator, a: dict) -> dict:
    ps = list(a["paragraphs"])
    if len(ps) > 1:
        del ps[g.rng.randrange(len(ps))]
    return {**a, "paragraphs": ps}


def edit_punctuation(g: Generator, a: dict) -> dict:
    r = g.rng

    def mangle(text: str) -> str:
        text = text.replace("\"", r.choice(["\u201c", "'", "\""]))
        text = text.replace(", ", r.choice([" , ", " ", ",  ", ", "]))
        text = text.replace(". ", r.choice([".  ", ".\n", ". ", " . "]))
        text = text.replace("'", r.choice(["\u2019", "'"]))
        if r.random() < 0.3:
            text = text.replace(" and ", " and\u00a0")
        return "  " + text + " \n" if r.random() < 0.5 else text

    title = a["title"]
    if r.random() < 0.5:
        title = title.upper() if r.random() < 0.3 else title.capitalize()
    title = title.replace(" ", r.choice([" ", "  ", " - " if r.random() < 0.2 else " "]))
    return {**a, "title": title, "paragraphs": [mangle(p) for p in a["paragraphs"]]}


SINGLE_EDITS = {
    "headline": edit_headline,
    "para_replaced": edit_replace,
    "para_added": edit_add,
    "para_removed": edit_remove,
    "punctuation": edit_punctuation,
}
KINDS = list(SINGLE_EDITS) + ["two_edits"]
# What a desk republishes: a headline word, a paragraph rewritten, one added.
UPDATE_KINDS = KINDS + ["update"]


def make_copy(g: Generator, a: dict, kind: str) -> dict:
    if kind == "update":
        return edit_add(g, edit_replace(g, edit_headline(g, a)))
    if kind == "two_edits":
        first, second = g.rng.sample(list(SINGLE_EDITS), 2)
        return SINGLE_EDITS[second](g, SINGLE_EDITS[first](g, a))
    return SINGLE_EDITS[kind](g, a)


def shingle(a: dict, k: int = sim.SHINGLE_SIZE) -> set[int]:
    return sim.shingles(a["title"], a["paragraphs"], k=k)


# --------------------------------------------------------------------------
# Reporting helpers
# --------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def summary(values: list[float]) -> str:
    return (f"n={len(values):5d} min={min(values):.3f} p1={pct(values, .01):.3f} "
            f"p5={pct(values, .05):.3f} med={statistics.median(values):.3f} "
            f"p99={pct(values, .99):.3f} max={max(values):.3f}")


def unrelated_pairs(articles: list[dict], rng: random.Random, n: int) -> list[tuple[int, int]]:
    """Distinct same-topic pairs, half of them sharing an identical caption."""
    by_topic: dict[int, list[int]] = {}
    by_caption: dict[str, list[int]] = {}
    for i, a in enumerate(articles):
        by_topic.setdefault(id(a["topic"]), []).append(i)
        if a["paragraphs"][0] in a["topic"]["captions"]:
            by_caption.setdefault(a["paragraphs"][0], []).append(i)
    topic_groups = [v for v in by_topic.values() if len(v) > 1]
    caption_groups = [v for v in by_caption.values() if len(v) > 1]
    pairs = set()
    for attempt in range(20 * n):  # bounded: caption groups may run out of pairs
        if len(pairs) >= n:
            break
        group = rng.choice(caption_groups if attempt % 2 else topic_groups)
        i, j = rng.sample(group, 2)
        pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


# --------------------------------------------------------------------------
# Studies
# --------------------------------------------------------------------------

def shingle_size_sweep() -> None:
    print("== 1. Exact Jaccard by shingle size: planted dups vs unrelated same-topic pairs ==")
    g = Generator(SEED + 1)
    originals = [g.article() for _ in range(3000)]
    copies = [(a, make_copy(g, a, KINDS[i % len(KINDS)])) for i, a in enumerate(originals[:1800])]
    negatives = unrelated_pairs(originals, random.Random(SEED), 6000)
    shorts = [g.article(n_paragraphs=3) for _ in range(3000)]
    short_negatives = unrelated_pairs(shorts, random.Random(SEED), 6000)
    for k in (2, 3, 4, 5, 6):
        sh = [shingle(a, k) for a in originals]
        shs = [shingle(a, k) for a in shorts]
        dup = [sim.jaccard(shingle(a, k), shingle(b, k)) for a, b in copies]
        neg = [sim.jaccard(sh[i], sh[j]) for i, j in negatives]
        neg_s = [sim.jaccard(shs[i], shs[j]) for i, j in short_negatives]
        print(f"k={k}  dups            {summary(dup)}")
        print(f"      unrelated       {summary(neg)}")
        print(f"      unrelated 3-par {summary(neg_s)}")
        print(f"      gap dup p1 - unrelated p99 / max: {pct(dup, .01) - pct(neg, .99):+.3f} / "
              f"{pct(dup, .01) - max(neg):+.3f};  3-par: {pct(dup, .01) - pct(neg_s, .99):+.3f} / "
              f"{pct(dup, .01) - max(neg_s):+.3f}")
    print()


def per_kind_and_threshold(k: int) -> None:
    print(f"== 2. Exact Jaccard per edit kind (k={k}), all lengths and 3-paragraph articles ==")
    g = Generator(SEED + 2)
    dups_all: list[float] = []
    for kind in KINDS:
        full, short = [], []
        for _ in range(600):
            a = g.article()
            full.append(sim.jaccard(shingle(a, k), shingle(make_copy(g, a, kind), k)))
            s = g.article(n_paragraphs=3)
            short.append(sim.jaccard(shingle(s, k), shingle(make_copy(g, s, kind), k)))
        dups_all += full
        print(f"{kind:14s} all   {summary(full)}")
        print(f"{'':14s} 3-par {summary(short)}")
    originals = [g.article() for _ in range(3000)]
    sh = [shingle(a, k) for a in originals]
    neg = [sim.jaccard(sh[i], sh[j]) for i, j in unrelated_pairs(originals, random.Random(SEED), 8000)]
    print(f"{'unrelated':14s} all   {summary(neg)}")
    shorts = [g.article(n_paragraphs=3) for _ in range(3000)]
    shs = [shingle(a, k) for a in shorts]
    neg_s = [sim.jaccard(shs[i], shs[j]) for i, j in unrelated_pairs(shorts, random.Random(SEED), 8000)]
    print(f"{'':14s} 3-par {summary(neg_s)}")
    print("\nthreshold  dups>=T (all kinds, all lengths)  unrelated>=T (all / 3-par)")
    for t in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        print(f"  {t:.2f}     {sum(d >= t for d in dups_all) / len(dups_all):.4f}"
              f"                        {sum(n >= t for n in neg) / len(neg):.4f} / "
              f"{sum(n >= t for n in neg_s) / len(neg_s):.4f}")
    print()


def build_corpus(total: int = 20000, n_dups: int = 4000):
    g = Generator(SEED + 3, n_topics=400)
    originals = [g.article() for _ in range(total - n_dups)]
    articles = list(originals)
    truth = {}
    for i in range(n_dups):
        kind = KINDS[i % len(KINDS)]
        articles.append(make_copy(g, originals[i], kind))
        truth[(i, len(articles) - 1)] = kind
    return articles, truth


def bucket_pairs(keys: list[list[int]]) -> set[tuple[int, int]]:
    buckets: dict[int, list[int]] = {}
    for i, ks in enumerate(keys):
        for key in ks:
            buckets.setdefault(key, []).append(i)
    return {(a, b) for ids in buckets.values() for x, a in enumerate(ids) for b in ids[x + 1:]}


def corpus_study(threshold: float) -> None:
    print("== 3. 20,000 articles (4,000 planted copies): banding sweep ==")
    articles, truth = build_corpus()
    shingle_times, sig_times, sigs = [], [], []
    for a in articles:
        t0 = time.perf_counter()
        sh = shingle(a)
        t1 = time.perf_counter()
        sigs.append(sim.signature(sh))
        t2 = time.perf_counter()
        shingle_times.append(t1 - t0)
        sig_times.append(t2 - t1)
    words = [len(a["title"].split()) + sum(len(p.split()) for p in a["paragraphs"]) for a in articles]
    print(f"words per article: median {statistics.median(words):.0f}, max {max(words)}")
    print(f"median time: shingles() {statistics.median(shingle_times) * 1e3:.3f} ms, "
          f"signature() {statistics.median(sig_times) * 1e3:.3f} ms "
          f"(p99 {pct(sig_times, .99) * 1e3:.3f} ms)")

    n = len(articles)
    thresholds = (0.3, 0.35, 0.4, 0.45)
    print("\nbands x rows  S-curve 50%  P(cand) at J=.3/.35/.4/.5  candidates  false cand per"
          "  cand recall  recall / precision after verifying estimate >= T")
    print(" " * 73 + "look-up @1M" + " " * 14 + "  ".join(f"T={t:<11}" for t in thresholds))
    for bands, rows in ((42, 3), (32, 4), (25, 5), (20, 5), (16, 8)):
        keys = [sim.band_keys(s, bands=bands, rows=rows) for s in sigs]
        cands = bucket_pairs(keys)
        est = {p: sim.estimate_similarity(sigs[p[0]], sigs[p[1]]) for p in cands}
        true_cands = sum(p in truth for p in cands)
        # false candidates one new article meets, scaled linearly from n to 1M stored
        per_lookup_1m = 2 * (len(cands) - true_cands) / n * (1_000_000 / n)
        curve = "/".join(f"{1 - (1 - j ** rows) ** bands:.2f}" for j in (0.3, 0.35, 0.4, 0.5))
        cols = []
        for t in thresholds:
            found = [p for p, e in est.items() if e >= t]
            hit = sum(p in truth for p in found)
            cols.append(f"{hit / len(truth):.4f}/{hit / max(1, len(found)):.4f}")
        print(f"  {bands:3d} x {rows}      {(1 / bands) ** (1 / rows):.3f}    {curve}"
              f"   {len(cands):9d}   {per_lookup_1m:9.1f}       {true_cands / len(truth):.4f}"
              f"       " + "  ".join(cols))

    print(f"\n-- chosen: {sim.BANDS} x {sim.ROWS}, THRESHOLD {sim.THRESHOLD} --")
    t0 = time.perf_counter()
    cands = bucket_pairs([sim.band_keys(s) for s in sigs])
    t1 = time.perf_counter()
    found_est = {p for p in cands if sim.estimate_similarity(sigs[p[0]], sigs[p[1]]) >= sim.THRESHOLD}
    t2 = time.perf_counter()
    shs = {}
    for p in cands:
        for i in p:
            if i not in shs:
                shs[i] = shingle(articles[i])
    found_exact = {p for p in cands if sim.jaccard(shs[p[0]], shs[p[1]]) >= sim.THRESHOLD}
    print(f"candidates over {n} signatures (band keys + buckets): {t1 - t0:.2f} s, "
          f"{len(cands)} candidate pairs; verification by estimate: {(t2 - t1) * 1e3:.0f} ms")
    for label, found in (("estimate", found_est), ("exact", found_exact)):
        hit = sum(p in truth for p in found)
        print(f"verified by {label:8s}: recall {hit / len(truth):.4f}  "
              f"precision {hit / max(1, len(found)):.4f}  ({hit} true, {len(found) - hit} false)")
    print("recall by kind (estimate):")
    for kind in KINDS:
        pairs = [p for p, k in truth.items() if k == kind]
        print(f"  {kind:14s} {sum(p in found_est for p in pairs) / len(pairs):.4f}  (n={len(pairs)})")
    short = [p for p in truth if len(articles[p[0]]["paragraphs"]) == 3]
    print(f"  3-paragraph originals: {sum(p in found_est for p in short) / len(short):.4f} (n={len(short)})")
    missed = [p for p in truth if p not in found_est]
    if missed:
        js = sorted(sim.jaccard(shingle(articles[i]), shingle(articles[j])) for i, j in missed)
        print(f"missed pairs' exact Jaccard: {[round(j, 3) for j in js[:20]]}")
    false = [p for p in found_est if p not in truth]
    if false:
        js = sorted(sim.jaccard(shingle(articles[i]), shingle(articles[j])) for i, j in false)
        print(f"false pairs' exact Jaccard: {[round(j, 3) for j in js[:20]]}")
    print()


def short_stress(threshold: float) -> None:
    print("== 4. 3-paragraph articles, pair-level: candidate (any shared key) and verified rates ==")
    g = Generator(SEED + 4)
    for kind in KINDS:
        cand = ver = 0
        js = []
        for _ in range(1000):
            a = g.article(n_paragraphs=3)
            b = make_copy(g, a, kind)
            sa, sb = sim.signature(shingle(a)), sim.signature(shingle(b))
            shared = set(sim.band_keys(sa)) & set(sim.band_keys(sb))
            cand += bool(shared)
            ver += bool(shared) and sim.estimate_similarity(sa, sb) >= threshold
            js.append(sim.jaccard(shingle(a), shingle(b)))
        print(f"  {kind:14s} candidate {cand / 1000:.3f}  verified {ver / 1000:.3f}  "
              f"J p5={pct(js, .05):.3f} med={statistics.median(js):.3f}")
    print()


def estimate_error() -> None:
    print(f"== 5. |estimate - exact| with NUM_PERM={sim.NUM_PERM} ==")
    g = Generator(SEED + 5)
    errs = []
    for i in range(2000):
        a = g.article()
        b = make_copy(g, a, KINDS[i % len(KINDS)])
        sa, sb = shingle(a), shingle(b)
        errs.append(abs(sim.estimate_similarity(sim.signature(sa), sim.signature(sb)) - sim.jaccard(sa, sb)))
    print(f"  mean {statistics.mean(errs):.4f}  p95 {pct(errs, .95):.4f}  max {max(errs):.4f}\n")


def signals_study() -> None:
    print("== 6. Every signal (finder.judged_pairs' rule): short and long stories, same-topic neighbours ==")
    print("Candidates: any shared band or paragraph key (buckets over 200 skipped); judged by minhash.verdict.")
    print("Same photo: both open with the same one of the topic's captions.")
    for label, low, high in (("2-5 paragraphs", 2, 5), ("4-18 paragraphs", 4, 18)):
        g = Generator(SEED + 6, n_topics=150)
        originals = [g.article(n_paragraphs=g.rng.randint(low, high)) for _ in range(2700)]
        articles = list(originals)
        truth = {}
        for i in range(300):
            kind = UPDATE_KINDS[i % len(UPDATE_KINDS)]
            articles.append(make_copy(g, originals[i], kind))
            truth[(i, len(articles) - 1)] = kind
        prints = [sim.text_print([normalize_for_matching(a["title"]), *map(normalize_for_matching, a["paragraphs"])])
                  for a in articles]
        buckets: dict[int, list[int]] = {}
        for i, found in enumerate(prints):
            for key in found.keys:
                buckets.setdefault(key, []).append(i)
        cands = sim.pairs_in_buckets(buckets.values(), max_size=200)
        headlines = [normalize_for_matching(a["title"]) for a in articles]

        def photo(a):
            return a["paragraphs"][0] if a["paragraphs"][0] in a["topic"]["captions"] else None

        found = set()
        for i, j in cands:
            verdict = sim.verdict(
                body=sim.estimate_similarity(prints[i].signature, prints[j].signature),
                size_a=prints[i].size, size_b=prints[j].size,
                headline=sim.headline_similarity(headlines[i], headlines[j]),
                same_photo=photo(articles[i]) is not None and photo(articles[i]) == photo(articles[j]),
            )
            if verdict is not None:
                found.add((i, j))
        hit = len(found & set(truth))
        body_only = {p for p in cands if sim.estimate_similarity(prints[p[0]].signature, prints[p[1]].signature)
                     >= sim.THRESHOLD}
        old_hit = len(body_only & set(truth))
        print(f"  {label}: {len(articles)} articles, {len(cands)} candidate pairs; every signal: recall "
              f"{hit / len(truth):.4f} precision {hit / max(1, len(found)):.4f}; body only: recall "
              f"{old_hit / len(truth):.4f} precision {old_hit / max(1, len(body_only)):.4f}")
        missed = {}
        for pair, kind in truth.items():
            if pair not in found:
                missed[kind] = missed.get(kind, 0) + 1
        if missed:
            print(f"    missed by kind: {missed}")
    print()


def main() -> None:
    print(f"numpy {np.__version__}; SHINGLE_SIZE={sim.SHINGLE_SIZE} NUM_PERM={sim.NUM_PERM} "
          f"BANDS={sim.BANDS} ROWS={sim.ROWS} THRESHOLD={sim.THRESHOLD}\n")
    shingle_size_sweep()
    per_kind_and_threshold(sim.SHINGLE_SIZE)
    corpus_study(sim.THRESHOLD)
    short_stress(sim.THRESHOLD)
    estimate_error()
    signals_study()


if __name__ == "__main__":
    main()
