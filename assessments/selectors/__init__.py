"""Named reads of assessment data for pages, exports and reports."""
