"""PDF rendering: HTML templates through WeasyPrint, with a fetcher that serves only our own static files."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in PDF templates ({% static %} gives "/static/...") resolve against this made-up origin, which the
# fetcher below recognises. Nothing is ever fetched from the network.
PDF_BASE_URL = "https://chibo-pdf.invalid/"


class RefusedResource(ValueError):
    """A PDF template asked for something that is not one of our static files."""


def static_file_path(url: str) -> Path:
    """Map a URL under PDF_BASE_URL + STATIC_URL to a file on disk, or raise RefusedResource."""
    parts = urlsplit(url)
    base = urlsplit(PDF_BASE_URL)
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(static_prefix):
        raise RefusedResource(f"refused: {url}")
    name = unquote(parts.path[len(static_prefix) :])
    if not name or name.startswith(("/", "\\")) or ".." in Path(name).parts:
        raise RefusedResource(f"refused: {url}")
    # The source folders first; then collected files, where the manifest storage's hashed names live.
    found = finders.find(name)
    if found:
        return Path(found)
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except NotImplementedError:  # a storage without local paths
        pass
    raise RefusedResource(f"not found: {url}")


class StaticOnlyFetcher(URLFetcher):
    """Serves our static files (fonts, CSS, images) and refuses every other URL."""

    def fetch(self, url, headers=None):
        path = static_file_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes."""
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()
