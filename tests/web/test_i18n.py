"""Korean and English: every string of the console is translated (the catalogue in the repo
matches what makemessages finds in the sources), the compiled catalogue is current, the
footer's Language menu and Accept-Language choose the language, and AWS's own messages (API
errors, AccessDenied) and the CSV headers stay English, as in AWS's Korean console."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "ko" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _catalogue_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("catalogue", ROOT / "locale" / "catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.fixture(scope="module")
def extracted() -> polib.POFile:
    """What makemessages finds in the sources now (run on a copy of them: bin/messages's way)."""
    return _catalogue_module().extract()


def test_every_string_of_the_sources_has_a_korean_translation(extracted):
    shipped = {key(e): e for e in polib.pofile(str(PO)) if not e.obsolete}
    missing = [e.msgid for e in extracted if key(e) not in shipped]
    untranslated = [
        e.msgid
        for e in extracted
        if key(e) in shipped and (not shipped[key(e)].translated() or "fuzzy" in shipped[key(e)].flags)
    ]
    assert not missing, (
        f"{len(missing)} strings not in django.po (run bin/messages, translate): {missing[:20]}"
    )
    assert not untranslated, f"{len(untranslated)} strings without Korean: {untranslated[:20]}"


def test_the_catalogue_has_no_strings_the_sources_lost(extracted):
    found = {key(e) for e in extracted}
    stale = [e.msgid for e in polib.pofile(str(PO)) if not e.obsolete and key(e) not in found]
    assert not stale, f"{len(stale)} strings no longer in the sources (run bin/messages): {stale[:20]}"


def test_the_compiled_catalogue_is_current():
    po = {key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.pofile(str(PO)) if e.translated()}
    mo = {key(e): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(MO))}
    assert po == {k: v for k, v in mo.items() if k[1]}


def test_the_language_menu_keeps_the_choice_in_a_cookie(db):
    client = Client()
    page = client.get(reverse("signin"))
    assert '<html lang="en">' in page.content.decode()
    assert 'data-testid="language-menu"' in page.content.decode()
    chosen = client.post(reverse("set_language"), {"language": "ko", "next": reverse("signin")})
    assert chosen.status_code == 302 and chosen["Location"] == reverse("signin")
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ko"
    korean = client.get(reverse("signin")).content.decode()
    assert '<html lang="ko">' in korean and "로그인" in korean
    client.post(reverse("set_language"), {"language": "en", "next": reverse("signin")})
    assert '<html lang="en">' in client.get(reverse("signin")).content.decode()


def test_accept_language_chooses_korean_until_the_menu_says_otherwise(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9,en;q=0.5")
    assert '<html lang="ko">' in client.get(reverse("signin")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get(reverse("signin")).content.decode()


def test_aws_messages_stay_english_in_the_korean_console(root, user_factory, client_for):
    kim = user_factory("kim")
    client = client_for(kim, HTTP_ACCEPT_LANGUAGE="ko")
    page = client.get(reverse("iam:user_list"))
    body = page.content.decode()
    assert page.status_code == 403 and '<html lang="ko">' in body
    assert f"User: {kim.arn} is not authorized to perform: iam:ListUsers" in body
    assert "사용자" in body  # the page around it is Korean


def test_the_credentials_csv_keeps_aws_english_headers(root, client_for):
    client = client_for(root, HTTP_ACCEPT_LANGUAGE="ko")
    created = client.post(reverse("iam:user_create"), {"user_name": "kim", "console_access": "on"})
    token = created.context["download_token"]
    csv_bytes = client.post(reverse("iam:credentials_download", args=[token])).content
    assert csv_bytes.startswith(b"User name,Password,Console sign-in URL\r\n")


def glossary() -> dict[str, str]:
    rows = (ROOT / "tests" / "data" / "glossary_ko.tsv").read_text(encoding="utf-8").splitlines()
    return {r.split("\t")[0]: r.split("\t")[1] for r in rows if r and not r.startswith("#")}


def test_console_labels_use_the_glossary_terms():
    """A label that is one of the glossary's terms is translated with the glossary's Korean (AWS's
    own where its Korean documentation has it), everywhere."""
    terms = glossary()
    wrong = {
        e.msgid: e.msgstr
        for e in polib.pofile(str(PO))
        if e.msgid in terms and e.translated() and not e.msgctxt and e.msgstr != terms[e.msgid]
    }
    assert not wrong, wrong
