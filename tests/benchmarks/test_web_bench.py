"""The web benchmarks' pure parts: reading wrk's output, cookies, the CSRF field, percentiles."""

from __future__ import annotations

import math

import pytest

from benchmarks import _http
from benchmarks.signin import percentile
from benchmarks.web import duration_ms, parse_wrk

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8765/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    61.23ms   40.11ms 412.00ms   80.00%
    Req/Sec   131.40     20.00   170.00     70.00%
  Latency Distribution
     50%   52.61ms
     75%   70.00ms
     90%  101.00ms
     99%    1.20s
  1314 requests in 10.01s, 9.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:    131.27
Transfer/sec:    930.00KB
"""


def test_wrk_output_is_read() -> None:
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests == 1314
    assert result.seconds == pytest.approx(10.01)
    assert result.rps == pytest.approx(131.27)
    assert result.p50_ms == pytest.approx(52.61)
    assert result.p99_ms == pytest.approx(1200.0)
    assert result.non_2xx_3xx == 7
    assert result.socket_errors == 5


def test_clean_wrk_run_has_no_errors() -> None:
    clean = "\n".join(line for line in WRK_OUTPUT.splitlines()
                      if not line.lstrip().startswith(("Socket", "Non-2xx")))
    result = parse_wrk(clean)
    assert (result.non_2xx_3xx, result.socket_errors) == (0, 0)


@pytest.mark.parametrize(("text", "ms"), [("812.00us", 0.812), ("2.20ms", 2.2), ("1.01s", 1010.0)])
def test_wrk_durations_become_milliseconds(text: str, ms: float) -> None:
    assert duration_ms(text) == pytest.approx(ms)


def test_unexpected_wrk_output_is_an_error() -> None:
    with pytest.raises(ValueError, match="unexpected wrk output"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_set_cookie_headers_build_the_cookie_header() -> None:
    jar = _http.merge_cookies({}, [
        "session=abc.def; HttpOnly; Path=/; SameSite=Lax",
        "remember_token=xyz; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Path=/",
    ])
    assert _http.cookie_header(jar) == "remember_token=xyz; session=abc.def"


def test_a_cleared_cookie_leaves_the_jar() -> None:
    jar = {"session": "old", "other": "1"}
    jar = _http.merge_cookies(jar, ["session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"])
    assert _http.cookie_header(jar) == "other=1"


def test_curl_jar_keeps_http_only_cookies() -> None:
    text = ("# Netscape HTTP Cookie File\n"
            "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc.def\n"
            "127.0.0.1\tFALSE\t/\tFALSE\t0\ttheme\tdark\n")
    assert _http.cookies_from_jar_file(text) == {"session": "abc.def", "theme": "dark"}


def test_csrf_token_is_read_from_the_form() -> None:
    page = ('<meta name="csrf-token" content="meta">'
            '<form><input id="csrf_token" name="csrf_token" type="hidden" value="tok-1">'
            '<input name="email" type="email"></form>')
    assert _http.form_csrf_token(page) == "tok-1"


def test_page_without_csrf_field_is_an_error() -> None:
    with pytest.raises(ValueError):
        _http.form_csrf_token("<form><input name='email'></form>")


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert math.isnan(percentile([], 50))
