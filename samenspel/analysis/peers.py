"""Peer groups: the municipalities a municipality is compared with, and why.

The default group is the municipality's *statistical twins*: the municipalities nearest to it
on a standardised profile. The CBS size class and the province are offered as alternative
views, and a griffie can pass her own list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samenspel import fmt
from samenspel.errors import SamenspelError

DEFAULT_SIZE = 10
MIN_COVERAGE = 0.8  # a profile feature is used when this share of municipalities has it
# The profile: (feature id, label, how it is derived). Features without values for the
# target or for too many municipalities in that year are left out, and the chapter says so.
PROFILE = [
    ("log_inwoners", "aantal inwoners"),  # on a log scale: see book/methode.md
    ("stedelijkheid", "stedelijkheid"),
    ("log_dichtheid", "bevolkingsdichtheid"),
    ("aandeel_0_15", "aandeel kinderen tot 15 jaar"),
    ("aandeel_65_plus", "aandeel 65-plussers"),
    ("herkomst", "aandeel inwoners met herkomst buiten Europa"),
    ("eenpersoonshuishoudens_pct", "aandeel eenpersoonshuishoudens"),
    ("laagste_40_pct", "aandeel huishoudens met een laag inkomen (laagste 40%)"),
]
METHODS = {
    "tweelingen": "statistische tweelingen",
    "grootteklasse": "gemeenten in dezelfde CBS-grootteklasse",
    "provincie": "gemeenten in dezelfde provincie",
    "eigen": "een eigen keuze",
}


@dataclass
class PeerGroup:
    code: str
    method: str
    members: list[str]
    features: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    distances: dict[str, float] = field(default_factory=dict)
    all_distances: dict[str, float] = field(default_factory=dict)  # to every municipality in the profile
    explanation: str = ""

    @property
    def label(self) -> str:
        return METHODS[self.method]


def profile(values: pd.DataFrame, municipalities: pd.DataFrame, year: int) -> pd.DataFrame:
    """Profile features for every municipality of `year` (rows: codes; NaN where unknown).

    `values` is the long indicator table (samenspel.data.indicators.values); each feature uses the
    value of `year`.
    """
    codes = list(municipalities["code"])
    v = values[(values["jaar"] == year) & (values["niveau"] == "gemeente")]
    wide = v.pivot_table(index="code", columns="indicator", values="waarde", aggfunc="first")
    wide = wide.reindex(codes)

    def col(name):
        return wide[name] if name in wide else pd.Series(np.nan, index=wide.index)

    inhabitants = municipalities.set_index("code")["inwoners"].reindex(codes).astype(float)
    urbanity = municipalities.set_index("code")["stedelijkheid"].reindex(codes).astype("Float64").astype(float)
    herkomst = col("herkomst_buiten_europa_pct").fillna(col("niet_westers_pct"))
    density = col("bevolkingsdichtheid")
    return pd.DataFrame(
        {
            "log_inwoners": np.log10(inhabitants.where(inhabitants > 0)),
            "stedelijkheid": urbanity,
            "log_dichtheid": np.log10(density.where(density > 0)),
            "aandeel_0_15": col("aandeel_0_15"),
            "aandeel_65_plus": col("aandeel_65_plus"),
            "herkomst": herkomst,
            "eenpersoonshuishoudens_pct": col("eenpersoonshuishoudens_pct"),
            "laagste_40_pct": col("laagste_40_pct"),
        },
        index=pd.Index(codes, name="code"),
    )


LEFT_OUT_WHY = {
    "ontbreekt": "Niet meegeteld, omdat het CBS-cijfer voor deze gemeente ontbreekt: {}.",
    "dekking": (
        f"Niet meegeteld, omdat het CBS-cijfer voor minder dan {MIN_COVERAGE:.0%} van de gemeenten bekend is: {{}}."
    ),
    "gelijk": "Niet meegeteld, omdat alle gemeenten dezelfde waarde hebben: {}.",
    "dubbel": "De {} telt niet mee, omdat de stedelijkheid al meet hoe stedelijk een gemeente is.",
}


def twins(code: str, prof: pd.DataFrame, size: int = DEFAULT_SIZE, year: int | None = None) -> PeerGroup:
    """The `size` municipalities nearest to `code` on the standardised profile of `year`."""
    if code not in prof.index:
        raise SamenspelError(f"Gemeente {code} komt niet voor in het profiel van dit jaar.")
    target = prof.loc[code]
    labels = dict(PROFILE)
    used, why = [], {}
    for feature in prof.columns:
        if pd.isna(target[feature]):
            why[feature] = "ontbreekt"
        elif prof[feature].notna().mean() < MIN_COVERAGE:
            why[feature] = "dekking"
        elif not prof[feature].std() > 0:
            why[feature] = "gelijk"
        else:
            used.append(feature)
    if "stedelijkheid" in used and "log_dichtheid" in used:
        used.remove("log_dichtheid")  # one measure of urbanity is enough
        why["log_dichtheid"] = "dubbel"
    if not used:
        raise SamenspelError(f"Voor {code} zijn geen profielkenmerken beschikbaar om tweelingen te zoeken.")
    data = prof[used].dropna()
    z = (data - data.mean()) / data.std()
    distance = np.sqrt(((z - z.loc[code]) ** 2).sum(axis=1)).drop(code)
    nearest = distance.sort_values().head(size)
    group = PeerGroup(
        code=code,
        method="tweelingen",
        members=list(nearest.index),
        features=[labels[f] for f in used],
        left_out=[labels[f] for f in why],
        distances={k: float(v) for k, v in nearest.items()},
        all_distances={k: float(v) for k, v in distance.items()},
    )
    parts = [
        f"De vergelijkingsgroep bestaat uit de {len(group.members)} gemeenten die het meest op deze gemeente "
        f"lijken in {_join(group.features)} (statistische tweelingen). Elk kenmerk telt even zwaar mee."
    ]
    if year is not None:
        parts.append(f"Het profiel gebruikt de cijfers van {year}.")
    for reason, template in LEFT_OUT_WHY.items():
        names = [labels[f] for f, r in why.items() if r == reason]
        if names:
            parts.append(template.format(_join(names)))
    group.explanation = " ".join(parts)
    return group


def by_attribute(code: str, municipalities: pd.DataFrame, attribute: str) -> PeerGroup:
    """All municipalities with the same size class ('grootteklasse') or province ('provincie')."""
    frame = municipalities.set_index("code")
    value = frame.loc[code, attribute]
    if value is None or pd.isna(value):
        raise SamenspelError(f"Voor {code} is de {attribute} onbekend; kies een andere vergelijking.")
    members = [c for c in frame.index[frame[attribute] == value] if c != code]
    method = "grootteklasse" if attribute == "grootteklasse" else "provincie"
    what = f"de CBS-grootteklasse '{value}'" if method == "grootteklasse" else f"de provincie {value}"
    group = PeerGroup(code=code, method=method, members=members)
    group.explanation = (
        f"De vergelijkingsgroep bestaat uit alle {len(members)} andere gemeenten in {what}. "
        f"Dat is een eenvoudige, herkenbare indeling, maar gemeenten in één groep kunnen sterk verschillen."
    )
    return group


def explicit(code: str, members: list[str], municipalities: pd.DataFrame) -> PeerGroup:
    known = set(municipalities["code"])
    unknown = [m for m in members if m not in known]
    if unknown:
        raise SamenspelError(f"Onbekende gemeenten in de vergelijkingsgroep: {', '.join(unknown)}.")
    members = [m for m in dict.fromkeys(members) if m != code]
    group = PeerGroup(code=code, method="eigen", members=members)
    group.explanation = (
        f"De vergelijkingsgroep is door de gebruiker zelf gekozen ({len(members)} gemeenten). "
        f"Samenspel heeft niet gecontroleerd of deze gemeenten goed vergelijkbaar zijn."
    )
    return group


_join = fmt.join_nl
