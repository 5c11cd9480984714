"""Figures of the appeal classifier: quality on real appeals and speed (DESIGN §6, issue 4).

    .venv/bin/python -m bench.bench_classifier            # quality + speed
    .venv/bin/python -m bench.bench_classifier --speed    # speed only (no ../shared/data needed)

Quality (needs ../shared/data, never copied into the repository), sector-block macro-F1 over the
blocks present in the test set:
- 5-fold cross-validation on Kursk 2022 (labels through kursk_topics.json), trained on the other
  folds alone and on the other folds + the seed corpus;
- trained on «Наш Санкт-Петербург» + the seed corpus → tested on all of Kursk (another region);
- trained on the seed corpus alone → tested on all of Kursk (a fresh install).

Speed, on one core (BLAS and OpenMP limited to one thread): batch throughput (appeals/s) with a cold
and a warm lemma cache, and the latency of one appeal (p50/p95), with the model `--shared` trains
(or the seed model when the data sets are absent). Nothing touches the database.
"""

import argparse
import statistics
import time

from bench import percentile, print_table, row, setup

# Blocks with fewer test appeals than this (Kursk: sport 7, labour 4, culture 12, business 14) swing
# the macro-F1 by several points per appeal; the second figure leaves them out.
STABLE_SUPPORT = 25


def _macro_f1(truth: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


def _fit(examples):
    from appeals.classification.model import AppealClassifier

    return AppealClassifier.from_examples(examples)


def _figures(truth: list[str], predicted: list[str]) -> tuple[str, str, str, dict[str, float]]:
    """macro-F1, macro-F1 over the blocks with ≥ STABLE_SUPPORT test appeals, accuracy, F1 per block."""
    from sklearn.metrics import f1_score

    labels = sorted(set(truth))
    per_class = dict(zip(labels, f1_score(truth, predicted, labels=labels, average=None, zero_division=0), strict=True))
    stable = [f for label, f in per_class.items() if truth.count(label) >= STABLE_SUPPORT]
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)
    macro = _macro_f1(truth, predicted)
    return f"{macro:.3f}", f"{sum(stable) / len(stable):.3f} ({len(stable)})", f"{accuracy:.3f}", per_class


def quality(folds: int) -> None:
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from appeals.classification import datasets

    try:
        root = datasets.require_shared()
    except FileNotFoundError as exc:
        print(f"Качество: пропущено — {exc}")
        return
    kursk, spb, seed = datasets.kursk_examples(root), datasets.spb_examples(root), datasets.seed_examples()
    print(f"Курск: {len(kursk)} обращений; СПб (после дедупликации и выборки): {len(spb)}; seed: {len(seed)}")
    rows: list[tuple[str, ...]] = []
    reports: dict[str, dict[str, float]] = {}
    labels = np.array([e.sector for e in kursk])
    for name, extra in (("Курск, 5-fold CV", []), ("Курск + seed, 5-fold CV (тест — только Курск)", seed)):
        truth, predicted = [], []
        started = time.perf_counter()
        splitter = StratifiedKFold(folds, shuffle=True, random_state=42)
        for train_idx, test_idx in splitter.split(np.zeros(len(kursk)), labels):
            model = _fit([kursk[i] for i in train_idx] + extra)
            test = [kursk[i] for i in test_idx]
            truth += [e.sector for e in test]
            predicted += model.predict_sectors([e.text for e in test])
        macro, stable, accuracy, _ = _figures(truth, predicted)
        rows.append((name, macro, stable, accuracy, f"{time.perf_counter() - started:.0f}"))
    for name, train in (("СПб + seed → Курск", spb + seed), ("seed → Курск", seed)):
        started = time.perf_counter()
        model = _fit(train)
        elapsed = time.perf_counter() - started
        macro, stable, accuracy, reports[name] = _figures(
            [e.sector for e in kursk], model.predict_sectors([e.text for e in kursk])
        )
        rows.append((name, macro, stable, accuracy, f"{elapsed:.0f}"))
    print_table(rows, ("сценарий", "macro-F1 блока", f"macro-F1, блоки ≥ {STABLE_SUPPORT}", "accuracy", "время, с"))
    print()
    sectors = sorted({s for r in reports.values() for s in r})
    support = {s: sum(e.sector == s for e in kursk) for s in sectors}
    print_table(
        [(s, str(support[s]), *(f"{reports[n].get(s, 0):.2f}" for n in reports)) for s in sectors],
        ("блок", "в Курске", *(f"F1: {n}" for n in reports)),
    )


