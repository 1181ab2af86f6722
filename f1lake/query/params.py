"""The parameters a SQL text declares in its header (``-- @param season integer  Year.``).

Pure text work with no SQL parser: the command line reads a named query's parameters on its
start-up path, where parsing SQL (sqlglot) would cost more than the answer from a warm service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from f1lake.query.errors import ParameterError

_PARAM_LINE = re.compile(r"^\s*--\s*@param\s+([A-Za-z_]\w*)\s+([A-Za-z]+)\b\s*(.*)$")
INTEGER_TYPES = {"integer", "int", "bigint", "smallint", "tinyint"}
NUMBER_TYPES = {"double", "real", "float", "decimal"}
STRING_TYPES = {"varchar", "string", "char"}
PARAM_TYPES = INTEGER_TYPES | NUMBER_TYPES | STRING_TYPES | {"date", "boolean"}


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str
    description: str = ""


def parse_params(sql: str) -> tuple[ParamSpec, ...]:
    """The ``-- @param name type description`` lines of a SQL text, in order."""
    specs: list[ParamSpec] = []
    for line in sql.splitlines():
        m = _PARAM_LINE.match(line)
        if not m:
            continue
        name, type_, description = m.group(1), m.group(2).lower(), m.group(3).strip()
        if type_ not in PARAM_TYPES:
            raise ParameterError(
                f"parameter {name!r} declares unsupported type {type_!r} "
                f"(supported: {', '.join(sorted(PARAM_TYPES))})"
            )
        if any(s.name == name for s in specs):
            raise ParameterError(f"parameter {name!r} is declared twice")
        specs.append(ParamSpec(name, type_, description))
    return tuple(specs)
