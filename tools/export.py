"""Export what learners (or Gradescope) get: the stubs, the graders and their tools, and no solution.

    python -m tools.export DEST                      a learner template repository (GitHub Classroom)
    python -m tools.export DEST --partial-credit     the same, its workflow giving points per claim
    python -m tools.export DEST --gradescope         a Gradescope autograder (DEST/autograder.zip)

Only built katas (stub and grader present) are exported.  The template holds ``katas/`` (the
untouched stubs), ``graders/`` (the built katas' graders and the harness), the grading tools,
``katas.toml``, ``pyproject.toml``, a learner ``tox.ini``, a learner ``README.md`` and
``.github/workflows/classroom.yml``; the Gradescope export swaps the last three for ``setup.sh``,
``run_autograder`` and an instructor's README.  Nothing from ``tests/`` or ``benchmarks/`` is copied,
and the result is scanned by content (``tools.spoilers``): the export fails if any reference, mutant
or hostile submission's code made it in.  DEST must not exist or be empty.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

from graders.manifest import ROOT, Kata, katas
from tools import spoilers, workflows

TEMPLATES = Path(__file__).resolve().parent / "templates"
RUNTIME_FILES = ("katas.toml", "pyproject.toml", "hints.toml")
"""Files at the project's root that grading reads (the scoreboard's hints are optional)."""
BUILD_ONLY_TOOLS = {"export.py", "spoilers.py", "workflows.py", "yamlout.py"}
"""Tools that build exports and workflows from the project: not needed, and not shipped, in an export."""
GITIGNORE = ".venv/\n.tox/\n__pycache__/\n*.egg-info/\n.hypothesis/\n.kata-state/\n.grading/\nbuild/\n"
MODE_TEXT = {
    "all-or-nothing": (
        "**Points: all or nothing per kata.** A kata earns its points when every one of its claims passes,\n"
        "and 0 otherwise: the score your own board shows. Half a lock is no lock; the claims that matter\n"
        "most (no lost update, no deadlock, truly concurrent) are the ones a nearly-right file fails."
    ),
    "partial": (
        "**Points: partial credit per claim.** A kata's points are shared out in whole points over its\n"
        "claims, and every claim that passes earns its share; the kata shows as passed only when all do."
    ),
}


class ExportError(Exception):
    """The export could not be written, or carries what it must not."""


def exported_katas() -> list[Kata]:
    return [k for k in katas() if k.built]


def _copy(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, dest)


def copy_runtime(dest: Path, graded: list[Kata]) -> None:
    """The root's runtime files, the stubs and graders of the built katas, the harness and the grading tools.

    Every file of ``tools/`` but the build-only ones is copied (the scoreboard's modules and its JSON
    schema included), so a tool the scoreboard comes to need travels without this list changing.
    """
    for name in RUNTIME_FILES:
        if (ROOT / name).exists():
            _copy(ROOT / name, dest / name)
    for entry in graded:
        _copy(entry.stub, dest / "katas" / entry.stub.name)
    wanted_graders = {k.grader.name for k in graded}
    for path in sorted((ROOT / "graders").rglob("*")):
        relative = path.relative_to(ROOT)
        if not path.is_file() or "__pycache__" in relative.parts:
            continue
        if path.parent == ROOT / "graders" and path.name.startswith("test_kata") and path.name not in wanted_graders:
            continue
        _copy(path, dest / relative)
    for path in sorted((ROOT / "tools").iterdir()):
        if path.is_file() and path.name not in BUILD_ONLY_TOOLS:
            _copy(path, dest / "tools" / path.name)


def kata_table(graded: list[Kata]) -> str:
    rows = ["| kata | your file | item of the book | points | time limit |", "|---|---|---|---|---|"]
    for k in graded:
        rows.append(
            f"| {k.number} · {k.title} | `katas/{k.stub.name}` | Item {k.number}: {k.item} | {k.points} "
            f"| {k.budget:g} s |"
        )
    return "\n".join(rows)


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with every ``{{NAME}}`` replaced; a placeholder left over is an error."""
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    if "{{" in template:
        raise ExportError(f"unfilled placeholder in template: {template[template.index('{{') :][:40]!r}")
    return template


