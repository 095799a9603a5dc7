"""Dates as Japanese public documents print them."""

from __future__ import annotations

import datetime as _dt
import re

from composer.errors import Location, UserError
from composer.i18n import Message, _

_STRICT_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def wareki(value: str) -> str:
    """``2025-04-01`` -> ``令和7年4月1日``; anything else is returned unchanged."""
    m = _ISO_DATE.match(str(value).strip())
    if not m:
        return str(value)
    y, mo, d = (int(g) for g in m.groups())
    if (y, mo, d) >= (2019, 5, 1):
        era, n = "令和", y - 2018
    elif (y, mo, d) >= (1989, 1, 8):
        era, n = "平成", y - 1988
    else:
        return str(value)
    return f"{era}{'元' if n == 1 else n}年{mo}月{d}日"


def parse_date(text: object, location: Location | None = None, what: str | Message = "date") -> _dt.date:
    """A date written as YYYY-MM-DD (YAML may already have made it a date), or a located error."""
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    value = str(text).strip()
    try:
        if not _STRICT_DATE.match(value):
            raise ValueError
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(_("{what} '{value}' is not a date", what=what, value=value), location, _("write it as YYYY-MM-DD")) from None
