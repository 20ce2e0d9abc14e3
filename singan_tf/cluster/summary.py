"""What a many-image run reports: DIR/summary.json, DIR/summary.csv and DIR/index.html (a
contact sheet: each training image beside a few of its samples, with its figures).

All three are rewritten (atomically) whenever an image ends, so they show the
run as it goes; images not yet ended are listed as `queued`.
"""

import csv
import html
import io
import json
import os

from singan_tf.io import atomic

COLUMNS = ["name", "image", "status", "this_run", "scales", "train_seconds", "swd",
           "nn_fake_to_real", "nn_real_to_fake", "diversity", "error"]
SHOWN_SAMPLES = 4


def queued_row(job):
    return {"name": job.name, "image": job.image, "status": "queued", "this_run": "",
            "error": ""}


def counts(rows):
    """Images per status: done, failed, queued."""
    return {status: sum(row["status"] == status for row in rows)
            for status in ("done", "failed", "queued")}


def write(out_dir, rows):
    """Writes the three files for `rows` (one per image, in the run's order)."""
    with atomic.open_replacing(os.path.join(out_dir, "summary.json")) as f:
        json.dump({"counts": {**counts(rows), "total": len(rows)}, "images": rows}, f, indent=2)
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with atomic.open_replacing(os.path.join(out_dir, "summary.csv")) as f:
        f.write(text.getvalue())
    with atomic.open_replacing(os.path.join(out_dir, "index.html")) as f:
        f.write(contact_sheet(rows))


def contact_sheet(rows):
    """The HTML page: a row per image, its paths relative to the run's folder."""
    c = counts(rows)
    lines = ["<!doctype html>", '<meta charset="utf-8">', "<title>singan_tf: many images</title>",
             "<style>body{font-family:sans-serif} td{vertical-align:top;padding:4px} "
             "img{height:160px} .failed{color:#b00}</style>",
             f"<p>{c['done']} done, {c['failed']} failed, {c['queued']} queued, "
             f"{len(rows)} images.</p>", "<table>"]
    for row in rows:
        name = html.escape(row["name"])
        cells = [f"<td><b>{name}</b><br>{html.escape(row['status'])}<br>{_figures(row)}</td>"]
        if row["status"] == "done":
            pictures = ["real.png"] + row["samples"][:SHOWN_SAMPLES]
            cells += [f'<td><img src="{html.escape(row["name"] + "/" + p)}" alt="{html.escape(p)}">'
                      f"</td>" for p in pictures]
        elif row.get("error"):
            cells.append(f'<td class="failed">{html.escape(row["error"])}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines.append("</table>")
    return "\n".join(lines) + "\n"


def _figures(row):
    if row["status"] != "done":
        return ""
    diversity = "n/a" if row["diversity"] is None else f"{row['diversity']:.3f}"
    return (f"{row['scales']} scales, {row['train_seconds']:.0f} s<br>SWD {row['swd']:.4f}<br>"
            f"diversity {diversity}")
