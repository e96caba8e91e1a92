"""datatrove pipeline steps: clean ``doc.text`` with cleantext and record what it changed
(:class:`CleantextFormatter`); count each site's repeated lines (:class:`CleantextSiteProfiler`).

Needs the ``datatrove`` extra: ``pip install 'cleantext-toolkit[datatrove]'``.
This module imports without datatrove; the step then refuses to be created,
saying what to install.

Example::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from cleantext.integrations.datatrove import CleantextFormatter

    LocalPipelineExecutor(
        pipeline=[JsonlReader("raw/"), CleantextFormatter(), JsonlWriter("clean/")],
        tasks=4,
        logging_dir="logs/clean",
    ).run()
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cleantext.emit import Result
from cleantext.pipeline import Pipeline

if TYPE_CHECKING:
    from datatrove.data import Document, DocumentsPipeline

__all__ = ["CleantextFormatter", "CleantextSiteProfiler"]

_INSTALL_HINT = "pip install 'cleantext-toolkit[datatrove]'"

try:
    from datatrove.pipeline.base import PipelineStep
    from datatrove.utils.typeshelper import StatHints
    from loguru import logger  # datatrove's logger
except ImportError as _error:
    _IMPORT_ERROR: ImportError | None = _error

    class PipelineStep:  # type: ignore[no-redef]
        """Stand-in for datatrove's base step when datatrove is not installed: it cannot be created."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise ImportError(
                f"CleantextFormatter needs datatrove: {_INSTALL_HINT} ({_IMPORT_ERROR})"
            ) from _IMPORT_ERROR

else:
    _IMPORT_ERROR = None


