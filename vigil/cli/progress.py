"""Progress bars on stderr for long work (quiet when stderr is not a terminal)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vigil.records import FeedSpec

if TYPE_CHECKING:
    from vigil.pipeline import ProgressFn

stderr = Console(stderr=True)


@contextmanager
def feed_progress(total: int, label: str = "feeds") -> Iterator[ProgressFn]:
    """Yield a pipeline progress callback that advances a bar per feed."""
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[current]}"), TimeElapsedColumn(), console=stderr,
                        transient=True, disable=not stderr.is_terminal)
    with progress:
        task = progress.add_task(label, total=total, current="")

        def callback(event: str, feed: FeedSpec, counts: dict[str, int]) -> None:
            if event == "feed-start":
                progress.update(task, current=feed.name)
            else:
                progress.advance(task)

        yield callback
