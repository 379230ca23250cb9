"""runicorn 0.7's own client document, read at test time (it is not copied into the
project), and its code blocks with the import rewritten to this SDK's.

The document is looked for at ``$RUNICORN_CLIENT_DOC``, else in a ``shared/reference``
folder beside this repository or above it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = "runicorn-client-0.7.md"

IMPORTS = (
    ("import runicorn.client.utils as", "import runicorn_api.utils as"),
    ("import runicorn.client as", "import runicorn_api as"),
    ("from runicorn.client.utils import", "from runicorn_api.utils import"),
    ("from runicorn.client import", "from runicorn_api import"),
)
"""The one change an example gets: its import."""


@dataclass
class Section:
    title: str
    blocks: list[str] = field(default_factory=list)


def find_doc() -> Path | None:
    given = os.environ.get("RUNICORN_CLIENT_DOC")
    if given:
        return Path(given)
    for folder in (ROOT, *ROOT.parents):
        candidate = folder / "shared" / "reference" / DOC
        if candidate.is_file():
            return candidate
    return None


def rewrite(code: str) -> str:
    for old, new in IMPORTS:
        code = code.replace(old, new)
    return code


def sections(doc: Path) -> list[Section]:
    """The document's ``##`` sections with their runnable Python blocks (a block that
    does not compile, such as a response shape with ``...``, is not an example)."""
    found: list[Section] = []
    text = doc.read_text(encoding="utf-8")
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = part.partition("\n")
        section = Section(title.strip())
        for code in re.findall(r"```python\n(.*?)```", body, flags=re.S):
            try:
                compile(code, "<example>", "exec")
            except SyntaxError:
                continue
            section.blocks.append(rewrite(code))
        if section.blocks:
            found.append(section)
    return found
