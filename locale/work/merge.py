"""Build the Korean catalogue: makemessages from the sources, then each msgstr from the
translation files in this folder (``*.json``: {"English msgid": "Korean"}; a msgid with a
context is written "context\\u0004msgid"), then compilemessages.

    .venv/bin/python locale/work/merge.py [--locale-dir DIR]

Prints the strings that still have no Korean. The shipped catalogue is locale/ko/LC_MESSAGES/
django.po (what bin/messages refreshes); this folder holds the translators' working files.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
IGNORE = [
    "--ignore=.venv",
    "--ignore=staticfiles",
    "--ignore=tests",
    "--ignore=benchmarks",
    "--ignore=templates/console/styleguide.html",
]


def translations() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted(Path(__file__).parent.glob("*.json")):
        for msgid, msgstr in json.loads(path.read_text(encoding="utf-8")).items():
            if isinstance(msgstr, list):
                msgstr = msgstr[0]
            if msgstr and msgid not in merged:
                merged[msgid] = msgstr
    return merged


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locale-dir", default=str(ROOT / "locale"))
    locale_dir = Path(parser.parse_args().locale_dir)
    env = {
        **os.environ,
        "IAMCONSOLE_LOCALE_DIR": str(locale_dir),
        "DJANGO_SETTINGS_MODULE": "iamconsole.settings",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "makemessages", "-l", "ko", "--no-location", "--no-obsolete", *IGNORE],
        cwd=ROOT,
        env=env,
        check=True,
    )
    po_path = locale_dir / "ko" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path), wrapwidth=0)
    po.metadata.update(
        {
            "Language": "ko",
            "Content-Type": "text/plain; charset=UTF-8",
            "Plural-Forms": "nplurals=1; plural=0;",
            "Language-Team": "iamconsole (AWS's Korean IAM console terms: tests/data/glossary_ko.tsv)",
        }
    )
    known = translations()
    missing = []
    for entry in po:
        k = f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid
        text = known.get(k)
        if text is None:
            missing.append(entry.msgid)
            entry.msgstr = ""
            if entry.msgid_plural:
                entry.msgstr_plural = {0: ""}
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: text}
        else:
            entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(po_path))
    subprocess.run(
        [python, "manage.py", "compilemessages", "-l", "ko", "--ignore=.venv"], cwd=ROOT, env=env, check=True
    )
    print(f"{len(po) - len(missing)} of {len(po)} strings translated; {len(missing)} missing")
    for msgid in missing[:200]:
        print("  missing:", msgid[:120].replace("\n", " "))


if __name__ == "__main__":
    main()
