"""CBS → cache → tables → indicators: download and read CBS tables, municipalities per year,
indicator values, and the dataset every chapter uses.
May import only the base modules (samenspel.errors, paths, fmt); nothing above it in the flow."""
