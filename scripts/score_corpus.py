"""Score the reading rules on a corpus file: the per-family table, the items the rules made wrong and,
with --misses, every misread item. Exit code 1 when an item espeak-ng reads right is made wrong."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from podcast.speech import default_lexicon, speaker
from podcast.speech.scoring import load, misses, score, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/score-corpus", description=__doc__)
    parser.add_argument("corpus", type=Path, nargs="+", help="TSV file: family, written sentence, gold | gold")
    parser.add_argument("--misses", action="store_true", help="list every misread item")
    args = parser.parse_args(argv)
    status = 0
    for path in args.corpus:
        scores = score(load(path), speaker(default_lexicon()))
        wrong, broken = misses(scores)
        print(f"{path}\n{table(scores)}\nmade wrong: {len(broken)}")
        for line in broken:
            print(line)
        if args.misses and wrong:
            print("misread:\n" + "\n".join(wrong))
        status = status or (1 if broken else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
