from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file_response(content: bytes, filename: str, content_type: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """Send a workbook as a download; the (Chinese) file name is encoded for every browser."""
    return _file_response(content, filename, XLSX, inline=False)


def pdf_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """Send a PDF, to be saved or (inline) shown in the browser's viewer, under its Chinese name."""
    return _file_response(content, filename, "application/pdf", inline=inline)


def client_ip(request) -> str | None:
    """The client's address, for login throttling.

    REMOTE_ADDR, or behind PROXY_COUNT trusted proxies the entry the outermost of them appended to
    X-Forwarded-For: it is the PROXY_COUNT-th from the right, and anything further left came from the
    client and could be forged.
    """
    count = settings.PROXY_COUNT
    if count:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
