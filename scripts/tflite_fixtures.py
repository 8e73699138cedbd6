"""Builds the TensorFlow Lite fixtures that tests/tflite.rs compares constnet
against, with TensorFlow Lite Micro's own kernels (the `tflite-micro` package).

For each model in tests/fixtures/tflite/, writes <model>.outputs: one line per
committed input, the int8 outputs the TFLite Micro interpreter gives for it.

- sine.tflite: the TinyML sine model (1-16-16-1, ReLU, int8) that the
  `microflow` crate ships (MIT OR Apache-2.0); its inputs are every int8
  value, -128 to 127.
- conv.tflite: a small convolutional network built here with Keras
  (tensorflow-cpu) and converted to int8 with a representative data set:
  Conv2D with SAME padding and a fused ReLU, a depthwise convolution with
  stride 2 and SAME padding (its odd zero after the input) and a fused
  ReLU6, average pooling with SAME padding (padding left out of the count),
  max pooling, a rectangular Conv2D without padding, a flatten and a dense
  layer, on 8 x 8 x 2 images (NHWC, one sample). Its inputs, conv.inputs,
  are 64 images of random int8 values, one per line.
- softmax.tflite: a dense layer followed by a softmax, int8: a model with an
  operator the importer refuses (no outputs recorded).

Run from the repository root, with the packages from PyPI:

    python -m venv tflite-env && tflite-env/bin/pip install tflite-micro tensorflow-cpu numpy
    tflite-env/bin/python scripts/tflite_fixtures.py
"""

from pathlib import Path

import numpy as np
import tensorflow as tf
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


def convert_int8(model, shape):
    """`model` converted to int8 with a representative data set of normal values."""
    rng = np.random.default_rng(7)

    def representative():
        for _ in range(100):
            yield [rng.normal(size=(1, *shape)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def softmax_model():
    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((4,), batch_size=1)
    outputs = tf.keras.layers.Dense(3, activation="softmax")(inputs)
    return convert_int8(tf.keras.Model(inputs, outputs), (4,))


def conv_model():
    """The int8 convolutional network, converted with a representative data set."""
    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((8, 8, 2), batch_size=1)
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(x)
    x = tf.keras.layers.AveragePooling2D(3, strides=1, padding="same")(x)
    x = tf.keras.layers.MaxPooling2D(2)(x)
    x = tf.keras.layers.Conv2D(3, (1, 2), padding="valid")(x)
    x = tf.keras.layers.Flatten()(x)
    outputs = tf.keras.layers.Dense(3)(x)
    model = tf.keras.Model(inputs, outputs)
    # Biases start at zero: give them values, so that the int8 biases count.
    rng = np.random.default_rng(3)
    for layer in model.layers:
        if getattr(layer, "use_bias", False):
            layer.bias.assign(rng.normal(scale=0.3, size=layer.bias.shape).astype(np.float32))
    return convert_int8(model, (8, 8, 2))


def main():
    (FIXTURES / "softmax.tflite").write_bytes(softmax_model())
    (FIXTURES / "conv.tflite").write_bytes(conv_model())
    rng = np.random.default_rng(11)
    images = [rng.integers(-128, 128, size=(1, 8, 8, 2), dtype=np.int8) for _ in range(64)]
    (FIXTURES / "conv.inputs").write_text("".join(" ".join(map(str, image.flatten())) + "\n" for image in images))
    conv = outputs("conv.tflite", images)
    (FIXTURES / "conv.outputs").write_text("".join(" ".join(map(str, row)) + "\n" for row in conv))
    print(f"wrote {len(conv)} outputs of conv.tflite to {FIXTURES}")

    sine = outputs("sine.tflite", [np.array([[q]], dtype=np.int8) for q in range(-128, 128)])
    (FIXTURES / "sine.outputs").write_text("".join(f"{row[0]}\n" for row in sine))
    print(f"wrote {len(sine)} outputs of sine.tflite to {FIXTURES}")


if __name__ == "__main__":
    main()
