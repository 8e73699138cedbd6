"""Writes the NumPy fixtures that tests/io_numpy.rs reads, to tests/fixtures/numpy/.

The network is `hidden: Dense<3, 5>, Tanh, out: Dense<5, 2>`; its values
follow the formulas below (exact in float32), which the Rust test computes
on its own. Run from the repository root, with NumPy installed:

    python scripts/numpy_fixtures.py
"""

import io
from pathlib import Path

import numpy as np

OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "numpy"

HIDDEN_WEIGHT = np.arange(15.0).reshape(3, 5) / 8 - 1  # [in, out]
HIDDEN_BIAS = np.arange(5.0) / 4
OUT_WEIGHT = np.arange(10.0).reshape(5, 2) / 16 + 0.5
OUT_BIAS = np.array([-1.0, 1.5])


def network(transpose=False, dtype=np.float64):
    weight = (lambda w: np.ascontiguousarray(w.T)) if transpose else (lambda w: w)
    return {
        "hidden.weight": weight(HIDDEN_WEIGHT).astype(dtype),
        "hidden.bias": HIDDEN_BIAS.astype(dtype),
        "out.weight": weight(OUT_WEIGHT).astype(dtype),
        "out.bias": OUT_BIAS.astype(dtype),
    }


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    np.savez(OUT_DIR / "net.npz", **network())
    np.savez_compressed(OUT_DIR / "net_compressed_f32.npz", **network(dtype=np.float32))
    np.savez(OUT_DIR / "net_out_in.npz", **network(transpose=True))

    np.save(OUT_DIR / "hidden_weight_f8.npy", HIDDEN_WEIGHT)
    np.save(OUT_DIR / "hidden_weight_f4.npy", HIDDEN_WEIGHT.astype(np.float32))
    np.save(OUT_DIR / "hidden_weight_big_endian.npy", HIDDEN_WEIGHT.astype(">f8"))
    np.save(OUT_DIR / "hidden_weight_fortran.npy", np.asfortranarray(HIDDEN_WEIGHT))
    # A transposed view, [out, in]: NumPy stores it as fortran_order.
    np.save(OUT_DIR / "hidden_weight_transposed_view.npy", HIDDEN_WEIGHT.T)
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, HIDDEN_WEIGHT, version=(2, 0))
    (OUT_DIR / "hidden_weight_v2.npy").write_bytes(buffer.getvalue())
    np.save(OUT_DIR / "hidden_weight_int64.npy", np.arange(15, dtype=np.int64).reshape(3, 5))


if __name__ == "__main__":
    main()
