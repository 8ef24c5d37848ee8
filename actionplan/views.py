"""Action plan pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The board's one-screen view of the plan (being built)."""
    return render(request, "actionplan/board.html", {})
