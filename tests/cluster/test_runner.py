"""The progress line of a many-image run (the Ray side is tested through the command, in
tests/commands/test_train_many.py)."""

from singan_tf.cluster import runner


def test_progress_counts_and_eta(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(runner.time, "perf_counter", lambda: now[0])
    lines = []
    progress = runner.Progress(total=4, cpus=2, report=lines.append)
    progress.report(pending=4, cpus_in_use=4)
    now[0] = 160.0
    progress.ended(done=True)  # 60 s per image so far, 3 to go
    progress.report(pending=3, cpus_in_use=4)
    now[0] = 190.0
    progress.report(pending=3, cpus_in_use=4)  # 30 s later, nothing new
    now[0] = 220.0
    progress.ended(done=False)
    progress.report(pending=2, cpus_in_use=2)
    assert lines == ["0 done, 2 running, 0 failed, 4 total; ETA after the first image",
                     "1 done, 2 running, 0 failed, 4 total; ETA 0:03:00",
                     "1 done, 2 running, 0 failed, 4 total; ETA 0:02:30",
                     "1 done, 1 running, 1 failed, 4 total; ETA 0:02:00"]
