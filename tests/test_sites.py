"""Site profiles: counting the lines a site repeats, and removing them with provenance."""

import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleantext import Pipeline
from cleantext.cli import main
from cleantext.errors import RuleError
from cleantext.rules import SiteRule
from cleantext.sites import SiteProfile, line_key, site_of
from cleantext.testing import assert_provenance

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

# Real template lines of real sites, from the `without` snippets (furniture) of WCXB's
# development pages (ids 0216, 0462, 0222, 2875, 0547): lines the rule packs do not know.
TEMPLATE_TOP = ["Serving technical professionals globally for over 75 years", "Small. Fast. Reliable."]
TEMPLATE_BOTTOM = [
    "Coverage from SiliconANGLE's livestreaming video studio",
    "Where intelligence is put to the test.",
    "THESE FORUMS ARE READ-ONLY: Please Read Me",
]


def site_pages():
    """The five seed articles, each framed by the same template, as the pages of one site."""
    return [
        "\n\n".join([*TEMPLATE_TOP, seed.read_text(encoding="utf-8").strip(), *TEMPLATE_BOTTOM]) + "\n"
        for seed in SEEDS
    ]


PLAIN = Pipeline.load()


def with_profile(profile):
    return Pipeline(PLAIN.rules, options=PLAIN.options, profile=profile)


COUNTING = PLAIN.up_to("strip")  # the text as the boilerplate rules see it, as `cleantext profile` counts it


def profiled(pages, site="news.example"):
    return SiteProfile.of((site, COUNTING.clean(page).text) for page in pages)


def test_a_sites_template_is_removed_and_its_articles_stay_whole():
    pages = site_pages()
    profile = profiled(pages)
    cleaner = with_profile(profile)
    for page, seed in zip(pages, SEEDS, strict=True):
        result = cleaner.clean(page, site="https://www.news.example/story")
        assert_provenance(result)
        for line in TEMPLATE_TOP + TEMPLATE_BOTTOM:
            assert line not in result.text, (seed.name, line)
        # Every line the article keeps without a profile, it keeps with one.
        alone = PLAIN.clean(seed.read_text(encoding="utf-8")).text
        assert [line for line in alone.split("\n") if line] == [line for line in result.text.split("\n") if line]
        assert {edit.rule for edit in result.edits if edit.category == "template"} == {"site.repeated"}
        assert result.metadata["site"] == "news.example"
        details = [dict(edit.detail) for edit in result.edits if edit.rule == "site.repeated"]
        assert details and all(detail == {"pages": 5, "of": 5} for detail in details)
        assert all(
            edit["detail"] == {"pages": 5, "of": 5}
            for edit in json.loads(result.to_json())["edits"]
            if edit["rule"] == "site.repeated"
        )


def test_without_a_site_or_a_profile_nothing_changes():
    pages = site_pages()
    profile = profiled(pages)
    plain = PLAIN.clean(pages[0]).text
    assert with_profile(profile).clean(pages[0]).text == plain  # no site given
    assert with_profile(profile).clean(pages[0], site="other.example").text == plain
    assert PLAIN.clean(pages[0], site="news.example").text == plain  # no profile


@settings(max_examples=25)  # each example compiles a pipeline
@given(
    st.permutations(range(len(SEEDS))).map(lambda order: order[: 3 + order[0] % 3]),  # 3 to 5 distinct pages
    st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30)),
)
def test_a_line_on_one_page_only_is_never_removed(choices, extra_lines):
    pages = [SEEDS[index].read_text(encoding="utf-8") for index in choices]
    pages[0] += "\n\n" + "\n\n".join(extra_lines)
    profile = profiled(pages)
    cleaner = with_profile(profile)
    for page in pages:
        result = cleaner.clean(page, site="news.example")
        for edit in result.edits:
            if edit.rule == "site.repeated":
                detail = dict(edit.detail)
                line = edit.before.strip("\n")
                assert detail["pages"] >= 3 and profile.pages_with("news.example", line) == detail["pages"], edit
        kept = set(PLAIN.clean(page).text.split("\n"))
        removed = kept - set(result.text.split("\n"))
        assert all(profile.pages_with("news.example", line) >= 3 for line in removed), removed


