"""The colours that carry meaning stay readable for everyone.

- The weight and evidence maps (digitlab.plots.explain.CMAP, red for, blue against): their two
  ends, simulated as a person with deuteranopia or protanopia sees them (colorspacious, Machado
  et al. 2009 at full severity), stay far apart in CAM02-UCS, a space where a distance of about
  1 is just noticeable. Reached with RdBu_r: 33.2 (deuteranopia) and 24.1 (protanopia) between
  the ends; 44.8 with full colour vision. Threshold: 20. And a weight's sign stays readable at
  any strength past a quarter of the scale: the two sides at equal strength are at least 10
  apart (reached: 20.6 deuteranopia, 17.7 protanopia).
- The confusion matrix's colours (charts.COUNTS_CMAP, both the PNG and the browser's heatmap):
  in greyscale, more is darker all the way (lightness J' strictly falls), and the ends are far
  apart in lightness alone (J' from 98.6 to 22.2; threshold 40).
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE
from matplotlib.colors import to_rgb

from digitlab.plots import charts
from digitlab.plots.explain import CMAP

ENDS_APART = 20.0  # CAM02-UCS ΔE between the map's two ends, under each simulation
SIGNS_APART = 10.0  # between -t and +t for every strength t ≥ 0.25 of the scale
GREY_APART = 40.0  # J' (lightness) between the counts map's two ends


def seen_with(cvd: str, rgb: np.ndarray) -> np.ndarray:
    """sRGB colours (0..1) as a person with `cvd` sees them, clipped to the screen's gamut."""
    space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}
    return np.clip(cspace_convert(rgb, space, "sRGB1"), 0, 1)


@pytest.mark.parametrize("cvd", ["deuteranomaly", "protanomaly"])
def test_the_diverging_map_ends_stay_apart_with_red_green_colour_blindness(cvd):
    cmap = matplotlib.colormaps[CMAP]
    ends = seen_with(cvd, np.array([cmap(0.0)[:3], cmap(1.0)[:3]]))
    apart = float(deltaE(ends[0], ends[1], input_space="sRGB1", uniform_space="CAM02-UCS"))
    print(f"{CMAP} under {cvd}: ends {apart:.1f} apart (CAM02-UCS)")
    assert apart >= ENDS_APART
    strengths = np.linspace(0.25, 1, 16)
    against = seen_with(cvd, cmap(0.5 - strengths / 2)[:, :3])
    for_ = seen_with(cvd, cmap(0.5 + strengths / 2)[:, :3])
    sides = deltaE(against, for_, input_space="sRGB1", uniform_space="CAM02-UCS")
    assert float(np.min(sides)) >= SIGNS_APART


def lightness(rgb) -> np.ndarray:
    return cspace_convert(np.asarray(rgb, float), "sRGB1", "CAM02-UCS")[..., 0]


def test_the_confusion_colours_read_in_greyscale_more_is_darker():
    cmap = matplotlib.colormaps[charts.COUNTS_CMAP]
    j = lightness(cmap(np.linspace(0, 1, 256))[:, :3])
    assert np.all(np.diff(j) < 0), "lightness must fall all the way along the scale"
    assert j[0] - j[-1] >= GREY_APART
    stops = lightness([to_rgb(c) for c in charts.counts_colours()])  # the browser's heatmap
    assert np.all(np.diff(stops) < 0) and stops[0] - stops[-1] >= GREY_APART
