"""Class set: the digits the class saved on Draw. Browse and tidy them, see how the model reads
the class's handwriting beside MNIST, train again with them and measure the gain on digits held
back, see who stumped the model most, and share the set as a file.

Everything here reads the SQLite store (digitlab.classroom.classset) afresh on each run, so
digits saved by students a moment ago appear at the next click. Deleting and importing change
what everyone sees, so when the server has a class password only the teacher's session may do
them (a student may delete their own drawings). Delete is for good; Undo keeps the deleted
records in this session's memory only, and writes them back as new records. The Privacy
expander (pages/panels/privacy_panel.py) says what is stored and holds the teacher's purge.
"""

import math

import streamlit as st

from digitlab.classroom import classfiles
from digitlab.classroom import publish as classroom
from digitlab.classroom import retrain as classtrain
from digitlab.classroom.classfiles import ClassFileError
from digitlab.classroom.classset import ClassSet, ClassSetError, Filter
from digitlab.classroom.retrain import ClassTrainError
from digitlab.plots import alt
from digitlab.plots import charts as plots
from digitlab.training import evaluate
from digitlab.training import session as training
from pages.panels import classroom_panel, classset_panel, privacy_panel, report_panel
from pages.shared import change, figures, frame, i18n, identity, nav, state, uploader
from pages.shared.i18n import N_, _, fmt, label, ngettext

PER_PAGE = 40
UNDO = "classset_undo"  # the records the last Delete removed (in memory only), for Undo
RETRAINED = "classset_retrained"  # (what it was computed from, the Comparison)
FOOLED = {N_("All"): None, N_("Fooled it"): True, N_("Read right"): False}


def may_edit() -> bool:
    """Deleting others' drawings and importing: anyone on a server without a class password
    (one user on their own machine), else only the teacher's session."""
    return privacy_panel.teacher()


def may_delete(author: str) -> bool:
    """The teacher, or the student who saved it (their lasting id: pages/shared/identity.py)."""
    return may_edit() or (bool(author) and author == identity.student_id())


def saved_alt(r) -> str:
    """A saved digit's alternative text: its label, and the model's answer when it was fooled."""
    if r.fooled:
        return _("Saved digit #{id}: a {label}, which the model read as {answer}.", id=r.id,
                 label=r.label, answer=r.answer)
    return _("Saved digit #{id}: a {label}.", id=r.id, label=r.label)


def cell(image28, size: int = 84):
    return plots.enlarge(image28.reshape(28, 28), size)


def _delete(ids: list[int]) -> None:
    """Delete for good; the store refuses a student another's drawing (said by the next run)."""
    with classset_panel.said_later():
        st.session_state[UNDO] = classset_panel.store().delete(
            ids, privacy_panel.who(identity.student_id()))


def _undo() -> None:
    removed = st.session_state.pop(UNDO, [])
    if removed:
        with classset_panel.said_later():
            classset_panel.store().put_back(removed)


def filters(store: ClassSet) -> Filter:
    cols = st.columns([1, 1, 1.3])
    digit = cols[0].selectbox(_("Label"), [N_("All"), *range(10)], key="cs_label",
                              format_func=label)
    group = cols[1].selectbox(_("Group"), [N_("All"), *store.groups()], key="cs_group",
                              format_func=label)
    fooled = cols[2].segmented_control(_("Model"), list(FOOLED), default=N_("All"),
                                       key="cs_fooled", format_func=label)
    return Filter(None if digit == "All" else int(digit), None if group == "All" else group,
                  FOOLED.get(fooled or "All"))


