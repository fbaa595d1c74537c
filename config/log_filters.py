"""Filters of the log records (``LOGGING`` in settings)."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """A 403 is the access gate's ordinary answer to a user without write access (``members/access.py``), not an
    error: one line with the path ("Forbidden (Permission denied): /sinh-hoat/5/sua/"), without the traceback of the
    ``PermissionDenied`` that every such request raises."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
