"""podcast.toml: engines' own tables, the old flat keys, and every setting checked when the file is read."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast import config, configdoc
from podcast.errors import ConfigError
from podcast.voices.registry import EspeakOptions, GttsOptions

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "podcast.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    """The one-line message podcast.toml ``text`` is refused with."""
    with pytest.raises(ConfigError) as caught:
        config.load(write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{tmp_path / 'podcast.toml'}: ")
    return message.split(": ", 1)[1]


NEW = """
[voice]
engine = "espeak"
[voice.espeak]
voice = "fr-be"
rate = 200
[voice.gtts]
tld = "ca"
endpoint = "http://127.0.0.1:8765"
retries = 2
"""
OLD = """
[voice]
engine = "espeak"
espeak_voice = "fr-be"
espeak_rate = 200
gtts_tld = "ca"
gtts_endpoint = "http://127.0.0.1:8765"
gtts_retries = 2
"""


def test_engine_tables_give_each_engine_its_options(tmp_path: Path) -> None:
    voice = config.load(write(tmp_path, NEW)).voice
    assert voice.options("espeak") == EspeakOptions(voice="fr-be", rate=200, pitch=50)
    assert voice.options("gtts") == GttsOptions(tld="ca", endpoint="http://127.0.0.1:8765", retries=2)


def test_old_flat_keys_still_work_with_one_warning_each(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="podcast.config"):
        old = config.load(write(tmp_path, OLD))
    assert old.voice == config.load(write(tmp_path, NEW)).voice
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 5 and all("\n" not in m for m in messages)
    toml = tmp_path / "podcast.toml"
    assert f"{toml}: voice.espeak_rate is deprecated; write `rate = 200` under [voice.espeak]" in messages
    assert (
        f'{toml}: voice.gtts_endpoint is deprecated; write `endpoint = "http://127.0.0.1:8765"` under [voice.gtts]'
        in messages
    )


def test_an_old_style_show_builds_through_the_cli(tmp_path: Path) -> None:
    from podcast.cli import cli

    toml = write(tmp_path, OLD.replace('engine = "espeak"', 'engine = "espeak"\nespeak_pitch = 40'))
    result = CliRunner(mix_stderr=False).invoke(cli, ["--config", str(toml), "list"])
    assert result.exit_code == 0, result.output
    assert "WARNING: " in result.stderr and "voice.espeak_pitch is deprecated; write `pitch = 40`" in result.stderr


def test_old_and_new_style_for_one_engine_is_one_line_error(tmp_path: Path) -> None:
    text = "[voice]\nespeak_rate = 200\n[voice.espeak]\npitch = 40\n"
    assert refused(tmp_path, text) == (
        "voice.espeak_rate (old style) and a [voice.espeak] table are both set; write `rate = 200` under [voice.espeak]"
    )
    text = "[voice]\nespeak_rate = 200\n[voice.espeak]\nrate = 150\n"
    assert "both set" in refused(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[voice.espeak]\nspeed = 2\n", "unknown setting voice.espeak.speed"),
        ('[voice.gtts]\ntld = "fr"\nproxy = "x"\n', "unknown setting voice.gtts.proxy"),
        ("[voice]\nespeak_speed = 2\n", "unknown setting voice.espeak_speed"),
        ('[voice.robot]\nmodel = "x"\n', "unknown table [voice.robot]; engines: espeak, gtts, piper"),
        ('[voice.espeak]\nrate = "fast"\n', "voice.espeak.rate must be int, not str"),
        ("[voice.espeak]\nrate = 20\n", "voice.espeak.rate must be between 80 and 450 words per minute"),
        ('[voice.espeak]\nvoice = "de"\n', "voice.espeak.voice must be fr, fr-be or fr-ch, not 'de'"),
        ("[voice.gtts]\nconcurrency = 99\n", "voice.gtts.concurrency must be between 1 and 16"),
        ("[voice.gtts]\ntimeout = inf\n", "voice.gtts.timeout must be between 0.1 and 120 seconds"),
        ("[voice.gtts]\nrate = nan\n", "voice.gtts.rate must be between 0 and 1000"),
        (
            '[voice.gtts]\nendpoint = "ftp://x"\n',
            "voice.gtts.endpoint must be a base URL such as https://translate.google.fr",
        ),
        (
            '[voice.gtts]\ntld = "fr/evil"\n',
            "voice.gtts.tld must be a Google domain ending such as fr or co.uk, not 'fr/evil'",
        ),
    ],
)
def test_engine_options_are_checked_when_read(tmp_path: Path, text: str, message: str) -> None:
    assert refused(tmp_path, text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[publish]\nkeep = 1000000000000000000\n", "publish.keep must be between 0 and 100000"),
        ("[publish]\nlock_timeout = 1e300\n", "publish.lock_timeout must be between 0 and 86400 seconds"),
        ("[audio]\npause_sentence = nan\n", "audio.pause_sentence must be between 0 and 10 seconds"),
        (
            "[audio]\nbitrate = 100\n",
            "audio.bitrate must be 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256 or 320, not 100",
        ),
        ("[audio]\nmp3_quality = -1\n", "audio.mp3_quality must be between 0 and 9"),
    ],
)
def test_numbers_are_bounded(tmp_path: Path, text: str, message: str) -> None:
    assert refused(tmp_path, text) == message


@pytest.mark.parametrize(
    "template",
    [
        "{number.numerator}",
        "{title[0]}",
        "{title.__class__}",
        "{nope}",
        "{}",
        "{0}",
        "{title:03d}",
        "{number:s}",
        "{title:999999999}",
        "{title:{number}}",
        "{title!x}",
        "Bienvenue {",
        "}",
    ],
)
def test_bad_templates_are_refused_at_load(tmp_path: Path, template: str) -> None:
    for name in ("intro", "outro", "transition"):
        message = refused(tmp_path, f'[speech]\n{name} = "{template}"\n')
        assert message.startswith(f"speech.{name}")


def test_template_messages_say_what_is_wrong(tmp_path: Path) -> None:
    assert refused(tmp_path, '[speech]\nintro = "{number.numerator}"\n').startswith(
        "speech.intro: {number.numerator} is not allowed: no attribute or index access; use {show}, {title}"
    )
    assert refused(tmp_path, '[speech]\nintro = "{nope}"\n').startswith(
        "speech.intro: unknown field {nope}; use {show}"
    )
    assert refused(tmp_path, '[speech]\nintro = "{title:03d}"\n').startswith(
        "speech.intro: {title:03d} does not fit the field title"
    )


def test_good_templates_with_format_specs_load(tmp_path: Path) -> None:
    text = '[speech]\nintro = "N°{number:03d} {title!r:>20} {{brut}} {date}"\ntransition = "Ensuite."\n'
    assert config.load(write(tmp_path, text)).speech.intro.startswith("N°{number:03d}")


@pytest.mark.parametrize("code", ["fr", "fr-FR", "fr-CA", "fr-be", "fr-419"])
def test_real_french_language_codes_load(tmp_path: Path, code: str) -> None:
    assert config.load(write(tmp_path, f'[show]\nlanguage = "{code}"\n')).show.language == code


@pytest.mark.parametrize("code", ["xx", "xx-FR", "en", "français", "FR", "fr_FR", "fr-FRA", ""])
def test_unknown_or_unspoken_languages_are_refused(tmp_path: Path, code: str) -> None:
    assert refused(tmp_path, f'[show]\nlanguage = "{code}"\n') == (
        f"show.language must be a language the voices speak, such as fr, fr-FR or fr-CA, not {code!r}"
    )


@pytest.mark.parametrize("folder", [".podcast", ".podcast/feed", "./.podcast/../.podcast/public", "."])
def test_publish_folder_never_exposes_the_state_folder(tmp_path: Path, folder: str) -> None:
    message = refused(tmp_path, f'[publish]\nfolder = "{folder}"\n')
    assert message.startswith("publish.folder must not be")


def test_publish_folder_through_a_symlink_to_the_state_folder(tmp_path: Path) -> None:
    (tmp_path / ".podcast").mkdir()
    (tmp_path / "public").symlink_to(tmp_path / ".podcast")
    assert refused(tmp_path, '[publish]\nfolder = "public"\n').startswith("publish.folder must not be")
    assert config.load(write(tmp_path, '[publish]\nfolder = "feed"\n')).publish_dir == tmp_path.resolve() / "feed"


def test_init_writes_the_engine_tables_and_reads_back_the_defaults(tmp_path: Path) -> None:
    path = config.init(tmp_path / "show", title="Essai")
    text = path.read_text(encoding="utf-8")
    assert "[voice.espeak]\n" in text and "[voice.gtts]\n" in text and "espeak_" not in text and "gtts_" not in text
    loaded = config.load(path)
    assert loaded.voice.options("espeak") == EspeakOptions() and loaded.voice.options("gtts") == GttsOptions()
    assert loaded.audio == config.AudioConfig() and loaded.speech == config.SpeechConfig()


def test_the_repository_show_loads_without_warnings(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        config.load(ROOT / "podcast.toml")
    assert not caplog.records


def test_config_does_not_import_the_engines() -> None:
    code = (
        "import sys, podcast.config; "
        "print(sorted(m for m in sys.modules if m.startswith('podcast.voices.') or m in ('gtts', 'requests')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['podcast.voices.base', 'podcast.voices.registry']"


def test_configuration_reference_is_current() -> None:
    """docs/configuration.md is generated; regenerate with `python -m podcast.configdoc > docs/configuration.md`."""
    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8") == configdoc.render()


def test_configuration_reference_lists_every_setting() -> None:
    text = configdoc.render()
    for table in ("[show]", "[voice]", "[voice.espeak]", "[voice.gtts]", "[speech]", "[audio]", "[publish]", "[cache]"):
        assert f"## {table}\n" in text
    assert "| `rate` | int | `170` | between 80 and 450 words per minute | speaking rate |" in text


@pytest.mark.parametrize("other", ["secrets.txt", "sub"])
def test_a_publish_folder_holding_other_files_is_refused(tmp_path: Path, other: str) -> None:
    """/etc, a home folder, another project: serve and publish would make all of it public."""
    folder = tmp_path / "ailleurs"
    folder.mkdir()
    (folder / other).mkdir() if other == "sub" else (folder / other).write_text("x", encoding="utf-8")
    show = tmp_path / "show"
    show.mkdir()
    (show / "podcast.toml").write_text(f'[publish]\nfolder = "{folder}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="already holds other files"):
        config.load(show / "podcast.toml")
    (folder / "feed.xml").write_text("<rss/>", encoding="utf-8")  # a show's folder: accepted
    assert config.load(show / "podcast.toml").publish_dir == folder.resolve()
