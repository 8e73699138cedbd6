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
- conv1d.tflite: 1-D convolutions and poolings, int8, on sequences of 16
  steps of 3 channels: Conv1D with SAME padding and a fused ReLU, max
  pooling, a Conv1D of stride 2 with SAME padding and a fused ReLU6,
  average pooling without padding, a flatten and a dense layer. TensorFlow
  Lite runs them as 2-D operators on images one row high, after a
  RESHAPE. Its inputs, conv1d.inputs, are 64 sequences of random int8
  values, one per line (step by step, the channels of each step together).
- squashing.tflite: dense layers with a tanh and a sigmoid, int8, which
  TensorFlow Lite runs as TANH and LOGISTIC operators (gemmlowp's
  fixed-point functions). Its inputs, squashing.inputs, are 64 vectors of
  4 random int8 values.
- dense_f32.tflite, conv_f32.tflite, conv1d_f32.tflite: float32 models of
  the layers constnet's float language has: dense layers with ReLU, tanh,
  sigmoid, ReLU6 and softmax; Conv2D with SAME padding, a depthwise
  convolution of stride 2, average and max pooling without padding, a
  rectangular Conv2D, a flatten and a dense layer on 10 x 10 x 2 images;
  and the 1-D network of conv1d.tflite with a tanh. Their inputs are 64
  samples of normal random values each, and their outputs the float32 ones
  TFLite Micro gives, in the shortest decimal that reads back exactly.
