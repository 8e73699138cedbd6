"""Builds the PyTorch fixtures that tests/io_pytorch.rs compares constnet against.

For each network below, in float64 and float32, writes to
tests/fixtures/pytorch/<name>_<dtype>/:

- params.safetensors: the model's state dict, as `safetensors.torch.save_file`
  writes it (weights [out, in], no metadata);
- grads.safetensors: the gradient of the batch loss, under the same names;
- batch.safetensors: `input` and `target` ([batch, ...], the input of a
  convolutional network in PyTorch's NCHW or NCL order), the model's
  `output`, the batch `loss` (a scalar) and its gradient `input_grad`.

Every network mirrors one declared in tests/io_pytorch.rs, layer for layer
and name for name. Run from the repository root (naming networks writes
only theirs):

    python -m venv torch-env && torch-env/bin/pip install torch safetensors
    torch-env/bin/python scripts/pytorch_fixtures.py [NAME ...]
"""

import sys

from collections import OrderedDict
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

BATCH = 5
OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pytorch"


def sequential(*layers):
    """nn.Sequential whose parameterless layers get names of their own."""
    named = [(name or f"act{i}", layer) for i, (name, layer) in enumerate(layers)]
    return nn.Sequential(OrderedDict(named))


def cross_entropy_on_probabilities(probabilities, target):
    # constnet's CrossEntropy after a Softmax layer, for one-hot targets:
    # the negative log-likelihood of the target class, mean over the batch.
    return nn.NLLLoss()(torch.log(probabilities), target.argmax(dim=1))


def one_hot(n, classes, generator):
    labels = torch.randint(classes, (n,), generator=generator)
    return nn.functional.one_hot(labels, classes).to(torch.float64)


def soft_labels(n, classes, generator):
    return torch.softmax(torch.randn(n, classes, generator=generator, dtype=torch.float64), dim=1)


