"""Regenerates the .npy test files with NumPy (run from this folder: python3 make_npy.py).

These are an independent reference for the Java reader: each file is written by numpy.save or
numpy.lib.format.write_array. NpyTest holds the expected values.
"""
import numpy as np
from numpy.lib import format as fmt

def save(name, a, **kw):
    np.save(name, a, **kw)

save("f4_2x3.npy", (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3))
save("f8_3.npy", np.array([0.1, -2.5, 1e300], dtype=np.float64))
save("f2_4.npy", np.array([1.0, -2.0, 65504.0, 2.0 ** -24], dtype=np.float16))
save("i8_4.npy", np.array([-3, 0, 7, 16777216], dtype=np.int64))
save("i4_3.npy", np.array([-16777216, 5, 123456], dtype=np.int32))
save("u1_2x2.npy", np.array([[0, 1], [128, 255]], dtype=np.uint8))
save("b1_3.npy", np.array([True, False, True]))
save("scalar_f4.npy", np.float32(3.25) * np.ones((), dtype=np.float32))
save("empty_0x3.npy", np.zeros((0, 3), dtype=np.float32))
for v in (2, 3):
    with open(f"v{v}_f4.npy", "wb") as f:
        fmt.write_array(f, np.array([[1.5, -2.0]], dtype=np.float32), version=(v, 0))
save("fortran_f4.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
save("be_f4.npy", np.array([1.0, 2.0], dtype=">f4"))
save("object.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
save("structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
save("unicode.npy", np.array(["ab", "c"]))
save("i8_big.npy", np.array([1, 16777217], dtype=np.int64))