@given(st.lists(st.tuples(st.sampled_from(["a.example", "b.example"]), st.text(max_size=60)), max_size=12), st.data())
def test_profiles_of_parts_of_a_batch_add_up_to_the_profile_of_the_batch(pages, data):
    cut = data.draw(st.integers(0, len(pages)))
    parts = SiteProfile.of(pages[:cut]).update(SiteProfile.of(pages[cut:]))
    assert parts == SiteProfile.of(pages)
    assert SiteProfile.from_dict(json.loads(json.dumps(parts.to_dict()))) == parts


def test_lines_are_counted_case_digits_and_punctuation_aside():
    assert line_key("Sign up for our newsletter!") == line_key("SIGN UP FOR OUR NEWSLETTER")
    assert line_key("© 2025 Example News") == line_key("© 2026 Example News")
    assert line_key("Sign up for our newsletter") != line_key("Sign up for their newsletter")
    assert line_key("— * —") is None
    assert site_of("https://WWW.Example.com:8080/a?b=c") == "example.com"


def test_a_profile_file_round_trips_and_bad_ones_are_refused_by_name(tmp_path):
    profile = profiled(site_pages())
    path = tmp_path / "sites.json"
    profile.save(path)
    assert SiteProfile.load(path) == profile
    cases = {
        "notjson.json": "{not json",
        "other.json": '{"format": "something-else"}',
        "version.json": '{"format": "cleantext-site-profile", "version": 9, "sites": {}}',
        "counts.json": '{"format": "cleantext-site-profile", "version": 1, '
        '"sites": {"a": {"pages": 1, "lines": {"x": 2}}}}',
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        with pytest.raises(RuleError, match=name):
            SiteProfile.load(tmp_path / name)


def test_a_pipeline_with_a_profile_travels_to_worker_processes():
    pages = site_pages()
    pipeline = with_profile(profiled(pages))
    assert pickle.loads(pickle.dumps(pipeline)).profile == pipeline.profile
    results = list(pipeline.clean_many([(page, None, None, "news.example") for page in pages[:2]], jobs=2))
    assert all(TEMPLATE_BOTTOM[0] not in result.text for result in results)


def test_site_rule_values_are_checked():
    with pytest.raises(ValueError, match="min_pages must be 2 or more"):
        SiteRule(id="t.site", category="t", min_pages=1)
    with pytest.raises(ValueError, match="min_share"):
        SiteRule(id="t.site", category="t", min_share=1.5)


def test_example_pages_belong_to_site_rules_only(tmp_path):
    pack = tmp_path / "p.toml"
    pack.write_text(
        '[[rule]]\nid = "p.ad"\ncategory = "promo"\nkind = "line"\npattern = "^Ad$"\ndescription = "d"\n'
        '[[rule.example]]\ninput = "Ad\\n"\noutput = ""\npages = ["Ad\\n"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="apply to site rules only"):
        Pipeline.load(packs=[], extra=[pack])


def test_the_command_line_profiles_a_crawl_and_cleans_it_with_the_profile(tmp_path, capsys):
    crawl = tmp_path / "crawl" / "news.example"
    crawl.mkdir(parents=True)
    for number, page in enumerate(site_pages()):
        (crawl / f"{number}.txt").write_text(page, encoding="utf-8")
    records = tmp_path / "pages.jsonl"
    records.write_text(
        "".join(
            json.dumps({"meta": {"url": f"https://news.example/{n}"}, "text": p}) + "\n"
            for n, p in enumerate(site_pages())
        ),
        encoding="utf-8",
    )
    profile = tmp_path / "sites.json"
    assert main(["profile", str(tmp_path / "crawl"), "-o", str(profile)]) == 0
    assert "profiled 5 pages of 1 sites" in capsys.readouterr().err
    from_records = tmp_path / "records.json"
    assert main(["profile", str(records), "-o", str(from_records), "--site-field", "meta.url"]) == 0
    assert SiteProfile.load(from_records) == SiteProfile.load(profile)

    out = tmp_path / "out"
    assert main(["clean", str(tmp_path / "crawl"), "-o", f"{out}/", "--profile", str(profile), "-q"]) == 0
    for cleaned in (out / "news.example").glob("*.txt"):
        text = cleaned.read_text(encoding="utf-8")
        assert not any(line in text for line in TEMPLATE_TOP + TEMPLATE_BOTTOM), cleaned.name
    capsys.readouterr()
    assert main(["clean", str(records), "--profile", str(profile), "--site-field", "meta.url", "-q"]) == 0
    assert TEMPLATE_BOTTOM[0] not in capsys.readouterr().out

    (tmp_path / "broken.json").write_text("[]", encoding="utf-8")
    assert main(["clean", str(records), "--profile", str(tmp_path / "broken.json")]) == 2
    assert "broken.json: not a site profile" in capsys.readouterr().err


def test_profile_auto_counts_the_inputs_first_and_cleans_them_with_it(tmp_path, capsys):
    crawl = tmp_path / "crawl" / "news.example"
    crawl.mkdir(parents=True)
    for number, page in enumerate(site_pages()):
        (crawl / f"{number}.txt").write_text(page, encoding="utf-8")
    (crawl / "broken.txt").write_bytes(b"\xff\xfe\x00broken \xc3")
    profile = tmp_path / "sites.json"
    assert main(["profile", str(tmp_path / "crawl"), "-o", str(profile)]) == 1
    capsys.readouterr()
    with_file, auto = tmp_path / "with-file", tmp_path / "auto"
    assert main(["clean", str(tmp_path / "crawl"), "-o", f"{with_file}/", "--profile", str(profile), "-q"]) == 1
    capsys.readouterr()
    assert main(["clean", str(tmp_path / "crawl"), "-o", f"{auto}/", "--profile", "auto"]) == 1
    errors = capsys.readouterr().err
    assert errors.count("broken.txt") == 1  # reported by the pass that cleans, not by the count before it
    cleaned = sorted(path.name for path in (auto / "news.example").glob("*.txt"))
    assert cleaned == [f"{number}.txt" for number in range(5)]
    for name in cleaned:
        text = (auto / "news.example" / name).read_text(encoding="utf-8")
        assert text == (with_file / "news.example" / name).read_text(encoding="utf-8")
        assert not any(line in text for line in TEMPLATE_TOP + TEMPLATE_BOTTOM), name
    assert main(["stats", str(tmp_path / "crawl"), "--profile", "auto", "--format", "json"]) == 1
    assert "site.repeated" in capsys.readouterr().out


def test_profile_auto_leaves_the_output_folder_and_sites_it_cannot_tell_out(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    for number, page in enumerate(site_pages()):
        (site / f"{number}.txt").write_text(page, encoding="utf-8")
    out = site / "out"
    command = ["clean", str(site), "--site", "news.example", "-o", f"{out}/", "--format", "json", "--profile", "auto"]
    for _ in range(2):  # the second run finds the first one's outputs in the folder: they are not pages
        assert main(command) == 0
        result = json.loads((out / "0.txt.json").read_text(encoding="utf-8"))
        details = [edit["detail"] for edit in result["edits"] if edit["rule"] == "site.repeated"]
        assert details and all(detail == {"pages": 5, "of": 5} for detail in details)
    capsys.readouterr()
    assert (
        main(["clean", str(site / "0.txt"), str(site / "1.txt"), "-o", f"{tmp_path / 'plain'}/", "--profile", "auto"])
        == 0
    )
    assert "2 documents have no site and were not counted" in capsys.readouterr().err


def test_profile_auto_refuses_stdin(capsys):
    assert main(["clean", "-", "--profile", "auto"]) == 2
    assert "--profile auto reads the inputs twice" in capsys.readouterr().err


def test_documents_without_a_site_are_not_counted_and_said_so(tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("Body.\n", encoding="utf-8")
    assert main(["profile", str(page), "-o", str(tmp_path / "sites.json")]) == 0
    assert "1 documents have no site" in capsys.readouterr().err
    assert main(["profile", str(page), "-o", str(tmp_path / "sites.json"), "--site", "x.example"]) == 0
    assert SiteProfile.load(tmp_path / "sites.json").pages("x.example") == 1


def test_profiles_of_parts_merge_on_the_command_line(tmp_path, capsys):
    pages = site_pages()
    halves = [tmp_path / "a.json", tmp_path / "b.json"]
    profiled(pages[:2]).save(halves[0])
    profiled(pages[2:]).save(halves[1])
    merged = tmp_path / "all.json"
    assert main(["profile", "--merge", str(halves[0]), "--merge", str(halves[1]), "-o", str(merged)]) == 0
    assert SiteProfile.load(merged) == profiled(pages)
    assert main(["profile", "-o", str(merged)]) == 2
    assert "give inputs to count, or --merge" in capsys.readouterr().err


def test_rules_show_says_the_site_rule_never_runs_without_a_profile(capsys):
    assert main(["rules", "show", "site.repeated"]) == 0
    assert "never holds: not evaluated (a site rule runs only with --profile)" in capsys.readouterr().out
