"""Escaping for every language workbench writes scenario text into: one function per output language.

Scenario files arrive in pull requests, so any string in them is hostile by the time it reaches a terminal,
a CI log, a Markdown or Mermaid renderer, Graphviz, an XML parser or a browser. The model already refuses
control characters in every string it accepts (`workbench.model.common.Text` and `Prose`); these functions
are the second wall, used by every writer, so that text which did not come through the model (file names,
mapping keys, Cedar entity ids written with escapes, ATLAS descriptions, results.json) is just as safe.

| target | function | what it neutralises |
|---|---|---|
| terminal, log, message | `printable`, `quote` | control characters: ESC, NUL, C1, bidi overrides, line breaks |
| Markdown (CommonMark, GFM) | `markdown`, `markdown_cell`, `markdown_code` | inline syntax, HTML, line-start blocks |
| Mermaid label | `mermaid_label` | quotes, pipes, brackets, `%%` directives and comments, line breaks |
| Graphviz DOT | `dot_string` | quotes, backslash escapes (`\\N`, `\\l`), line breaks |
| XML / GraphML | `xml_text` | characters XML 1.0 cannot carry at all, even as references |
| HTML | `html_text` | what markupsafe escapes, and control characters |
| JSON text | `json_safe` | DEL, C1, line separators and bidi controls, which `json.dumps` leaves raw |
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup
from markupsafe import escape as _html_escape

__all__ = [
    "UNPRINTABLE",
    "UNPRINTABLE_EXCEPT_LINES",
    "cedar_comment",
    "cedar_string",
    "dot_string",
    "html_text",
    "json_safe",
    "markdown",
    "markdown_cell",
    "markdown_code",
    "mermaid_label",
    "printable",
    "quote",
    "shortened",
    "xml_text",
]

UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 control characters, DEL, the Unicode line and paragraph separators, and the bidirectional
embeddings, overrides and isolates (which reorder what a reader sees: "Trojan source")."""

