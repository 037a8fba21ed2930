"""Writes to assessments: one function per user action, each re-checking permission and scope."""
