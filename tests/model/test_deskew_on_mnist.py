"""deskew on real MNIST digits, whose slants are steeper than the synthetic digits' (median
|shear| 0.22 against 0.09): the vectorised shear is OpenCV's warpAffine with the moment-based
matrix. (The rest of deskew: tests/unit/test_deskew.py.)"""

from __future__ import annotations

import cv2
import numpy as np

from digitlab.data.deskew import deskew_image


def test_deskew_agrees_with_opencv_warp_affine(mnist):
    # The vectorised shear is the same as cv2.warpAffine with the moment-based matrix.
    for x in mnist.X[:20]:
        img = x.reshape(28, 28)
        m = cv2.moments(img.astype(np.float32))
        skew, cy = m["mu11"] / m["mu02"], m["m01"] / m["m00"]
        M = np.float32([[1, skew, -skew * cy], [0, 1, 0]])
        ref = cv2.warpAffine(img, M, (28, 28), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR)
        assert np.abs(deskew_image(img).astype(int) - ref.astype(int)).max() <= 1
