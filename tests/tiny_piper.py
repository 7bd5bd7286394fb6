"""A tiny Piper-compatible voice made by the tests, so the real piper-tts path runs without a download.

The graph has Piper's interface (``input`` int64 [1, N] phoneme ids, ``input_lengths`` int64 [1],
``scales`` float [3] = noise, length, noise_w, optional ``sid`` int64 [1]) and returns ``output``
float [1, 1, T]. Each phoneme id becomes ``HOP`` samples of a sine whose pitch depends on the id (and
on the speaker), so longer text gives longer audio and different text different audio; the length
scale stretches T; the two noise scales add ``RandomNormalLike`` noise, random like a real VITS voice.
The config is a real voice's shape: piper's espeak phoneme map and ``espeak.voice = "fr"``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HOP = 256
RATE = 16000


def _graph(speakers: int) -> bytes:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    symbols = max(max(ids) for ids in DEFAULT_PHONEME_ID_MAP.values()) + 1
    pitch = (0.02 + 0.1 * (np.arange(symbols) % 17) / 17).astype(np.float32).reshape(symbols, 1)
    ramp = np.arange(HOP, dtype=np.float32).reshape(1, 1, HOP)
    inits = [
        numpy_helper.from_array(pitch, "pitch"),
        numpy_helper.from_array(ramp, "ramp"),
        numpy_helper.from_array(np.array([1, 1, -1], dtype=np.int64), "flat"),
        numpy_helper.from_array(np.array([1.0, 1.0], dtype=np.float32), "ones2"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "i0"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "i1"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "i2"),
        numpy_helper.from_array(np.array([3], dtype=np.int64), "i3"),
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half"),
        numpy_helper.from_array(np.array(0.05, dtype=np.float32), "tenth"),
    ]
    if speakers > 1:
        inits.append(numpy_helper.from_array(np.array(0.3, dtype=np.float32), "step"))
    nodes = [
        helper.make_node("Gather", ["pitch", "input"], ["f"], axis=0),  # [1, N, 1]
    ]
    if speakers > 1:
        nodes += [
            helper.make_node("Cast", ["sid"], ["sidf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["sidf", "step"], ["shift"]),
            helper.make_node("Mul", ["f", "shift"], ["df"]),
            helper.make_node("Add", ["f", "df"], ["f2"]),
        ]
        freq = "f2"
    else:
        freq = "f"
    nodes += [
        helper.make_node("Mul", [freq, "ramp"], ["phase"]),  # [1, N, HOP]
        helper.make_node("Sin", ["phase"], ["wave"]),
        helper.make_node("Mul", ["wave", "half"], ["tone"]),
        helper.make_node("Reshape", ["tone", "flat"], ["audio"]),  # [1, 1, N*HOP]
        helper.make_node("Slice", ["scales", "i1", "i2"], ["length"]),
        helper.make_node("Concat", ["ones2", "length"], ["resize"], axis=0),
        helper.make_node("Resize", ["audio", "", "resize"], ["stretched"], mode="nearest"),
        helper.make_node("Slice", ["scales", "i0", "i1"], ["noise"]),
        helper.make_node("Slice", ["scales", "i2", "i3"], ["noise_w"]),
        helper.make_node("RandomNormalLike", ["stretched"], ["r1"]),
        helper.make_node("RandomNormalLike", ["stretched"], ["r2"]),
        helper.make_node("Mul", ["r1", "noise"], ["n1"]),
        helper.make_node("Mul", ["r2", "noise_w"], ["n2"]),
        helper.make_node("Add", ["n1", "n2"], ["n"]),
        helper.make_node("Mul", ["n", "tenth"], ["hiss"]),
        helper.make_node("Add", ["stretched", "hiss"], ["output"]),
    ]
    inputs = [
        helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
        helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
        helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
    ]
    if speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "time"])
    graph = helper.make_graph(nodes, "tiny-piper", inputs, [output], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="podcast-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def config(speakers: int = 1) -> dict:
    from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

    names = ["jessica", "pierre", "tom", "anne"][:speakers] if speakers > 1 else []
    return {
        "audio": {"sample_rate": RATE, "quality": "low"},
        "espeak": {"voice": "fr"},
        "language": {"code": "fr_FR"},
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_map": {},
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": max(max(ids) for ids in DEFAULT_PHONEME_ID_MAP.values()) + 1,
        "num_speakers": speakers,
        "speaker_id_map": {name: i for i, name in enumerate(names)},
        "piper_version": "1.0.0",
    }


def model_bytes(speakers: int = 1) -> bytes:
    return _graph(speakers)


def make_voice(folder: Path, name: str = "fr_FR-test-x_low", speakers: int = 1) -> Path:
    """Write NAME.onnx and NAME.onnx.json into ``folder``; returns the .onnx path."""
    folder.mkdir(parents=True, exist_ok=True)
    onnx_path = folder / f"{name}.onnx"
    onnx_path.write_bytes(model_bytes(speakers))
    (folder / f"{name}.onnx.json").write_text(json.dumps(config(speakers), ensure_ascii=False), encoding="utf-8")
    return onnx_path
