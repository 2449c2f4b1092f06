#!/usr/bin/python3
# atspi-check.py: finds the app's main controls by name and role over AT-SPI,
# out of process, as a screen reader would.
#
# Usage: atspi-check.py VIEW   (VIEW: welcome or main)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import sys
import time

import pyatspi

EXPECTED = {
    "welcome": [
        ("Create a New Identity", {"list item", "push button", "panel"}),
        ("Restore From a Recovery Phrase", {"list item", "push button", "panel"}),
        ("Import Keys", {"list item", "push button", "panel"}),
        ("Import a Backup File", {"list item", "push button", "panel"}),
        ("Main menu", {"toggle button", "push button"}),
    ],
    "main": [
        ("Sync with servers", {"push button"}),
        ("Main menu", {"toggle button", "push button"}),
        ("Identity: Demo", {"toggle button", "push button"}),
        ("Market", {"toggle button", "push button", "radio button", "page tab"}),
        ("My Jobs", {"toggle button", "push button", "radio button", "page tab"}),
    ],
}


def find_app(name, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name == name:
                return app
        time.sleep(0.3)
    return None


def walk(node, depth=0):
    if node is None or depth > 60:
        return
    yield node
    try:
        children = list(node)
    except Exception:
        return
    for child in children:
        yield from walk(child, depth + 1)


def main():
    view = sys.argv[1]
    app = find_app("rein")
    if app is None:
        print("not ok: the app did not appear on the accessibility bus")
        return 1
    # let the window settle
    deadline = time.time() + 60
    missing = EXPECTED[view]
    while time.time() < deadline:
        nodes = [(n.name, n.getRoleName()) for n in walk(app)]
        missing = [(name, roles) for name, roles in EXPECTED[view]
                   if not any(n == name and r in roles for n, r in nodes)]
        if not missing:
            break
        time.sleep(0.5)
    for name, roles in EXPECTED[view]:
        status = "not ok" if (name, roles) in missing else "ok"
        print(f"{status}: {view}: '{name}' as {' or '.join(sorted(roles))}")
    if missing:
        print("# what the bus shows:")
        for n in walk(app):
            if n.name:
                print(f"#   {n.getRoleName()}: {n.name}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
