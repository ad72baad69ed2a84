"""Extraction speed: an EO 14110-sized text (135 KB) and growth from 100 KB to 1 MB.

Run: .venv/bin/python bench/extraction.py
Texts are made by concatenating the fixture orders (each keeps its own sections), so the
phrases are real ones. Each figure is the best of several runs, which is the least noisy.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from obligations.extraction import extract, read_file
from obligations.extraction.source import split_header


def bodies() -> list[str]:
    texts = []
    for path in sorted((ROOT / "fixtures" / "orders").glob("*.txt")):
        text = read_file(path)
        body = text[split_header(text)[1] :]
        texts.append(body.split("THE WHITE HOUSE")[0])  # the signing line ends an order's text
    return texts


def text_of(size: int) -> str:
    """Orders one after the other until the text is `size` characters long."""
    parts, total, pieces = [], 0, bodies()
    while total < size:
        piece = pieces[len(parts) % len(pieces)]
        parts.append(piece)
        total += len(piece)
    return "signed: 2017-01-25\n\n" + "".join(parts)[:size]


def best_time(text: str, runs: int) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        found = len(extract(text).obligations)
        best = min(best, time.perf_counter() - start)
    return best, found


def main() -> int:
    ok = True
    t135, n = best_time(text_of(135_000), 5)
    passed = t135 < 1.0
    ok &= passed
    print(
        f"extraction 135 KB: {t135 * 1000:.0f} ms, {n} obligations, "
        f"{135 / t135:.0f} KB/s (target < 1000 ms) {'PASS' if passed else 'FAIL'}"
    )
    t100, _ = best_time(text_of(100_000), 5)
    t1m, n1m = best_time(text_of(999_000), 2)  # the input cap is 1,000,000 characters
    ratio = t1m / t100
    passed = ratio <= 12
    ok &= passed
    print(
        f"extraction 100 KB: {t100 * 1000:.0f} ms; 1 MB: {t1m * 1000:.0f} ms ({n1m} obligations)"
        f"; ratio {ratio:.1f} (target <= 12, linear is 10) {'PASS' if passed else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
