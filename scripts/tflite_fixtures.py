"""Builds the TensorFlow Lite fixtures that tests/tflite.rs compares constnet
against, with TensorFlow Lite Micro's own kernels (the `tflite-micro` package).

For each model in tests/fixtures/tflite/, writes <model>.outputs: one line per
committed input, the int8 outputs the TFLite Micro interpreter gives for it.

- sine.tflite: the TinyML sine model (1-16-16-1, ReLU, int8) that the
  `microflow` crate ships (MIT OR Apache-2.0); its inputs are every int8
  value, -128 to 127.

Run from the repository root, with the packages from PyPI:

    python -m venv tflite-env && tflite-env/bin/pip install tflite-micro numpy
    tflite-env/bin/python scripts/tflite_fixtures.py
"""

from pathlib import Path

import numpy as np
from tflite_micro.python.tflite_micro import runtime

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "tflite"


def outputs(model, inputs):
    interpreter = runtime.Interpreter.from_file(str(FIXTURES / model))
    rows = []
    for sample in inputs:
        interpreter.set_input(sample, 0)
        interpreter.invoke()
        rows.append(interpreter.get_output(0).flatten())
    return rows


def main():
    sine = outputs("sine.tflite", [np.array([[q]], dtype=np.int8) for q in range(-128, 128)])
    (FIXTURES / "sine.outputs").write_text("".join(f"{row[0]}\n" for row in sine))
    print(f"wrote {len(sine)} outputs of sine.tflite to {FIXTURES}")


if __name__ == "__main__":
    main()
