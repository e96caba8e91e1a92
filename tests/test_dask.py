"""cleantext.dask on a real two-process Dask cluster: same results as Pipeline.clean, one pipeline per worker."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")
pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402

from cleantext import InputError, Pipeline  # noqa: E402
from cleantext.dask import clean_bag, clean_dataframe  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

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
ARTICLES = [
    BYLINE_ARTICLE,
    *(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt")) if ".clean" not in path.name),
    PLAIN_ARTICLE,
]
PIPELINE = Pipeline.load()


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            worker_dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _expected(text):
    return PIPELINE.clean(text)


def test_the_articles_are_edited():
    result = _expected(BYLINE_ARTICLE)
    rules = {edit.rule for edit in result.edits}
    assert {"bylines.by-name", "names.zelenskyy", "units.temperature-signed", "typography.double-quotes"} <= rules
    assert result.metadata == {"author": "Jane Doe"}
    assert result.text.endswith("address.\n")
    assert len(ARTICLES) == 7


@pytest.mark.parametrize("output", ["dict", "json", "text", "result"])
def test_clean_bag_matches_pipeline_clean(client, output):
    bag = db.from_sequence(ARTICLES, npartitions=3)
    got = clean_bag(bag, pipeline=PIPELINE, output=output).compute()
    expected = [_expected(text) for text in ARTICLES]
    if output == "dict":
        assert got == [result.to_dict() for result in expected]
    elif output == "json":
        assert got == [result.to_json() for result in expected]
        assert json.loads(got[0])["metadata"] == {"author": "Jane Doe"}
    elif output == "text":
        assert got == [result.text for result in expected]
    else:
        assert got == expected


def test_clean_bag_default_pipeline_names_missing_and_bytes(client):
    items = [(BYLINE_ARTICLE, "byline.txt"), None, float("nan"), PLAIN_ARTICLE.encode("utf-8")]
    got = clean_bag(db.from_sequence(items, npartitions=2)).compute()
    assert got[0] == PIPELINE.clean(BYLINE_ARTICLE, name="byline.txt").to_dict()
    assert got[0]["source"] == "byline.txt"
    assert got[1] is None and got[2] is None
    assert got[3] == PIPELINE.clean(PLAIN_ARTICLE.encode("utf-8")).to_dict()


def test_clean_bag_bad_bytes_raise_or_go_missing(client):
    bad = b"\x00\x01\x02\x03binary\xff\xfe\x00\x00" * 8
    bag = db.from_sequence([PLAIN_ARTICLE, bad], npartitions=1)
    with pytest.raises(InputError):
        clean_bag(bag, output="text").compute()
    assert clean_bag(bag, output="text", on_error="missing").compute() == [PIPELINE.clean(PLAIN_ARTICLE).text, None]


def test_clean_dataframe_matches_pipeline_clean(client):
    frame = pd.DataFrame({"id": range(len(ARTICLES) + 2), "body": [*ARTICLES, None, float("nan")]})
    ddf = dd.from_pandas(frame, npartitions=3)
    cleaned = clean_dataframe(ddf, "body", pipeline=PIPELINE, edits_column="{column}_edits", metadata_column="meta")
    assert list(cleaned.columns) == ["id", "body", "body_clean", "body_edit_count", "body_edits", "meta"]
    assert str(cleaned.dtypes["body_edit_count"]) == "Int64"
    got = cleaned.compute()
    assert list(got.dtypes) == list(cleaned.dtypes)
    assert got["id"].tolist() == list(range(len(ARTICLES) + 2))
    for row, text in zip(got.itertuples(index=False), ARTICLES, strict=False):
        result = _expected(text)
        assert row.body_clean == result.text
        assert row.body_edit_count == len(result.edits)
        assert json.loads(row.body_edits) == [edit.to_dict() for edit in result.edits]
        assert json.loads(row.meta) == dict(result.metadata)
    assert json.loads(got["meta"].iloc[0]) == {"author": "Jane Doe"}
    missing = got.iloc[len(ARTICLES) :]
    for name in ("body_clean", "body_edit_count", "body_edits", "meta"):
        assert missing[name].isna().all(), name


def test_clean_dataframe_defaults_and_in_place(client):
    frame = pd.DataFrame({"text": [BYLINE_ARTICLE, None, PLAIN_ARTICLE]})
    ddf = dd.from_pandas(frame, npartitions=2)
    got = clean_dataframe(ddf, "text").compute()
    assert list(got.columns) == ["text", "text_clean", "text_edit_count"]
    assert got["text_clean"].iloc[0] == _expected(BYLINE_ARTICLE).text
    assert pd.isna(got["text_clean"].iloc[1])
    in_place = clean_dataframe(ddf, "text", text_column="{column}", edit_count_column=None).compute()
    assert list(in_place.columns) == ["text"]
    assert in_place["text"].iloc[2] == _expected(PLAIN_ARTICLE).text


def test_clean_dataframe_checks_its_arguments():
    ddf = dd.from_pandas(pd.DataFrame({"text": ["a"]}), npartitions=1)
    with pytest.raises(KeyError, match="body"):
        clean_dataframe(ddf, "body")
    with pytest.raises(ValueError, match="distinct"):
        clean_dataframe(ddf, "text", text_column="out", edit_count_column="out")
    with pytest.raises(ValueError, match="output"):
        clean_bag(db.from_sequence(["a"]), output="html")
    with pytest.raises(TypeError, match="Bag"):
        clean_bag(["a"])


def _count_builds_in_this_process():
    import cleantext.pipeline as module

    module._builds_for_test = 0
    if getattr(module.Pipeline.__init__, "counting_for_test", False):
        return
    original = module.Pipeline.__init__

    def counting_init(self, *args, **kwargs):
        module._builds_for_test += 1
        original(self, *args, **kwargs)

    counting_init.counting_for_test = True
    module.Pipeline.__init__ = counting_init


def _builds_in_this_process():
    import cleantext.pipeline as module

    return module._builds_for_test


def test_pipeline_is_built_once_per_worker_not_per_document(client):
    client.run(_count_builds_in_this_process)
    # A pipeline no earlier test shipped, so no worker has it cached yet.
    pipeline = Pipeline.load(disable=["units"])
    documents = ARTICLES * 4
    bag = db.from_sequence(documents, npartitions=8)
    texts = clean_bag(bag, pipeline=pipeline, output="text").compute()
    assert texts == [pipeline.clean(text).text for text in documents]
    ddf = dd.from_pandas(pd.DataFrame({"body": documents}), npartitions=6)
    assert clean_dataframe(ddf, "body", pipeline=pipeline)["body_clean"].compute().tolist() == texts
    builds = client.run(_builds_in_this_process)
    assert len(builds) == 2
    assert all(count <= 1 for count in builds.values()), builds
    assert sum(builds.values()) >= 1, builds


def test_other_item_types_are_a_type_error(client):
    with pytest.raises(TypeError, match="cannot clean a int"):
        clean_bag(db.from_sequence([PLAIN_ARTICLE, 5], npartitions=1), output="text").compute()


def test_without_dask_the_functions_say_what_to_install():
    code = (
        "import sys; sys.modules['dask'] = None\n"
        "from cleantext.dask import clean_bag\n"
        "try:\n"
        "    clean_bag([])\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'cleantext-toolkit[dask]'" in out


def test_a_bag_is_profiled_by_site_and_cleaned_with_the_profile(client):
    from cleantext.dask import profile_bag

    template = "Coverage from SiliconANGLE's livestreaming video studio"  # a real site's line (WCXB dev 0462)
    pages = [article + "\n\n" + template + "\n" for article in ARTICLES[1:6]]
    items = [(page, "https://www.news.example/a") for page in pages] + [(PLAIN_ARTICLE, None)]
    bag = db.from_sequence(items, npartitions=3)
    profile = profile_bag(bag).compute()
    assert profile.pages("news.example") == len(pages) and profile.pages_with("news.example", template) == len(pages)
    pipeline = Pipeline.load(profile=profile)
    items = db.from_sequence([(page, None, "news.example") for page in pages], npartitions=2)
    texts = clean_bag(items, pipeline=pipeline, output="text").compute()
    assert texts == [pipeline.clean(page, site="news.example").text for page in pages]
    assert not any(template in text for text in texts)
    frame = dd.from_pandas(pd.DataFrame({"body": pages, "url": ["https://news.example/x"] * len(pages)}), npartitions=2)
    cleaned = clean_dataframe(frame, "body", pipeline=pipeline, site_column="url").compute()
    assert not any(template in text for text in cleaned["body_clean"])
