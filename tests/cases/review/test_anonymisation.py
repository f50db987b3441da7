"""The anonymisation check over the corpus (tests/support/anonymisation_corpus.py): every hit found with its
label and place, in Word bodies, tables, headers, footers, comments and tracked changes and in PDF pages and
comments; no near miss flagged; a finding never holds the words it found."""

from __future__ import annotations

import pytest

from cases.review.anonymisation import check
from intake.documents.reading import read_report
from tests.support.anonymisation_corpus import FACTS, SAMPLES, Sample

SENSITIVE = ["Zephyrine", "Quillon", "Marchbanks", "Tovey", "Philippa", "Ambrose", "Imaginary", "ZZ1", "Acorns"]


def test_the_corpus_has_at_least_30_documents_of_both_kinds_with_hits_in_every_part() -> None:
    assert len(SAMPLES) >= 30
    assert {s.filename.rsplit(".", 1)[1] for s in SAMPLES} == {"docx", "pdf"}
    places = " ".join(line for s in SAMPLES for line in s.expected)
    for part in ("body", "header", "footer", "comment", "tracked insertion", "tracked deletion", "page"):
        assert part in places, part
    assert sum(1 for s in SAMPLES if not s.expected) >= 10  # near misses


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_each_document_gives_exactly_its_findings(sample: Sample) -> None:
    _, document = read_report(sample.filename, sample.build())
    result = check(document, FACTS)
    assert tuple(f.line() for f in result.findings) == sample.expected
    assert result.clean is (not sample.expected)
    for finding in result.findings:
        for word in SENSITIVE:
            assert word.lower() not in repr(finding).lower() and word.lower() not in finding.line().lower()
