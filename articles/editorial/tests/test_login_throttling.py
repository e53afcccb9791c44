"""Guessing an editor's password: a few tries, then that user from that address waits."""

import logging

import pytest
from django.core.management import call_command
from django.test import Client

from devtools.factories import make_editor

pytestmark = pytest.mark.django_db

RIGHT = "correct horse battery"


def log_in(client, password, username="alice"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_after_five_wrong_passwords_even_the_right_one_is_refused_with_a_plain_message(client, caplog, settings):
    make_editor("alice")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200  # the form again, with its error
    with caplog.at_level(logging.WARNING):
        assert log_in(client, "wrong").status_code == 429
    with caplog.at_level(logging.WARNING):
        response = log_in(client, RIGHT)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert any("Locking out" in record.getMessage() for record in caplog.records)


def test_the_lockout_is_by_user_and_address_so_nobody_locks_an_editor_out_from_elsewhere(settings):
    make_editor("alice")
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        log_in(attacker, "wrong")
    assert log_in(attacker, RIGHT).status_code == 429
    assert log_in(Client(REMOTE_ADDR="198.51.100.2"), RIGHT).status_code == 302


def test_an_administrator_unlocks_with_one_command(client, settings):
    make_editor("alice")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(client, RIGHT).status_code == 429
    call_command("axes_reset_username", "alice")
    assert log_in(client, RIGHT).status_code == 302


def test_behind_a_proxy_the_client_is_the_address_the_proxy_added(settings):
    from django.test import RequestFactory

    from newsroom.client_ip import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    assert client_ip(request) == "10.0.0.1"
    settings.NEWSROOM_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # the spoofable left-hand entry is never believed


def test_an_address_spraying_one_password_over_many_user_names_waits_too(settings):
    settings.NEWSROOM_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    make_editor("alice")
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    # Below the per-user limit for every name, but many names from one address.
    for n in range(settings.NEWSROOM_LOGIN_ADDRESS_FAILURE_LIMIT):
        assert log_in(sprayer, "Summer2026!", username=f"user{n}").status_code == 200
    response = log_in(sprayer, RIGHT)
    assert response.status_code == 429 and "from your address, for several user names" in response.content.decode()
    assert "_auth_user_id" not in sprayer.session
    # Everyone else logs in as before.
    assert log_in(Client(REMOTE_ADDR="198.51.100.2"), RIGHT).status_code == 302
