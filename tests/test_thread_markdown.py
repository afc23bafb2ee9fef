"""Messages are Markdown rendered inert: no script, handler, javascript: or data: URL survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from mentorship.services.markdown import TAGS, is_plain, plain_paragraphs, to_html
from tests.factories import create, signed_in
from tests.test_thread import build_pairs

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](javascript&#58;alert(1))",
    "[click me](  javascript:alert(1) )",
    "<img src=x onerror=alert(1)>",
    "![pic](x\" onerror=\"alert(1))",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[file](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<a href=\"javascript:alert(1)\">raw link</a>",
    "<iframe src=https://evil.example></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">styled</div>",
    "[x](vbscript:msgbox(1))",
    "<svg><script>alert(1)</script></svg>",
    "<<script>script>alert(1)<</script>/script>",
    "`<script>alert(1)</script>`",
    "[a](https://ok.example \"\\\" onmouseover=alert(1)\")",
    "[](<script>)",  # a relative link, found by the fuzzing below
    "[delete my account](/account/delete)",
]
SAFE_SCHEMES = ("http://", "https://", "mailto:")


class Markup(HTMLParser):
    """The live elements of a page fragment: (tag, attributes) as a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def problems(html: str) -> list[str]:
    """Anything in ``html`` that could run code or load something from elsewhere."""
    parser = Markup()
    parser.feed(html)
    found = []
    for tag, attrs in parser.elements:
        if tag not in TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name in ("src", "srcdoc", "formaction"):
                found.append(f"{tag}[{name}]")
            if name == "href" and not (value or "").lower().startswith(SAFE_SCHEMES):
                found.append(f"href={value}")
            if name == "style" and value not in ("text-align:left", "text-align:right",
                                                 "text-align:center"):
                found.append(f"style={value}")
    return found


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_render_inert(attack: str) -> None:
    html = to_html(attack)
    assert problems(html) == [], html


def test_raw_html_shows_as_text() -> None:
    assert to_html("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"


def test_safe_links_keep_their_target_and_get_rel() -> None:
    html = to_html("[docs](https://docs.python.org) and [mail](mailto:ada@example.org)")
    assert '<a href="https://docs.python.org" rel="nofollow noopener noreferrer">docs</a>' in html
    assert '<a href="mailto:ada@example.org" rel="nofollow noopener noreferrer">mail</a>' in html


def test_images_become_links_and_load_nothing() -> None:
    html = to_html("![chart](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert 'href="https://tracker.example/pixel.png"' in html


def test_markdown_structure_survives() -> None:
    html = to_html("# Plan\n\n1. **one**\n2. _two_\n\n> quoted\n\n```\ncode()\n```\n\n~~old~~")
    for tag in ("<h1>", "<ol>", "<strong>", "<em>", "<blockquote>", "<pre><code>", "<s>"):
        assert tag in html


def test_attacks_posted_to_the_thread_render_inert(app: Flask) -> None:
    pairs = create(app, build_pairs)
    ada = signed_in(app, pairs["ada"])
    url = f"/pairings/{pairs['a']}/thread"
    for n, attack in enumerate(ATTACKS):
        assert ada.post(url, data={"body": attack, "client_key": f"xss-{n}"}).status_code == 302
    page = signed_in(app, pairs["grace"]).get(url).get_data(as_text=True)
    bodies = re.findall(r'<div class="message-body">(.*?)</div>', page, re.DOTALL)
    assert len(bodies) == len(ATTACKS) + 1
    assert "alert(1)" in "".join(bodies)  # the text is shown...
    for body in bodies:
        assert problems(body) == [], body  # ...but never as live markup


PLAIN_ALPHABET = st.sampled_from(list("abc XYZ.,;:!?'\"()-+=#>/1234567890\n") + [
    "\n\n", "  ", "\t", "\u00a0", "\u2028", "\u3000", "\x85", "1.", "2)", "---", "===",
    "é", "ß", "👍", "\u200b", "\ufeff", "@", "%", "$", "^", "{", "}", ":)", "www.example.org",
    "https://example.org"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(PLAIN_ALPHABET, max_size=30).map("".join))
def test_plain_text_skips_the_parser_with_the_same_result(text: str) -> None:
    parsed = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parsed.disable(["image", "html_block", "html_inline"])
    if text.strip() and is_plain(text):
        assert nh3.clean(plain_paragraphs(text), tags=set(TAGS)) == nh3.clean(
            parsed.render(text), tags=set(TAGS)), repr(text)


def test_plain_messages_are_recognised() -> None:
    assert is_plain("Thanks Grace! See you on Tuesday.\n\nI read the book (twice).")
    for marked in ("**bold**", "- item", "1. first", "# title", "a  \nb", "    code",
                   "> quote", "x & y", "[link](https://example.org)", "a\tb", "snake_case"):
        assert not is_plain(marked), marked
