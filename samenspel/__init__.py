"""Samenspel: municipalities learn from each other about the social domain.

Data flows one way, and so do the imports (a folder imports only folders above it):
    data/         CBS → cache → tables → indicators; municipalities per year; the dataset
    analysis/     peer groups, comparisons, findings
    casestudies/  case studies: schema, parsing, validation, matching, book pages
    chapter/      a municipality's chapter: model (plain data), render (templates), charts, runner
    book/         the Jupyter Book: generated pages, table of contents, build, Sphinx extension
    cli/          the command line
Base modules that every folder may use: errors, paths, fmt, templating, files; templates/
holds the Jinja2 templates of every page fragment.
"""

__version__ = "0.1.0"
