"""Plotly figures as plain dicts: the few parts of `plotly.graph_objects.Figure` the charts use
(traces, `update_layout`, `update_xaxes`/`update_yaxes`, `add_vline`/`add_hline`), without
its object model.

graph_objects validates every property on every call and deep-copies on `update_layout`:
that was about a fifth of a chapter's own work (benchmarks/chapters.py), for a figure that is
a small JSON document. This module builds the same document directly. The coercions plotly
applies on the way (a pandas column becomes a numpy array, a list of numpy scalars a list of
Python numbers, numeric arrays base64 "typed arrays" in the JSON) are plotly's own functions,
and a test checks that plotly, validating our dict, gives back exactly the same figure
(tests/test_figure.py). `Figure.to_graph_objects()` gives a real plotly figure for whoever
wants one (a notebook user, a test), validated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array, to_scalar_or_list
from _plotly_utils.utils import is_skipped_key, to_typed_array_spec

# plotly's "none" template, as graph_objects writes it into a figure's layout
TEMPLATE_NONE = {"data": {"scatter": [{"type": "scatter"}]}}
# property names that contain an underscore themselves (not plotly's "magic underscore" path)
_FLAT = {"plot_bgcolor", "paper_bgcolor"}


def _coerce(value):
    """What plotly's validators make of a value: arrays become read-only numpy arrays, lists
    plain lists of Python scalars, dicts are coerced all the way down."""
    if isinstance(value, dict):
        return {k: _coerce(v) for k, v in value.items()}
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return copy_to_readonly_numpy_array(value)
    if isinstance(value, (list, tuple)):
        return to_scalar_or_list(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _nest(props: dict) -> dict:
    """plotly's magic underscores: title_text=... is title=dict(text=...)."""
    nested: dict = {}
    for key, value in props.items():
        path = [key] if key in _FLAT else key.split("_")
        _merge(nested, _wrap_path(path, _coerce(value)))
    return nested


def _wrap_path(path: list[str], value):
    for part in reversed(path[1:]):
        value = {part: value}
    return {path[0]: value}


def _merge(target: dict, update: dict) -> dict:
    """Like plotly's update: dicts merge property by property, anything else replaces."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
    return target


def _trace(kind: str, props: dict) -> dict:
    trace = _nest(props)
    trace["type"] = kind
    return trace


def Bar(**props) -> dict:  # noqa: N802 - named after the graph_objects class it replaces
    return _trace("bar", props)


def Scatter(**props) -> dict:  # noqa: N802
    return _trace("scatter", props)


# annotation_position -> where plotly's add_vline / add_hline put the label
_VLINE_LABEL = {
    "top": {"xanchor": "center", "y": 1, "yanchor": "bottom"},
    "top left": {"xanchor": "right", "y": 1, "yanchor": "top"},
}
_HLINE_LABEL = {"top left": {"x": 0, "xanchor": "left", "yanchor": "bottom"}}


class Figure:
    """A figure as the dicts plotly.js reads: `data` (traces) and `layout`."""

    def __init__(self, *traces: dict):
        self.data: list[dict] = list(traces)
        self.layout: dict = {}

    def add_trace(self, trace: dict) -> Figure:
        self.data.append(trace)
        return self

    def update_layout(self, **props) -> Figure:
        _merge(self.layout, _nest(props))
        return self

    def update_xaxes(self, **props) -> Figure:
        _merge(self.layout.setdefault("xaxis", {}), _nest(props))
        return self

    def update_yaxes(self, **props) -> Figure:
        _merge(self.layout.setdefault("yaxis", {}), _nest(props))
        return self

    def _add_line(self, shape: dict, annotation: dict | None, props: dict) -> None:
        line = {k[5:]: v for k, v in props.items() if k.startswith("line_")}
        self.layout.setdefault("shapes", []).append({"line": _coerce(line), "type": "line", **shape})
        if annotation is not None:
            font = {k[16:]: v for k, v in props.items() if k.startswith("annotation_font_")}
            label = {"font": _coerce(font)} if font else {}
            label |= {"showarrow": False, "text": props["annotation_text"], **annotation}
            self.layout.setdefault("annotations", []).append(label)

    def add_vline(self, x, annotation_position: str = "top", **props) -> Figure:
        """A vertical line over the whole plot height at `x`, with an optional label."""
        x = _coerce(x)
        shape = {"x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
        label = None
        if props.get("annotation_text") is not None:
            where = _VLINE_LABEL[annotation_position]
            label = {"x": x, "xanchor": where["xanchor"], "xref": "x", "y": where["y"]}
            label |= {"yanchor": where["yanchor"], "yref": "y domain"}
        self._add_line(shape, label, props)
        return self

    def add_hline(self, y, annotation_position: str = "top left", **props) -> Figure:
        """A horizontal line over the whole plot width at `y`, with an optional label."""
        y = _coerce(y)
        shape = {"x0": 0, "x1": 1, "xref": "x domain", "y0": y, "y1": y, "yref": "y"}
        label = None
        if props.get("annotation_text") is not None:
            where = _HLINE_LABEL[annotation_position]
            label = {"x": where["x"], "xanchor": where["xanchor"], "xref": "x domain", "y": y}
            label |= {"yanchor": where["yanchor"], "yref": "y"}
        self._add_line(shape, label, props)
        return self

    def to_dict(self) -> dict:
        """The figure for plotly.js, numeric arrays as base64 typed arrays (as plotly writes
        them). A new structure: the figure itself is not changed."""
        return {"data": _encode(self.data), "layout": _encode(self.layout)}

    def to_graph_objects(self):
        """The same figure as a validated plotly.graph_objects.Figure."""
        import plotly.graph_objects as go

        return go.Figure(data=self.data, layout=self.layout)


def _encode(value, key: str | None = None):
    if isinstance(value, dict):
        return {k: _encode(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, np.ndarray) and not is_skipped_key(key or ""):
        return to_typed_array_spec(value)
    return value
