"""The report's headings made linkable and its table of contents (moved out of
:mod:`genemoe.report.html`, which had reached the module size limit)."""

from __future__ import annotations

import html
import re

__all__ = ["anchored", "toc"]


def anchored(body: str) -> str:
    """Every ``<h2>``/``<h3>`` without an id gets one (a slug of its text, made unique)."""
    seen: set[str] = set(re.findall(r'id="([^"]+)"', body))

    def add(m: re.Match) -> str:
        text = re.sub(r"<[^>]+>", "", m.group(2))
        slug = re.sub(r"[^a-z0-9]+", "-", html.unescape(text).lower()).strip("-") or "section"
        base, i = slug, 2
        while slug in seen:
            slug, i = f"{base}-{i}", i + 1
        seen.add(slug)
        return f'<{m.group(1)} id="{slug}">{m.group(2)}</{m.group(1)}>'

    return re.sub(r"<(h[23])>(.*?)</\1>", add, body, flags=re.S)


def toc(body: str) -> str:
    """A table of contents of the ``<h2>``/``<h3>`` headings (with ids) after the summary."""
    items: list[list] = []
    for level, hid, text in re.findall(r'<(h[23]) id="([^"]+)">(.*?)</\1>', body, flags=re.S):
        link = f'<a href="#{hid}">{re.sub(r"<[^>]+>", "", text)}</a>'
        if level == "h2" or not items:
            items.append([link, []])
        else:
            items[-1][1].append(link)
    lis = "".join(f"<li>{top}" + (f"<ol>{''.join(f'<li>{s}</li>' for s in subs)}</ol>" if subs else "")
                  + "</li>" for top, subs in items)
    return f'<nav class="toc" id="contents" aria-label="contents"><ol>{lis}</ol></nav>'
