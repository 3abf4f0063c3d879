"""Images in: MNIST from its sources into a cache, pictures a user gives made MNIST-like, and
digits changed on purpose (deskewed, augmented, re-drawn).

    sources     one registry of MNIST's sources, their loaders and checks; Dataset, DataError
    cachelock   the cache folder when it is shared or cannot be used
    mnist       the entry point: load_mnist (tries the sources in turn) and the tutorial's split
    images      decode an uploaded file; grey pictures; PNG out
    preprocess  any picture -> a 28x28 digit built like MNIST (Prepared)
    strokes     thin a drawing to its skeleton and draw it again with one brush
    deskew      straighten a slanted digit
    augment     training digits reshaped and re-inked at random, afresh for every mini-batch
    redraw      test digits re-drawn like canvas drawings and photos (benchmarks, tests)
    typeset     printed training digits, set in the benchmark's tuning typefaces
    fatpen      training digits re-drawn with a fat pen, read as the Draw page reads them
    unseen      digits no training image comes from: fonts and other writers (benchmarks, tests)

Images stay uint8 here (70k images: 55 MB, against 440 MB as float64); every consumer scales on
its own (pixels/255, raw 0-255, ...), so the data layer keeps the exact integers.

Names that need their module to mean something (redraw.redraw, unseen.faces,
cachelock.as_sentence) stay behind it: `from digitlab.data import redraw`.
"""

from digitlab.data.augment import Augmentation, augment_images, augment_rows, batch_source
from digitlab.data.deskew import deskew_image, deskew_rows
from digitlab.data.images import (
    PreprocessError,
    picture_png,
    read_image,
    resize_longest,
    round_u8,
    to_grey,
)
from digitlab.data.mnist import cache_status, load_mnist, split
from digitlab.data.preprocess import Prepared, to_mnist
from digitlab.data.sources import SOURCES, DataError, Dataset, Source, cache_path

__all__ = ["SOURCES", "Augmentation", "DataError", "Dataset", "Prepared", "PreprocessError",
           "Source", "augment_images", "augment_rows", "batch_source", "cache_path",
           "cache_status", "deskew_image", "deskew_rows", "load_mnist", "picture_png",
           "read_image", "resize_longest", "round_u8", "split", "to_grey", "to_mnist"]
