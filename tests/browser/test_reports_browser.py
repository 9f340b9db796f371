"""An analyst builds a segment and opens the reports in a real browser: released counts only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils.translation import gettext_lazy as _

from rekisteri.analytics.disclosure import min_cell_size
from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.register import services as s
from rekisteri.staff.services import staff_create
from tests import policy_keys as keys
from tests.browser.console_enrol import enrol

pytestmark = pytest.mark.browser


def test_an_analyst_builds_a_segment_and_opens_the_reports_without_small_cells(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    this_month = clock.today().replace(day=1)
    for i in range(13):
        person = s.person_register(
            actor=SYSTEM,
            source=keys.subject_source(),
            person=s.PersonIn(
                first_name="Asiakas",
                last_name=f"N{i}",
                email=f"n{i}@example.fi",
                address=s.AddressIn("Kauppakatu 1", "70100", "Kuopio" if i < 8 else "Oulu"),
            ),
        )
        # Twelve this month, one the month before: that month's cell stays hidden.
        started = this_month if i < 12 else clock.add_months(this_month, -1)
        s.customership_start(
            actor=SYSTEM, person_id=person.pk, source=keys.service_source(), started_on=started
        )
    _user, token = staff_create(actor=SYSTEM, username="analyytikko", role=keys.analyst_role())
    words = keys.words
    hidden = f"<{min_cell_size()}"
    page = browser.new_page(locale=keys.language())
    enrol(page, served, token)

    # A segment: the active customers. Its size is released, perturbed by at most two.
    page.get_by_role("link", name=words(_("Segments"))).click()
    page.get_by_label(words(_("Customership"))).select_option("active")
    page.get_by_role("button", name=words(_("Show the segment"))).click()
    size = page.get_by_text(words(_("People in the segment"))).locator("..").inner_text()
    assert int(size.rsplit(":", 1)[1]) in range(11, 16)
    page.get_by_label(words(_("Save as"))).fill("Nykyiset asiakkaat")
    page.get_by_role("button", name=words(_("Save the segment"))).click()
    assert page.get_by_role("link", name="Nykyiset asiakkaat").is_visible()
    page.screenshot(path=str(screenshot_dir / "console-segment.png"), full_page=True)

    page.get_by_role("link", name=words(_("Reports"))).click()
    page.wait_for_url(f"{served}/console/reports")
    section = page.get_by_role("region", name=words(_("New and ended customerships by month")))
    chart = section.get_by_role("img")
    assert chart.is_visible()
    widths = chart.locator("rect").evaluate_all(
        "rs => rs.map(r => Number(r.getAttribute('width')))"
    )
    assert max(widths) > 0
    label = this_month.strftime("%m/%Y")
    row = section.get_by_role("row", name=label)
    assert int(row.get_by_role("cell").first.inner_text()) in range(10, 15)
    before = clock.add_months(this_month, -1).strftime("%m/%Y")
    assert section.get_by_role("row", name=before).get_by_role("cell").first.inner_text() == hidden
    # The analyst's purposes open no campaign report.
    assert words(_("Campaign deliveries and results")) not in page.content()
    page.screenshot(path=str(screenshot_dir / "console-reports.png"), full_page=True)
    with page.expect_download() as info:
        section.get_by_role("link", name=words(_("Download as CSV"))).click()
    saved = Path(info.value.path())
    assert f"{before},{hidden},0" in saved.read_text(encoding="utf-8")
