"""cleantext: strip boilerplate from article text and normalize it, with provenance.

>>> import cleantext
>>> result = cleantext.clean("\\u201cHello\\u201d  world")
>>> result.text
'"Hello" world\\n'
>>> result.source_span(0, 1)
(0, 1)
"""

from __future__ import annotations

__version__ = "0.1.0"

from cleantext.document import Document, RuleRef
from cleantext.emit import Edit, Result
from cleantext.errors import CleantextError, InputError, RuleError
from cleantext.pipeline import Pipeline, clean

__all__ = [
    "CleantextError",
    "Document",
    "Edit",
    "InputError",
    "Pipeline",
    "Result",
    "RuleError",
    "RuleRef",
    "__version__",
    "clean",
]