def measure_speed(batch_size: int, singles: int) -> dict:
    """Batch throughput (cold and warm lemma cache) and single-appeal latencies, on one core."""
    from threadpoolctl import threadpool_limits

    from appeals.classification import datasets, text

    try:
        root = datasets.require_shared()
        train = datasets.shared_examples(root)
        texts = [e.text for e in datasets.kursk_examples(root)]
        what = "модель --shared (Курск + СПб + seed); тексты — обращения Курска"
    except FileNotFoundError:
        train = datasets.seed_examples()
        texts = [e.text for e in train]
        what = "модель seed (общих данных нет); тексты — seed-корпус"
    started = time.perf_counter()
    model = _fit(train)
    out = {"what": what, "train": len(train), "fit_s": time.perf_counter() - started,
           "model_mb": len(model.dumps()) / 1e6, "texts": len(texts)}  # fmt: skip
    with threadpool_limits(limits=1):
        text.lemma.cache_clear()
        started = time.perf_counter()
        model.predict(texts)
        out["cold"] = len(texts) / (time.perf_counter() - started)
        batch = (texts * (batch_size // len(texts) + 1))[:batch_size]
        out["batch"] = len(batch)
        started = time.perf_counter()
        model.predict(batch)
        out["warm"] = len(batch) / (time.perf_counter() - started)
        samples = []
        for t in (texts * (singles // len(texts) + 1))[:singles]:
            started = time.perf_counter()
            model.predict([t])
            samples.append((time.perf_counter() - started) * 1000)
    out["singles"] = samples
    out["length"] = statistics.fmean(len(t) for t in texts)
    out["cache"] = text.lemma.cache_info().currsize
    return out


def table_rows(batch_size: int = 20_000, singles: int = 500) -> list[tuple]:
    """Rows of the common table (python -m bench)."""
    m = measure_speed(batch_size, singles)
    samples = m["singles"]
    goal = "1 ядро; цель ≥ 2 000/с/ядро"
    return [
        row("классификатор", f"пакет {m['texts']}, холодный кэш лемм", per_second=m["cold"], unit="обращ.",
            rows=m["texts"], note=goal),
        row("классификатор", f"пакет {m['batch']}, тёплый кэш", per_second=m["warm"], unit="обращ.", rows=m["batch"],
            note=goal),
        row("классификатор", "одно обращение", p50_ms=percentile(samples, 50), p95_ms=percentile(samples, 95),
            per_second=1000 / statistics.fmean(samples), unit="обращ.", rows=len(samples), note=m["what"]),
    ]  # fmt: skip


def speed(batch_size: int, singles: int) -> None:
    m = measure_speed(batch_size, singles)
    print(f"{m['what']}; обучение на {m['train']} примерах: {m['fit_s']:.0f} с; модель {m['model_mb']:.1f} МБ")
    rows = [
        (f"пакет {m['texts']}, холодный кэш лемм", f"{m['cold']:,.0f}".replace(",", " ")),
        (f"пакет {m['batch']}, тёплый кэш", f"{m['warm']:,.0f}".replace(",", " ")),
    ]
    print_table(rows, ("пакетная классификация, 1 ядро", "обращений/с"))
    print()
    samples = m["singles"]
    print_table(
        [(f"{singles} обращений по одному", f"{percentile(samples, 50):.1f}", f"{percentile(samples, 95):.1f}",
          f"{statistics.fmean(samples):.1f}", f"{max(samples):.1f}")],
        ("одно обращение, мс", "p50", "p95", "среднее", "max"),
    )  # fmt: skip
    print(f"Средняя длина текста: {m['length']:.0f} символов; кэш лемм: {m['cache']} словоформ.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", action="store_true", help="только скорость")
    parser.add_argument("--quality", action="store_true", help="только качество")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=20_000, help="размер пакета для пропускной способности")
    parser.add_argument("--singles", type=int, default=500, help="сколько обращений классифицировать по одному")
    args = parser.parse_args()
    setup()
    if not args.speed:
        quality(args.folds)
        print()
    if not args.quality:
        speed(args.batch, args.singles)


if __name__ == "__main__":
    main()