# name: (model, loss, target maker[, input shape of one sample])
NETWORKS = {
    "mse_tanh": (
        lambda: sequential(("hidden", nn.Linear(3, 5)), (None, nn.Tanh()), ("out", nn.Linear(5, 2))),
        nn.MSELoss(),
        lambda n, g: torch.randn(n, 2, generator=g, dtype=torch.float64),
    ),
    "bce_relu_sigmoid": (
        lambda: sequential(
            ("hidden", nn.Linear(4, 6)), (None, nn.ReLU()), ("out", nn.Linear(6, 1)), (None, nn.Sigmoid())
        ),
        nn.BCELoss(),
        lambda n, g: 0.1 + 0.8 * torch.rand(n, 1, generator=g, dtype=torch.float64),
    ),
    "bce_logits_leaky_relu": (
        lambda: sequential(("hidden", nn.Linear(4, 5)), (None, nn.LeakyReLU(0.1)), ("out", nn.Linear(5, 3))),
        nn.BCEWithLogitsLoss(),
        lambda n, g: torch.randint(2, (n, 3), generator=g).to(torch.float64),
    ),
    "cross_entropy_sigmoid_softmax": (
        lambda: sequential(
            ("hidden", nn.Linear(3, 6)), (None, nn.Sigmoid()), ("out", nn.Linear(6, 4)), (None, nn.Softmax(dim=1))
        ),
        cross_entropy_on_probabilities,
        lambda n, g: one_hot(n, 4, g),
    ),
    "softmax_cross_entropy_relu_tanh": (
        lambda: sequential(
            ("hidden", nn.Linear(5, 4)),
            (None, nn.ReLU()),
            ("square", nn.Linear(4, 4)),
            (None, nn.Tanh()),
            ("logits", nn.Linear(4, 3)),
        ),
        nn.CrossEntropyLoss(),
        lambda n, g: soft_labels(n, 3, g),
    ),
    "mse_identity_leaky_relu_softmax": (
        lambda: sequential(
            ("first", nn.Linear(2, 3)),
            (None, nn.Identity()),
            ("second", nn.Linear(3, 3)),
            (None, nn.LeakyReLU(0.01)),
            ("third", nn.Linear(3, 3)),
            (None, nn.Softmax(dim=1)),
        ),
        nn.MSELoss(),
        lambda n, g: soft_labels(n, 3, g),
    ),
    "nested_bce": (
        lambda: sequential(
            (
                "encoder",
                sequential(("hidden", nn.Linear(3, 4)), (None, nn.Tanh()), ("code", nn.Linear(4, 2))),
            ),
            (None, nn.ReLU()),
            ("head", nn.Linear(2, 2)),
            (None, nn.Sigmoid()),
        ),
        nn.BCELoss(),
        lambda n, g: torch.randint(2, (n, 2), generator=g).to(torch.float64),
    ),
    "deep_every_activation": (
        lambda: sequential(
            ("a", nn.Linear(4, 5)),
            (None, nn.Identity()),
            ("b", nn.Linear(5, 5)),
            (None, nn.Sigmoid()),
            ("c", nn.Linear(5, 4)),
            (None, nn.Tanh()),
            ("d", nn.Linear(4, 4)),
            (None, nn.ReLU()),
            ("e", nn.Linear(4, 4)),
            (None, nn.LeakyReLU(0.2)),
            ("f", nn.Linear(4, 3)),
            (None, nn.Softmax(dim=1)),
        ),
        cross_entropy_on_probabilities,
        lambda n, g: one_hot(n, 3, g),
    ),
    "conv2d_stride_padding": (
        lambda: sequential(
            ("conv", nn.Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0))),
            (None, nn.Tanh()),
            ("flatten", nn.Flatten()),
            ("out", nn.Linear(3 * 4 * 5, 3)),
        ),
        nn.MSELoss(),
        lambda n, g: torch.randn(n, 3, generator=g, dtype=torch.float64),
        (2, 7, 6),
    ),
    "depthwise_max_pool": (
        lambda: sequential(
            ("depthwise", nn.Conv2d(4, 4, 3, padding=1, groups=4)),
            (None, nn.ReLU()),
            ("pool", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("logits", nn.Linear(4 * 4 * 4, 5)),
        ),
        nn.CrossEntropyLoss(),
        lambda n, g: soft_labels(n, 5, g),
        (4, 8, 8),
    ),
    "conv1d_avg_pool": (
        lambda: sequential(
            ("conv1", nn.Conv1d(3, 4, 5, padding=2)),
            (None, nn.Sigmoid()),
            ("pool", nn.AvgPool1d(2)),
            ("conv2", nn.Conv1d(4, 2, 3, stride=2)),
            ("flatten", nn.Flatten()),
            ("out", nn.Linear(2 * 2, 1)),
        ),
        nn.BCEWithLogitsLoss(),
        lambda n, g: torch.randint(2, (n, 1), generator=g).to(torch.float64),
        (3, 12),
    ),
    "lenet": (
        lambda: sequential(
            ("conv1", nn.Conv2d(1, 4, 3, padding=1)),
            (None, nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(4, 6, 3)),
            (None, nn.LeakyReLU(0.1)),
            ("pool2", nn.AvgPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(6 * 2 * 2, 3)),
            (None, nn.Softmax(dim=1)),
        ),
        cross_entropy_on_probabilities,
        lambda n, g: one_hot(n, 3, g),
        (1, 12, 12),
    ),
    "global_avg_pool_same_padding": (
        lambda: sequential(
            ("same", nn.Conv2d(2, 3, (2, 3), padding="same")),
            (None, nn.Tanh()),
            ("conv", nn.Conv2d(3, 5, 3, stride=2, padding=1)),
            (None, nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("out", nn.Linear(5, 2)),
        ),
        nn.MSELoss(),
        lambda n, g: torch.randn(n, 2, generator=g, dtype=torch.float64),
        (2, 6, 6),
    ),
}


def build(name, seed, dtype):
    make_model, loss_fn, make_target, *input_shape = NETWORKS[name]
    torch.manual_seed(seed)
    model = make_model().to(dtype)
    generator = torch.Generator().manual_seed(seed)
    sample = input_shape[0] if input_shape else (next(model.parameters()).shape[1],)
    inputs = torch.randn(BATCH, *sample, generator=generator, dtype=torch.float64).to(dtype)
    target = make_target(BATCH, generator).to(dtype)

    inputs.requires_grad_(True)
    output = model(inputs)
    loss = loss_fn(output, target)
    loss.backward()

    out = OUT_DIR / f"{name}_{'f64' if dtype == torch.float64 else 'f32'}"
    out.mkdir(parents=True, exist_ok=True)
    save_file(model.state_dict(), out / "params.safetensors")
    save_file({k: p.grad for k, p in model.named_parameters()}, out / "grads.safetensors")
    batch = {
        "input": inputs.detach(),
        "target": target,
        "output": output.detach(),
        "loss": loss.detach(),
        "input_grad": inputs.grad,
    }
    save_file({k: v.contiguous() for k, v in batch.items()}, out / "batch.safetensors")


def main():
    chosen = sys.argv[1:] or list(NETWORKS)
    for name in chosen:
        if name not in NETWORKS:
            sys.exit(f"unknown network {name!r}; the networks are {', '.join(NETWORKS)}")
    for seed, name in enumerate(NETWORKS, start=1):
        if name in chosen:
            for dtype in (torch.float64, torch.float32):
                build(name, seed, dtype)
    print(f"wrote {2 * len(chosen)} fixtures to {OUT_DIR}")


if __name__ == "__main__":
    main()
