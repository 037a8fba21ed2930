"""Rendering HTML to PDF with WeasyPrint; fonts come from the machine (Debian fonts-noto-cjk)."""

from django.conf import settings


def render_pdf(html: str) -> bytes:
    """Render a document (a template extending templates/pdf/base.html) to PDF bytes."""
    # Imported here, not at the top: importing WeasyPrint takes ~0.6 s, which every process that imports
    # an exports module (the URLconf, the worker, every command) would otherwise pay without rendering
    # a PDF (issue 18).
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
