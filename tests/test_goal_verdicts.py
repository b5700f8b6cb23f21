"""The verdict on a council goal: method per kind of target (samenspel.analysis.goals)."""

import pandas as pd
import pytest

from samenspel.analysis import goals as verdicts
from samenspel.goals.model import Goal


def series(values: dict) -> pd.DataFrame:
    return pd.DataFrame({"jaar": list(values), "waarde": list(values.values())})


def judge(goal, values, start=None, reason=None):
    return verdicts.judge(
        goal, series(values), start, label="X", unit="per 1.000 inwoners", decimals=1, break_reason=reason
    )


FALLING = {2021: 30.0, 2022: 28.0, 2023: 26.0, 2024: 24.0}


def test_value_with_target_year_is_judged_on_the_extended_line():
    # 30, 28, 26, 24: two lower each year -> 18 in 2027
    verdict, reason, target, projection = judge(Goal("x", streefwaarde=20, jaar=2027, richting="lager"), FALLING)
    assert verdict == verdicts.ON_TRACK and target == 20
    assert projection[0] == 2027 and projection[1] == pytest.approx(18.0)
    verdict, *_ = judge(Goal("x", streefwaarde=15, jaar=2027, richting="lager"), FALLING)
    assert verdict == verdicts.OFF_TRACK


def test_a_passed_target_year_uses_the_figure_of_that_year():
    verdict, reason, *_ = judge(Goal("x", streefwaarde=27, jaar=2022, richting="lager"), FALLING)
    assert verdict == verdicts.OFF_TRACK and "In 2022 was het 28,0 per 1.000 inwoners" in reason
    verdict, *_ = judge(Goal("x", streefwaarde=28, jaar=2022, richting="lager"), FALLING)
    assert verdict == verdicts.ON_TRACK


def test_bounds_without_a_target_year():
    under = Goal("x", grens=("onder", 25.0))
    assert judge(under, FALLING)[0] == verdicts.ON_TRACK  # 24 is under 25 now
    assert judge(Goal("x", grens=("onder", 20.0)), FALLING)[0] == verdicts.ON_TRACK  # not yet, but falling
    rising = {2021: 24.0, 2022: 26.0, 2023: 28.0}
    assert judge(Goal("x", grens=("onder", 20.0)), rising)[0] == verdicts.OFF_TRACK
    assert judge(Goal("x", grens=("boven", 20.0)), rising)[0] == verdicts.ON_TRACK


def test_direction_only_and_equal_with_margin():
    assert judge(Goal("x", richting="lager"), FALLING)[0] == verdicts.ON_TRACK
    assert judge(Goal("x", richting="hoger"), FALLING)[0] == verdicts.OFF_TRACK
    assert judge(Goal("x", richting="gelijk", marge=1.0), FALLING)[0] == verdicts.OFF_TRACK
    flat = {2021: 24.0, 2022: 24.5, 2023: 24.2}
    assert judge(Goal("x", richting="gelijk", marge=1.0), flat)[0] == verdicts.ON_TRACK


def test_change_from_a_baseline():
    goal = Goal("x", verandering=(2021, -8.0), jaar=2026)  # 30 - 8 = 22 by 2026: the line gives 14
    verdict, _, target, projection = judge(goal, FALLING)
    assert target == 22 and verdict == verdicts.ON_TRACK
    missing = Goal("x", verandering=(2018, -8.0), jaar=2026)
    verdict, reason, *_ = judge(missing, FALLING)
    assert verdict == verdicts.UNKNOWN and "beginjaar 2018" in reason


def test_too_few_comparable_years_or_a_break():
    assert judge(Goal("x", streefwaarde=20, jaar=2027), {2023: 26.0, 2024: 24.0})[0] == verdicts.UNKNOWN
    verdict, reason, *_ = judge(
        Goal("x", streefwaarde=20, jaar=2027), FALLING, start=2023, reason="de reeks breekt in 2023 (herindeling)"
    )
    assert verdict == verdicts.UNKNOWN and "herindeling" in reason
    assert judge(Goal("x", streefwaarde=20, jaar=2027), {})[0] == verdicts.UNKNOWN


def test_target_texts():
    t = lambda g, target=None: verdicts.target_text(g, "% van de jongeren", 1, target)  # noqa: E731
    assert t(Goal("x", grens=("onder", 10.0))) == "minder dan 10,0%"
    assert t(Goal("x", streefwaarde=8.3, jaar=2022)) == "8,3% in 2022"
    assert t(Goal("x", richting="lager")) == "een daling"


def test_change_texts_name_the_unit_once():
    goal = Goal("x", verandering=(2018, -200.0), jaar=2026)
    assert verdicts.target_text(goal, "aantal", 0, None) == "een afname met 200 sinds 2018 in 2026"
    assert (
        verdicts.target_text(goal, "weken", 0, 265.0) == "een afname met 200 weken sinds 2018 (tot 265 weken) in 2026"
    )
