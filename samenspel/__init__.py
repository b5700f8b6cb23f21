"""Samenspel: municipalities learn from each other about the social domain."""

__version__ = "0.1.0"
