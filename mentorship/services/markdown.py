"""Messages written in Markdown, rendered to HTML that is safe to show as it is.

Two locks, each enough on its own: the Markdown parser runs with raw HTML off (a
``<script>`` typed into a message comes out as text), and its output goes through an
HTML sanitiser that keeps only the tags below, links to http, https and mailto, and
adds ``rel="nofollow noopener noreferrer"`` to every link. Images are not rendered
(``![alt](url)`` shows as a link): a picture would load from a stranger's server as
soon as the partner opens the thread, telling that server when and from where.

Rendering happens on output; nothing is cached between requests.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import nh3
from markupsafe import Markup

TAGS = frozenset({"p", "strong", "em", "s", "del", "a", "ul", "ol", "li", "code", "pre",
                  "blockquote", "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th",
                  "td", "br", "hr"})
ATTRIBUTES = {"a": {"href"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
NOT_PLAIN = re.compile(r"[\\`*_\[\]<>~|&\x00-\x09\x0b-\x1f\x7f-\x9f]"  # inline syntax, controls
                       r"|[^\S \n]"  # whitespace besides spaces and line breaks (tabs, NBSP)
                       r"|^ | $"  # indentation, hard breaks
                       r"|^(?:[#>+=-]|[0-9]{1,9}[.)])", re.MULTILINE)  # block starts
BLANK_LINES = re.compile(r"\n{2,}")


def renderer() -> Callable[[str], Markup]:
    """A function from Markdown to sanitised HTML, marked safe for templates because the
    sanitiser made it so (nothing else is ever marked); make one per request and reuse it."""
    from markdown_it import MarkdownIt  # on first use: it would add 50 ms to every start

    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # With html off these rules only escape what they match, as plain text does anyway;
    # skipping them saves a sixth of the parsing time.
    parser.disable(["image", "html_block", "html_inline"])
    # Set up once per renderer: a sanitiser built per call costs ten times its cleaning.
    sanitiser = nh3.Cleaner(tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                            url_schemes=set(URL_SCHEMES), link_rel=LINK_REL,
                            filter_style_properties={"text-align"},
                            attribute_filter=_only_links_with_a_scheme)

    def render(text: str) -> Markup:
        """``text`` as sanitised HTML ('' for no text)."""
        if not text:
            return Markup("")
        return Markup(sanitiser.clean(plain_paragraphs(text) if is_plain(text) else parser.render(text)))
    return render


def _only_links_with_a_scheme(_tag: str, name: str, value: str) -> str | None:
    """Drop an ``href`` without one of the schemes (``[x]()``, ``[x](<script>)``): the
    sanitiser's scheme list lets relative links through, and a link to nowhere, or to
    wherever a relative path leads from the thread, is only its text."""
    scheme, colon, _ = value.strip().partition(":")
    if name == "href" and not (colon and scheme.lower() in URL_SCHEMES):
        return None
    return value


def is_plain(text: str) -> bool:
    """True when ``text`` holds no Markdown at all: paragraphs of words and punctuation.

    Conservative on purpose: any character that can start emphasis, code, a link, an
    entity or an escape, any line that could open a block (a heading, list, quote or
    rule; indentation) and any line-end spaces send the text to the parser. Most
    messages are plain, and for them this skips the parse (a tenth of the cost).
    """
    return not NOT_PLAIN.search(text)


def plain_paragraphs(text: str) -> str:
    """What the parser makes of a plain text: paragraphs split at blank lines, escaped."""
    return "".join(f"<p>{html.escape(part, quote=False)}</p>\n"
                   for part in BLANK_LINES.split(text.strip("\n")) if part)


def to_html(text: str) -> Markup:
    """One message as sanitised HTML (for a single message; pages use ``renderer``)."""
    return renderer()(text)
