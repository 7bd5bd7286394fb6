"""The piper engine on a tiny Piper-compatible voice made by the tests: the real piper-tts loading and
synthesis path (espeak-ng phonemes, onnxruntime), settings checked before any synthesis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tiny_piper

from podcast.errors import ConfigError, VoiceError
from podcast.voices import piper, registry
from podcast.voices.piper import PiperOptions, PiperVoice

QUIET = {"noise_scale": 0.0, "noise_w": 0.0}


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return tiny_piper.make_voice(tmp_path / "voices")


@pytest.fixture
def duo(tmp_path: Path) -> Path:
    return tiny_piper.make_voice(tmp_path / "duo", name="fr_FR-duo-x_low", speakers=2)


def voice(path: Path, **settings: object) -> PiperVoice:
    return PiperVoice(registry.parse("piper", {"model": str(path), **settings}))


def test_speaks_french_text_longer_text_longer_audio(model: Path) -> None:
    v = voice(model)
    short, long = v.synthesize(["Bonjour.", "Bonjour à tous, voici une phrase nettement plus longue. Et une autre !"])
    assert v.rate == tiny_piper.RATE and short.rate == tiny_piper.RATE
    assert 0 < short.samples < long.samples
    assert short.seconds > 0.2
    assert any(short.pcm[i] for i in range(0, len(short.pcm), 7))  # not silence


def test_length_scale_stretches_the_audio(model: Path) -> None:
    normal = voice(model, **QUIET).synthesize(["Une phrase."])[0]
    slow = voice(model, length_scale=2.0, **QUIET).synthesize(["Une phrase."])[0]
    assert abs(slow.samples - 2 * normal.samples) <= 2


def test_noise_is_random_unless_both_noise_scales_are_zero(model: Path) -> None:
    texts = ["Première phrase du test.", "Deuxième phrase, un peu différente.", "Troisième."] * 3
    noisy = voice(model, workers=1)
    assert noisy.synthesize(texts[:1])[0].pcm != noisy.synthesize(texts[:1])[0].pcm  # the test can fail
    sequential = [a.pcm for a in voice(model, workers=1, **QUIET).synthesize(texts)]
    parallel = [a.pcm for a in voice(model, workers=3, **QUIET).synthesize(texts)]
    again = [a.pcm for a in voice(model, workers=2, **QUIET).synthesize(list(reversed(texts)))]
    assert sequential == parallel == list(reversed(again))


def test_parallel_keeps_order_and_reports_progress(model: Path) -> None:
    texts = [f"Phrase numéro {n}." for n in range(8)] + ["Une phrase bien plus longue que toutes les autres ici."]
    done: list[int] = []
    audios = voice(model, workers=4, **QUIET).synthesize(texts, done.append)
    assert sum(done) == len(texts)
    alone = [voice(model, workers=1, **QUIET).synthesize([t])[0].pcm for t in (texts[0], texts[-1])]
    assert [audios[0].pcm, audios[-1].pcm] == alone


def test_model_is_loaded_once_per_process(model: Path) -> None:
    assert voice(model).model is voice(model, length_scale=1.5).model
    assert piper.load_model(model) is voice(model).model


def test_identity_holds_the_model_digest_and_every_setting(model: Path, tmp_path: Path) -> None:
    import hashlib

    base = voice(model)
    assert hashlib.sha256(model.read_bytes()).hexdigest() in base.identity
    others = {
        voice(model, length_scale=1.2).identity,
        voice(model, noise_scale=0.3).identity,
        voice(model, noise_w=0.1).identity,
        base.identity,
    }
    assert len(others) == 4
    copy = tiny_piper.make_voice(tmp_path / "copy")  # same bytes elsewhere: same sound, same key
    assert voice(copy).identity == base.identity
    cfg = json.loads(Path(f"{copy}.json").read_text(encoding="utf-8"))
    cfg["audio"]["sample_rate"] = 22050
    Path(f"{copy}.json").write_text(json.dumps(cfg), encoding="utf-8")
    assert voice(copy).identity != base.identity  # the config changes the sound too


def test_speaker_by_name_or_id(duo: Path) -> None:
    jessica = voice(duo, speaker="jessica", **QUIET)
    pierre = voice(duo, speaker="pierre", **QUIET)
    by_id = PiperVoice(registry.parse("piper", {"model": str(duo), "speaker": "1", **QUIET}))
    text = ["Bonjour à tous."]
    assert pierre.synthesize(text)[0].pcm == by_id.synthesize(text)[0].pcm
    assert jessica.synthesize(text)[0].pcm != pierre.synthesize(text)[0].pcm
    assert jessica.identity != pierre.identity
    assert "pierre" in pierre.description


@pytest.mark.parametrize(
    "table, words",
    [
        ({"modele": "x"}, "unknown setting voice.piper.modele"),
        ({"length_scale": 9}, "voice.piper.length_scale must be between"),
        ({"noise_scale": -1}, "voice.piper.noise_scale must be between"),
        ({"noise_w": "beaucoup"}, "voice.piper.noise_w must be float, not str"),
        ({"model": ""}, "voice.piper.model must name"),
        ({"workers": 1.5}, "voice.piper.workers must be int, not float"),
    ],
)
def test_bad_options_are_one_line_config_errors(table: dict, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        registry.parse("piper", table)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_unknown_speaker_lists_the_speakers(duo: Path, model: Path) -> None:
    with pytest.raises(ConfigError, match=r"voice.piper.speaker: .* no speaker 'paul' .*jessica, pierre"):
        voice(duo, speaker="paul")
    with pytest.raises(ConfigError, match="voice.piper.speaker: .* single speaker"):
        voice(model, speaker="jessica")


def test_bad_model_files_are_one_line_voice_errors(tmp_path: Path, model: Path) -> None:
    with pytest.raises(VoiceError, match="voice.piper.model: no model file"):
        voice(tmp_path / "absent.onnx")
    fake = tmp_path / "fake" / "fr_FR-faux-low.onnx"
    fake.parent.mkdir()
    fake.write_bytes(b"this is not a neural network" * 10)
    with pytest.raises(VoiceError, match="voice.piper.model: .* needs its config"):
        voice(fake)
    Path(f"{fake}.json").write_text(Path(f"{model}.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(VoiceError, match="is not an ONNX model") as err:
        voice(fake)
    assert "\n" not in str(err.value)
    Path(f"{fake}.json").write_text("{}", encoding="utf-8")
    with pytest.raises(VoiceError, match="is not a Piper voice config"):
        voice(fake)


def test_an_onnx_model_without_piper_inputs_is_refused(tmp_path: Path, model: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "other",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    other = tmp_path / "other.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(other))
    Path(f"{other}.json").write_text(Path(f"{model}.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(VoiceError, match="is not a Piper voice \\(no input 'input'\\)"):
        voice(other)


def test_a_voice_name_not_installed_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODCAST_VOICES_DIR", str(tmp_path / "none"))
    with pytest.raises(VoiceError) as err:
        PiperVoice(PiperOptions(model="fr_FR-tom-medium"))
    message = str(err.value)
    assert "not installed" in message and str(tmp_path / "none" / "fr_FR-tom-medium") in message
    assert "fr/fr_FR/tom/medium" in message and "\n" not in message


def test_an_installed_voice_is_found_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODCAST_VOICES_DIR", str(tmp_path / "store"))
    tiny_piper.make_voice(tmp_path / "store" / "fr_FR-test-x_low")
    v = PiperVoice(PiperOptions(model="fr_FR-test-x_low"))
    assert v.name == "fr_FR-test-x_low" and v.synthesize(["Salut."])[0].samples > 0