class CleantextFormatter(PipelineStep):
    """Clean each document's text with a cleantext :class:`~cleantext.pipeline.Pipeline`.

    ``doc.text`` becomes the clean text (exactly what :meth:`Pipeline.clean`
    returns for it), and ``doc.metadata`` gets, under keys that start with
    ``prefix`` (default ``cleantext``):

    - ``<prefix>_edit_count``: the number of edits;
    - ``<prefix>_removed_chars``: the source characters removed outright
      (edits whose replacement is empty: boilerplate lines, extra blank lines);
    - ``<prefix>_categories``: edits per rule category, with every category of
      the pipeline present (zeros included), so the keys are the same on every
      document;
    - ``<prefix>_edits``: the edits in source coordinates, each as
      :meth:`Edit.to_dict` (left out with ``keep_edits=False``);
    - ``<prefix>_metadata``: what the removed bylines and datelines said
      (``author``, ``published``).

    With ``as_json=True`` (the default) the edits and the found metadata are JSON
    strings, so every document has the same column types (what
    ``ParquetWriter`` needs); with ``as_json=False`` they are a list of dicts
    and a dict, which reads better in JSON Lines. Either way the metadata stays
    JSON-serialisable.

    ``drop_empty`` (default True) drops documents with no text left after
    cleaning (counted as ``dropped`` and ``dropped_empty`` in the stats).

    ``site_key`` (default ``url``) names the document metadata that holds its
    site (a URL or domain): with a pipeline loaded with a site profile
    (``load_options={"profile": "sites.json"}``), the lines the site repeats on
    many pages are removed (see :mod:`cleantext.sites`).

    ``pipeline`` is a ready pipeline, or None for ``Pipeline.load(**load_options)``
    (for example ``load_options={"disable": ["typography"]}``). That one is built
    lazily, once per step instance, in the process that runs the step, and it is
    not pickled with the step, so the step travels light to Slurm or Ray workers.

    Stats: ``total``, ``forwarded``, ``dropped``, ``dropped_empty``, ``changed``
    (documents with at least one edit), ``edits`` and ``removed_chars`` (per
    document), ``edits_<category>``, ``rule_timeouts``, and datatrove's
    ``doc_len`` for the documents forwarded.
    """

    name = "🧹 cleantext"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        pipeline: Pipeline | None = None,
        *,
        load_options: Mapping[str, Any] | None = None,
        drop_empty: bool = True,
        keep_edits: bool = True,
        as_json: bool = True,
        prefix: str = "cleantext",
        site_key: str | None = "url",
    ) -> None:
        super().__init__()
        if pipeline is not None and load_options:
            raise ValueError("give a pipeline or load_options, not both")
        if pipeline is not None and not isinstance(pipeline, Pipeline):
            raise TypeError(f"pipeline must be a cleantext Pipeline or None, not {type(pipeline).__name__}")
        self.load_options: dict[str, Any] = dict(load_options or {})
        self.drop_empty = drop_empty
        self.keep_edits = keep_edits
        self.as_json = as_json
        self.prefix = prefix
        self.site_key = site_key
        self._given = pipeline is not None
        self._pipeline: Pipeline | None = pipeline
        self._categories: tuple[str, ...] = ()

    @property
    def pipeline(self) -> Pipeline:
        """The cleantext pipeline, built on first use."""
        if self._pipeline is None:
            self._pipeline = Pipeline.load(**self.load_options)
        return self._pipeline

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if not self._given:
            # Rebuilt where the step runs; the pickle carries only the options.
            state["_pipeline"] = None
            state["_categories"] = ()
        return state

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Clean each document of ``data``; yield the kept ones."""
        if data is None:
            return
        pipeline = self.pipeline
        if not self._categories:
            self._categories = tuple(sorted({rule.category for rule in pipeline.rules}))
        for doc in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                site = doc.metadata.get(self.site_key) if self.site_key else None
                result = pipeline.clean(doc.text, name=str(doc.id), site=site if isinstance(site, str) else None)
            counts = Counter(edit.category for edit in result.edits)
            removed = sum(len(edit.before) for edit in result.edits if not edit.after)
            self._count(result, counts, removed)
            if self.drop_empty and not result.text.strip():
                self.stat_update(StatHints.dropped, "dropped_empty")
                continue
            self._record(doc, result, counts, removed)
            self.stat_update(StatHints.forwarded)
            self.update_doc_stats(doc)
            yield doc

    def _count(self, result: Result, counts: Counter[str], removed: int) -> None:
        if result.edits:
            self.stat_update("changed")
        self.stat_update("edits", value=len(result.edits))
        self.stat_update("removed_chars", value=removed)
        for category, count in sorted(counts.items()):
            self.stat_update(f"edits_{category}", value=count)
        if result.warnings:
            self.stat_update("rule_timeouts", value=len(result.warnings))
            for warning in result.warnings:
                logger.warning(warning)

    def _record(self, doc: Document, result: Result, counts: Counter[str], removed: int) -> None:
        doc.text = result.text
        prefix = self.prefix
        doc.metadata[f"{prefix}_edit_count"] = len(result.edits)
        doc.metadata[f"{prefix}_removed_chars"] = removed
        doc.metadata[f"{prefix}_categories"] = {
            category: counts.get(category, 0) for category in sorted({*self._categories, *counts})
        }
        found = dict(result.metadata)
        edits = [edit.to_dict() for edit in result.edits] if self.keep_edits else None
        if self.as_json:
            if edits is not None:
                doc.metadata[f"{prefix}_edits"] = json.dumps(edits, ensure_ascii=False)
            doc.metadata[f"{prefix}_metadata"] = json.dumps(found, ensure_ascii=False)
        else:
            if edits is not None:
                doc.metadata[f"{prefix}_edits"] = edits
            doc.metadata[f"{prefix}_metadata"] = found


class CleantextSiteProfiler(PipelineStep):
    """Count, per site, the pages each line is on (a :class:`~cleantext.sites.SiteProfile`), passing documents on.

    Each task counts its documents as ``cleantext profile`` does (the text the
    strip stage would see) under the site in ``doc.metadata[site_key]``
    (default ``url``; documents without one are not counted) and writes its
    profile to ``output_folder/profile-RANK.json`` when its documents are
    done. ``cleantext profile --merge`` (or :meth:`SiteProfile.merged`) adds
    the tasks' files up into the profile a :class:`CleantextFormatter` then
    uses (``load_options={"profile": "sites.json"}``).
    """

    name = "🗺 cleantext site profile"
    type = "📊 - STATS"

    def __init__(
        self,
        output_folder: str,
        *,
        load_options: Mapping[str, Any] | None = None,
        site_key: str = "url",
    ) -> None:
        super().__init__()
        self.output_folder = output_folder
        self.load_options: dict[str, Any] = dict(load_options or {})
        self.site_key = site_key

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Count each document of ``data`` under its site; yield it unchanged; write the task's profile."""
        from pathlib import Path

        from cleantext.sites import SiteProfile

        if data is None:
            return
        counting = Pipeline.load(**self.load_options).up_to("strip")
        profile = SiteProfile()
        for doc in data:
            site = doc.metadata.get(self.site_key)
            if isinstance(site, str) and site.strip():
                with self.track_time():
                    profile.add(site, counting.clean(doc.text, name=str(doc.id)).text)
                self.stat_update("counted")
            else:
                self.stat_update("without_site")
            yield doc
        folder = Path(self.output_folder)
        folder.mkdir(parents=True, exist_ok=True)
        profile.save(folder / f"profile-{rank:05d}.json")
