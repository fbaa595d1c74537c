"""CSV files that a spreadsheet opens safely: every export writes through ``csv_writer``.

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula, so a policy named ``=HYPERLINK(…)`` by one ward's board became a live formula in the province's
file. Such text is written with a leading apostrophe, which the spreadsheet shows as text (OWASP's advice for CSV
injection). Numbers are written as numbers; XLSX exports store text as text and need nothing.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([neutralize(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(file, **options) -> _SafeWriter:
    """``csv.writer(file, **options)`` whose rows have their formula-like text neutralized."""
    return _SafeWriter(csv.writer(file, **options))
