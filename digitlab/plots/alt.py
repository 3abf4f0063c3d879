"""Alternative text for the figures: the point of each picture in one sentence, for a student
who cannot see it (a screen reader reads it where the picture is). The pages pass it as
`st.image(..., alt=...)` and as a Vega-Lite spec's `description` (vega-embed puts that on the
chart as its aria-label).

Each sentence states what the figure shows about the model or the data ("most mistakes are 4
read as 9 (28)"), not what it looks like ("a heatmap"). They are `Message`s (digitlab.text):
English here, translated by the page that shows them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digitlab.text import N_, Message


def share(p: float) -> Message:
    """A probability as people say it: "98%", never "100%" for 0.9992 nor "0%" for 0.0004."""
    if p > 0.995:
        return N_("more than 99%")
    if p < 0.005:
        return N_("less than 1%")
    return N_("{p:.0%}", p=float(p))


def drawing(digit: int, confidence: float) -> Message:
    """The student's drawing (or picture) and how the model reads it."""
    return N_("Your digit as you drew it. The model reads {digit}, {confidence} sure.",
              digit=int(digit), confidence=share(confidence))


def test_image(index: int, true: int, predicted: int, confidence: float) -> Message:
    """One test image, enlarged, with its label and the model's answer."""
    if true == predicted:
        return N_("Test image {index}: a handwritten {true}. The model reads it right, "
                  "{confidence} sure.", index=int(index), true=int(true),
                  confidence=share(confidence))
    return N_("Test image {index}: a handwritten {true}. The model reads {predicted}, "
              "{confidence} sure: a mistake.", index=int(index), true=int(true),
              predicted=int(predicted), confidence=share(confidence))


def probabilities(proba: Sequence[float] | np.ndarray) -> Message:
    """The ten probabilities as bars: the two likeliest digits."""
    p = np.asarray(proba, dtype=float)
    first, second = (int(k) for k in np.argsort(-p, kind="stable")[:2])
    return N_("The ten probabilities: {first} at {p_first}, then {second} at {p_second}; "
              "every other digit less.", first=first, p_first=share(p[first]),
              second=second, p_second=share(p[second]))


def scores(values: Sequence[float] | np.ndarray) -> Message:
    """The ten scores z as bars: the highest (the answer) and the runner-up."""
    z = np.asarray(values, dtype=float)
    first, second = (int(k) for k in np.argsort(-z, kind="stable")[:2])
    return N_("The ten scores z: {first} highest at {z_first:.2f}, then {second} at "
              "{z_second:.2f}; the highest score is the answer.", first=first,
              z_first=float(z[first]), second=second, z_second=float(z[second]))


def confusion(matrix: np.ndarray, labels: Sequence | None = None) -> Message:
    """A confusion matrix (rows: true digit, columns: the model's answer): how many are read
    right, and the most common mistake."""
    m = np.asarray(matrix)
    names = list(labels) if labels is not None else list(range(len(m)))
    total, right = int(m.sum()), int(np.trace(m))
    off = m.astype(float).copy()
    np.fill_diagonal(off, -1)
    true, said = (int(i) for i in np.unravel_index(int(np.argmax(off)), off.shape))
    if total == right:
        return N_("Confusion matrix: all {total:,} digits read right, no mistake.", total=total)
    return N_("Confusion matrix: {right:,} of {total:,} digits read right; most mistakes are "
              "{true} read as {said} ({count:,}).", right=right, total=total,
              true=str(names[true]), said=str(names[said]), count=int(m[true, said]))


def digits(labels: Sequence[int] | np.ndarray) -> Message:
    """A row or grid of digits shown with their labels."""
    shown = ", ".join(str(int(y)) for y in labels)
    return N_("{n} handwritten digits, labelled {shown}.", n=len(labels), shown=shown)


def answered_digits(true: Sequence[int] | np.ndarray,
                    predicted: Sequence[int] | np.ndarray) -> Message:
    """A grid of test images with the model's answers: how many it misreads, and which."""
    t, p = np.asarray(true), np.asarray(predicted)
    wrong = [f"{int(a)}→{int(b)}" for a, b in zip(t, p) if a != b]
    if not wrong:
        return N_("{n} test images, all read right.", n=len(t))
    return N_("{n} test images; the model misreads {wrong}: {pairs} (true → read).",
              n=len(t), wrong=len(wrong), pairs=", ".join(wrong))


