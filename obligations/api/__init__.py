"""The JSON API, /api/v1/ (Django REST framework): reads of orders, obligations and tracks with
the pages' filters, and progress on a track through obligations.tracking.record_progress."""
