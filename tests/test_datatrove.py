"""CleantextFormatter in datatrove pipelines run by LocalPipelineExecutor."""

import json
import pickle
import subprocess
import sys

import pytest

pytest.importorskip("datatrove")

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor

from cleantext import Pipeline
from cleantext.integrations.datatrove import CleantextFormatter

BYLINE_ARTICLE = (
    "By Jane Doe\n"
    "\n"
    "KYIV \u2014 President Volodymyr Zelenskiy said on Tuesday that Ukraine\u2019s grid would hold through the\n"
    "coldest week of the winter, as temperatures in the capital fell to -20C overnight.\n"
    "\n"
    "\u201cWe will get through this,\u201d he said in his nightly address.\n"
    "\n"
    "\n"
    "\n"
    "\n"
)
PLAIN_ARTICLE = "The council approved the budget on Monday. Nothing else changed.\n"
ONLY_BOILERPLATE = "By Jane Doe\n\n\n"
PIPELINE = Pipeline.load()


def _documents():
    return [
        Document(text=BYLINE_ARTICLE, id="byline", metadata={"url": "https://example.com/kyiv"}),
        Document(text=PLAIN_ARTICLE, id="plain"),
        Document(text=ONLY_BOILERPLATE, id="empty"),
        Document(text="", id="blank"),
    ]


def _run(tmp_path, step, *, tasks=1):
    """Run [documents, step, collector] in this process; return the documents that came out and the stats."""
    collected = []

    def collect(data, rank=0, world_size=1):
        for doc in data:
            collected.append(doc)
            yield doc

    executor = LocalPipelineExecutor(
        pipeline=[_documents(), step, collect], tasks=tasks, workers=1, logging_dir=str(tmp_path / "logs")
    )
    stats = executor.run()
    return collected, stats


def _stats_of(stats):
    (step_stats,) = [s for s in stats.stats if "cleantext" in s.name]
    return step_stats.stats


def test_step_cleans_text_and_records_metadata(tmp_path):
    docs, stats = _run(tmp_path, CleantextFormatter())
    assert [doc.id for doc in docs] == ["byline", "plain"]
    byline, plain = docs
    expected = PIPELINE.clean(BYLINE_ARTICLE)
    assert byline.text == expected.text
    assert "Zelenskyy" in byline.text and "-20 °C" in byline.text and "By Jane Doe" not in byline.text
    meta = byline.metadata
    assert meta["url"] == "https://example.com/kyiv"
    assert meta["cleantext_edit_count"] == len(expected.edits)
    assert json.loads(meta["cleantext_edits"]) == [edit.to_dict() for edit in expected.edits]
    assert json.loads(meta["cleantext_metadata"]) == {"author": "Jane Doe"}
    assert meta["cleantext_removed_chars"] == sum(len(e.before) for e in expected.edits if not e.after)
    assert meta["cleantext_removed_chars"] >= len("By Jane Doe\n") + 3
    categories = meta["cleantext_categories"]
    assert categories["byline"] == 1 and categories["names"] == 1 and categories["units"] == 1
    assert categories["typography"] >= 3 and categories["promo"] == 0
    assert sum(categories.values()) == len(expected.edits)
    # The same keys on every document, so column-based writers see one schema.
    assert plain.metadata["cleantext_categories"].keys() == categories.keys()
    assert plain.text == PLAIN_ARTICLE and plain.metadata["cleantext_edit_count"] == 0
    assert json.loads(plain.metadata["cleantext_edits"]) == []
    json.dumps([doc.metadata for doc in docs])

    counts = _stats_of(stats)
    assert counts["total"].total == 4
    assert counts["forwarded"].total == 2
    assert counts["dropped"].total == 2 and counts["dropped_empty"].total == 2
    assert counts["edits_byline"].total == 2  # the dropped document had a byline too
    assert counts["edits"].total == len(expected.edits) + len(PIPELINE.clean(ONLY_BOILERPLATE).edits)
    assert counts["changed"].total == 2
    assert counts["doc_len"].total == len(byline.text) + len(plain.text)
    saved = json.loads((tmp_path / "logs" / "stats.json").read_text())
    assert any("cleantext" in step["name"] for step in saved)


def test_step_options_keep_empty_documents_and_native_metadata(tmp_path):
    step = CleantextFormatter(
        load_options={"disable": ["typography"]}, drop_empty=False, as_json=False, prefix="ct", keep_edits=True
    )
    docs, stats = _run(tmp_path, step)
    assert [doc.id for doc in docs] == ["byline", "plain", "empty", "blank"]
    byline = docs[0]
    expected = Pipeline.load(disable=["typography"]).clean(BYLINE_ARTICLE)
    assert byline.text == expected.text and "\u201c" in byline.text
    assert byline.metadata["ct_edits"] == [edit.to_dict() for edit in expected.edits]
    assert byline.metadata["ct_metadata"] == {"author": "Jane Doe"}
    assert "typography" not in byline.metadata["ct_categories"]
    assert docs[2].text.strip() == "" and docs[2].metadata["ct_edit_count"] > 0
    json.dumps([doc.metadata for doc in docs])
    assert "dropped" not in _stats_of(stats)


