"""The docs harness reads the convention as written and fails with the page's file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.harness import (
    Command,
    DocError,
    Sandbox,
    Shown,
    check,
    extract,
    missing_lines,
    needs_engine,
    normalise,
)

PAGE = """\
# A page

```sh
$ echo one
one
$ false  # exit 1
```

```console
$ echo never run
```

- In a list:

  ```sh
  $ printf '%s\\n' a \\
      b
  a
  $ cat > f.txt <<'EOF'
  $ not a command, text of the here-document
  EOF
  ```

```sh
$ workdocs-users drift  # exit 2
$ cat <<< "here-string, not a here-document"
$ cat > users.yaml <<'EOF'
users:
  - username: ada
EOF
```
"""


def page(tmp_path: Path, text: str = PAGE) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text)
    return path


def test_extract_reads_commands_output_exit_codes_and_lines(tmp_path: Path) -> None:
    commands = extract(page(tmp_path))
    assert [(c.line, c.first_line, c.exit_code) for c in commands] == [
        (4, "echo one", 0),
        (6, "false  # exit 1", 1),
        (16, "printf '%s\\n' a \\", 0),
        (19, "cat > f.txt <<'EOF'", 0),
        (25, "workdocs-users drift  # exit 2", 2),
        (26, 'cat <<< "here-string, not a here-document"', 0),
        (27, "cat > users.yaml <<'EOF'", 0),
    ]
    assert [s.text for s in commands[0].shown] == ["one"]
    assert commands[2].text == "printf '%s\\n' a \\\n    b" and [s.line for s in commands[2].shown] == [18]
    assert commands[3].text.splitlines()[1] == "$ not a command, text of the here-document"
    assert not commands[3].shown
    assert commands[6].text.splitlines()[2] == "  - username: ada"  # indentation kept
    assert needs_engine(commands) and not needs_engine(commands[:4])


def test_extract_refuses_a_broken_page(tmp_path: Path) -> None:
    with pytest.raises(DocError, match=r"page.md:1: the block opened here is never closed"):
        extract(page(tmp_path, "```sh\n$ echo\n"))
    with pytest.raises(DocError, match=r"page.md:2: here-document END is never ended"):
        extract(page(tmp_path, "```sh\n$ cat <<END\nx\n```\n"))
    with pytest.raises(DocError, match=r"page.md:2: a sh block's output must follow"):
        extract(page(tmp_path, "```sh\nstray\n```\n"))


def test_shown_lines_match_loosely() -> None:
    command = Command(
        Path("p.md"),
        1,
        "x",
        shown=tuple(
            Shown(n, t)
            for n, t in [
                (2, "+  workdocs:index:User ada created (3s)"),
                (3, "adopts existing user 4844158f7469efe98735dea65b541483edd158eac0134dd0abfb8f3707a6109c ..."),
                (4, "WorkDocs: http://127.0.0.1:4567 (from ...)"),
            ]
        ),
    )
    output = (
        " +  workdocs:index:User   ada created (12s)\n"
        "carol: adopts existing user f78af3f4972242af85b100ebc6d086f6a8f1e4982ba62b2655317e3acfba889b (USER)\n"
        "WorkDocs: http://127.0.0.1:38211 (from AWS_ENDPOINT_URL_WORKDOCS)\n"
    )
    assert missing_lines(command, output) == []
    assert [s.line for s in missing_lines(command, output.replace("ada", "bob"))] == [2]
    assert normalise("at 2025-04-25T10:00:01.5+00:00 in d-90670a1b2c") == "at <time> in <org>"


def test_sandbox_keeps_cwd_and_exports_and_names_the_failing_line(tmp_path: Path) -> None:
    commands = extract(
        page(
            tmp_path,
            "```sh\n$ mkdir sub && cd sub && export GREETING=hello\n"
            "$ echo $GREETING from $(basename $PWD)\nhello from sub\n"
            "$ echo $AWS_ENDPOINT_URL_WORKDOCS; ls ../users.yaml\nhttp://127.0.0.1:1\n"
            "$ echo goodbye\nhello\n```\n",
        )
    )
    box = Sandbox(tmp_path / "work", "http://127.0.0.1:1")
    try:
        results = [box.run(c) for c in commands]
    finally:
        box.close()
    assert [check(c, *r) for c, r in zip(commands[:3], results[:3], strict=True)] == [None, None, None]
    failure = check(commands[3], *results[3])
    assert failure is not None and "page.md:7: `echo goodbye`: the output lacks" in failure
    assert "page.md:8: hello" in failure
    wrong_code = check(Command(commands[0].doc, 9, "true", exit_code=3), 0, "")
    assert wrong_code is not None and "page.md:9: `true` exited 0, the page expects 3" in wrong_code
