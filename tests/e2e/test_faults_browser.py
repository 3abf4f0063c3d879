"""Fits in the real app that are rerun, stopped or abandoned mid-way: the session keeps its
last good model and the fit's process ends (its core freed) within seconds. The fit is the
Tutorial settings (sag on all of MNIST, ~10 minutes if nothing ends it), in a child process of
the server (digitlab.model.solvers.child) that the test watches; a sweep's child process
(digitlab.sweeps.child) ends as well when its tab closes."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    STOP_TRAINING,
    go_to,
    metric_value,
    new_page,
    screenshot,
    wait_idle,
)
from tests.support.procs import fit_children, gone_within, wait_for_fitting_child

pytestmark = pytest.mark.fault


def start_tutorial_fit(page, server_pid: int):
    """Press Tutorial settings, then Train anyway; returns the fit's process once busy."""
    go_to(page, "Train")
    page.get_by_role("button", name="Tutorial settings").click()
    page.get_by_role("button", name="Train anyway").click()
    expect(page.get_by_text("Training:").first).to_be_visible()
    return wait_for_fitting_child(timeout=60, pid=server_pid)


def test_a_rerun_mid_fit_then_stop_keeps_the_last_good_model_and_a_closed_tab_frees_its_core(
        trained, app_server, ledger):
    page = trained  # a model first: the page then knows how long the Tutorial fit takes
    before = metric_value(page, "Test accuracy").inner_text()
    child = start_tutorial_fit(page, app_server.proc.pid)
    ledger.fault()
    go_to(page, "Gallery")  # reruns mid-fit: the fit goes on
    # back to Train, whose run follows the fit until it ends (so no wait for an idle page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Train").first.click()
    expect(page.get_by_text("Training:").first).to_be_visible()
    assert child.is_running() and fit_children(app_server.proc.pid) == [child]
    page.locator(STOP_TRAINING).filter(visible=True).first.click()  # not the toolbar's Stop
    ledger.fault()
    took = gone_within(child, 10)
    assert took is not None, "the stopped fit still runs"
    expect(page.get_by_text("nothing was kept").first).to_be_visible()
    wait_idle(page)
    assert page.get_by_text("Your previous model is kept").first.is_visible()
    assert metric_value(page, "Test accuracy").inner_text() == before
    screenshot(page, "train-stopped-tutorial-fit")
    assert fit_children(app_server.proc.pid) == []

    # the same fit again, and the tab is closed mid-fit: nobody is left to press Stop
    try:
        child = start_tutorial_fit(page, app_server.proc.pid)
    finally:
        page.context.close()
    ledger.fault()
    took = gone_within(child, 15)
    assert took is not None, "the abandoned fit still runs 15 s after its tab closed"
    assert fit_children(app_server.proc.pid) == []


def test_a_tab_closed_mid_sweep_ends_the_sweeps_process(chromium, app_server, ledger):
    """The Sweep page's sweep runs in a child process of the server (digitlab.sweeps.child)."""
    page = new_page(chromium, app_server.url)
    try:
        go_to(page, "Sweep")
        slider = page.locator('[data-testid="stSlider"]', has_text="Training images")
        slider.get_by_role("slider").press("End")  # all 59,500 images: minutes of fitting
        wait_idle(page)
        page.get_by_role("button", name="Run sweep").click()
        expect(page.get_by_text("fits done").first).to_be_visible()
        sweeps = []
        deadline = time.monotonic() + 60
        while not sweeps and time.monotonic() < deadline:
            sweeps = fit_children(app_server.proc.pid, ("digitlab.sweeps.child",), False)
            time.sleep(0.1)
        assert len(sweeps) == 1, "no sweep process started"
    finally:
        page.context.close()
    ledger.fault()
    took = gone_within(sweeps[0], 15)
    assert took is not None, "the abandoned sweep still runs 15 s after its tab closed"
    assert fit_children(app_server.proc.pid) == []
