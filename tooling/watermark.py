"""Draws the "DỰ THẢO" mark of draft documents as an SVG of outlines (``static/img/du-thao.svg``): shapes, not text,
so the text extracted from a draft PDF holds only the document's own words. Run again only to change the mark:

    .venv/bin/python -m tooling.watermark
"""

from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "static" / "fonts" / "LiberationSerif-Bold.ttf"
OUT = ROOT / "static" / "img" / "du-thao.svg"
TEXT = "DỰ THẢO"
ANGLE = -35
COLOUR = "#a50e0e"
OPACITY = 0.14


def outline(text: str) -> tuple[str, float, float]:
    """The SVG path of ``text`` set in the bold serif (font units, y down), its advance width and its cap height."""
    font = TTFont(FONT)
    cmap, glyphs = font.getBestCmap(), font.getGlyphSet()
    ascent = font["hhea"].ascent
    pen = SVGPathPen(glyphs)
    x = 0.0
    for char in text:
        name = cmap[ord(char)]
        glyphs[name].draw(TransformPen(pen, (1, 0, 0, -1, x, ascent)))  # font y up → SVG y down
        x += glyphs[name].width
    return pen.getCommands(), x, font["hhea"].ascent - font["hhea"].descent


def main() -> None:
    path, width, height = outline(TEXT)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    side = width * 1.05
    OUT.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side:.0f} {side:.0f}">'
        f'<g transform="rotate({ANGLE} {side / 2:.0f} {side / 2:.0f}) '
        f'translate({(side - width) / 2:.0f} {(side - height) / 2:.0f})">'
        f'<path d="{path}" fill="{COLOUR}" fill-opacity="{OPACITY}"/></g></svg>\n',
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
