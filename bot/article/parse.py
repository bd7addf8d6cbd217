"""Page bytes → lxml tree, as trafilatura's `load_html` parses them, only cheaper to walk.

lxml.html decides the Python class of every element object it hands out (HtmlElement, or
FormElement for a <form>, …) by calling back into Python: `HtmlElementClassLookup.lookup`
runs once for every element any code touches — trafilatura's pruning and copies, htmldate,
our own searches — about 2,500 calls per page. The same classes, looked up in C (a registry for
the five special tags, HtmlElement and its comment, entity and processing-instruction classes
for the rest), made the whole analysis about 9 % faster on extraction-zyte with identical output.

Decoding, repair and the sanity checks are trafilatura's own functions, called in the order its
`load_html` calls them, so a page parses the same; only the parser differs. A parser belongs
to its documents: trafilatura's and htmldate's copies of our tree keep the C lookup.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # lxml loads with trafilatura, inside extract_article
    from lxml.html import HtmlElement


def load_page(html: str | bytes) -> HtmlElement | None:
    """The page's tree, or None when it is not HTML (trafilatura's rules)."""
    from lxml.html import fromstring
    from trafilatura.utils import decode_file, is_dubious_html, repair_faulty_html

    parser = _parser()
    text = decode_file(html)
    beginning = text[:50].lower()
    dubious = is_dubious_html(beginning)
    text = repair_faulty_html(text, beginning)
    tree: HtmlElement | None
    retried = False
    try:
        tree = fromstring(text, parser=parser)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree, retried = _from_bytes(text), True
    except Exception:  # lxml raises a zoo of errors on hostile input
        tree = None
    if (tree is None or len(tree) < 1) and not retried:
        tree = _from_bytes(text)
    if tree is not None and dubious and len(tree) < 2:
        return None  # not HTML after all (a lone text block parsed into <html><p>)
    return tree


def _from_bytes(text: str) -> HtmlElement | None:
    from lxml.html import fromstring

    try:
        tree: HtmlElement = fromstring(text.encode("utf8", "surrogatepass"), parser=_parser())
    except Exception:  # lxml raises a zoo of errors on hostile input
        return None
    return tree


_LOCAL = threading.local()


def _parser() -> Any:
    """This thread's parser: lxml parsers must not be shared between threads."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = _new_parser()
    return parser


def _new_parser() -> Any:
    """trafilatura's HTML parser settings, with lxml.html's element classes found in C."""
    from lxml import etree
    from lxml.html import (
        FormElement,
        HtmlComment,
        HtmlElement,
        HtmlEntity,
        HTMLParser,
        HtmlProcessingInstruction,
        InputElement,
        LabelElement,
        SelectElement,
        TextareaElement,
    )

    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    special = lookup.get_namespace(None)  # lxml.html's own table of tags with their classes
    special.update(
        {
            "form": FormElement,
            "input": InputElement,
            "label": LabelElement,
            "select": SelectElement,
            "textarea": TextareaElement,
        }
    )
    parser = HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(lookup)
    return parser
