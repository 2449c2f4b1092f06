#!/usr/bin/python3
# atspi-check.py: finds the app's main controls by name and role over AT-SPI,
# out of process, as a screen reader would.
#
# Usage: atspi-check.py VIEW   (VIEW: welcome, main or market)
#
# A name ending in "…" is a prefix: a market row says the job's name first,
# then its category, creator and age.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import sys
import time

import pyatspi

# What a list row of ours is to AT-SPI (an AdwBin with a label), or the
# list item around it.
ROW_ROLES = {"panel", "list item", "section", "filler", "grouping"}

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
    # The demo market of build-aux/run.sh, as "You" sees it after the
    # app's first refresh: Bob's three jobs, each row named by its job.
    "market": [
        ("Search jobs", {"text", "entry"}),
        ("Post a Job", {"push button"}),
        ("Mediators", {"toggle button", "push button"}),
        # the buttons inside the drop-downs, named with their choice
        ("Category: All Categories", {"toggle button", "push button"}),
        ("Sort: Newest", {"toggle button", "push button"}),
        ("Open Only", {"toggle button", "push button"}),
        ("Jobs", {"list", "list box", "table", "tree table"}),
        ("Logo for a bakery, …", ROW_ROLES),
        ("Translate a menu to German, …", ROW_ROLES),
        ("Fix a flaky test suite, …", ROW_ROLES),
    ],
}


# libatspi keeps the desktop's children and each node's in a cache that
# events from the bus keep up to date; an event that comes before this
# process listens is lost, and the cache then never shows the app or a
# control that appeared. So every look after the first asks the bus again.
def forget(node):
    try:
        node.clearCache()
    except Exception:
        pass


# Under AddressSanitizer, on a machine busy with other suites, the app has
# taken over a minute to reach the accessibility bus (alone: seconds).
def find_app(name, timeout=150):
    end = time.time() + timeout
    while time.time() < end:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name == name:
                return app
        time.sleep(0.3)
        forget(desktop)
    return None


def matches(node_name, want):
    if want.endswith("…"):
        return node_name is not None and node_name.startswith(want[:-1])
    return node_name == want


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
                   if not any(matches(n, name) and r in roles for n, r in nodes)]
        if not missing:
            break
        time.sleep(0.5)
        forget(app)
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