def digits_tab(store: ClassSet) -> None:
    where = filters(store)
    n = store.count(where)
    if st.session_state.get(UNDO):
        with st.container(horizontal=True, vertical_alignment="center"):
            ids = [gone.record.id for gone in st.session_state[UNDO]]
            st.caption(_("Deleted #{ids}.", ids=", #".join(map(str, ids))), width="content")
            st.button(_("Undo"), on_click=_undo, icon=":material/undo:")
    if n == 0:
        st.info(_("No saved digit matches these filters."))
        return
    pages = math.ceil(n / PER_PAGE)
    page = (st.number_input(_("Page (of {pages})", pages=pages), 1, pages, key="cs_page")
            if pages > 1 else 1)
    records = store.records(where, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    for start in range(0, len(records), 8):
        for col, r in zip(st.columns(8), records[start:start + 8]):
            said = _(", said {answer}", answer=r.answer) if r.fooled else ""
            who = f" · {classset_panel.plain(r.name)}" if r.name else ""
            col.image(cell(r.image28), caption=f"#{r.id}: {r.label}{said}{who}", width=84,
                      alt=_(saved_alt(r)))
            if may_delete(r.author):
                col.button(_("Delete"), key=f"cs_del_{r.id}", on_click=_delete, args=([r.id],),
                           icon=":material/delete:", type="tertiary")
    st.caption(ngettext("{n:,} digit. Each caption: #number: the label it was saved with, what "
                        "the model said if it was fooled, and who drew it.",
                        "{n:,} digits. Each caption: #number: the label it was saved with, what "
                        "the model said if it was fooled, and who drew it.", n))
    if not may_edit():
        st.caption(_("Only the teacher can delete other students' digits on this server; you "
                     "can delete your own."))


def model_tab(store: ClassSet, tr: training.Trained) -> None:
    X, y = store.arrays()
    ev = evaluate.evaluate(tr.fit.model, X, y)
    m = st.columns(3)
    m[0].metric(_("On the class set"), fmt(ev.accuracy, ".1%"), help=ngettext(
        "{n} digit the class drew", "{n} digits the class drew", ev.n))
    m[1].metric(_("On MNIST's test set"), fmt(tr.evaluation.accuracy, ".1%"),
                help=_("{n:,} test images", n=tr.evaluation.n))
    g = evaluate.gap(ev, tr.evaluation)
    m[2].metric(_("Gap"), _("{accuracy:+.1f} points", accuracy=g.points),
                help=_("How much worse the model reads the class's handwriting than MNIST's."))
    if g.few:
        st.caption(ngettext("From only {n} digit: one digit more or less moves this gap by "
                            "5 points or more. Save at least {few} before reading much into it.",
                            "From only {n} digits: one digit more or less moves this gap by "
                            "5 points or more. Save at least {few} before reading much into it.",
                            g.n, few=evaluate.FEW_DIGITS))
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.image(figures.confusion_png(ev.confusion, _("The class set (accuracy {accuracy:.3f})",
                                                       accuracy=ev.accuracy), i18n.lang()),
                 caption=_("Rows: the digit the student meant; columns: what the model said."),
                 alt=_(alt.confusion(ev.confusion, ev.labels)))
    with right:
        st.markdown(_("**The model:** {describe}", describe=_(classroom.describe(tr))))
        report_panel.table(ev, digits=2)


def retrain_tab(store: ClassSet, ds, tr: training.Trained) -> None:
    config, which = classtrain.retrain_config(tr.config)
    X, y = store.arrays()
    st.markdown(_("The class digits join MNIST's training images and the model is fitted again "
                  "with {which}. A **{hold_out:.0%}** of each digit's drawings is held back: "
                  "neither model sees them, so they measure the gain.", which=_(which),
                  hold_out=classtrain.HOLD_OUT))
    key = (config, len(y), hash(X.tobytes()), training.data_key(ds))
    if st.button(_("Train again with the class set"), type="primary", icon=":material/replay:"):
        try:
            with st.spinner(_("Fitting without and with the class digits…")):
                comparison = classtrain.retrain(config, state.split_for(ds, config), X, y,
                                                store=state.fit_store())
            st.session_state[RETRAINED] = (key, comparison)
        except ClassTrainError as exc:
            st.info(i18n.error_text(exc))
            return
    done = st.session_state.get(RETRAINED)
    if done is None:
        return
    if done[0] != key:
        st.caption(_("The class set or the model changed since this run; train again to update."))
    c = done[1]
    m = st.columns(2)
    m[0].metric(_("Held-out class digits ({n_held_out})", n_held_out=c.n_held_out),
                fmt(c.class_after.accuracy, ".1%"),
                **change.delta(_("{gain:+.1f} points (was {accuracy:.1%})", gain=c.gain * 100,
                                 accuracy=c.class_before.accuracy), c.gain * 100, 1))
    mnist = c.after.evaluation.accuracy - c.before.evaluation.accuracy
    m[1].metric(_("MNIST test images ({n:,})", n=c.after.evaluation.n),
                fmt(c.after.evaluation.accuracy, ".1%"),
                **change.delta(_("{mnist:+.1f} points (was {accuracy:.1%})", mnist=mnist * 100,
                                 accuracy=c.before.evaluation.accuracy), mnist * 100, 1))
    st.caption(_("{n_added} class digits joined {n_train:,} training images, each counted "
                 "{repeats} times (so they are about a tenth of the training rows); fitted in "
                 "{fit_seconds:.1f} s.", n_added=c.n_added, n_train=c.before.fit.n_train,
                 repeats=c.repeats, fit_seconds=c.after.fit.fit_seconds))
    left, right = st.columns(2)
    for col, title, ev in ((left, N_("Held out, before"), c.class_before),
                           (right, N_("Held out, after"), c.class_after)):
        col.image(figures.confusion_png(ev.confusion, title, i18n.lang()),
                  alt=_(title) + ". " + _(alt.confusion(ev.confusion, ev.labels)))
    with st.container(horizontal=True):
        st.button(_("Use the retrained model"), icon=":material/check:",
                  on_click=st.session_state.update, args=({state.TRAINED: c.after},),
                  help=_("Your session draws and browses with it (others keep theirs)."))
        if classroom_panel.is_teacher():
            st.button(_("Publish it to the class"), icon=":material/campaign:",
                      on_click=classroom_panel.publish, args=(c.after,))


def board_tab(store: ClassSet) -> None:
    board = store.fooled_board(8)
    if not board:
        st.info(_("No drawing has fooled the model yet. Try a 7 with a bar, a 4 with a closed "
                "top, a 1 with a flag…"))
        return
    st.markdown(_("The drawings the model got wrong **most confidently** when they were saved."))
    for start in range(0, len(board), 4):
        for rank, (col, r) in enumerate(zip(st.columns(4), board[start:start + 4]), start + 1):
            who = classset_panel.plain(r.name) if r.name else "someone"
            group = f" ({classset_panel.plain(r.group)})" if r.group else ""
            col.image(cell(r.image28, 168), width=168, alt=_(saved_alt(r)),
                      caption=_("{rank}. {who}{group}: a {label}, read as {answer} ({percent} "
                                "sure)", rank=rank, who=who, group=group, label=r.label,
                                answer=r.answer, percent=i18n.percent(r.confidence or 0)))


def share_tab(store: ClassSet) -> None:
    st.markdown(_("Download the set to share it or to train with it on the command line "
                "(`python -m digitlab train --add-set class-set.npz`)."))
    with st.container(horizontal=True):
        st.download_button(_("Download .npz"), lambda: classfiles.to_npz(
            classfiles.from_store(store)), file_name="class-set.npz", on_click="ignore",
            mime="application/octet-stream", icon=":material/download:")
        st.download_button(_("Download IDX (zip)"), lambda: classfiles.to_idx_zip(
            classfiles.from_store(store)), file_name="class-set-idx.zip", on_click="ignore",
            mime="application/zip", icon=":material/download:")
    if not may_edit():
        st.caption(_("Only the teacher can import digits on this server."))
        return
    upload = uploader.file_uploader(_("Import a class set (.npz or IDX .zip)"),
                                    key="classset_import", type=["npz", "zip"])
    if upload is not None and st.button(_("Add these digits to the class set")):
        try:
            digits = classfiles.read_set(upload.getvalue())
            added, skipped = store.add_many(digits.X, digits.y, digits.names, digits.groups)
        except (ClassFileError, ClassSetError) as exc:
            st.error(i18n.error_text(exc))
            return
        st.success(_("Added {added:,} digits", added=added)
                   + (_(" ({skipped:,} were in the set already).", skipped=skipped)
                                                  if skipped else "."))


with frame.guard(_("The Class set page")):
    st.title(_("Class set"))
    ds = frame.need_data(state.dataset())
    store = classset_panel.store()
    classset_panel.show_later()
    try:
        total = store.count()
        fooled = store.count(Filter(fooled=True))
    except ClassSetError as exc:
        st.error(i18n.error_text(exc))
        frame.stop()
    if classroom.publishing_enabled() and not classroom_panel.is_teacher():
        with st.expander(_("Teacher")):
            classroom_panel.teacher_unlock()
    privacy_panel.privacy_expander(store, total)
    if total == 0:
        st.info(_("No digits saved yet. On **Draw**, draw a digit and save it with its label; "
                "when the model is wrong, one click on the right digit saves it."))
        nav.link("draw", _("Go to Draw"))
        share_tab(store)
        frame.stop()
    tr = frame.need_model(ds, state.trained())
    st.caption(ngettext("**{n:,}** digit saved by the class; **{fooled:,}** fooled the model "
                        "that answered when it was saved.",
                        "**{n:,}** digits saved by the class; **{fooled:,}** fooled the model "
                        "that answered when they were saved.", total, fooled=fooled))
    tabs = st.tabs([_("Digits"), _("How the model reads them"), _("Train again"), _("Stump board"),
                    _("Share")])
    try:
        with tabs[0]:
            digits_tab(store)
        with tabs[1]:
            model_tab(store, tr)
        with tabs[2]:
            retrain_tab(store, ds, tr)
        with tabs[3]:
            board_tab(store)
        with tabs[4]:
            share_tab(store)
    except ClassSetError as exc:
        st.error(i18n.error_text(exc))
