"""The repository is ready to publish: its CI workflow, issue forms, release check and buttons.

- .github/workflows/ci.yml is valid against SchemaStore's GitHub workflow schema (a copy
  ships in third-party/schemastore/, so no network), pins each action to a release's
  commit, and every command it runs exists: make targets, scripts, paths; what it
  caches, publishes and releases is what the build writes.
- The issue forms and their config.yml are valid against their SchemaStore schemas.
- tools/release_version.py stops a release whose tag is not the version CHANGELOG.md,
  pyproject.toml and CITATION.cff name.
- The repository's address is set in one place, _config.yml's `repository.url`: unset,
  the book links to no repository; set, it shows the repository, issue and release
  download buttons (tools/repository_buttons.py; a tiny book is built both ways).
- Every page of the built site carries the licence line in its footer.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup

from site_pages import MISSING, ROOT, SITE, page_file, site_pages
from tools import release_version, repository_buttons
from tools.execution_cache import CACHE_ROOT, INPUTS, LIBRARY

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"
SCHEMAS = ROOT / "third-party" / "schemastore"
# What `make pdf` and `make dist` write (tests/book/test_pdf_and_dist.py reads them there).
PDF = "_build/pdf/attention-pooling-course.pdf"
DIST = "_build/dist/attention-pooling-course.zip"
TAG_ONLY = "startsWith(github.ref, 'refs/tags/v')"
# Commands the workflow may run besides make, bash and python on the course's own files:
# shell built-ins and what the job installs or the runner has.
TOOLS = {"apt-get", "gh", "python3", "python3.11", "bash", "make", "test", "echo", "cd"}


class WorkflowLoader(yaml.SafeLoader):
    """YAML as GitHub reads it: `on:` is a key, not the boolean True (YAML 1.1)."""


WorkflowLoader.yaml_implicit_resolvers = {
    k: [(tag, regexp) for tag, regexp in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
WorkflowLoader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                     re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=WorkflowLoader)


def schema(name: str) -> jsonschema.Draft7Validator:
    found = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(found)
    return jsonschema.Draft7Validator(found)


def schema_errors(validator: jsonschema.Draft7Validator, document) -> list[str]:
    # For a oneOf/anyOf, name the alternative that came closest (best_match), not all of them.
    return [f"{'/'.join(map(str, e.absolute_path))}: {jsonschema.exceptions.best_match([e]).message[:300]}"
            for e in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def workflow():
    return load(WORKFLOW)


def steps(workflow):
    return [(name, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])]


# --- the workflow file ---------------------------------------------------------------

def test_workflow_is_valid_against_the_github_workflow_schema(workflow):
    assert not schema_errors(schema("github-workflows.json"), workflow)


def test_the_schema_check_catches_a_broken_workflow(workflow):
    broken = json.loads(json.dumps(workflow))
    broken["jobs"]["test"]["step"] = broken["jobs"]["test"].pop("steps")  # a typo
    del broken["jobs"]["release"]["runs-on"]
    errors = schema_errors(schema("github-workflows.json"), broken)
    assert errors, "a misspelled key and a job without runs-on passed the schema"


def test_actions_are_well_known_and_pinned_to_a_release_commit():
    uses = re.findall(r"^\s*(?:- )?uses:\s*(\S+)(.*)$", WORKFLOW.read_text(encoding="utf-8"), re.M)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", action), \
            f"{action}: use GitHub's own actions, pinned to a full commit hash"
        assert re.fullmatch(r"\s*# v\d+\.\d+\.\d+", comment), f"{action}: name its release in a comment"


def makefile_targets() -> set[str]:
    targets = set()
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        rule = re.match(r"^([^\s#:=$][^:=#]*?)\s*::?(?!=)", line)
        if rule:
            targets.update(rule.group(1).split())
    return targets


def commands(script: str) -> list[list[str]]:
    """Each simple command of a `run:` script, as words (enough for the scripts we write)."""
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        line = line.split(" #")[0].strip()
        for part in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(part)
            while words and re.match(r"^\w+=", words[0]):  # VAR=value before the command
                words.pop(0)
            if words:
                found.append(words)
    return found


def test_every_command_the_workflow_runs_exists(workflow):
    targets = makefile_targets()
    assert {"test", "book", "pdf", "dist"} <= targets, sorted(targets)
    seen = []
    for job, step in steps(workflow):
        for words in commands(step.get("run", "")):
            seen.append(words)
            program, args = words[0], words[1:]
            assert program in TOOLS, f"job {job}: `{program}` is not a command the job has"
            if program == "make":
                goals = [a for a in args if not a.startswith("-") and "=" not in a]
                assert goals and set(goals) <= targets, f"job {job}: make {goals}: no such target"
            if program in ("bash", "python3", "python3.11") and args and not args[0].startswith("-"):
                assert (ROOT / args[0]).is_file(), f"job {job}: {args[0]} is not in the repository"
    assert ["bash", ".ci/run"] in seen, "the workflow does not run .ci/run"


def test_the_tests_run_as_ci_runs_them(workflow):
    test = workflow["jobs"]["test"]
    assert test["container"]["image"].startswith("debian:")  # apt's chromium, Python 3.11
    runs = [s.get("run", "") for s in test["steps"]]
    assert any("chromium" in r and "python3" in r for r in runs)
    assert test["env"]["PYTHON"] == "python3.11"
    node = [s for s in test["steps"] if s.get("uses", "").startswith("actions/setup-node@")]
    assert node and int(node[0]["with"]["node-version"]) >= 18


def test_the_cache_is_keyed_on_what_the_execution_cache_hashes(workflow):
    cache = [s for _, s in steps(workflow) if s.get("uses", "").startswith("actions/cache@")]
    assert len(cache) == 1
    assert cache[0]["with"]["path"] == CACHE_ROOT
    hashed = re.findall(r"hashFiles\(([^)]*)\)", cache[0]["with"]["key"])
    assert hashed, "the cache key hashes nothing"
    files = {f.strip(" '\"") for f in hashed[0].split(",")}
    assert files == {f"{LIBRARY}/**", *INPUTS}, files
    assert cache[0]["with"]["restore-keys"] == cache[0]["with"]["key"].split("${{ github.run_id }}")[0]


def test_a_tag_is_checked_before_anything_runs_and_publishing_waits_for_the_tests(workflow):
    on = workflow["on"]
    assert on["push"]["tags"] == ["v*"]
    test_steps = workflow["jobs"]["test"]["steps"]
    check = [i for i, s in enumerate(test_steps) if "tools/release_version.py" in s.get("run", "")]
    tests = [i for i, s in enumerate(test_steps) if s.get("run") == "bash .ci/run"]
    assert check and tests and check[0] < tests[0], "the tag must be checked before the long tests"
    assert test_steps[check[0]]["if"] == TAG_ONLY
    for name in ("pages", "release"):
        job = workflow["jobs"][name]
        assert job["needs"] == "test" and job["if"] == TAG_ONLY, name
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["release"]["permissions"] == {"contents": "write"}


def test_what_is_published_is_what_the_build_writes(workflow):
    test_steps = workflow["jobs"]["test"]["steps"]
    pages = [s for s in test_steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert pages and ROOT / pages[0]["with"]["path"] == SITE
    built = [s for s in test_steps if s.get("run", "").strip() == "make pdf dist"]
    assert built and built[0]["if"] == TAG_ONLY
    uploaded = [s for s in test_steps if s.get("with", {}).get("name") == "release-files"]
    assert set(uploaded[0]["with"]["path"].split()) == {PDF, DIST}
    release = workflow["jobs"]["release"]["steps"][-1]["run"]
    create = next(w for w in commands(release) if w[:3] == ["gh", "release", "create"])
    assert {PDF, DIST} <= set(create), create
    # The book's download buttons point at the same file names.
    assert set(repository_buttons.RELEASE_FILES) == {Path(PDF).name, Path(DIST).name}
    pdf_test = (ROOT / "tests" / "book" / "test_pdf_and_dist.py").read_text(encoding="utf-8")
    for path in (PDF, DIST):
        assert " / ".join(f'"{p}"' for p in Path(path).parts) in pdf_test, \
            f"{path} is not what the tests check"


# --- issue forms ---------------------------------------------------------------------

@pytest.mark.parametrize("form", ["errata.yml", "install-problem.yml"])
def test_issue_forms_are_valid(form):
    document = load(TEMPLATES / form)
    assert not schema_errors(schema("github-issue-forms.json"), document)
    assert any(item.get("validations", {}).get("required") for item in document["body"])


def test_issue_form_schema_catches_a_broken_form():
    broken = load(TEMPLATES / "errata.yml")
    broken["body"][1]["type"] = "text-field"
    assert schema_errors(schema("github-issue-forms.json"), broken)


def test_issue_template_config_is_valid():
    assert not schema_errors(schema("github-issue-config.json"), load(TEMPLATES / "config.yml"))


def test_code_of_conduct_is_there_and_says_how_to_report():
    text = (ROOT / "CODE_OF_CONDUCT.md").read_text(encoding="utf-8")
    assert "## Reporting" in text and "privately" in text


# --- the release check -----------------------------------------------------------------

def test_the_repository_agrees_with_itself_on_its_version():
    version = release_version.changelog_release((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))[0]
    assert release_version.check(f"v{version}")


def release_files(folder: Path, project: str, changelog: str, citation: str) -> Path:
    folder.mkdir()
    (folder / "pyproject.toml").write_text(f'[project]\nname = "nwlib"\nversion = "{project}"\n')
    (folder / "CITATION.cff").write_text(f'cff-version: 1.2.0\nversion: "{citation}"\n')
    (folder / "CHANGELOG.md").write_text(
        f"# Changelog\n\n## Unreleased\n\n- next\n\n## {changelog} (2027-01-05)\n\n- new\n\n"
        "## 0.1.0 (2026-12-01)\n\nFirst version.\n")
    return folder


def test_a_matching_tag_passes_and_gets_its_notes(tmp_path):
    root = release_files(tmp_path / "ok", "0.2.0", "0.2.0", "0.2.0")
    assert release_version.check("v0.2.0", root) == "- new"


@pytest.mark.parametrize("tag, project, changelog, citation, blamed", [
    ("v0.2.1", "0.2.0", "0.2.0", "0.2.0", "the tag 'v0.2.1'"),
    ("0.2.0", "0.2.0", "0.2.0", "0.2.0", "the tag '0.2.0'"),
    ("v0.2.0", "0.1.0", "0.2.0", "0.2.0", "pyproject.toml says 0.1.0"),
    ("v0.2.0", "0.2.0", "0.2.0", "0.1.0", "CITATION.cff says 0.1.0"),
])
def test_a_tag_that_disagrees_stops_the_release(tmp_path, tag, project, changelog, citation, blamed):
    root = release_files(tmp_path / "bad", project, changelog, citation)
    with pytest.raises(ValueError, match=re.escape(blamed)):
        release_version.check(tag, root)


def test_the_command_fails_on_a_wrong_tag():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "release_version.py"), "v999.0.0"],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "v999.0.0" in run.stderr


# --- the repository's address ----------------------------------------------------------

def final_config(url: str | None) -> dict:
    from jupyter_book.config import get_final_config

    user = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    if url is not None:
        user["repository"]["url"] = url
    config, _ = get_final_config(user_yaml=user, cli_config={"latex_individualpages": False},
                                 sourcedir=ROOT, raise_on_invalid=True)
    return config


class FakeConfig:
    def __init__(self, config: dict):
        self.html_theme_options = config["html_theme_options"]


def test_the_address_is_entered_in_one_place():
    user = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "url" in user["repository"], "_config.yml should hold repository.url, empty until published"
    buttons = {"use_repository_button", "use_issues_button"}
    assert not buttons & set(user.get("html", {})), "the buttons follow repository.url, set no switch"


def test_unset_address_turns_every_repository_button_off():
    config = final_config(None)
    options = FakeConfig(config).html_theme_options
    repository_buttons.buttons_follow_the_address(None, FakeConfig(config))
    assert options["repository_url"] == ""
    assert not options["use_repository_button"] and not options["use_issues_button"]
    assert not options.get("use_edit_page_button")
    assert repository_buttons.release_downloads(options["repository_url"]) == []


def test_set_address_turns_the_buttons_on():
    config = final_config("https://github.com/someone/nw-course/")
    repository_buttons.buttons_follow_the_address(None, FakeConfig(config))
    options = config["html_theme_options"]
    assert options["repository_url"] == "https://github.com/someone/nw-course"
    assert options["use_repository_button"] and options["use_issues_button"]
    urls = [b["url"] for b in repository_buttons.release_downloads(options["repository_url"])]
    assert urls == [f"https://github.com/someone/nw-course/releases/latest/download/{Path(p).name}"
                    for p in (PDF, DIST)]


@pytest.mark.parametrize("url", ["https://example.org/someone/course", "github.com/someone/course",
                                 "https://github.com/someone", "OWNER/REPO"])
def test_a_malformed_address_is_refused_with_its_fix(url):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="repository.url"):
        repository_buttons.repository_url({"repository_url": url})


TINY_PAGE = "# A tiny page\n\nSome text.\n"


def tiny_book(folder: Path, url: str) -> Path:
    folder.mkdir()
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    config = re.sub(r'^(  url:) ""$', rf'\1 "{url}"', config, count=1, flags=re.M)
    assert url in config
    (folder / "_config.yml").write_text(config)
    shutil.copy(ROOT / "references.bib", folder)
    for name in ("tools", "assets"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "vendor-assets").mkdir()
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n- file: page\n")
    (folder / "index.md").write_text(TINY_PAGE)
    (folder / "page.md").write_text(TINY_PAGE.replace("tiny", "second"))
    return folder


@pytest.fixture(scope="module")
def tiny_sites(tmp_path_factory):
    """The same tiny book built with the address unset and set (both at once)."""
    base = tmp_path_factory.mktemp("repository-address")
    books = {"unset": tiny_book(base / "unset", ""),
             "set": tiny_book(base / "set", "https://github.com/someone/nw-course")}
    runs = {name: subprocess.Popen([sys.executable, str(ROOT / "tools" / "jupyter_book_cli.py"), "build",
                                    str(book), "-W", "-n", "--keep-going"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for name, book in books.items()}
    for name, run in runs.items():
        out = run.communicate(timeout=600)[0]
        assert run.returncode == 0, f"{name}: {out[-3000:]}"
    return {name: BeautifulSoup((book / "_build" / "html" / "page.html").read_text("utf-8"), "html.parser")
            for name, book in books.items()}


def test_unset_address_shows_no_repository_link(tiny_sites):
    page = tiny_sites["unset"]
    assert page.select(".dropdown-download-buttons"), "the page's own downloads should stay"
    offenders = [a["href"] for a in page.find_all("a", href=True)
                 if re.search(r"github\.com|gitlab\.com|/issues|/releases", a["href"])]
    assert not offenders
    assert not page.select(".btn-source-repository-button, .btn-source-issues-button")


def test_set_address_shows_repository_issue_and_release_buttons(tiny_sites):
    page = tiny_sites["set"]
    url = "https://github.com/someone/nw-course"
    repo = page.select_one("a.btn-source-repository-button")
    issues = page.select_one("a.btn-source-issues-button")
    assert repo is not None and repo["href"] == url
    assert issues is not None and issues["href"].startswith(f"{url}/issues/new")
    downloads = {a["href"] for a in page.select(".dropdown-download-buttons a[href]")}
    for path in (PDF, DIST):
        assert f"{url}/releases/latest/download/{Path(path).name}" in downloads, downloads


# --- the built site --------------------------------------------------------------------

PAGES = site_pages()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_states_the_licences(page):
    html = BeautifulSoup(page_file(page).read_text(encoding="utf-8"), "html.parser")
    if page != MISSING and html.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.I)}):
        return  # a redirect page: the page it forwards to is checked
    footer = html.select_one("footer .nw-licence")
    assert footer is not None, f"{page}: no licence line in the footer"
    licences = {a["href"] for a in footer.select('a[rel="license"]')}
    assert licences == {"https://opensource.org/license/mit",
                        "https://creativecommons.org/licenses/by-sa/4.0/"}, licences
    text = footer.get_text(" ", strip=True)
    assert "MIT" in text and "CC BY-SA 4.0" in text and "Dive into Deep Learning" in text