def learner_tox_ini(graded: list[Kata]) -> str:
    factors = ",".join(str(k.number) for k in graded)
    return (
        "# tox -e kataNN    grade katas/kataNN_<topic>.py (the same grader as\n"
        "#                  .venv/bin/python -m tools.scoreboard --kata NN, under pytest)\n"
        "[tox]\n"
        "requires = tox>=4.22\n"
        f"env_list = {', '.join(k.tox_env for k in graded)}\n"
        "\n"
        f"[testenv:kata{{{factors}}}]\n"
        "description = grade katas/{envname}_*.py\n"
        "package = editable\n"
        "base_python = python3\n"
        "set_env =\n"
        "    PYTHONDONTWRITEBYTECODE = 1\n"
        "commands = python -m graders {envname} {posargs}\n"
    )


def write_learner(dest: Path, graded: list[Kata], mode: str) -> None:
    copy_runtime(dest, graded)
    (dest / "tox.ini").write_text(learner_tox_ini(graded), encoding="utf-8")
    (dest / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    readme = (TEMPLATES / "README.learner.md").read_text(encoding="utf-8")
    text = fill(readme, {"KATA_TABLE": kata_table(graded), "GRADING": MODE_TEXT[mode]})
    (dest / "README.md").write_text(text, encoding="utf-8")
    workflow = dest / ".github" / "workflows" / "classroom.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(workflows.render_classroom(graded, mode), encoding="utf-8")


def write_gradescope(dest: Path, graded: list[Kata], mode: str) -> None:
    copy_runtime(dest, graded)
    (dest / "setup.sh").write_text((TEMPLATES / "gradescope" / "setup.sh").read_text(), encoding="utf-8")
    option = " --partial-credit" if mode == "partial" else ""
    runner = (TEMPLATES / "gradescope" / "run_autograder").read_text(encoding="utf-8")
    (dest / "run_autograder").write_text(fill(runner.replace(" {{OPTIONS}}", option), {}), encoding="utf-8")
    for name in ("setup.sh", "run_autograder"):
        (dest / name).chmod(0o755)
    readme = (TEMPLATES / "README.gradescope.md").read_text(encoding="utf-8")
    values = {
        "KATA_TABLE": kata_table(graded),
        "GRADING": MODE_TEXT[mode],
        "TYPICAL": str(5 * len(graded)),
        "WORST": f"{sum(k.budget for k in graded):g}",
    }
    (dest / "README.md").write_text(fill(readme, values), encoding="utf-8")
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    with zipfile.ZipFile(dest / "autograder.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo.from_file(path, path.relative_to(dest).as_posix())
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)


def export(dest: Path, *, gradescope: bool = False, mode: str = "all-or-nothing") -> list[Kata]:
    """Write the export into ``dest``; the katas it holds.  ExportError if it would carry spoilers."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ExportError(f"{dest} exists and is not an empty directory")
    graded = exported_katas()
    if not graded:
        raise ExportError("no kata is built yet: nothing to export")
    dest.mkdir(parents=True, exist_ok=True)
    (write_gradescope if gradescope else write_learner)(dest, graded, mode)
    found = spoilers.scan(dest)
    if found:
        raise ExportError("the export carries corpus code:\n" + "\n".join(f"  {s}" for s in found))
    return graded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.export", description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="a new or empty directory")
    parser.add_argument("--gradescope", action="store_true", help="a Gradescope autograder instead of a template")
    parser.add_argument("--partial-credit", action="store_true", help="points per claim instead of per kata")
    args = parser.parse_args(argv)
    mode = "partial" if args.partial_credit else "all-or-nothing"
    try:
        graded = export(args.dest, gradescope=args.gradescope, mode=mode)
    except ExportError as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    numbers = ", ".join(str(k.number) for k in graded)
    what = "Gradescope autograder (upload autograder.zip)" if args.gradescope else "learner template"
    print(f"wrote a {what} to {args.dest}: katas {numbers}, {mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
