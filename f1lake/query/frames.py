"""Answers as pandas DataFrames, the same from every engine: Arrow's types mapped so that a NULL
in an integer or boolean column keeps the column's type (nullable pandas dtypes)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

_PANDAS_TYPES = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """An answer as the engines return it."""
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get)
