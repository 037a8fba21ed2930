"""Rendering HTML to PDF with WeasyPrint; fonts come from the machine (Debian fonts-noto-cjk)."""

from django.conf import settings
from weasyprint import HTML


def render_pdf(html: str) -> bytes:
    """Render a document (a template extending templates/pdf/base.html) to PDF bytes."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
