"""``python -m f1lake.schema > docs/tables.md``: print the generated data dictionary."""

from __future__ import annotations

from f1lake.schema.dictionary import main

main()
