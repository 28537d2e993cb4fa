"""The inventory of asserted facts: every docstring or comment sentence of the library that states
an inequality, a bound, a monotonicity or "X is at most Y", with the claim that checks it.

A sentence *asserts* when it holds one of the symbols ``<=``, ``>=``, ``<``, ``>`` (also ``≤``,
``≥``; arrows ``->``, ``<-``, ``=>``, doctest prompts and placeholders such as ``<claim id>`` are
not comparisons) or one of the words
bounded, at most, at least, no larger, no smaller, never exceeds, monotone (monotonic,
monotonically), decreasing, increasing.

Tag syntax (what ``tests/test_inventory.py`` accepts on an asserting sentence):

- ``(checked: <id>)`` or ``(claim: <id>)``, several ids separated by commas: the id must be in
  the claim table (``recmech.properties.claims.table.claim_ids()``), paper ids (``lemma3``,
  ``theorem2.gaussian``) or the project's own (``project.*``), else the test fails;
- a claim id of the table written in the sentence itself (``... Lemma 3's bound, lemma3``);
- the mark ``definition:``: the sentence defines a quantity, a domain or a convention (a
  parameter's range checked at the gate, a name for a formula), it does not assert a fact.

The sentences are found with ``ast`` (docstrings of modules, classes and functions) and
``tokenize`` (comments; consecutive full-line comments form one block), in every ``.py`` under
the library folders. ``python -m tests.inventory`` prints the counts table.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FOLDERS", "ROOT", "Sentence", "asserting", "counts", "inventory", "kind_of",
           "library_files", "sentences_of", "split_sentences", "tags_of"]

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("recmech", "recmech_core", "bounds", "properties")

_SYMBOL = re.compile(r"<=|>=|≤|≥|(?<![-<=>])<(?![-=<])|(?<![-=<>])>(?![=>])")
_WORDS = re.compile(r"\b(bounded|at most|at least|no larger|no smaller|never exceeds|"
                    r"monoton(?:e|ic|ically)|decreasing|increasing)\b", re.IGNORECASE)
_EXPLICIT = re.compile(r"\((?:checked|claim):\s*([^)]*)\)")
_DEFINITION = re.compile(r"\bdefinition:", re.IGNORECASE)
# a sentence ends at ". " or "? " before a capital, a bracket, a quote, a bullet or the mark
# "definition:" (not after an ellipsis, and not at "!": a factorial), at a blank line, or before
# a bullet line
_SPLIT = re.compile(r"(?<=[.?])(?<!\.\.\.)\s+(?=[A-Z(\"'`*-]|definition:)|\n\s*\n"
                    r"|\n\s*(?=- |\* |\d+\. )")
_ARROWS = re.compile(r"<->|->|<-|=>|>>>|<<|>>|<[A-Za-z_][\w .-]*>")


@dataclass(frozen=True, kw_only=True)
class Sentence:
    """One sentence of a docstring or comment block, where it starts, and its tags."""

    path: str
    line: int
    text: str
    source: str  # "docstring" or "comment"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "text": self.text, "source": self.source}


def library_files(root: Path = ROOT) -> list[Path]:
    """Every .py file under the library folders (globbed: files move between sub-packages)."""
    return sorted(p for folder in FOLDERS for p in (root / folder).rglob("*.py"))


def split_sentences(text: str, first_line: int) -> list[tuple[int, str]]:
    """(line, sentence) pieces of ``text``, whose first line is ``first_line``."""
    out, pos = [], 0
    for m in [*_SPLIT.finditer(text), None]:
        end = len(text) if m is None else m.start()
        piece = text[pos:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            line = first_line + text.count("\n", 0, pos + lead)
            out.append((line, " ".join(piece.split())))
        if m is not None:
            pos = m.end()
    return out


def _docstring_texts(tree: ast.Module):
    """(first line, text) of every module, class and function docstring (the text starts on the
    line of its opening quotes)."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            yield body[0].value.lineno, body[0].value.value


