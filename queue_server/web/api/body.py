"""Reading and checking a JSON request body at the edge."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from queue_server.service.errors import BadRequest

_MISSING = object()
MAX_DEPTH = 16  # no request of this API nests deeper than 3; deeper is an attack, not a client


def _no_constants(name: str) -> None:
    """NaN and Infinity are not JSON (RFC 8259), though Python's parser takes them."""
    raise ValueError(f"{name} is not JSON")


def json_body(*, optional: bool = False) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if optional:
            return {}
        raise BadRequest("a JSON object body is required")
    try:
        body = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    except RecursionError:  # Python's parser gives up past ~1,000 levels: refuse, not a 500
        raise BadRequest(f"the body nests deeper than {MAX_DEPTH} levels") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    _check_text(body, MAX_DEPTH)
    return body


def _check_text(value: Any, depth: int) -> None:
    """Refuse nesting beyond ``depth`` and lone surrogates (``"\\ud800"``): valid JSON
    escapes, but not Unicode text, so neither SQLite nor any client could store them."""
    if depth <= 0:
        raise BadRequest(f"the body nests deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        if not _is_unicode(value):
            raise BadRequest("the body has a string that is not valid Unicode (a lone surrogate)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, depth)
            _check_text(item, depth - 1)
    elif isinstance(value, list):
        for item in value:
            _check_text(item, depth - 1)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], *,
          default: Any = _MISSING, max_length: int | None = None) -> Any:
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if default is _MISSING:
            raise BadRequest(f"{name}: required")
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise BadRequest(f"{name}: must be {' or '.join(k.__name__ for k in kinds)}")
    if not isinstance(value, kinds):
        raise BadRequest(f"{name}: must be {' or '.join(k.__name__ for k in kinds)}")
    if max_length is not None and isinstance(value, str | list) and len(value) > max_length:
        unit = "characters" if isinstance(value, str) else "items"
        raise BadRequest(f"{name}: at most {max_length} {unit}")
    return value
