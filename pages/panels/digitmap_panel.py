"""The Draw page's "On the map": the test digits on a 2-D map (digitlab.lab.digitmap), coloured
by label, the drawing as a star that moves with every stroke (a dashed trail shows where it
was), and its nearest training digits ringed.

Drawn by the browser (a Vega-Lite spec): a stroke costs the server a 784 x 2 product and the
spec; the map itself is built once per split and deskew setting for the whole server, beside
the neighbour index it takes its directions from.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from digitlab.lab import digitmap, neighbours
from digitlab.training.session import Split
from pages.panels import neighbours_panel
from pages.shared import figures, state
from pages.shared.i18n import _, fmt

TRAIL = "map_trail"  # the drawing's last places on the map, oldest first, for this model
TRAIL_LEN = 6
NEAREST = 8  # training digits ringed
AXIS = {"labelFontSize": 14, "titleFontSize": 14, "labels": False, "ticks": False,
        "grid": False}


@st.cache_resource(max_entries=4, show_spinner=False)
def digit_map(key: tuple, deskew: bool, _split: Split,
              _index: neighbours.NeighbourIndex) -> digitmap.DigitMap:
    """Keyed like the neighbour index (the split and deskew), which is all it depends on.
    Shared between sessions: it is never mutated."""
    return digitmap.build(_index, _split.X_test, _split.y_test)


@st.cache_resource(max_entries=4, show_spinner=False)
def map_points(key: tuple, deskew: bool, _dmap: digitmap.DigitMap) -> list[dict]:
    """The dots a page draws (a sample of each digit), as Vega-Lite rows; shared, read only."""
    rows = _dmap.sample()
    return [{"x": round(float(x), 1), "y": round(float(y), 1), "digit": str(int(d))}
            for (x, y), d in zip(_dmap.coords[rows], _dmap.labels[rows])]


def among(dmap: digitmap.DigitMap, xy: np.ndarray, k: int = 25) -> int:
    """The most common label of the k test digits nearest to `xy` on the map."""
    near = np.argsort(np.linalg.norm(dmap.coords - xy, axis=1))[:k]
    labels, counts = np.unique(dmap.labels[near], return_counts=True)
    return int(labels[np.argmax(counts)])


def trail(model_id: int, xy: np.ndarray) -> list[dict]:
    """This drawing's places so far, the newest last (a new model starts a new trail)."""
    kept = st.session_state.get(TRAIL)
    if not kept or kept[0] != model_id:
        kept = (model_id, [])
    places = kept[1]
    point = {"x": float(xy[0]), "y": float(xy[1])}
    if not places or places[-1] != point:
        places = (places + [point])[-TRAIL_LEN:]
    st.session_state[TRAIL] = (model_id, places)
    return [{**p, "order": i} for i, p in enumerate(places)]