def _comment_blocks(source: str):
    """(first line, text) of each comment block: consecutive full-line comments at one column are
    one block; a comment after code is a block of its own."""
    block: list[str] = []
    start, col, last = 0, -1, -1
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.COMMENT:
            continue
        text = tok.string.lstrip("#").strip()
        text = re.sub(r"\bnoqa(:\s*[A-Z0-9, ]+)?|\btype:\s*ignore\S*", "", text).strip()
        full_line = tok.line[:tok.start[1]].strip() == ""
        if full_line and block and tok.start[0] == last + 1 and tok.start[1] == col:
            block.append(text)
        else:
            if block:
                yield start, "\n".join(block)
            block, start, col = [text], tok.start[0], tok.start[1] if full_line else -2
        last = tok.start[0]
    if block:
        yield start, "\n".join(block)


def sentences_of(path: Path, root: Path = ROOT) -> list[Sentence]:
    """Every sentence of the docstrings and comments of one file."""
    source = path.read_text()
    tree = ast.parse(source, str(path))
    rel = str(path.relative_to(root))
    out = [Sentence(path=rel, line=line, text=s, source="docstring")
           for first, text in _docstring_texts(tree)
           for line, s in split_sentences(text, first)]
    out += [Sentence(path=rel, line=line, text=s, source="comment")
            for first, text in _comment_blocks(source)
            for line, s in split_sentences(text, first)]
    return sorted(out, key=lambda s: s.line)


def asserting(text: str) -> bool:
    """Whether a sentence states a comparison (the symbols and words of the module docstring)."""
    bare = _ARROWS.sub(" ", text)
    return bool(_SYMBOL.search(bare) or _WORDS.search(bare))


def tags_of(text: str, ids) -> tuple[list[str], list[str]]:
    """(known ids, unknown explicit ids) named by a sentence."""
    known, unknown = [], []
    for m in _EXPLICIT.finditer(text):
        for cid in (c.strip() for c in m.group(1).split(",")):
            (known if cid in ids else unknown).append(cid)
    for cid in ids:
        if cid not in known and re.search(rf"(?<![\w]){re.escape(cid)}(?![\w])", text):
            known.append(cid)
    return known, unknown


def kind_of(text: str, ids, new_ids=()) -> str:
    """"paper", "project" (registered before the inventory), "project-new", "definition" or
    "untagged" for an asserting sentence (a project id wins over a paper id)."""
    known, _ = tags_of(text, ids)
    if any(c in new_ids for c in known):
        return "project-new"
    if any(c.startswith("project.") for c in known):
        return "project"
    if known:
        return "paper"
    if _DEFINITION.search(text):
        return "definition"
    return "untagged"


def inventory(root: Path = ROOT) -> list[Sentence]:
    """Every asserting sentence of the library."""
    return [s for p in library_files(root) for s in sentences_of(p, root) if asserting(s.text)]


def counts(found: list[Sentence], ids, new_ids=()) -> Counter:
    """How many asserting sentences of each kind (``kind_of``), and ``found`` in all."""
    c = Counter(kind_of(s.text, ids, new_ids) for s in found)
    c["found"] = len(found)
    return c


def _new_ids() -> tuple[str, ...]:
    from recmech.properties.judging.checks import inventory as new

    return tuple(new.NEW_CLAIMS)


def main() -> None:
    from recmech.properties.claims.table import claim_ids

    ids = set(claim_ids())
    c = counts(inventory(), ids, _new_ids())
    print("| asserting sentences | count |\n|---|---|")
    for key, label in (("found", "found"), ("paper", "tagged with a paper claim"),
                       ("project", "tagged with a project claim registered before"),
                       ("project-new", "tagged with a new project claim"),
                       ("definition", "marked definition:"), ("untagged", "untagged")):
        print(f"| {label} | {c[key]} |")


if __name__ == "__main__":
    main()
