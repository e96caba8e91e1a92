"""The learned line scorer: the model file, the ``score`` step, and training it on labeled pages."""

import gzip
import json
import pickle
import sys
from pathlib import Path

import pytest

from cleantext import Pipeline, RuleError
from cleantext.cli import main as cli_main
from cleantext.rules import ScoreRule, load_pack, rules_dir
from cleantext.scorer import BUCKETS, LineScorer, line_features
from cleantext.testing import assert_provenance

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "learn"))

import train_scorer  # noqa: E402

STORY = [
    "The council approved the new budget on Tuesday after a long debate about school funding.",
    "Councillors said the plan would add teachers in every district from next year.",
    "By Tuesday, the budget had passed with a large majority.",
]


def constant_model(tmp_path, bias, threshold=0.5):
    """A model that gives every line the same score (no weights, only a bias)."""
    path = tmp_path / "model.json"
    LineScorer([0.0] * BUCKETS, bias, threshold, {"script": "test"}).save(path)
    return path


def score_rule(model, **fields):
    return ScoreRule(id="test.scored", category="furniture", description="", model=str(model), **fields)


def test_features_describe_words_shape_and_place():
    lines = ["Storm hits the coast", "Winds hit the coast at night.", "Share this article | Email"]
    features = line_features(lines, 2)
    assert {"w:share", "b:this article", "c:sha", "sep:True", "fromend:0", "fromstart:2"} <= set(features)
    # No word of the last line occurs elsewhere in the text; one of the second line's three ("coast") does.
    assert "topic:0" in features
    assert "topic:2" in line_features(lines, 1)


