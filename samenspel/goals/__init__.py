"""The council's own goals (doelen/<GMxxxx>.yml): schema, parsing and validation, and the
template a griffie fills in. Plain data out (samenspel.goals.model); the verdicts live in
samenspel.analysis.goals. May import samenspel.data and the base modules only."""