UNPRINTABLE_EXCEPT_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""The same, less tab and newline: what multi-line prose may not contain."""


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    named = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}.get(code)
    if named is not None:
        return named
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: Any, *, lines: bool = False) -> str:
    """`value` as text safe to print on a terminal or in a log: each control character becomes its escape.

    ESC, NUL, C1 controls (`\\x9b` is a one-byte CSI), bidi overrides and line breaks are shown as `\\x1b`,
    `\\u202e`, `\\n`, so user text can neither drive the terminal nor start a line of its own (a forged
    `FILE:1:1:` problem or a GitHub `::error` annotation). With `lines=True` tabs and newlines are kept,
    for multi-line text printed as such.
    """
    text = str(value)
    pattern = UNPRINTABLE_EXCEPT_LINES if lines else UNPRINTABLE
    return pattern.sub(_escape_char, text) if pattern.search(text) else text


def shortened(value: Any, limit: int) -> str:
    """`value` as `printable` text cut to `limit` characters (the last one an ellipsis), for text from an input
    that must not fill a terminal or a log line however long it is."""
    text = printable(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(value: Any) -> str:
    """An id or other user string quoted for a message, `repr`-style: `'support-agent'`, `'\\x1b[31m'`."""
    return repr(str(value))


# -- Markdown (CommonMark and GitHub Flavored Markdown) -------------------------------------------------------

_MD_INLINE = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "~": "\\~",
        "|": "\\|",
        "[": "\\[",
        "]": "\\]",
        "<": "&lt;",
        ">": "&gt;",
    }
)
# A bare `&` is literal in CommonMark; only one that would start a character reference (`&lt;`, `&#60;`) is
# escaped, so "Spoofing & Impersonation" stays readable in the .md file itself.
_MD_ENTITY_START = re.compile(r"&(?=[A-Za-z][A-Za-z0-9]{0,31};|#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};)")
# An underscore opens or closes emphasis only next to a non-alphanumeric; inside a word (`customer_db`) it is
# literal in CommonMark and GFM, so only those at a word's edge are escaped.
_MD_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# What can open a block at the start of a line: ATX headings (`#` then a space), block quotes (already
# entities), bullets (`-`/`+` then a space), thematic breaks and setext underlines (runs of `-`, `=`), fences
# (backticks and tildes are escaped everywhere), ordered lists (`1.`/`1)` then a space). Only those: `-5 %`,
# `#3` and `8.1` open nothing and stay as they are.
_MD_LINE_START = re.compile(r"^([#+\-=])(?=[ \t#+\-=]|$)|^(\d{1,9})([.)])(?=[ \t]|$)", re.MULTILINE)


def _md_line_start(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def markdown(value: Any) -> str:
    """Markdown-escape text for any place in a document; `Markup` values (already safe) pass unchanged.

    Inline syntax is backslash-escaped and HTML turned into entities, so a name cannot open a code span,
    forge a link, emphasise or smuggle in raw HTML. Block structure is defused line by line: leading
    indentation is dropped (it would start a code block) and a line-starting `#`, `-`, `+`, `=` or `1.` is
    escaped, so multi-line prose stays paragraphs and cannot inject headings, rules, lists or fences.
    """
    if isinstance(value, Markup):
        return str(value)
    text = printable(value, lines=True).replace("\t", " ")
    text = "\n".join(line.lstrip(" ") for line in text.split("\n"))
    text = _MD_EDGE_UNDERSCORE.sub("\\_", _MD_ENTITY_START.sub("&amp;", text).translate(_MD_INLINE))
    return _MD_LINE_START.sub(_md_line_start, text)


def markdown_cell(value: Any) -> Markup:
    """A value for one Markdown line (a table cell, a heading, a list item): escaped, line breaks folded."""
    if isinstance(value, Markup):
        return Markup(" ".join(str(value).split()))
    return Markup(markdown(" ".join(printable(value, lines=True).split())))


def markdown_code(value: Any) -> Markup:
    """A value as a Markdown code span: shown literally, so only backticks (which would end it) are replaced."""
    return Markup("`" + " ".join(printable(value, lines=True).replace("`", "'").split()) + "`")


# -- diagram languages ------------------------------------------------------------------------------------------

_MERMAID_CODES = {char: f"#{ord(char)};" for char in '#"&<>|`%{}'}


def mermaid_label(value: Any) -> str:
    """Text for a double-quoted Mermaid label or edge text: Mermaid's `#code;` entities for anything the
    flowchart grammar or its pre-processor reads (quotes, pipes, brackets, `%%{init}%%` directives, `%%`
    comments); line breaks and control characters become spaces, so a label is always one statement."""
    text = UNPRINTABLE.sub(" ", str(value))
    return "".join(_MERMAID_CODES.get(char, char) for char in text)


def dot_string(value: Any) -> str:
    """A double-quoted Graphviz DOT string: backslashes (DOT's own `\\N`, `\\l` escapes) and quotes escaped,
    line breaks as DOT's `\\n`, other control characters (which Graphviz rejects) written as their escapes."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return '"' + printable(text) + '"'


# -- XML and HTML ---------------------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """Text an XML 1.0 document can carry: characters XML forbids (even as `&#...;`) become their escapes.

    Entity escaping of `<`, `&` and quotes is the serialiser's job (networkx writes GraphML with it).
    """
    text = str(value)
    return _NOT_XML.sub(_escape_char, text) if _NOT_XML.search(text) else text


def html_text(value: Any) -> Markup:
    """HTML-escaped text; control characters become visible escapes instead of invisible or invalid bytes."""
    if isinstance(value, Markup):
        return value
    return _html_escape(printable(value, lines=True))


# -- JSON -----------------------------------------------------------------------------------------------------

_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with the controls it leaves raw written as
    `\\uXXXX` escapes: DEL, C1 (`\\x9b` is a one-byte CSI), line separators and bidi controls. They can only
    occur inside strings, so the document decodes to the same values."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _JSON_RAW.search(text) else text


def cedar_string(value: Any) -> str:
    """A double-quoted Cedar string literal: backslashes and quotes escaped, and every character outside
    printable ASCII written as Cedar's `\\u{hex}`, so no input can end the string or hide in it."""
    out = ['"']
    for char in str(value):
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif " " <= char <= "~":
            out.append(char)
        else:
            out.append(f"\\u{{{ord(char):x}}}")
    out.append('"')
    return "".join(out)


def cedar_comment(value: Any) -> str:
    """Text for the rest of one `//` Cedar comment line: control characters and line breaks escaped, so the
    comment cannot end early and let the text after it be read as policy."""
    return printable(value)