def test_step_without_edit_lists(tmp_path):
    docs, _ = _run(tmp_path, CleantextFormatter(keep_edits=False))
    assert "cleantext_edits" not in docs[0].metadata
    assert docs[0].metadata["cleantext_edit_count"] > 0


def test_step_in_two_worker_processes_writes_parquet(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from datatrove.pipeline.writers import ParquetWriter

    # Each task gets the whole list; both write the same three cleaned documents.
    executor = LocalPipelineExecutor(
        pipeline=[_documents(), CleantextFormatter(), ParquetWriter(str(tmp_path / "out"))],
        tasks=2,
        workers=2,
        logging_dir=str(tmp_path / "logs"),
    )
    stats = executor.run()
    assert _stats_of(stats)["forwarded"].total == 4
    files = sorted((tmp_path / "out").glob("*.parquet"))
    assert len(files) == 2  # one per task
    for path in files:
        rows = pq.read_table(path).to_pylist()
        assert [row["id"] for row in rows] == ["byline", "plain"]
        assert rows[0]["text"] == PIPELINE.clean(BYLINE_ARTICLE).text
        assert json.loads(rows[0]["metadata"]["cleantext_metadata"]) == {"author": "Jane Doe"}
        assert rows[1]["metadata"]["cleantext_categories"]["byline"] == 0


def test_step_pickles_without_its_lazy_pipeline():
    step = CleantextFormatter()
    list(step.run(iter(_documents()[:1])))
    assert step._pipeline is not None
    copy = pickle.loads(pickle.dumps(step))
    assert copy._pipeline is None
    assert len(pickle.dumps(step)) < 10_000
    assert next(copy.run(iter(_documents()[:1]))).text == PIPELINE.clean(BYLINE_ARTICLE).text

    given = CleantextFormatter(Pipeline.load(disable=["names"]))
    copy = pickle.loads(pickle.dumps(given))
    assert "Zelenskiy" in next(iter(copy.run(iter(_documents()[:1])))).text


def test_step_checks_its_arguments():
    with pytest.raises(ValueError, match="not both"):
        CleantextFormatter(PIPELINE, load_options={"disable": ["names"]})
    with pytest.raises(TypeError, match="Pipeline"):
        CleantextFormatter("default")


def test_without_datatrove_the_step_says_what_to_install():
    code = (
        "import sys; sys.modules['datatrove'] = None\n"
        "from cleantext.integrations.datatrove import CleantextFormatter\n"
        "try:\n"
        "    CleantextFormatter()\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'cleantext-toolkit[datatrove]'" in out


def test_step_removes_a_sites_template_with_a_profile(tmp_path):
    from cleantext.sites import SiteProfile

    template = "Where intelligence is put to the test."  # a real site's line (WCXB dev 0222)
    bodies = [BYLINE_ARTICLE, PLAIN_ARTICLE, "The bridge reopens in May after repairs.\n"]
    profile = SiteProfile.of(("example.com", body + "\n" + template + "\n") for body in bodies)
    documents = [
        Document(text=body + "\n" + template + "\n", id=str(n), metadata={"url": f"https://example.com/{n}"})
        for n, body in enumerate(bodies)
    ]
    step = CleantextFormatter(load_options={"profile": profile})
    out = list(step.run(documents))
    assert len(out) == 3 and not any(template in doc.text for doc in out)
    assert all(json.loads(doc.metadata["cleantext_metadata"])["site"] == "example.com" for doc in out)


def test_profiler_steps_write_profiles_that_add_up_to_the_batch(tmp_path):
    from cleantext.integrations.datatrove import CleantextSiteProfiler
    from cleantext.sites import SiteProfile

    template = "Where intelligence is put to the test."  # a real site's line (WCXB dev 0222)
    bodies = [BYLINE_ARTICLE, PLAIN_ARTICLE, "The bridge reopens in May after repairs.\n"]
    documents = [
        Document(text=body + "\n" + template + "\n", id=str(n), metadata={"url": f"https://example.com/{n}"})
        for n, body in enumerate(bodies)
    ]
    step = CleantextSiteProfiler(str(tmp_path / "profiles"))
    assert [doc.text for doc in step.run(documents[:2], rank=0)] == [doc.text for doc in documents[:2]]
    list(step.run([*documents[2:], Document(text="No site.", id="x")], rank=1))
    merged = SiteProfile.merged(map(SiteProfile.load, sorted((tmp_path / "profiles").glob("profile-*.json"))))
    assert merged.pages("example.com") == 3 and merged.pages_with("example.com", template) == 3
