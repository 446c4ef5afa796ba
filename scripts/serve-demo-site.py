#!/usr/bin/env python3
"""Serve the fictional demo site on 127.0.0.1 and write a feeds file pointing at it.

For trying the Airflow DAGs locally:

    .venv/bin/python scripts/serve-demo-site.py --port 8765 --feeds-out data/demo-feeds.yaml &
    VIGIL_FEEDS_FILE=data/demo-feeds.yaml VIGIL_ALLOW_HOSTS=127.0.0.1 VIGIL_PER_HOST_DELAY=0 make airflow

``--broken /feeds/es.xml`` makes a path answer 500 (to watch one feed group fail). Stops on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from vigil.demo_site import PLACEHOLDER, DemoSite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--feeds-out", type=Path, default=Path("data/demo-feeds.yaml"),
                        help="where to write the feeds catalogue with the server's address")
    parser.add_argument("--broken", action="append", default=[], help="a path that answers 500 (repeatable)")
    args = parser.parse_args()

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with DemoSite(port=args.port, broken=args.broken) as site:
        args.feeds_out.parent.mkdir(parents=True, exist_ok=True)
        text = site.feeds_file.read_text(encoding="utf-8").replace(PLACEHOLDER, site.base_url)
        args.feeds_out.write_text(text, encoding="utf-8")
        print(f"demo site at {site.base_url}; feeds file {args.feeds_out.resolve()}", flush=True)
        stop.wait()
    print("demo site stopped", flush=True)


if __name__ == "__main__":
    main()
