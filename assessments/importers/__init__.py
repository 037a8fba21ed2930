"""Workbook importers for assessments; each builds a plan (preview) that a service then applies."""
