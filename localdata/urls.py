"""Pages of local data (filled in by views.py)."""

urlpatterns: list = []