def test_a_model_file_round_trips_and_a_bad_one_is_refused_by_name(tmp_path):
    path = tmp_path / "model.json"
    weights = [0.0] * BUCKETS
    weights[7] = 1.5
    LineScorer(weights, -0.25, 0.9, {"script": "test"}).save(path)
    loaded = LineScorer.load(path)
    assert (loaded.weights[7], loaded.bias, loaded.threshold, loaded.about) == (1.5, -0.25, 0.9, {"script": "test"})

    (tmp_path / "other.json").write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(RuleError, match=r"other\.json.*not a cleantext-line-scorer model"):
        LineScorer.load(tmp_path / "other.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    (tmp_path / "cut.json").write_text(json.dumps({**data, "weights": data["weights"][:100]}), encoding="utf-8")
    with pytest.raises(RuleError, match=r"cut\.json.*damaged"):
        LineScorer.load(tmp_path / "cut.json")
    with pytest.raises(ValueError, match="threshold"):
        LineScorer([0.0] * BUCKETS, 0.0, 1.0)


def test_the_shipped_model_records_how_it_was_trained_and_is_off_by_default():
    (rule,) = load_pack(rules_dir() / "scorer.toml")
    assert not rule.enabled
    scorer = LineScorer.load(rule.model_path)
    about = scorer.about
    assert about["script"] == train_scorer.VERSION
    assert len(about["corpus_sha256"]) == 64
    assert about["tune"]["threshold"] == scorer.threshold
    assert about["tune"]["content_kept"] >= 0.995
    text = "\n\n".join([*STORY[:2], "Table of Contents", STORY[2]]) + "\n"
    assert Pipeline.load().clean(text).text == text


def test_enabled_it_removes_what_the_model_rates_as_furniture_with_the_score_in_the_metadata():
    pipeline = Pipeline.load(enable=["scorer.boilerplate"])
    text = "\n\n".join([STORY[0], "Table of Contents", *STORY[1:]]) + "\n"
    result = pipeline.clean(text)
    assert result.text == "\n\n".join(STORY) + "\n"
    assert_provenance(result)
    (edit,) = [edit for edit in result.edits if edit.rule == "scorer.boilerplate"]
    assert edit.before == "Table of Contents\n"
    score = dict(edit.detail)["score"]
    assert score >= LineScorer.load(rules_dir() / "line-scorer.json").threshold
    (as_json,) = [edit for edit in json.loads(result.to_json())["edits"] if edit["rule"] == "scorer.boilerplate"]
    assert as_json["detail"] == {"score": score}
    assert all("detail" not in edit for edit in json.loads(result.to_json())["edits"] if edit != as_json)
    # The story's own lines, a sentence that starts like a byline among them, all stay.
    assert pipeline.clean("\n\n".join(STORY) + "\n").text == "\n\n".join(STORY) + "\n"


def test_guards_long_lines_and_the_rule_threshold_keep_lines_the_model_would_remove(tmp_path):
    model = constant_model(tmp_path, bias=3.0)  # every line scores 0.95
    text = '"We will rebuild the bridge," the mayor said.\nHome | News | Sport\n' + " ".join(["word"] * 41) + "\n"
    pipeline = Pipeline(rules=[score_rule(model, max_words=40, guards=load_guard("reported-speech"))])
    result = pipeline.clean(text)
    assert result.text == '"We will rebuild the bridge," the mayor said.\n' + " ".join(["word"] * 41) + "\n"
    assert [(edit.before, edit.detail) for edit in result.edits if edit.rule == "test.scored"] == [
        ("Home | News | Sport\n", (("score", 0.9526),))
    ]
    stricter = Pipeline(rules=[score_rule(model, threshold=0.96)])
    assert stricter.clean(text).text == text


def test_a_pipeline_with_the_scorer_travels_to_worker_processes(tmp_path):
    model = constant_model(tmp_path, bias=3.0)
    pipeline = Pipeline(rules=[score_rule(model)])
    copy = pickle.loads(pickle.dumps(pipeline))
    assert copy.clean("Menu\n").text == pipeline.clean("Menu\n").text == ""


def test_a_pack_names_its_model_relative_to_its_own_folder_and_a_missing_one_is_an_error_naming_it(tmp_path):
    constant_model(tmp_path, bias=-3.0)
    pack = tmp_path / "mine.toml"
    pack.write_text(
        '[[rule]]\nid = "mine.scored"\ncategory = "furniture"\nkind = "score"\nmodel = "model.json"\n'
        'description = "d"\n',
        encoding="utf-8",
    )
    (rule,) = load_pack(pack)
    assert rule.model_path == tmp_path / "model.json"
    assert Pipeline.load(packs=[], extra=[pack]).clean("Menu\n").text == "Menu\n"
    pack.write_text(pack.read_text(encoding="utf-8").replace("model.json", "gone.json"), encoding="utf-8")
    with pytest.raises(RuleError, match=r"gone\.json"):
        Pipeline.load(packs=[], extra=[pack])


def test_a_pack_of_your_own_runs_the_built_in_model_with_a_stricter_threshold(tmp_path):
    pack = tmp_path / "stricter.toml"
    pack.write_text(
        '[[rule]]\nid = "mine.scored"\ncategory = "furniture"\nkind = "score"\nmodel = "builtin:line-scorer.json"\n'
        'threshold = 0.999\ndescription = "d"\n',
        encoding="utf-8",
    )
    (rule,) = load_pack(pack)
    assert rule.model_path == rules_dir() / "line-scorer.json"
    text = "\n\n".join([STORY[0], "Sign up for our daily newsletter", "Table of Contents", *STORY[1:]]) + "\n"
    stricter = Pipeline.load(packs=[], extra=[pack]).clean(text)
    assert stricter.text == text
    default = Pipeline.load(packs=["scorer"], enable=["scorer.boilerplate"]).clean(text)
    assert [edit.rule for edit in default.edits].count("scorer.boilerplate") == 2


def test_with_the_scorer_on_cleaning_twice_changes_nothing():
    pipeline = Pipeline.load(enable=["scorer.boilerplate"])
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        once = pipeline.clean(seed.read_text(encoding="utf-8")).text
        assert pipeline.clean(once).text == once, seed.name


def test_the_table_row_guard_finds_rows_of_cells_and_nothing_else():
    import regex

    from cleantext.rules import builtin_guards

    guard = regex.compile(builtin_guards()["table-row"])
    assert guard.search("| Growth | $29/mo | Sign up |")
    assert not guard.search("Home | News | Sport")
    assert not guard.search("The vote was 5 | 4, a clerk wrote.")


def test_the_cli_turns_it_on_by_id(tmp_path, capsys):
    source = tmp_path / "story.txt"
    source.write_text("\n\n".join([STORY[0], "Table of Contents", *STORY[1:]]) + "\n", encoding="utf-8")
    assert (
        cli_main(["clean", str(source), "-o", str(tmp_path / "out.txt"), "--enable", "scorer.boilerplate", "-q"]) == 0
    )
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "\n\n".join(STORY) + "\n"


def load_guard(name):
    from cleantext.rules import Guard, builtin_guards

    return (Guard(name, builtin_guards()[name]),)


def labeled_rows():
    """A small corpus of the cleaned view: stories with furniture lines, on train and tune domains."""
    furniture = ["Share this story", "Sign up for the morning briefing", "More from our site", "Follow us"]
    rows = []
    for number in range(60):
        domain = f"site{number}.example"
        split = "tune" if number % 5 == 0 else "train"
        lines = [
            f"Story {number} begins with the council meeting about the harbour plan.",
            f"The harbour plan for district {number} was debated for three hours.",
            furniture[number % 4],
            "Residents said they wanted the plan to protect the beach.",
            furniture[(number + 1) % 4],
        ]
        for index, line in enumerate(lines):
            label = "boilerplate" if line in furniture else "content"
            rows.append(
                {
                    "page": f"{number:04d}",
                    "domain": domain,
                    "split": split,
                    "index": index,
                    "lines": len(lines),
                    "text": line,
                    "label": label,
                    "type": "article",
                }
            )
    return rows


def test_training_learns_shared_furniture_chooses_a_threshold_on_unseen_domains_and_is_deterministic(tmp_path):
    corpus = tmp_path / "lines.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as handle:
        for row in labeled_rows():
            handle.write(json.dumps(row) + "\n")
    outputs = [tmp_path / "a.json", tmp_path / "b.json"]
    for output in outputs:
        assert train_scorer.main(["--corpus", str(corpus), "-o", str(output)]) == 0
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    scorer = LineScorer.load(outputs[0])
    assert scorer.about["tune"]["content_kept"] >= 0.995
    assert scorer.about["tune"]["furniture_removed"] == 1.0
    assert scorer.about["options"] == {"content_kept": 0.995, "min_domains": 3, "max_words": 40}
    lines = [
        "A new story starts with the river bridge.",
        "Sign up for the morning briefing",
        "Engineers said the bridge will reopen.",
    ]
    first, furniture, last = scorer.scores(lines)
    assert furniture >= scorer.threshold > max(first, last)


def test_training_refuses_a_corpus_without_a_tune_split(tmp_path, capsys):
    corpus = tmp_path / "lines.jsonl"
    corpus.write_text(
        "".join(json.dumps(row) + "\n" for row in labeled_rows() if row["split"] == "train"), encoding="utf-8"
    )
    with pytest.raises(SystemExit):
        train_scorer.main(["--corpus", str(corpus), "-o", str(tmp_path / "model.json")])
    assert "both splits" in capsys.readouterr().err


def test_a_model_with_weights_that_are_not_numbers_is_refused(tmp_path):
    path = constant_model(tmp_path, bias=0.0)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["bias"] = float("nan")
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuleError, match="finite"):
        LineScorer.load(path)