def balance(y: Sequence[int] | np.ndarray) -> Message:
    """How many images of each digit: the rarest and the commonest."""
    values, counts = np.unique(np.asarray(y), return_counts=True)
    low, high = int(np.argmin(counts)), int(np.argmax(counts))
    return N_("Images per digit, nearly equal: from {low:,} {rare}s to {high:,} {common}s.",
              low=int(counts[low]), rare=int(values[low]), high=int(counts[high]),
              common=int(values[high]))


def weights(digit: str, zero_share: float) -> Message:
    """One digit's weight image (red: ink there counts for the digit; blue: against)."""
    return N_("The weights for {digit}: red where ink counts for a {digit}, blue where it "
              "counts against; {zero:.0%} of them are exactly zero.", digit=digit,
              zero=float(zero_share))


def evidence(digit: str, total: float) -> Message:
    """A drawing's evidence for one digit (weights times pixels), and its sum."""
    return N_("The evidence for {digit}: your ink on red pixels counts for it, on blue ones "
              "against; in all {total:+.2f}.", digit=digit, total=float(total))


def sweep(x_name: str, best_x: str, best_accuracy: float) -> Message:
    """A sweep's figure: train and test accuracy along C or the number of images."""
    return N_("Train and test accuracy against {x_name}; the best test accuracy, "
              "{accuracy:.3f}, is at {best_x}.", x_name=x_name, best_x=best_x,
              accuracy=float(best_accuracy))


def training(epochs: int, loss: float | None, accuracy: float | None) -> Message:
    """A fit's progress curve: where the loss and the held-out accuracy ended."""
    if accuracy is None:
        return N_("Training progress over {epochs} epochs: the loss fell to {loss:.3f}.",
                  epochs=int(epochs), loss=float(loss or 0.0))
    return N_("Training progress over {epochs} epochs: held-out accuracy {accuracy:.1%} at "
              "the end.", epochs=int(epochs), accuracy=float(accuracy))


def recall(names: Sequence[str], values: np.ndarray) -> Message:
    """Two runs' per-digit recall as bars: where they differ most."""
    r = np.asarray(values, dtype=float)
    k = int(np.argmax(np.abs(r[1] - r[0])))
    return N_("Per-digit recall of {a} and {b}; they differ most on {digit}: {ra:.1%} against "
              "{rb:.1%}.", a=names[0], b=names[1], digit=k, ra=float(r[0, k]),
              rb=float(r[1, k]))


def difference(change: np.ndarray, labels: Sequence) -> Message:
    """One run's confusion matrix minus another's: the cell that changed most."""
    d = np.asarray(change, dtype=float)
    true, said = (int(i) for i in np.unravel_index(int(np.argmax(np.abs(d))), d.shape))
    if d[true, said] == 0:
        return N_("The two runs' confusion matrices are the same.")
    return N_("How the confusion matrix changed between the runs; the biggest change: {true} "
              "read as {said}, {change:+g}.", true=str(labels[true]), said=str(labels[said]),
              change=float(d[true, said]))


def turned(angles: Sequence[float], answers: Sequence[int | None], original: int) -> Message:
    """The answer at each angle the drawing is turned to: where it stops being `original`."""
    flipped = [a for a, d in zip(angles, answers) if d != original]
    if not flipped:
        return N_("The drawing turned from {low:+.0f}° to {high:+.0f}°: the model reads "
                  "{original} at every angle.", low=min(angles), high=max(angles),
                  original=int(original))
    nearest = min(flipped, key=abs)
    return N_("The drawing turned from {low:+.0f}° to {high:+.0f}°: the answer differs from "
              "{original} at {n} of {total} angles, first at {nearest:+.0f}°.",
              low=min(angles), high=max(angles), original=int(original), n=len(flipped),
              total=len(angles), nearest=nearest)
