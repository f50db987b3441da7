"""Benchmark: the anonymisation check of a 100-page report, against the time to merely read its text, in the
same run; and the check's recall and false positives over the corpus (tests/support/anonymisation_corpus.py).

    .venv/bin/python bench/anonymisation.py [--pages 100] [--rounds 5] [--output FILE]

A Word and a PDF report of `--pages` pages each (about 2,400 characters a page: chronology, analysis, a header
and footer on every section, comments and tracked changes in the Word one, the case's data in a few places), each
read (`extract`) and read then checked against the case's record (`check`), best of `--rounds`. Target: a
100-page report checked in under 2 s. Writes bench/results/anonymisation.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import write_result
from cases.review.anonymisation import check
from intake.documents.reading import read_report
from intake.inbound.limits import MIB, Limits
from tests.support.anonymisation_corpus import FACTS, SAMPLES
from tests.support.reports import FILLER, docx_report, pdf_report

LIMITS = Limits(max_attachment_bytes=50 * MIB, max_docx_uncompressed_bytes=200 * MIB)
PARAGRAPHS_PER_PAGE = 8


def _paragraph(page: int, n: int) -> str:
    text = f"{page}.{n} {FILLER} {FILLER[:180]}"
    if page % 25 == 7 and n == 3:
        text += " Zephyrine's brother Ambrose was born on 2nd January 2021."
    return text


def big_docx(pages: int) -> bytes:
    body = [_paragraph(p, n) for p in range(1, pages + 1) for n in range(PARAGRAPHS_PER_PAGE)]
    return docx_report(
        body,
        sections=max(pages // 10, 1),
        headers={s: f"Overview report, section {s}" for s in range(1, pages // 10 + 1)},
        footers={s: "Confidential until publication" for s in range(1, pages // 10 + 1)},
        comments=["Check the chronology with the police IMR"] * 20,
        inserted=[f"Amended wording {i}" for i in range(30)],
        deleted=[f"Old wording {i}" for i in range(30)],
    )


def big_pdf(pages: int) -> bytes:
    return pdf_report([[_paragraph(p, n) for n in range(PARAGRAPHS_PER_PAGE)] for p in range(1, pages + 1)])


def measure(name: str, data: bytes, rounds: int) -> dict[str, Any]:
    extract: list[float] = []
    checked: list[float] = []
    findings = characters = 0
    for _ in range(rounds):
        start = time.perf_counter()
        read_report(name, data, LIMITS)
        extract.append(time.perf_counter() - start)
        start = time.perf_counter()
        _, document = read_report(name, data, LIMITS)
        result = check(document, FACTS)
        checked.append(time.perf_counter() - start)
        findings, characters = len(result.findings), result.characters
    best_extract, best_check = min(extract), min(checked)
    return {
        "bytes": len(data),
        "characters": characters,
        "findings": findings,
        "extract_s": round(best_extract, 4),
        "check_s": round(best_check, 4),
        "match_only_s": round(best_check - best_extract, 4),
        "ratio_check_to_extract": round(best_check / best_extract, 3),
    }


def corpus() -> dict[str, Any]:
    expected = found = false_positives = 0
    for sample in SAMPLES:
        _, document = read_report(sample.filename, sample.build())
        lines = [f.line() for f in check(document, FACTS).findings]
        expected += len(sample.expected)
        found += sum(1 for line in sample.expected if line in lines)
        false_positives += sum(1 for line in lines if line not in sample.expected)
    return {
        "documents": len(SAMPLES),
        "near_misses": sum(1 for s in SAMPLES if not s.expected),
        "expected_findings": expected,
        "found": found,
        "recall": round(found / expected, 4) if expected else 1.0,
        "false_positives": false_positives,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    figures: dict[str, Any] = {"pages": args.pages, "target_check_s": 2.0}
    for kind, data in (("docx", big_docx(args.pages)), ("pdf", big_pdf(args.pages))):
        figures[kind] = measure(f"report.{kind}", data, args.rounds)
        f = figures[kind]
        print(
            f"{kind}: {args.pages} pages, {f['characters']:,} characters, {f['findings']} findings: "
            f"extract {f['extract_s']:.3f} s, check {f['check_s']:.3f} s (ratio {f['ratio_check_to_extract']:.2f}; "
            f"target < 2 s: {'met' if f['check_s'] < 2 else 'NOT met'})"
        )
    figures["corpus"] = corpus()
    c = figures["corpus"]
    print(
        f"corpus: {c['documents']} documents ({c['near_misses']} near misses): {c['found']}/{c['expected_findings']} "
        f"findings (recall {c['recall']:.0%}), {c['false_positives']} false positives"
    )
    print(f"written to {write_result('anonymisation', figures, args.output)}")


if __name__ == "__main__":
    main()
