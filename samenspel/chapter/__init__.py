"""A municipality's chapter: what it says (model: plain data), how it looks (render: HTML and
Markdown from templates, charts), and the papermill runner that executes the notebook.
May import samenspel.data, samenspel.analysis, samenspel.casestudies and the base modules."""
