"""An analyst opens the reports in a real browser: the chart is drawn, small cells are hidden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.register import services as s
from rekisteri.staff.services import staff_create
from tests.browser.test_console_browser import PASSWORD, _code

pytestmark = pytest.mark.browser


def test_an_analyst_opens_the_reports_and_sees_a_chart_without_small_cells(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    this_month = clock.today().replace(day=1)
    for i in range(7):
        person = s.person_register(
            actor=SYSTEM,
            source="subject",
            person=s.PersonIn(first_name="Asiakas", last_name=f"N{i}", email=f"n{i}@example.fi"),
        )
        # Six this month, one the month before: that month's cell stays hidden.
        started = this_month if i < 6 else clock.add_months(this_month, -1)
        s.customership_start(
            actor=SYSTEM, person_id=person.pk, source="subject", started_on=started
        )
    _, token = staff_create(actor=SYSTEM, username="analyytikko", role="analyst")
    page = browser.new_page(locale="fi-FI")
    page.goto(f"{served}/console/enrol/{token}")
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Uusi salasana").fill(PASSWORD)
    page.get_by_label("Todennussovelluksen näyttämä koodi").fill(_code(secret))
    page.get_by_role("button", name="Tallenna ja kirjaudu").click()
    page.wait_for_url(f"{served}/console/")

    page.get_by_role("link", name="Raportit").click()
    page.wait_for_url(f"{served}/console/reports")
    section = page.get_by_role("region", name="Uudet ja päättyneet asiakkuudet kuukausittain")
    chart = section.get_by_role("img")
    assert chart.is_visible()
    heights = chart.locator("rect").evaluate_all(
        "rs => rs.map(r => Number(r.getAttribute('height')))"
    )
    assert max(heights) > 0
    label = this_month.strftime("%m/%Y")
    row = section.get_by_role("row", name=label)
    assert row.get_by_role("cell").first.inner_text() == "6"
    before = clock.add_months(this_month, -1).strftime("%m/%Y")
    assert section.get_by_role("row", name=before).get_by_role("cell").first.inner_text() == "<5"
    assert "Kampanjoiden" not in page.content()
    page.screenshot(path=str(screenshot_dir / "console-reports.png"), full_page=True)
    with page.expect_download() as info:
        section.get_by_role("link", name="Lataa CSV-tiedostona").click()
    saved = Path(info.value.path())
    assert f"{before},<5,0" in saved.read_text(encoding="utf-8")
