"""The commune's organization and the French forms of its name used in titles and mails."""
from __future__ import annotations

import pytest

from tests.onboarding.conftest import LARGE_WITH_EMAIL, make_request, onboarding_config


@pytest.mark.parametrize("name, of, title", [
    ("Metz", "de Metz", "Commune de Metz"),
    ("Erstein", "d\u2019Erstein", "Commune d\u2019Erstein"),
    ("Épinal", "d\u2019Épinal", "Commune d\u2019Épinal"),
    ("Le Hohwald", "du Hohwald", "Commune du Hohwald"),
    ("Les Rousses", "des Rousses", "Commune des Rousses"),
    ("La Bresse", "de La Bresse", "Commune de La Bresse"),
    ("L'Hôpital", "de L'Hôpital", "Commune de L'Hôpital"),
])
def test_french_of_before_a_commune_name(name, of, title):
    from ckanext.grandest.onboarding.organization import commune_title, of_commune

    assert of_commune(name) == of
    assert commune_title(name) == title


@onboarding_config(request_context=True)  # a French web request, as the form or the API would be
def test_mails_elide_before_a_vowel(smtp_server):
    make_request(LARGE_WITH_EMAIL)  # Erstein
    from tests.conftest import CapturedMail

    msgs = smtp_server.wait_for(2)
    townhall = [m for m, env in zip(msgs, smtp_server.envelopes) if "Erstein" in str(m["To"]) or
                any("erstein" in rcpt for rcpt in env["to"])]
    assert townhall, [m["To"] for m in msgs]
    mail = townhall[0]
    assert str(mail["To"]).startswith("Mairie d\u2019Erstein")
    assert str(mail["Subject"]).endswith("confirmez la demande d\u2019Erstein")
    body = CapturedMail.body(mail)
    assert "de la commune d\u2019Erstein" in body and "de Erstein" not in body
    requester = [m for m in msgs if "claire.martin@example.org" in str(m["To"])][0]
    assert "de la commune d\u2019Erstein" in CapturedMail.body(requester)
