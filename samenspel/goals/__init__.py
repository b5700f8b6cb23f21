"""The council's own goals (doelen/<GMxxxx>.yml): schema, parsing and validation, and the
template a griffie fills in. Plain data out (samenspel.goals.model); the verdicts live in
samenspel.analysis.goals. May import samenspel.data, the base modules and the case studies'
schema helpers (samenspel.casestudies: YAML loader, Dutch schema messages, safety checks,
documentation wording); never analysis, chapter, book or cli."""

from samenspel.casestudies.parse import Problem
from samenspel.goals.docs import (
    FIELDS_BEGIN,
    FIELDS_END,
    INDICATORS_BEGIN,
    INDICATORS_END,
    README_NAME,
    TEMPLATE_NAME,
    render_field_table,
    render_indicator_table,
    render_template,
    update_readme_text,
    write_generated_docs,
)
from samenspel.goals.model import DIRECTIONS, OWN, Document, Goal, GoalFile
from samenspel.goals.read import goal_files
from samenspel.goals.schema import SCHEMA_PATH, load_schema
from samenspel.goals.template import key_indicators
from samenspel.goals.template import render as render_gemeente_template
from samenspel.goals.template import write as write_template
from samenspel.goals.validate import load, load_for, validate_all, validate_files

__all__ = [
    "DIRECTIONS",
    "FIELDS_BEGIN",
    "FIELDS_END",
    "INDICATORS_BEGIN",
    "INDICATORS_END",
    "OWN",
    "README_NAME",
    "SCHEMA_PATH",
    "TEMPLATE_NAME",
    "Document",
    "Goal",
    "GoalFile",
    "Problem",
    "goal_files",
    "key_indicators",
    "load",
    "load_for",
    "load_schema",
    "render_field_table",
    "render_gemeente_template",
    "render_indicator_table",
    "render_template",
    "update_readme_text",
    "validate_all",
    "validate_files",
    "write_generated_docs",
    "write_template",
]
