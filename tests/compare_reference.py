"""The trend table as the plain pandas comparisons built it, for the tests that check the
fast comparison against a reference (test_compare_fast, test_compare_indexed)."""

import pandas as pd

from samenspel.analysis import compare


def trend_table(years, own, median, nat, count) -> pd.DataFrame:
    """Per year: the municipality, the peer median, on how many peers it rests, and NL;
    years without any of the three left out."""
    trend = pd.DataFrame({"jaar": [int(y) for y in years]})
    for col, series in (("gemeente", own), ("mediaan", median), ("nederland", nat)):
        trend[col] = [compare._clean(series.get(y)) for y in years]
    trend["n_mediaan"] = [int(count.get(y, 0)) for y in years]
    trend = trend[["jaar", "gemeente", "mediaan", "n_mediaan", "nederland"]]
    has_any = trend[["gemeente", "mediaan", "nederland"]].notna().any(axis=1)
    return trend[has_any].reset_index(drop=True)
