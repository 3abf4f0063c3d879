"""The Train page's flipbook: the ten weight images epoch by epoch (digitlab.training.movie), a
slider and Play.

Play is a fragment that reruns itself every PLAY_S seconds and moves the slider one frame: only
the fragment runs (not the page), and a frame is ten 28x28 images coloured with NumPy
(digitlab.plots.explain.weight_mosaic: no matplotlib, no lock), made once per frame for the
whole server (`frame_png`). A fragment that is not playing has no timer at all: Pause and the
last frame end it.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np
import streamlit as st

from digitlab.lab import explain
from digitlab.plots import explain as eplots
from digitlab.training.movie import Movie
from digitlab.training.session import Trained
from pages.shared.i18n import _, fmt

FRAME = "movie_frame"  # the slider: the frame shown
PLAYING = "movie_playing"  # True while Play runs
SHOWN = "movie_of"  # which movie the slider's frame belongs to (a new fit starts at its end)
PLAY_S = 0.6  # seconds per frame while playing
PX = 84  # each weight image on screen: 3 screen pixels per MNIST pixel (5 a row: 444 px)
HOLD = "movie_hold"  # Play's first run shows the first frame, not the second


def movie_key(movie: Movie) -> tuple:
    """What a movie's pictures depend on: its frames' bytes (crc32: ~0.1 ms for 0.5 MB)."""
    coefs, final = np.ascontiguousarray(movie.coefs), np.ascontiguousarray(movie.final)
    return (zlib.crc32(coefs.data), zlib.crc32(final.data), tuple(movie.epochs.tolist()),
            movie.final_epoch)


@st.cache_data(max_entries=512, show_spinner=False)
def frame_png(key: tuple, i: int, side: int, classes: tuple[str, ...], _movie: Movie) -> bytes:
    """Frame i's ten weight images as one PNG. Keyed by the movie's content (`movie_key`), so
    safe to share between sessions (a class that trains the same settings shares one fit, so
    one movie): Play then costs a cache lookup per frame, not ~30 ms of colouring and PNG."""
    last = len(_movie) - 1
    # one colour scale for every frame, the final model's: weights visibly grow from white
    limit = eplots.symmetric_limit(_movie.images(last, side))
    rgb = eplots.weight_mosaic(_movie.images(i, side), classes, limit, PX)
    ok, png = cv2.imencode(".png", rgb[..., ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise ValueError("could not encode the frame as PNG")
    return png.tobytes()


def panel(tr: Trained) -> None:
    """The flipbook of `tr`'s fit, or a sentence saying why it has none."""
    st.markdown(_("#### Training as a movie: the weights, epoch by epoch"))
    movie = tr.fit.movie
    w = explain.pixel_weights(tr.fit.model)
    if movie is None or w is None:
        st.caption(_("Only DigitLab's own solver (digitlab-fast) on pixels reports its weights "
                     "after every epoch; train with the Fast preset to watch them grow."))
        return
    if st.session_state.get(SHOWN) != id(movie) or st.session_state.get(FRAME, -1) >= len(movie):
        st.session_state[SHOWN] = id(movie)  # a new model: show its final weights first
        st.session_state[FRAME] = len(movie) - 1
        st.session_state[PLAYING] = False
    playing = bool(st.session_state.get(PLAYING))
    last = len(movie) - 1
    # Outside the fragment: a press reruns the page, which defines the fragment again with its
    # timer (Play) or without one (Pause); a press inside it would rerun only the fragment.
    st.button(_("Pause") if playing else _("Play"), on_click=toggle, args=(last,),
              key="movie_play", icon=":material/pause:" if playing else ":material/play_arrow:")
    st.fragment(run_every=PLAY_S if playing else None)(flipbook)(
        movie, w.pixels.side, [str(c) for c in w.classes], tr.fit.n_iter)


def toggle(last: int) -> None:
    """Play or Pause (a callback). Play at the last frame starts again from the first."""
    playing = not st.session_state.get(PLAYING)
    if playing and st.session_state.get(FRAME, 0) >= last:
        st.session_state[FRAME] = 0
    st.session_state[HOLD] = playing
    st.session_state[PLAYING] = playing


def frame_label(movie: Movie, i: int) -> str:
    if i == len(movie) - 1:
        return _("epoch {epoch} (the model kept)", epoch=movie.epoch(i))
    return _("epoch {epoch}", epoch=movie.epoch(i))


def flipbook(movie: Movie, side: int, classes: list[str], epochs_run: int) -> None:
    """One frame and its controls; while playing, each run moves one frame on. `epochs_run`:
    the fit's epochs (a long fit's frames skip some, so the last frame may come before it)."""
    last = len(movie) - 1
    if st.session_state.get(PLAYING) and not st.session_state.pop(HOLD, False):
        if st.session_state.get(FRAME, 0) >= last:  # the end: stop the timer (a full rerun
            st.session_state[PLAYING] = False     # defines the fragment without one)
            st.rerun()
        st.session_state[FRAME] = min(st.session_state.get(FRAME, 0) + 1, last)
    i = st.select_slider(_("Frame"), list(range(len(movie))), key=FRAME,
                         format_func=lambda j: frame_label(movie, j),
                         disabled=bool(st.session_state.get(PLAYING)))
    epoch = frame_label(movie, i)
    # in a column: on a phone the columns stack and the picture shrinks to the screen's width
    left, _right = st.columns([3, 2])
    left.image(frame_png(movie_key(movie), i, side, tuple(classes), movie), width="stretch",
               caption=epoch,
               alt=_("The weights of the ten digits at {epoch}, each a 28x28 picture: red where "
                     "ink counts for the digit, blue where it counts against it.", epoch=epoch))
    st.caption(_("{n} frames over {epochs} epochs, on one colour scale (the final model's): "
                 "red where ink counts for the digit, blue where it counts against, white where "
                 "it does nothing. The last frame is the model the fit kept: the epoch with the "
                 "best accuracy on its held-out digits. A long fit keeps every 2nd, 4th, … "
                 "epoch, so its frames stay small ({kb} kB here).",
                 n=len(movie), epochs=fmt(max(int(epochs_run), movie.epoch(-1)), ","),
                 kb=fmt(round(movie.coefs.nbytes / 1000), ",")))
