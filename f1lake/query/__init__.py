"""Athena SQL: its dialect (``dialect``), run locally on DuckDB over the Glue catalog
(``local``) or on Athena, both behind one ``Engine`` (``engines``); the named queries of
``sql/athena`` (``library``) and their text output (``output``); the warm query service the
local stack keeps (``service``) and its client (``remote``).

Import from the modules themselves: this package stays empty so that the command line's thin
path (``params``, ``library``, ``remote``) loads no SQL parser, DuckDB or pandas.
"""
