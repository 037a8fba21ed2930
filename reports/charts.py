"""Charts for the PDF as inline SVG (WeasyPrint draws SVG; no JavaScript runs in a PDF).

Their labels are in the document's body face (Noto Serif CJK SC): every face a PDF uses is subset and
embedded, a CJK face at about 0.08 s of the render each."""

from decimal import Decimal
from xml.sax.saxutils import escape


def bar_chart(
    labels: list[str], values: list[Decimal], *, width: int = 560, height: int = 240, color: str = "#c62828"
) -> str:
    """A simple vertical bar chart with value labels, as an SVG string: floats place the bars only, the
    labels round the Decimal amounts themselves."""
    top = max((float(v) for v in values), default=0.0) or 1.0
    left, bottom, gap = 10, 34, 18
    plot_h = height - bottom - 24
    bar_w = (width - left * 2 - gap * (len(values) - 1)) / max(len(values), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Noto Serif CJK SC, serif" font-size="11">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" stroke="#555" stroke-width="0.8"/>',
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + index * (bar_w + gap)
        h = plot_h * float(value) / top
        y = height - bottom - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}"/>')
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle">{Decimal(value):,.0f}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16:.1f}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
