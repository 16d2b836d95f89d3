"""Masthead: a publishing platform for independent newsrooms."""

__version__ = "0.1.0"
