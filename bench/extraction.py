"""Extraction speed: an EO 14110-sized text (135 KB) and growth from 100 KB to 1 MB; then a
whole folder of Federal Register documents (XML, or raw text where there is none).

Run: .venv/bin/python bench/extraction.py [FOLDER]     (FOLDER default /work/fr-corpus)
Texts are made by concatenating the fixture orders (each keeps its own sections), so the
phrases are real ones. Each figure is the best of several runs, which is the least noisy.
The folder run reads every META.json with its .xml (or .htm/.txt) as `import_fr` does, without a
database: no crash, no refusal, the kinds of obligations found, throughput and the slowest files.
"""

import os
import sys
import time
from collections import Counter
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


def folder_run(folder: Path) -> bool:
    """Extract every document of a folder: refusals, crashes, kinds, MB/s, the slowest."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from obligations import federal_register as fr
    from obligations.extraction import ExtractionError
    from obligations.management.commands.import_fr import read_meta, read_xml

    def offline(url):
        raise fr.FederalRegisterError(f"{url}: no file beside the JSON (the bench is offline)")

    fr.get = offline
    kinds, refused, crashed, times = Counter(), [], [], []
    size = spent = 0.0
    for path in sorted(folder.glob("*.json")):
        try:
            meta = read_meta(path)
            source = read_xml(path, meta)
            began = time.perf_counter()  # from the file's XML (or raw text) to obligations
            found = extract(fr.order_text(meta, source)).obligations
            took = time.perf_counter() - began
        except (ExtractionError, fr.FederalRegisterError) as error:
            refused.append(f"{path.name}: {error}")
            continue
        except Exception as error:  # noqa: BLE001 - a crash is what this bench looks for
            crashed.append(f"{path.name}: {type(error).__name__}: {error}")
            continue
        size, spent = size + len(source.encode()), spent + took
        times.append((took, path.name))
        kinds.update(f.kind for f in found)
    whole = not refused and not crashed
    print(
        f"folder {folder}: {len(times)} documents, {size / 2**20:.1f} MB of XML/raw text in "
        f"{spent:.1f} s: {size / 2**20 / spent:.2f} MB/s"
    )
    print(
        f"refused {len(refused)}, crashed {len(crashed)} (target 0) {'PASS' if whole else 'FAIL'}"
    )
    for line in refused + crashed:
        print(f"  {line}")
    print("obligation kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    print("slowest files: " + ", ".join(f"{name} {s * 1000:.0f} ms" for s, name in
                                        sorted(times, reverse=True)[:10]))  # fmt: skip
    return whole


def main() -> int:
    ok = True
    t135, n = best_time(text_of(135_000), 5)
    passed = t135 < 0.135  # 1 MB/s
    ok &= passed
    print(
        f"extraction 135 KB: {t135 * 1000:.0f} ms, {n} obligations, "
        f"{135 / t135:.0f} KB/s (target < 135 ms, 1 MB/s) {'PASS' if passed else 'FAIL'}"
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
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/fr-corpus")
    if folder.is_dir():
        ok &= folder_run(folder)
    else:
        print(f"{folder}: no such folder; the folder run is skipped (see README, Benchmarks)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
