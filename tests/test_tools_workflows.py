"""The workflows: committed files agree with the manifest, parse, and run the right command per kata."""

from __future__ import annotations

import configparser
import importlib.util
import json
import re
import shlex

import pytest

from graders.manifest import ROOT, kata
from tests.yamlsubset import YamlError, loads
from tools import scoreboard, workflows, yamlout

MODES = ("all-or-nothing", "partial")


def normal(data):
    """``data`` as the reader returns it (tuples become lists)."""
    return json.loads(json.dumps(data))


def module_of(command: str) -> str | None:
    words = shlex.split(command)
    return words[words.index("-m") + 1] if "-m" in words else None


def test_the_committed_workflows_are_what_the_manifest_generates():
    for path, text in workflows.expected().items():
        assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `python -m tools.workflows`"
        assert path.read_text() == text, f"{path.relative_to(ROOT)} is out of date: run `python -m tools.workflows`"


@pytest.mark.parametrize("path", sorted((ROOT / ".github" / "workflows").glob("*.y*ml")), ids=lambda p: p.name)
def test_every_workflow_parses_and_names_only_modules_that_exist(path):
    document = loads(path.read_text())
    assert {"name", "on", "jobs"} <= set(document)
    for job in document["jobs"].values():
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            command = step.get("run") or step.get("with", {}).get("command")
            for line in (command or "").splitlines():
                for part in re.split(r"&&|\|\||>>", line):
                    module = module_of(part)
                    if module and module != "venv":
                        assert importlib.util.find_spec(module), f"{path.name}: no module {module} ({part.strip()})"


def test_only_a_learner_templates_classroom_workflow_runs_on_push():
    own = loads((ROOT / ".github" / "workflows" / "classroom.yml").read_text())
    assert own["on"] == ["workflow_dispatch"], "this repository's stubs would show red on every push"
    template = loads(workflows.render_classroom(workflows.built()))
    assert "push" in template["on"]
    assert {k: v for k, v in own.items() if k != "on"} == {k: v for k, v in template.items() if k != "on"}


@pytest.mark.parametrize("mode", MODES)
def test_the_classroom_workflow_round_trips_through_a_reader(mode):
    data = workflows.classroom(workflows.built(), mode)
    assert loads(workflows.render_classroom(workflows.built(), mode)) == normal(data)


@pytest.mark.parametrize("mode", MODES)
def test_the_classroom_workflow_grades_every_built_kata_once_and_reports_every_step(mode):
    graded = workflows.built()
    document = loads(workflows.render_classroom(graded, mode))
    assert document["name"] == "Autograding Tests"
    assert list(document["jobs"]) == ["run-autograding-tests"]
    assert "push" in document["on"]
    steps = document["jobs"]["run-autograding-tests"]["steps"]
    grading = [s for s in steps if s.get("id", "").startswith("kata-")]
    assert [s["id"] for s in grading] == [f"kata-{k.number}" for k in graded]
    reporter = next(s for s in steps if s.get("uses") == workflows.REPORTER)
    assert steps.index(reporter) > steps.index(grading[-1])
    runners = reporter["with"]["runners"].split(",")
    assert runners == [s["id"] for s in grading]
    assert reporter["env"] == {f"{r.upper()}_RESULTS": f"${{{{steps.{r}.outputs.result}}}}" for r in runners}
    assert steps.index(next(s for s in steps if s.get("run") == workflows.SETUP)) < steps.index(grading[0])


@pytest.mark.parametrize("mode", MODES)
def test_each_grading_step_runs_a_command_that_grades_its_own_kata(mode):
    document = loads(workflows.render_classroom(workflows.built(), mode))
    for step in document["jobs"]["run-autograding-tests"]["steps"]:
        if not step.get("id", "").startswith("kata-"):
            continue
        entry = kata(step["id"].removeprefix("kata-"))
        if mode == "all-or-nothing":
            assert step["uses"] == workflows.COMMAND_GRADER
            inputs = step["with"]
            assert inputs["max-score"] == entry.points and isinstance(inputs["max-score"], int)
            assert isinstance(inputs["timeout"], int) and inputs["timeout"] * 60 >= entry.budget + 10
            assert str(entry.number) in inputs["test-name"]
            command = inputs["command"]
            assert command.startswith(workflows.learner_command(entry) + " ")
        else:
            assert "uses" not in step and step["timeout-minutes"] * 60 >= entry.budget + 10
            command = step["run"]
        words = shlex.split(command)
        assert words[:2] == [".venv/bin/python", "-m"], "the command must not depend on the step's environment"
        assert importlib.util.find_spec(words[2])
        args = words[3:]
        assert args[args.index("--kata") + 1] == str(entry.number)
        if words[2] == "tools.scoreboard":
            assert scoreboard.parse_args(args).katas == [entry]


def test_ci_runs_the_readme_test_command_on_every_supported_python():
    readme = (ROOT / "README.md").read_text()
    assert workflows.README_TEST_COMMAND in readme
    steps = loads((ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]["tests"]["steps"]
    assert workflows.README_TEST_COMMAND in [s.get("run") for s in steps]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    versions = setup["with"]["python-version"].split()
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    tests_label = tox["tox"]["labels"].split("=", 1)[1]
    assert [f"py{v.replace('.', '')}" for v in versions] == [e.strip() for e in tests_label.split(",")]
    summary = steps[-1]
    assert summary["if"] == "always()" and module_of(summary["run"]) == "tools.scoreboard"
    assert "$GITHUB_STEP_SUMMARY" in scoreboard.__doc__, "the scoreboard no longer writes the job summary itself"


@pytest.mark.parametrize(
    "text",
    [
        "on: yes\n",
        "key: [a, b]\n",
        "key: value # comment\n",
        "key: a\nkey: b\n",
        "key:\n\t- a\n",
        "key:\n",
        "python: 3.12\n",
        "key: &anchor x\n",
        "- a\n",
    ],
)
def test_the_reader_refuses_what_is_outside_the_subset(text):
    with pytest.raises(YamlError):
        loads(text)


def test_the_emitter_writes_tricky_strings_that_read_back_unchanged():
    tricky = [
        "on",
        "yes",
        "3.12",
        "a: b",
        "x #y",
        "- dash",
        "${{ steps.kata-54.outputs.result }}",
        'it\'s "quoted" \\ back',
        "Kata 54 · Locks",
        "",
        " leading",
        "trailing ",
        "multi\nline\n",
        "no final newline\nline",
        "github.actor != 'github-classroom[bot]'",
    ]
    data = {"values": tricky, "on": {"KATA-54_RESULTS": 1, "flag": True}}
    assert loads(yamlout.dumps(data, header=["a comment"])) == data
    for value in ("on", "yes", "3.12", "a: b", "x #y"):
        assert yamlout.scalar(value).startswith('"')
