"""Write every hit the engine finds on every labelled text, to compare two versions (run by hand).

    .venv/bin/python benchmarks/snapshot_hits.py OUT.jsonl [--rules-only]
    diff <(… on one version) <(… on another)   # or: cmp A.jsonl B.jsonl

A refactor of the matcher must not change a judgement: this dumps, for every
corpus reply, every item of the benchmark sets and ../shared/eval, every
phrasebook example and every scenario node's model answers, the rule hits
(``Matcher.scan``) and the whole engine's hits (``judge.scan``: rules, learned
stage, quotes, shadows), in the item's scenario moment where it names one.
The package measured is the one imported: ``PYTHONPATH=OTHER python benchmarks/snapshot_hits.py``
measures another checkout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if "simulator" not in sys.modules and not any(Path(p, "simulator").is_dir() for p in sys.path if p):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator import locations
from simulator.corpus import load_corpus
from simulator.engine import attach_learned
from simulator.judge import scan
from simulator.matcher import load_matcher, split_example
from simulator.moment import NO_MOMENT
from simulator.scenario import load_scenarios


def texts(matcher, scenarios) -> list[tuple[str, str, object]]:
    """(origin, text, moment) for everything labelled."""
    by_id = {s.id: s for s in scenarios}
    out = []
    # The checkout whose package is imported (this script may be run against another one).
    root = Path(locations.__file__).resolve().parent.parent
    paths = [*locations.corpus_sources(), root / "benchmarks" / "data", root / "benchmarks" / "data" / "v2"]
    shared = root.parent / "shared" / "eval"
    if shared.is_dir():
        paths.append(shared)
    for entry in load_corpus(paths):
        item = entry.item
        moment = NO_MOMENT
        scenario = by_id.get(item.scenario or "")
        if scenario is not None and item.node in scenario.nodes:
            moment = scenario.moment(item.node, item.customer or "")
        out.append((entry.key, item.reply, moment))
        if moment is not NO_MOMENT:
            out.append((entry.key + "@none", item.reply, NO_MOMENT))
    for spec in matcher.categories.values():
        for example, _ in spec.hit_examples:
            out.append((f"example:{spec.id}", split_example(example)[0], NO_MOMENT))
        for example, _ in spec.clean_examples:
            out.append((f"clean:{spec.id}", example, NO_MOMENT))
    for scenario in scenarios:
        for node_id, node in scenario.nodes.items():
            moment = scenario.moment(node_id, "")
            for text in [node.model_answer, *node.answers.good, *(bad.reply for bad in node.answers.bad)]:
                out.append((f"answer:{scenario.id}/{node_id}", text, moment))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rules-only", action="store_true", help="skip the learned stage")
    args = parser.parse_args()
    matcher = load_matcher(locations.phrasebook_sources())
    matcher.warm_up()
    scenarios = load_scenarios(locations.scenario_sources())
    items = texts(matcher, scenarios)
    rules = load_matcher(locations.phrasebook_sources())
    rules.warm_up()
    if not args.rules_only:
        attach_learned(matcher, locations.corpus_sources(), scenarios)
    with args.out.open("w", encoding="utf-8") as out:
        for origin, text, moment in items:
            row = {
                "origin": origin,
                "text": text,
                "rules": [h.to_json() for h in rules.scan(text, moment)],
            }
            if not args.rules_only:
                hits, possible = scan(matcher, text, moment)
                row["engine"] = [h.to_json() for h in hits]
                row["possible"] = [h.to_json() for h in possible]
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(items)} texts -> {args.out}")


if __name__ == "__main__":
    main()
