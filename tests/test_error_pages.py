"""Errors are answered with the service's own pages, which say what to do next."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
def test_a_missing_page_says_so_in_the_service(client):
    response = client.get("/indicators/999999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "infant mortality dashboard" in html


@pytest.mark.django_db
def test_a_refused_page_gives_the_reason(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("olly"))
    response = client.get("/plan/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot do that" in html
    assert "You need a role in the plan to see it." in html


@pytest.mark.django_db
def test_an_expired_form_is_explained():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "The form has expired" in response.content.decode()


def test_a_server_error_page_needs_no_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