def test_a_model_file_written_again_is_read_again(tmp_path):
    path = constant_model(tmp_path, bias=1.0, threshold=0.6)
    assert LineScorer.load(path).threshold == 0.6
    LineScorer([0.0] * BUCKETS, 1.0, 0.7, {"script": "test"}).save(path)
    assert LineScorer.load(path).threshold == 0.7


def test_the_content_share_to_keep_must_be_a_share(tmp_path, capsys):
    numpy = pytest.importorskip("numpy")
    from cleantext.scorer import threshold_for

    for share in (0, 1.5):
        with pytest.raises(ValueError, match="content_kept"):
            threshold_for(numpy.array([0.2, 0.9]), numpy.array([0, 1]), share)
    with pytest.raises(SystemExit):
        train_scorer.main(
            ["--corpus", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "m.json"), "--content-kept", "0"]
        )
    assert "--content-kept" in capsys.readouterr().err


def test_removals_of_one_rule_with_different_details_add_up_in_the_edit_they_share():
    from cleantext import Document, RuleRef

    document = Document("Story.\n\nA\nB\n\n\n\n\nEnd.\n")
    first = RuleRef("scorer.boilerplate", "furniture", (("score", 0.95),))
    second = RuleRef("scorer.boilerplate", "furniture", (("score", 0.97),))
    document.apply_tagged([(8, 10, "", first), (10, 12, "", second)])
    document.apply_tagged([(6, 11, "\n\n", RuleRef("whitespace.blank-lines", "whitespace"))])
    (edit,) = document.edits()
    assert edit.before == "\n\nA\nB\n\n\n\n"
    # Two and two characters of the scorer's against three of the tidying: the edit is the scorer's.
    assert edit.rule == first
    assert edit.removals == ((first, 4), (RuleRef("whitespace.blank-lines", "whitespace"), 3))


def test_training_runs_from_labeled_pages_in_one_command(tmp_path):
    from tests.test_line_corpus import PAGE, TRUTH, write_wcxb

    pages = {f"{n:04d}": (PAGE, {**TRUTH, "url": f"https://site{n}.example/a"}) for n in range(12)}
    write_wcxb(tmp_path / "wcxb", pages)
    model = tmp_path / "model.json"
    assert train_scorer.main(["--data", str(tmp_path / "wcxb"), "-o", str(model)]) == 0
    scorer = LineScorer.load(model)
    assert scorer.about["script"] == train_scorer.VERSION
    assert scorer.about["tune"]["lines"] > 0 and scorer.about["train"]["lines"] > 0


def test_rules_show_says_which_model_runs_at_which_threshold(capsys):
    assert cli_main(["rules", "show", "scorer.boilerplate"]) == 0
    shown = capsys.readouterr().out
    assert f"model file   {rules_dir() / 'line-scorer.json'}" in shown
    threshold = LineScorer.load(rules_dir() / "line-scorer.json").threshold
    assert f"threshold    {threshold:g} (the model's own; on sites training never saw it kept 99." in shown


def test_rules_show_of_a_pack_whose_model_is_missing_says_so_once_and_shows_the_rest(tmp_path, capsys):
    pack = tmp_path / "mine.toml"
    pack.write_text(
        '[[rule]]\nid = "mine.scored"\ncategory = "furniture"\nkind = "score"\nmodel = "gone.json"\n'
        'threshold = 0.97\ndescription = "d"\n\n[[rule.example]]\ninput = "Menu\\n"\noutput = "\\n"\n',
        encoding="utf-8",
    )
    assert cli_main(["rules", "show", "mine.scored", "--rules", str(pack)]) == 0
    shown = capsys.readouterr().out
    assert shown.count("gone.json") == 2  # the model field and the model file, with why it cannot be read
    assert shown.count("threshold") == 1 and "threshold    0.97" in shown
    assert "example 1 (fires)" in shown
