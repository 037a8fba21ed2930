"""Writes to the fund: one function per user action, each re-checking permission and state."""
