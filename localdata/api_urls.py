"""Read-only API of disclosure-controlled local data."""

urlpatterns: list = []
