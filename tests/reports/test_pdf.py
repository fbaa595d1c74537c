import subprocess
import unicodedata

import pytest

from reports.pdf import PDF_BASE_URL, RefusedResource, StaticOnlyFetcher, render_pdf

VIETNAMESE = [
    "Biên bản sinh hoạt chi bộ",
    "Nguyễn Thị Hiền, Bí thư",
    "Đỗ Thanh Hài",
    "Quách Thị Hương",
    "ngày 04 tháng 12 năm 2023",
]


def _pdf_tool(tool: str, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    args = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def sample_pdf() -> bytes:
    return render_pdf(
        "pdf/sample_minutes.html",
        {
            "title": VIETNAMESE[0],
            "parent_name": "Đảng bộ xã Xuân Hiệp",
            "cell_name": "Chi bộ cơ quan",
            "place_date": "Xuân Hiệp, " + VIETNAMESE[4],
            "lines": VIETNAMESE,
            "recorder": "Quách Thị Hương",
            "chair": "Nguyễn Thị Hiền",
        },
    )


def test_it_renders_vietnamese_text_that_reads_back_exactly(sample_pdf, tmp_path):
    assert sample_pdf.startswith(b"%PDF")
    text = unicodedata.normalize("NFC", _pdf_tool("pdftotext", sample_pdf, tmp_path))

    for phrase in VIETNAMESE:
        assert phrase in text


def test_it_embeds_the_bundled_serif_not_a_system_font(sample_pdf, tmp_path):
    fonts = _pdf_tool("pdffonts", sample_pdf, tmp_path)

    # "Chibo Serif" exists only through @font-face on static/fonts/: a fallback would embed DejaVu or another.
    assert "Chibo-Serif" in fonts
    assert "DejaVu" not in fonts


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/css/pdf.css",
        "file:///etc/passwd",
        PDF_BASE_URL + "media/secret.pdf",
        PDF_BASE_URL + "static/../config/settings.py",
        PDF_BASE_URL + "static//etc/passwd",
        PDF_BASE_URL + "static/css/does-not-exist.css",
    ],
)
def test_the_fetcher_refuses_everything_but_our_static_files(url):
    with pytest.raises(RefusedResource):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_our_fonts():
    response = StaticOnlyFetcher().fetch(PDF_BASE_URL + "static/fonts/LiberationSerif-Regular.ttf")

    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
