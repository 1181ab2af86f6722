"""Glue crawler exclude patterns, matched the way Glue matches them.

Glue's globs differ from fnmatch and gitignore: ``*`` stays inside one folder, ``**`` crosses
folder boundaries anywhere in a pattern (``**.error.json`` matches at any depth), ``{a,b}``
groups alternatives, and patterns match the object key relative to the include path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


class GlobError(ValueError):
    """An exclude pattern Glue would reject."""


@lru_cache(maxsize=256)
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile one Glue exclude pattern to an anchored regex."""
    out: list[str] = []
    i, n, depth = 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
            else:
                out.append("[^/]*")
                i += 1
            continue
        if c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                raise GlobError(f"unclosed '[' in exclude pattern {pattern!r}")
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
            continue
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise GlobError(f"unclosed '{{' in exclude pattern {pattern!r}")
    return re.compile("".join(out) + r"\Z")


def is_excluded(relative_key: str, patterns: Iterable[str]) -> bool:
    """True when the key (relative to the include path) matches any exclude pattern."""
    return any(glob_to_regex(p).match(relative_key) for p in patterns)
