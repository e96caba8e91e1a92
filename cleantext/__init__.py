"""cleantext: strip boilerplate from article text and normalize it, with provenance.

>>> import cleantext
>>> result = cleantext.clean("\\u201cHello\\u201d  world")
>>> result.text
'"Hello" world\\n'
>>> result.source_span(0, 1)
(0, 1)
"""

from __future__ import annotations

import warnings as _warnings
from pathlib import Path as _Path

__version__ = "0.2.0"

from cleantext.document import Document, RuleRef
from cleantext.emit import Edit, Result
from cleantext.errors import CleantextError, InputError, RuleError
from cleantext.pipeline import Pipeline, clean

# The clean-text distribution installs a module also called ``cleantext``; in
# one environment the two overwrite each other's files. Its modules beside ours
# mean it was installed over this package.
_FOREIGN = ("clean.py", "constants.py", "specials.py", "sklearn.py")
if any((_Path(__file__).parent / name).exists() for name in _FOREIGN):
    _warnings.warn(
        "the clean-text package's files are mixed into this cleantext package (both install a module "
        "named 'cleantext'); run 'pip uninstall clean-text cleantext-toolkit' and reinstall cleantext-toolkit "
        "in an environment without clean-text",
        RuntimeWarning,
        stacklevel=2,
    )


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
