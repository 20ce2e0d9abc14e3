"""Every metric of one real image against a list of fakes, and its table as text."""

import numpy as np

from singan_tf.metrics import fidelity, patch, sifid


def evaluate_samples(real, fakes, inception=None, reference=None):
    """Every metric for one real image and a list of fakes, as a JSON-ready dict.

    Distances are averaged over fakes (and, for the headline numbers, over
    pyramid levels, which are shared by all images: see `patch.num_levels`).
    SIFID needs `inception` (see `sifid.load_inception`); PSNR/SSIM need `reference` and use
    only the fakes of its size (None when there are none).
    """
    levels = patch.num_levels(np.shape(real), *[np.shape(f) for f in fakes])
    real_features = None if inception is None else sifid.inception_features(inception, real)
    rows = []
    for fake in fakes:
        fake_to_real, real_to_fake = patch.patch_nn(real, fake, levels)
        row = {"swd_per_level": patch.swd(real, fake, levels),
               "nn_fake_to_real_per_level": fake_to_real,
               "nn_real_to_fake_per_level": real_to_fake}
        if inception is not None:
            row["sifid"] = sifid.frechet_distance(real_features, sifid.inception_features(inception, fake))
        if reference is not None and np.shape(fake) == np.shape(reference):
            row["psnr"], row["ssim"] = fidelity.psnr_ssim(reference, fake)
        rows.append(row)

    summary = {"levels": levels, "num_fakes": len(fakes)}
    for name in ("swd", "nn_fake_to_real", "nn_real_to_fake"):
        per_level = np.mean([row[f"{name}_per_level"] for row in rows], axis=0)
        summary[name] = float(per_level.mean())
        summary[f"{name}_per_level"] = per_level.tolist()
        for row in rows:
            row[name] = float(row[f"{name}_per_level"].mean())
            row[f"{name}_per_level"] = row[f"{name}_per_level"].tolist()
    summary["diversity"] = patch.diversity(real, fakes)
    if inception is not None:
        summary["sifid"] = float(np.mean([row["sifid"] for row in rows]))
    if reference is not None:
        compared = [row for row in rows if "psnr" in row]
        summary["psnr"] = float(np.mean([r["psnr"] for r in compared])) if compared else None
        summary["ssim"] = float(np.mean([r["ssim"] for r in compared])) if compared else None
    summary["per_fake"] = rows
    return summary


def format_table(paths, results):
    """The per-fake rows, their mean, the per-level means and the diversity, as text."""
    columns = [("SWD", "swd"), ("NN fake>real", "nn_fake_to_real"),
               ("NN real>fake", "nn_real_to_fake"), ("SIFID", "sifid"), ("PSNR", "psnr"),
               ("SSIM", "ssim")]
    columns = [(title, key) for title, key in columns if key in results]
    width = max(len(path) for path in paths + ["fake"])

    def line(name, cells):
        return f"{name:<{width}}" + "".join(f"{cell:>14}" for cell in cells)

    def number(value):
        return "-" if value is None else f"{value:.4f}"

    lines = [line("fake", [title for title, _ in columns])]
    lines += [line(path, [number(row.get(key)) for _, key in columns])
              for path, row in zip(paths, results["per_fake"])]
    lines.append(line("mean", [number(results[key]) for _, key in columns]))
    lines.append(f"per level, finest first ({results['levels']} levels):")
    for title, key in columns[:3]:
        lines.append(f"  {title:<14}" + " ".join(number(v) for v in results[f"{key}_per_level"]))
    diversity = results["diversity"]
    lines.append("diversity: " + ("n/a (needs two or more fakes of one size)" if diversity is None
                                  else f"{diversity:.4f} over {results['num_fakes']} fakes"))
    return "\n".join(lines)
