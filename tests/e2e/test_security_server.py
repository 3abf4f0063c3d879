"""The running server as another site, or a stranger on the LAN, meets it: uploads without the
session's XSRF token are refused, no other origin is allowed to read the answers, and any URL
path or query gets a page or a plain "not found", never a server error. (The code-side
checks: tests/unit/test_security.py.)"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.property


def request(url: str, method: str = "GET", headers: dict | None = None, data: bytes | None = None):
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_an_upload_from_another_site_is_refused(app_server, ledger):
    # A form on evil.example posting a file into a student's session: no XSRF token.
    body = (b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n"
            b"Content-Type: image/png\r\n\r\n\x89PNG\r\n--x--\r\n")
    ledger.bad_input()
    status, _ = request(f"{app_server.url}/_stcore/upload_file/any-session/any-file", "PUT",
                        {"Content-Type": "multipart/form-data; boundary=x",
                         "Origin": "http://evil.example"}, body)
    assert status == 403


def test_no_other_origin_may_read_the_answers(app_server, ledger):
    ledger.bad_input()
    status, headers = request(f"{app_server.url}/_stcore/health",
                              headers={"Origin": "http://evil.example"})
    allowed = {k.lower(): v for k, v in headers.items()}.get("access-control-allow-origin")
    assert status == 200 and allowed in (None, app_server.url)


segment = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=40)
@given(path=st.lists(segment, max_size=4), query=st.dictionaries(segment, segment, max_size=3))
def test_any_url_gets_a_page_or_not_found(app_server, ledger, path, query):
    quoted = "/".join(urllib.parse.quote(p, safe="") for p in path)
    url = f"{app_server.url}/{quoted}?{urllib.parse.urlencode(query)}"
    ledger.bad_input()
    status, _ = request(url)
    assert status in (200, 301, 302, 304, 400, 403, 404, 405), (url, status)
