"""Benchmark the judging engine (run by hand; results go in the README).

    .venv/bin/python benchmarks/bench_matcher.py [--replies 400] [--repeat 5]

Measures, on this machine, in one run so ratios compare like with like:

* jieba's first load (import + dictionary), in a fresh subprocess;
* phrasebook compile time: the shipped phrasebook, and generated phrasebooks of
  1,000 and 5,000 phrases (shipped categories + generated phrases);
* time to scan one reply, after warm-up: median and p99;
* the naive baseline: ``rapidfuzz.process.extract`` with ``partial_ratio`` over
  every phrase (no index, no normalisation), and the ratio against it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from simulator import locations  # noqa: E402
from simulator.matcher import Matcher  # noqa: E402
from simulator.phrasebook import CategorySpec, Phrasebook, load_phrasebook  # noqa: E402


def jieba_words(count: int, rng: random.Random) -> list[str]:
    import jieba

    dictionary = Path(jieba.__file__).parent / "dict.txt"
    words = []
    with dictionary.open(encoding="utf-8") as handle:
        for line in handle:
            word, freq, *_ = line.split()
            if 2 <= len(word) <= 4 and int(freq) > 2000:
                words.append(word)
    rng.shuffle(words)
    return words[:count]


def generated_book(base: Phrasebook, phrases: int, words: list[str], rng: random.Random) -> Phrasebook:
    """The shipped categories plus ``phrases`` generated phrases in 20 extra categories."""
    categories = dict(base.categories)
    for i in range(20):
        spec = CategorySpec(
            id=f"gen_{i}",
            label=f"生成{i}",
            kind="prohibited" if i % 2 else "standard",
            severity="minor" if i % 2 else None,
            source=None,
            description="",
            suggestion="…" if i % 2 else None,
            negatable=False,
            remedied_by=[],
        )
        categories[spec.id] = spec
    have = sum(len(c.phrases) for c in base.categories.values())
    for n in range(max(0, phrases - have)):
        text = "".join(rng.sample(words, rng.randint(2, 4)))
        categories[f"gen_{n % 20}"].phrases.append((f"gen/{n}", text, ("", 0, 0)))
    return Phrasebook(categories=categories, negation=base.negation, files=base.files, lexicon=base.lexicon)


def replies(count: int, words: list[str], base: Phrasebook, rng: random.Random) -> list[str]:
    shipped = [text for c in base.categories.values() for _, text, _ in c.phrases]
    out = []
    for _ in range(count):
        parts = [rng.choice(words) for _ in range(rng.randint(12, 30))]
        for _ in range(rng.randint(0, 2)):
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(shipped))
        text = "，".join("".join(parts[i : i + 4]) for i in range(0, len(parts), 4)) + "。"
        out.append(text[:120])
    return out


def timed(function, items: list[str], repeat: int) -> list[float]:  # noqa: ANN001
    samples = []
    for _ in range(repeat):
        for item in items:
            start = time.perf_counter()
            function(item)
            samples.append((time.perf_counter() - start) * 1e6)
    return samples


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def jieba_first_load() -> float:
    code = "import time; t=time.perf_counter(); import jieba, logging; jieba.setLogLevel(logging.WARNING); jieba.initialize(); print(time.perf_counter()-t)"  # noqa: E501
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replies", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(20261127)

    print(f"jieba first load (import + initialize, median of 3 fresh processes): {jieba_first_load():.0f} ms")
    from simulator.text import normalize

    start = time.perf_counter()
    normalize("預熱ｂｕ")  # loads the traditional->simplified and pinyin tables
    print(f"normalisation tables first load (zhconv + pypinyin): {(time.perf_counter() - start) * 1000:.0f} ms")
    base = load_phrasebook([locations.bundled_phrasebook_dir()])
    words = jieba_words(20000, rng)
    corpus = replies(args.replies, words, base, rng)
    print(
        f"corpus: {len(corpus)} replies, mean length {statistics.mean(map(len, corpus)):.0f} chars, x{args.repeat} each\n"  # noqa: E501
    )

    rows = []
    for label, book in (
        ("shipped", base),
        ("1,000 phrases", generated_book(base, 1000, words, rng)),
        ("5,000 phrases", generated_book(base, 5000, words, rng)),
    ):
        start = time.perf_counter()
        matcher = Matcher(book)
        compile_ms = (time.perf_counter() - start) * 1000
        matcher.warm_up()
        for reply in corpus[:50]:  # warm caches (pinyin table, jieba)
            matcher.scan(reply)
        ours = timed(matcher.scan, corpus, args.repeat)
        phrases = [text for c in book.categories.values() for _, text, _ in c.phrases]

        def naive(reply: str, phrases: list[str] = phrases) -> object:
            return process.extract(reply, phrases, scorer=fuzz.partial_ratio, limit=None, score_cutoff=80)

        baseline = timed(naive, corpus, 1)
        rows.append(
            (label, matcher.phrase_count, compile_ms, statistics.median(ours), p99(ours), statistics.median(baseline))
        )

    print("| phrasebook | phrases | compile | scan median | scan p99 | naive median | naive / ours |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, count, compile_ms, median, tail, naive_median in rows:
        print(
            f"| {label} | {count:,} | {compile_ms:.0f} ms | {median:.0f} µs | {tail:.0f} µs | {naive_median:.0f} µs | {naive_median / median:.1f}× |"  # noqa: E501
        )


if __name__ == "__main__":
    main()