def spec(points: list[dict], centres: dict[int, np.ndarray], path: list[dict],
         near: list[dict], description: str) -> dict:
    """Dots per test digit, each digit's label at its centre, the ringed nearest training
    digits, the trail and the drawing's star."""
    x = {"field": "x", "type": "quantitative", "axis": {**AXIS, "title": _("first direction")}}
    y = {"field": "y", "type": "quantitative", "axis": {**AXIS, "title": _("second direction")}}
    colour = {"field": "digit", "type": "nominal", "scale": {"scheme": "tableau10"},
              "legend": {"title": _("digit"), "labelFontSize": 14, "titleFontSize": 14,
                         "symbolSize": 160, "symbolOpacity": 1, "orient": "bottom",
                         "direction": "horizontal", "columns": 5}}
    label_rows = [{"x": float(c[0]), "y": float(c[1]), "digit": str(d)}
                  for d, c in centres.items()]
    tip = [{"field": "digit", "title": _("digit")}]
    return {
        "description": description, "height": 420,
        "layer": [
            {"data": {"values": points}, "mark": {"type": "circle", "size": 24, "opacity": 0.6},
             "encoding": {"x": x, "y": y, "color": colour, "tooltip": tip}},
            {"data": {"values": label_rows},
             "mark": {"type": "text", "fontSize": 24, "fontWeight": "bold", "stroke": "white",
                      "strokeWidth": 4, "paintOrder": "stroke"},
             "encoding": {"x": x, "y": y, "text": {"field": "digit"},
                          "color": {**colour, "legend": None}}},
            {"data": {"values": label_rows},  # the same labels again, without the halo on top
             "mark": {"type": "text", "fontSize": 24, "fontWeight": "bold"},
             "encoding": {"x": x, "y": y, "text": {"field": "digit"},
                          "color": {**colour, "legend": None}}},
            {"data": {"values": near},
             "mark": {"type": "circle", "size": 200, "stroke": "black", "strokeWidth": 3,
                      "opacity": 1},
             "encoding": {"x": x, "y": y, "color": {**colour, "legend": None},
                          "tooltip": [{"field": "digit", "title": _("nearest training digit")}]}},
            {"data": {"values": path},
             "mark": {"type": "line", "strokeDash": [5, 4], "strokeWidth": 3, "color": "black",
                      "point": {"filled": True, "size": 50, "color": "black"}},
             "encoding": {"x": x, "y": y, "order": {"field": "order"}}},
            {"data": {"values": path[-1:]},
             "mark": {"type": "point", "shape": "M0,-1L0.24,-0.31L0.95,-0.31L0.38,0.12L0.59,0.81"
                      "L0,0.38L-0.59,0.81L-0.38,0.12L-0.95,-0.31L-0.24,-0.31Z",
                      "size": 1400, "filled": True, "color": "black", "stroke": "white",
                      "strokeWidth": 2, "opacity": 1},
             "encoding": {"x": x, "y": y,
                          "tooltip": {"value": _("your drawing")}}},
        ],
    }


def drawing_tab(fit, image: np.ndarray, prepared) -> None:
    """"On the map" for a drawing (an entry of the Draw page's TABS)."""
    cfg = fit.config
    split = state.split_for(state.dataset(), cfg)
    index = neighbours_panel.index_for(split, cfg.test_size, cfg.seed, cfg.deskew)
    key = neighbours_panel.split_key(split, cfg.test_size, cfg.seed)
    with st.spinner(_("Placing the test digits on the map…")):
        dmap = digit_map(key, cfg.deskew, split, index)
    points = map_points(key, cfg.deskew, dmap)
    xy = dmap.place(prepared.image28)
    found, _dist = neighbours.nearest(index, prepared.image28, NEAREST)
    near = [{"x": float(a), "y": float(b), "digit": str(int(split.y_train[i]))}
            for (a, b), i in zip(dmap.training_coords(found), found)]
    place = among(dmap, xy)
    near_labels = ", ".join(str(int(split.y_train[i])) for i in found)
    description = _("A map of {n:,} test digits, each a dot coloured by its label, with its "
                    "label written at the centre of its dots. Your drawing, the black star, "
                    "sits among the {place}s; in all 784 pixels its {k} nearest training "
                    "digits, ringed, are {labels}.", n=len(points), place=place, k=len(found),
                    labels=near_labels)
    path = trail(id(fit), xy)
    st.vega_lite_chart(figures.vega(spec(points, dmap.centres(), path, near, description)),
                       theme=None, width="stretch")  # its description is its alt text
    st.markdown(_("**On this map your drawing sits among the {place}s.** In all 784 pixels, "
                  "its {k} nearest training digits (ringed) are {labels}.", place=place,
                  k=len(found), labels=near_labels))
    st.caption(_("Each dot is one of {n} test digits ({per} of each), placed by its two "
                 "strongest directions of variation across the training images (PCA: "
                 "principal component analysis){deskewed}. Digits drawn alike land close "
                 "together; the dashed line shows where your drawing was after your last "
                 "strokes. Two directions cannot keep 784 pixels apart, so some digits overlap "
                 "here that the model still tells apart.", n=fmt(len(points), ","),
                 per=digitmap.SAMPLE_PER_DIGIT,
                 deskewed=_(", after deskewing, as this model sees them") if cfg.deskew
                 else ""))
