"""One headless sync, to be killed with SIGKILL at a random moment by tests/sync/test_kills.py.

    python -m tests.sync.sync_child DATA_DIR URL
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QALAM_NO_KEYRING", "1")

from tests.sync.live import Device


def main() -> None:
    data_dir, url = Path(sys.argv[1]), sys.argv[2]
    device = Device(data_dir)
    print("syncing", flush=True)  # Python has started: the killer's clock starts now
    report = device.sync(url)
    print("complete" if report.complete else "incomplete", flush=True)


if __name__ == "__main__":
    main()
