"""What the server guards: request size, malformed callback bodies, response headers, the session
cookie and the secret that signs it (issue "Hold under abuse")."""

from __future__ import annotations

import io
import logging

import pytest

from security import MAX_REQUEST_BYTES
from settings import Settings


@pytest.fixture()
def client(dash_app):
    return dash_app.server.test_client()


def test_every_response_carries_the_security_headers(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "HttpOnly" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"output": 3}', b"\xff\xfe", b'{"inputs": "x"}'])
def test_a_malformed_callback_body_is_a_400_without_a_traceback(client, body, caplog):
    with caplog.at_level(logging.INFO):
        response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400
    assert b"Bad request" in response.data
    assert "Traceback" not in caplog.text and not any(record.exc_info for record in caplog.records)


def test_a_huge_request_is_refused_before_it_is_read(client):
    class Endless(io.BytesIO):
        """A body that fails the test if the server reads it."""

        def read(self, *_):
            raise AssertionError("the server read a body it should have refused")

    response = client.post("/_dash-update-component", input_stream=Endless(), content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": str(MAX_REQUEST_BYTES + 1)})
    assert response.status_code == 413


def test_production_requires_a_secret_key():
    with pytest.raises(SystemExit, match="SECRET_KEY must be set"):
        Settings.from_env({"DYNO": "web.1"})
    assert Settings.from_env({"DYNO": "web.1", "SECRET_KEY": "s" * 64}).secret_key == "s" * 64


def test_without_a_secret_key_one_is_kept_across_restarts(tmp_path):
    first = Settings(cache_dir=tmp_path).session_secret()
    assert len(first) == 64 and Settings(cache_dir=tmp_path).session_secret() == first
    assert Settings(cache_dir=tmp_path, secret_key="fixed").session_secret() == "fixed"


def test_a_callback_handed_values_of_the_wrong_shape_is_a_400_in_one_line(client, dash_app, caplog):
    """Well-formed JSON, but an unknown callback or values no page sends: 400, one log line."""
    unknown = {"output": "x.y", "outputs": {"id": "x", "property": "y"}, "inputs": [], "changedPropIds": []}
    status_output = next(key for key in dash_app.callback_map if "status-shown.children" in key)
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in status_output.strip(".").split("...")]
    inputs = [{"id": "store-view", "property": "data", "value": {"k": 4}}]  # a view without its fields
    tampered = {"output": status_output, "outputs": outputs, "changedPropIds": ["store-view.data"], "inputs": inputs}
    short = tampered | {"outputs": []}  # Dash's own check of the outputs fails
    with caplog.at_level(logging.INFO):
        for body in (unknown, tampered, short):
            response = client.post("/_dash-update-component", json=body)
            assert response.status_code == 400, body
    assert "Traceback" not in caplog.text and not any(record.exc_info for record in caplog.records)
