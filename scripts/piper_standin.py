"""A random Piper-compatible voice with about the compute of a Piper *medium* voice, for benchmarks.

Piper's own export needs torch and its training code; this builds the heavy parts with onnx.helper
instead, with random weights: a text-encoder stand-in (6 feed-forward blocks, 192 -> 768 -> 192, at
the phoneme rate), a flow stand-in (4 x 4 dilated 5-wide convolutions, 192 -> 384, at the frame rate)
and the medium HiFi-GAN decoder (256 channels, upsampling 8 x 8 x 4 with kernels 16, 16, 8, resblock
"2" with kernels 3, 5, 7 and dilations (1, 2), (2, 6), (3, 12)), 3.5 frames of 256 samples per phoneme
id (about real speech rate at 22050 Hz). Attention and the duration predictor are left out: the
figures it gives are an estimate of a real voice's, to be checked with one (any .onnx works).
Usage: python scripts/piper_standin.py OUT.onnx
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def build(path: Path, seed: int = 1) -> Path:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    rng = np.random.default_rng(seed)
    symbols = max(max(ids) for ids in DEFAULT_PHONEME_ID_MAP.values()) + 1
    inits: list = []
    nodes: list = []
    count = [0]

    def name(prefix: str) -> str:
        count[0] += 1
        return f"{prefix}{count[0]}"

    def weight(shape: tuple[int, ...], scale: float) -> str:
        w = name("w")
        inits.append(numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), w))
        return w

    def conv(x: str, cin: int, cout: int, k: int, dilation: int = 1) -> str:
        out = name("c")
        pad = (k - 1) * dilation // 2
        nodes.append(
            helper.make_node(
                "Conv",
                [x, weight((cout, cin, k), 1 / np.sqrt(cin * k)), weight((cout,), 0.01)],
                [out],
                kernel_shape=[k],
                dilations=[dilation],
                pads=[pad, pad],
            )
        )
        return out

    def op(kind: str, inputs: list[str], **attrs: object) -> str:
        out = name(kind.lower())
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    inits += [
        numpy_helper.from_array((rng.standard_normal((symbols, 192)) * 0.3).astype(np.float32), "emb"),
        numpy_helper.from_array(np.array([1.0, 1.0], dtype=np.float32), "ones2"),
        numpy_helper.from_array(np.array([3.5], dtype=np.float32), "frames_per_id"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "i1"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "i2"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "i0"),
        numpy_helper.from_array(np.array([1, 1, -1], dtype=np.int64), "flat"),
    ]
    x = op("Gather", ["emb", "input"], axis=0)  # [1, N, 192]
    x = op("Transpose", [x], perm=[0, 2, 1])  # [1, 192, N]
    for _ in range(6):  # encoder stand-in
        h = op("Relu", [conv(x, 192, 768, 1)])
        x = op("Add", [x, conv(h, 768, 192, 1)])
    length = op("Slice", ["scales", "i1", "i2"])
    scale = op("Mul", [length, "frames_per_id"])
    sizes = op("Concat", ["ones2", scale], axis=0)
    x = op("Resize", [x, "", sizes], mode="nearest")  # [1, 192, frames]
    noise = op("Slice", ["scales", "i0", "i1"])
    z = op("Mul", [op("RandomNormalLike", [x]), noise])
    x = op("Add", [x, z])
    for _ in range(4):  # flow stand-in
        for dilation in (1, 1, 1, 1):
            h = op("Tanh", [conv(x, 192, 384, 5, dilation)])
            x = op("Add", [x, conv(h, 384, 192, 1)])
    channels = 256
    x = conv(x, 192, channels, 7)
    for rate, kernel in ((8, 16), (8, 16), (4, 8)):
        x = op("LeakyRelu", [x], alpha=0.1)
        out = channels // 2
        up = name("up")
        nodes.append(
            helper.make_node(
                "ConvTranspose",
                [x, weight((channels, out, kernel), 1 / np.sqrt(channels * kernel / rate)), weight((out,), 0.01)],
                [up],
                kernel_shape=[kernel],
                strides=[rate],
                pads=[(kernel - rate) // 2, (kernel - rate) // 2],
            )
        )
        x, channels = up, out
        branches = []
        for k, dilations in ((3, (1, 2)), (5, (2, 6)), (7, (3, 12))):
            y = x
            for d in dilations:
                y = op("Add", [y, conv(op("LeakyRelu", [y], alpha=0.1), channels, channels, k, d)])
            branches.append(y)
        x = op("Div", [op("Sum", branches), numpy_const(inits, 3.0)])
    x = op("Tanh", [conv(op("LeakyRelu", [x], alpha=0.01), channels, 1, 7)])
    nodes.append(helper.make_node("Reshape", [x, "flat"], ["output"]))
    graph = helper.make_graph(
        nodes,
        "piper-medium-standin",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "time"])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="podcast-bench")
    model.ir_version = 8
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    config = {
        "audio": {"sample_rate": 22050, "quality": "medium"},
        "espeak": {"voice": "fr"},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": symbols,
        "num_speakers": 1,
        "speaker_id_map": {},
        "piper_version": "1.0.0",
    }
    Path(f"{path}.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    return path


def numpy_const(inits: list, value: float) -> str:
    from onnx import numpy_helper

    name = f"const{len(inits)}"
    inits.append(numpy_helper.from_array(np.array(value, dtype=np.float32), name))
    return name


if __name__ == "__main__":
    out = build(Path(sys.argv[1]))
    print(f"{out}: {out.stat().st_size / 1e6:.0f} MB")
