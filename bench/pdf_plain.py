"""The annual PDF beside a plain WeasyPrint render of the same document (issue 18).

    DATABASE_URL=... .venv/bin/python bench/pdf_plain.py [--year 2022] [--runs 7] [--results FILE]

On a database holding the demo data. Three things are timed, in turns (so that a busy moment of the machine
falls on all), after one warm-up each, medians of --runs:
- ours, naive: the year's PDF from nothing, as `reports.exports.render_self_evaluation_pdf` makes it — the
  figures read from the database, the template rendered, WeasyPrint run;
- plain: WeasyPrint alone on the same document's text (every paragraph and table cell of ours, as plain
  paragraphs in the same fonts and A4 margins), split into as many pages as ours has;
- ours, cached: the download of a draft whose PDF is already rendered and whose data has not changed
  (`reports.exports.self_evaluation_pdf`): its figures kept (core.changes), counted to be computed no time.
Target: ours within 1.5× of plain. Prints the figures and, with --results, writes them as rows.
Not part of the test suite.
"""

import argparse
import html
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangcheng.settings")

import django

django.setup()

from benchlib import Row, markdown_table, write_rows  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from core.pdf import render_pdf  # noqa: E402
from reports import exports, selectors  # noqa: E402
from reports.models import SelfEvaluation  # noqa: E402
from reports.selectors import evaluation_context  # noqa: E402

PART = "annual PDF vs plain WeasyPrint · SQLite"
RATIO_LIMIT = 1.5
TEXT = re.compile(r"<(p|td|th|h1|h2|h3|li|figcaption)\b[^>]*>(.*?)</\1>", re.S)
TAG = re.compile(r"<[^>]+>")


def plain_document(ours: str, size: float) -> str:
    """The text of our document's paragraphs and cells as plain paragraphs, in our body face and margins."""
    texts = [html.unescape(TAG.sub("", m.group(2))).strip() for m in TEXT.finditer(ours)]
    body = "".join(f"<p>{html.escape(t)}</p>" for t in texts if t)
    return (
        "<html><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 2.5cm 2.2cm; }"
        f'body {{ font-family: "Noto Serif CJK SC", serif; font-size: {size}pt; line-height: 1.6; }}'
        "p { margin: 0 0 .3em; }"
        f"</style></head><body>{body}</body></html>"
    )


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--results", help="also write the rows as JSON to this file (for bench/run)")
    args = parser.parse_args()
    evaluation = SelfEvaluation.objects.get(year=args.year)
    ours_html = render_to_string(exports.PDF_TEMPLATE, evaluation_context(evaluation))
    pages = page_count(exports.render_self_evaluation_pdf(evaluation))
    # The plain text's size chosen so that it fills as many pages as ours (the first size, from 14 pt down).
    sizes = [14 - step * 0.5 for step in range(13)]
    plain_html = next(
        (h for h in (plain_document(ours_html, s) for s in sizes) if page_count(render_pdf(h)) <= pages),
        plain_document(ours_html, sizes[-1]),
    )
    plain_pages = page_count(render_pdf(plain_html))
    # A draft's download: the first renders and keeps it, the others read it (a signed-off year reads its
    # stored PDF, which is not what is measured here).
    draft = SelfEvaluation(
        **{f.attname: getattr(evaluation, f.attname) for f in SelfEvaluation._meta.concrete_fields}
    )
    draft.status = "draft"
    cache.clear()
    exports.self_evaluation_pdf(draft)
    computed = []
    figures_of = selectors.evaluation_figures

    def download():
        selectors.evaluation_figures = lambda e: computed.append(1) or figures_of(e)
        try:
            return exports.self_evaluation_pdf(draft)
        finally:
            selectors.evaluation_figures = figures_of

    jobs = {
        "ours": lambda: exports.render_self_evaluation_pdf(evaluation),
        "plain": lambda: render_pdf(plain_html),
        "cached": download,
        "figures": lambda: evaluation_context(evaluation),
    }
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(args.runs):
        for name, job in jobs.items():
            times[name].append(timed(job))
    ours, plain, cached, figures = (statistics.median(times[name]) for name in jobs)
    ratio = ours / plain
    print(f"ours (figures + template + WeasyPrint): {ours:.3f} s, {pages} pages")
    print(f"plain WeasyPrint of the same text: {plain:.3f} s, {plain_pages} pages")
    print(f"ratio {ratio:.2f}×; cached download {cached:.3f} s (figures computed {len(computed)} times)")
    rows = [
        Row(
            PART,
            f"annual PDF ({pages} pages) from nothing, against WeasyPrint on the same text ({plain_pages} pages)",
            f"≤ {RATIO_LIMIT}×",
            f"{ratio:.2f}× ({ours * 1000:.0f} ms against {plain * 1000:.0f} ms, medians of {args.runs})",
            ratio <= RATIO_LIMIT,
        ),
        Row(
            PART,
            "annual PDF download, already rendered, nothing changed since (a draft)",
            "figures not computed again",
            f"{cached * 1000:.0f} ms median of {args.runs}, the figures computed {len(computed)} times "
            f"(computing them: {figures * 1000:.0f} ms)",
            not computed,
        ),
    ]
    print()
    print(markdown_table(rows))
    write_rows(args.results, rows)


if __name__ == "__main__":
    main()
