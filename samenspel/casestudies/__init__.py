"""Case studies: Markdown files with fields from one schema, checked, matched to chapters, made into pages.
May import samenspel.data and the base modules (errors, paths, fmt, templating, files); never chapter, book or cli."""

from samenspel.casestudies.docs import (
    README_BEGIN,
    README_END,
    README_NAME,
    TEMPLATE_NAME,
    render_field_table,
    render_template,
    update_readme_text,
    write_generated_docs,
)
from samenspel.casestudies.match import Match, for_chapter, rank
from samenspel.casestudies.pages import FILTER_SCRIPT, GENERATED_MARKER, render_index, render_page, write_pages
from samenspel.casestudies.parse import (
    ANONYMOUS,
    INDEX_SLUG,
    NOT_CASE_STUDIES,
    UNKNOWN,
    CaseStudy,
    Problem,
    case_study_files,
    slugify,
    split_front_matter,
)
from samenspel.casestudies.safety import is_wellformed_url
from samenspel.casestudies.schema import SCHEMA_PATH, load_schema, section_titles, size_classes, themes
from samenspel.casestudies.validate import load_all, validate_all, validate_files

__all__ = [
    "ANONYMOUS",
    "FILTER_SCRIPT",
    "GENERATED_MARKER",
    "INDEX_SLUG",
    "NOT_CASE_STUDIES",
    "README_BEGIN",
    "README_END",
    "README_NAME",
    "SCHEMA_PATH",
    "TEMPLATE_NAME",
    "UNKNOWN",
    "CaseStudy",
    "Problem",
    "case_study_files",
    "for_chapter",
    "rank",
    "Match",
    "is_wellformed_url",
    "load_all",
    "load_schema",
    "render_field_table",
    "render_index",
    "render_page",
    "render_template",
    "section_titles",
    "size_classes",
    "slugify",
    "split_front_matter",
    "themes",
    "update_readme_text",
    "validate_all",
    "validate_files",
    "write_generated_docs",
    "write_pages",
]
