"""The YAML reader of every user config (``--config``, ``--preset``, a tune's ``best.yaml``,
a pre-training config): PyYAML's safe loader with YAML 1.2 floats, refusing a key given
twice in one mapping, and the config file's text read with its encoding named.

PyYAML keeps the last of two equal keys without a word: ``train: {epochs: 2}`` followed
by a second ``train: {lr: 0.01}`` ran with the preset's 100 epochs. Keys are compared as
read, not as spelled: ``true:`` and ``True:`` (both the boolean), ``1:`` and ``1.0:``, ``~:``
and ``null:`` are one key twice.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from genemoe.errors import input_error

__all__ = ["ConfigLoader", "DuplicateKeyError", "read_yaml_text", "yaml_load"]

_MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(yaml.YAMLError):
    """A key given twice in one YAML mapping.

    Attributes
    ----------
    key_path
        The key's path from the top (``"train"``, ``"model.genemoe.k"``).
    first_line, second_line
        The 1-based lines of the two keys.
    spellings
        The two keys as written (``("true", "True")``): different where YAML reads two
        spellings as one value; the last part of ``key_path`` names both then
        (``"true / True"``).
    """

    def __init__(self, key_path: str, first_line: int, second_line: int,
                 spellings: tuple[str, str] | None = None) -> None:
        self.key_path, self.first_line, self.second_line = key_path, first_line, second_line
        self.spellings = spellings
        same = ("" if spellings is None or spellings[0] == spellings[1] else
                f"; {spellings[0]!r} and {spellings[1]!r} are read as one key")
        super().__init__(f"key {key_path} given twice (lines {first_line} and {second_line}"
                         f"{same})")

    @property
    def key_words(self) -> str:
        """The key as a fix names it: ``k``, or ``1 or 1.0`` for two spellings of one key
        (the last part of a dotted path was ``0`` for ``1.0``)."""
        if self.spellings is None:
            return self.key_path.rsplit(".", 1)[-1]
        first, second = self.spellings
        return second if first == second else f"the key ({first} or {second})"


def _check_unique_keys(node: Node, path: tuple[str, ...], seen: set[int],
                       key_of: Callable[[ScalarNode], Any] = lambda key: key.value) -> None:
    """Raise :class:`DuplicateKeyError` for the first mapping under ``node`` with a key twice:
    two scalar keys equal as read (``key_of``, the loader's construction), whatever their
    spelling (``true`` and ``True``; ``1`` and ``1.0``)."""
    if id(node) in seen:  # an alias of a node already walked (or a recursive anchor)
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        first: dict[Hashable, ScalarNode] = {}
        for key, value in node.value:
            read = (key_of(key) if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG
                    else [])  # a merge (<<) or a collection key: not compared
            if not isinstance(read, Hashable):
                _check_unique_keys(value, path, seen, key_of)
                continue
            if read in first:
                was = first[read]
                said = key.value if was.value == key.value else f"{was.value} / {key.value}"
                raise DuplicateKeyError(".".join((*path, said)), was.start_mark.line + 1,
                                        key.start_mark.line + 1, (was.value, key.value))
            first[read] = key
            _check_unique_keys(value, (*path, key.value), seen, key_of)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _check_unique_keys(item, (*path[:-1], f"{path[-1]}[{i}]") if path else (f"[{i}]",),
                               seen, key_of)


class ConfigLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping
    (:class:`DuplicateKeyError`), and reading floats as YAML 1.2 does: ``1e-3`` and ``5E-1``
    are numbers (PyYAML's YAML 1.1 rule wants a dot, ``1.0e-3``, and read ``lr: 1e-3`` as the
    text "1e-3", which a run then refused as "lr above 0")."""

    def construct_document(self, node: Node) -> Any:
        _check_unique_keys(node, (), set(), self._read_key)
        return super().construct_document(node)

    def _read_key(self, key: ScalarNode) -> Any:
        """A scalar key as the mapping will hold it (``True`` for ``true`` and ``True``)."""
        return self.construct_object(key, deep=True)


ConfigLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:float"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
ConfigLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                  |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
                  |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                  |[-+]?\.(?:inf|Inf|INF)
                  |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))


def yaml_load(text: str) -> Any:
    """Parse YAML ``text`` safely (:class:`ConfigLoader`: YAML 1.2 floats, no key twice).

    Raises
    ------
    DuplicateKeyError
        A mapping with a key twice (a :class:`yaml.YAMLError`).
    yaml.YAMLError
        As :func:`yaml.safe_load` does.
    """
    return yaml.load(text, Loader=ConfigLoader)  # noqa: S506 (a SafeLoader subclass)


_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def _wide_encoding(raw: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` for text in those encodings (by its byte-order mark, or
    ASCII text's zero bytes at every second place without one), else None."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:200]
    if len(head) >= 4 and (not any(head[1::2]) or not any(head[0::2])):
        return "UTF-16"
    return None


def read_yaml_text(path: Path) -> str:
    """The text of the config file at ``path``, read as UTF-8 (a byte-order mark allowed).

    Raises
    ------
    InputError
        The file cannot be read, is UTF-16 or UTF-32 (named, with the fix: save it as
        UTF-8), binary or otherwise not UTF-8.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise input_error(f"cannot read the config ({exc.strerror or exc})", path=path,
                          fix="give an existing YAML file") from exc
    if (wide := _wide_encoding(raw)) is not None:  # was "binary, or not UTF-8": give the YAML
        raise input_error(f"the config is saved as {wide} text, not UTF-8", path=path,
                          fix="save it as UTF-8 (in the editor's 'Save as' encoding choice, or "
                              f"`iconv -f {wide} -t UTF-8 {path.name} > new.yaml`)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # a binary file ended in a traceback
        raise input_error("not a text YAML file (binary, or not UTF-8)", path=path,
                          fix="give the YAML file (a preset name, or a .yaml of options) "
                              "saved as UTF-8") from exc
    if "\x00" in text:
        raise input_error("not a text YAML file (it holds NUL bytes)", path=path,
                          fix="give the YAML file (a preset name, or a .yaml of options)")
    return text