- softmax.tflite: a dense layer followed by a softmax, int8 (TensorFlow
  Lite's fixed-point softmax). Its inputs, softmax.inputs, are 64 vectors
  of 4 random int8 values.
- speech.tflite: the micro_speech keyword model that the `microflow` crate
  ships (MIT OR Apache-2.0): a reshape of 1960 values into a 49 x 40
  spectrogram, a depthwise convolution of one channel into 8 (a
  convolution), a dense layer and a softmax. Its inputs, speech.inputs, are
  64 spectrograms of random values, from quiet (close to -128) to loud.

The models built with Keras (conv.tflite, conv1d.tflite, softmax.tflite,
squashing.tflite and the float ones) are built again only with --rebuild, which needs tensorflow-cpu (2.21
rebuilds the committed files byte for byte); the outputs need only
tflite-micro. Run from the repository root, with the packages from PyPI:

    python -m venv tflite-env && tflite-env/bin/pip install tflite-micro tensorflow-cpu numpy
    tflite-env/bin/python scripts/tflite_fixtures.py [--rebuild]
"""

import sys
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


def convert_int8(model, shape):
    """`model` converted to int8 with a representative data set of normal values."""
    import tensorflow as tf

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
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((4,), batch_size=1)
    outputs = tf.keras.layers.Dense(3, activation="softmax")(inputs)
    return convert_int8(tf.keras.Model(inputs, outputs), (4,))


def conv_model():
    """The int8 convolutional network, converted with a representative data set."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((8, 8, 2), batch_size=1)
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(x)
    x = tf.keras.layers.AveragePooling2D(3, strides=1, padding="same")(x)
    x = tf.keras.layers.MaxPooling2D(2)(x)
    x = tf.keras.layers.Conv2D(3, (1, 2), padding="valid")(x)
    x = tf.keras.layers.Flatten()(x)
    outputs = tf.keras.layers.Dense(3)(x)
    return convert_int8(with_biases(tf.keras.Model(inputs, outputs)), (8, 8, 2))


def with_biases(model):
    """`model` with random biases: they start at zero, and the int8 biases
    should count."""
    rng = np.random.default_rng(3)
    for layer in model.layers:
        if getattr(layer, "use_bias", False):
            layer.bias.assign(rng.normal(scale=0.3, size=layer.bias.shape).astype(np.float32))
    return model


def squashing_model():
    """An int8 network of dense layers with a tanh and a sigmoid, which
    TensorFlow Lite runs as TANH and LOGISTIC operators of their own."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((4,), batch_size=1)
    x = tf.keras.layers.Dense(8, activation="tanh")(inputs)
    x = tf.keras.layers.Dense(8, activation="sigmoid")(x)
    outputs = tf.keras.layers.Dense(3)(x)
    return convert_int8(with_biases(tf.keras.Model(inputs, outputs)), (4,))


def conv1d_model():
    """An int8 network of 1-D convolutions and poolings on sequences."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((16, 3), batch_size=1)
    x = tf.keras.layers.Conv1D(4, 3, padding="same", activation="relu")(inputs)
    x = tf.keras.layers.MaxPooling1D(2)(x)
    x = tf.keras.layers.Conv1D(5, 3, strides=2, padding="same", activation="relu6")(x)
    x = tf.keras.layers.AveragePooling1D(2, strides=1)(x)
    x = tf.keras.layers.Flatten()(x)
    outputs = tf.keras.layers.Dense(3)(x)
    return convert_int8(with_biases(tf.keras.Model(inputs, outputs)), (16, 3))


def mean_model():
    """An int8 convolution whose outputs a global average pooling reduces
    (TensorFlow Lite's MEAN over height and width), then a dense layer."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((6, 6, 2), batch_size=1)
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    outputs = tf.keras.layers.Dense(3)(x)
    return convert_int8(with_biases(tf.keras.Model(inputs, outputs)), (6, 6, 2))


def mean1d_model():
    """The same on sequences: a MEAN over the steps of a 1-D convolution."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((12, 3), batch_size=1)
    x = tf.keras.layers.Conv1D(4, 3, padding="same", activation="relu6")(inputs)
    x = tf.keras.layers.GlobalAveragePooling1D()(x)
    outputs = tf.keras.layers.Dense(3)(x)
    return convert_int8(with_biases(tf.keras.Model(inputs, outputs)), (12, 3))


def convert_float(model):
    """`model` converted to a float32 TensorFlow Lite model."""
    import tensorflow as tf

    return tf.lite.TFLiteConverter.from_keras_model(model).convert()


def dense_f32_model():
    """A float network of dense layers, one activation of each kind."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((4,), batch_size=1)
    x = tf.keras.layers.Dense(8, activation="relu")(inputs)
    x = tf.keras.layers.Dense(8, activation="tanh")(x)
    x = tf.keras.layers.Dense(8, activation="sigmoid")(x)
    x = tf.keras.layers.Dense(8, activation="relu6")(x)
    outputs = tf.keras.layers.Dense(3, activation="softmax")(x)
    return convert_float(with_biases(tf.keras.Model(inputs, outputs)))


def conv_f32_model():
    """A float convolutional network, of the layers constnet's float
    language has (its poolings have no padding)."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((10, 10, 2), batch_size=1)
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(x)
    x = tf.keras.layers.AveragePooling2D(2, strides=1)(x)
    x = tf.keras.layers.MaxPooling2D(2)(x)
    x = tf.keras.layers.Conv2D(3, (1, 2), padding="valid")(x)
    x = tf.keras.layers.Flatten()(x)
    outputs = tf.keras.layers.Dense(3)(x)
    return convert_float(with_biases(tf.keras.Model(inputs, outputs)))


def conv1d_f32_model():
    """A float network of 1-D convolutions and poolings."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((16, 3), batch_size=1)
    x = tf.keras.layers.Conv1D(4, 3, padding="same", activation="relu")(inputs)
    x = tf.keras.layers.MaxPooling1D(2)(x)
    x = tf.keras.layers.Conv1D(5, 3, strides=2, padding="same", activation="tanh")(x)
    x = tf.keras.layers.AveragePooling1D(2, strides=1)(x)
    x = tf.keras.layers.Flatten()(x)
    outputs = tf.keras.layers.Dense(3)(x)
    return convert_float(with_biases(tf.keras.Model(inputs, outputs)))


def mean_f32_model():
    """A float convolution, a global average pooling and a dense layer."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    inputs = tf.keras.Input((6, 6, 2), batch_size=1)
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    outputs = tf.keras.layers.Dense(3)(x)
    return convert_float(with_biases(tf.keras.Model(inputs, outputs)))


def lines(rows):
    return "".join(" ".join(map(str, np.asarray(row).flatten())) + "\n" for row in rows)


def record(model, inputs, write_inputs=True):
    """Writes <model>.inputs (unless told not to) and <model>.outputs."""
    stem = model.removesuffix(".tflite")
    if write_inputs:
        (FIXTURES / f"{stem}.inputs").write_text(lines(inputs))
    rows = outputs(model, inputs)
    (FIXTURES / f"{stem}.outputs").write_text(lines(rows))
    print(f"wrote {len(rows)} outputs of {model} to {FIXTURES}")


def spectrograms(rng, count):
    """Random 49 x 40 spectrograms as the model takes them (one row of
    1960 values), from quiet ones close to -128 to loud ones."""
    rows = []
    for k in range(count):
        spread = [127, 60, 30, 10, 5, 2][k % 6]
        floor = -128 + 40 * (k // 6 % 3)
        values = floor + rng.integers(0, spread + 1, size=(1, 1960))
        rows.append(np.clip(values, -128, 127).astype(np.int8))
    return rows


def main():
    if "--rebuild" in sys.argv[1:]:
        (FIXTURES / "softmax.tflite").write_bytes(softmax_model())
        (FIXTURES / "conv.tflite").write_bytes(conv_model())
        (FIXTURES / "conv1d.tflite").write_bytes(conv1d_model())
        (FIXTURES / "dense_f32.tflite").write_bytes(dense_f32_model())
        (FIXTURES / "conv_f32.tflite").write_bytes(conv_f32_model())
        (FIXTURES / "conv1d_f32.tflite").write_bytes(conv1d_f32_model())
        (FIXTURES / "squashing.tflite").write_bytes(squashing_model())
        (FIXTURES / "mean.tflite").write_bytes(mean_model())
        (FIXTURES / "mean1d.tflite").write_bytes(mean1d_model())
        (FIXTURES / "mean_f32.tflite").write_bytes(mean_f32_model())
    rng = np.random.default_rng(11)
    images = [rng.integers(-128, 128, size=(1, 8, 8, 2), dtype=np.int8) for _ in range(64)]
    record("conv.tflite", images)
    rng = np.random.default_rng(19)
    sequences = [rng.integers(-128, 128, size=(1, 16, 3), dtype=np.int8) for _ in range(64)]
    record("conv1d.tflite", sequences)
    rng = np.random.default_rng(29)
    record("squashing.tflite", [rng.integers(-128, 128, size=(1, 4), dtype=np.int8) for _ in range(64)])
    rng = np.random.default_rng(23)
    floats = lambda *shape: [rng.normal(size=(1, *shape)).astype(np.float32) for _ in range(64)]
    record("dense_f32.tflite", floats(4))
    record("conv_f32.tflite", floats(10, 10, 2))
    record("conv1d_f32.tflite", floats(16, 3))
    rng = np.random.default_rng(31)
    record("mean.tflite", [rng.integers(-128, 128, size=(1, 6, 6, 2), dtype=np.int8) for _ in range(64)])
    record("mean1d.tflite", [rng.integers(-128, 128, size=(1, 12, 3), dtype=np.int8) for _ in range(64)])
    record("mean_f32.tflite", [rng.normal(size=(1, 6, 6, 2)).astype(np.float32) for _ in range(64)])
    rng = np.random.default_rng(13)
    record("softmax.tflite", [rng.integers(-128, 128, size=(1, 4), dtype=np.int8) for _ in range(64)])
    record("speech.tflite", spectrograms(np.random.default_rng(17), 64))

    sine = outputs("sine.tflite", [np.array([[q]], dtype=np.int8) for q in range(-128, 128)])
    (FIXTURES / "sine.outputs").write_text("".join(f"{row[0]}\n" for row in sine))
    print(f"wrote {len(sine)} outputs of sine.tflite to {FIXTURES}")


if __name__ == "__main__":
    main()
