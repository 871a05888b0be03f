"""The Korean catalogue: what the sources say, and what we translated.

    .venv/bin/python locale/catalogue.py [--locale-dir DIR]     (bin/messages runs it)

1. Extract: Django's makemessages run on a temporary copy of the sources (so that nothing in
   the working tree is rewritten while it runs, and two runs never race on one file).
2. Translate: each msgstr comes from the translators' working files locale/work/*.json while
   they exist ({"English msgid": "Korean"}; a msgid with a context is written
   "context\\u0004msgid"), else from the catalogue in the repo (locale/ko/LC_MESSAGES/django.po).
3. Write django.po and compile django.mo (polib; no gettext needed for this step) into
   --locale-dir (default: the repo's locale/), and print the strings that still have no Korean.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"
# what makemessages reads: the project's Python and templates (not the tests, benchmarks, the
# style guide, which is not a page, nor the virtualenv)
SKIP = {".venv", ".git", "var", "staticfiles", "tests", "benchmarks", "locale", "node_modules", "__pycache__"}
SKIP_FILES = {"styleguide.html"}
HEADER = {
    "Language": "ko",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
    "Language-Team": "iamconsole (console terms: tests/data/glossary_ko.tsv)",
}


def key(entry) -> str:
    return f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid


def extract() -> polib.POFile:
    """What makemessages finds in the sources now."""
    with tempfile.TemporaryDirectory(prefix="iamconsole-messages-") as tmp:
        copy = Path(tmp) / "src"

        def ignore(directory, names):
            return [n for n in names if n in SKIP or n in SKIP_FILES or n.endswith((".pyc", ".sqlite3"))]

        shutil.copytree(ROOT, copy, ignore=ignore)
        (copy / "locale").mkdir()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "iamconsole.settings",
            "IAMCONSOLE_VAR_DIR": str(Path(tmp) / "var"),
            "IAMCONSOLE_LOCALE_DIR": str(copy / "locale"),
        }
        env.pop("DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "ko", "--no-location", "--no-wrap"],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return polib.pofile(str(copy / "locale" / "ko" / "LC_MESSAGES" / "django.po"), wrapwidth=0)


def known_translations() -> dict[str, str]:
    """The translators' working files first (while they exist), then the shipped catalogue."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "locale" / "work").glob("*.json")):
        for msgid, text in json.loads(path.read_text(encoding="utf-8")).items():
            text = text[0] if isinstance(text, list) else text
            if text and msgid not in found:
                found[msgid] = text
    if SHIPPED.exists():
        for entry in polib.pofile(str(SHIPPED)):
            text = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
            if text and "fuzzy" not in entry.flags and key(entry) not in found:
                found[key(entry)] = text
    return found


def build(locale_dir: Path) -> list[str]:
    po = extract()
    po.metadata.update(HEADER)
    translations = known_translations()
    missing = []
    for entry in po:
        text = translations.get(key(entry), "")
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        if not text:
            missing.append(entry.msgid)
    target = locale_dir / "ko" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    po.save(str(target / "django.po"))
    po.save_as_mofile(str(target / "django.mo"))
    print(f"{len(po) - len(missing)} of {len(po)} strings translated into {target}; {len(missing)} missing")
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locale-dir", default=str(ROOT / "locale"))
    missing = build(Path(parser.parse_args().locale_dir))
    for msgid in missing[:300]:
        print("  missing:", msgid[:140].replace("\n", " "))


if __name__ == "__main__":
    main()
