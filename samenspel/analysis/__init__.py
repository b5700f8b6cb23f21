"""Comparison: peer groups, a municipality against its peers and the country, findings, and
the verdict on the council's goals. Plain data in, plain data out.
May import samenspel.data and the base modules; never chapter, casestudies, book or cli."""
