#!/usr/bin/env python3
# check-screenshots.py: every screenshot the AppStream metainfo declares is
# a PNG in data/screenshots whose size is the declared width and height,
# and every PNG there is declared.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import struct
import sys
import xml.etree.ElementTree as ET

top = sys.argv[1]
shots = os.path.join(top, 'data', 'screenshots')
tree = ET.parse(os.path.join(top, 'data', 'org.reinproject.Rein.metainfo.xml.in'))
status = 0
declared = set()
for image in tree.getroot().iter('image'):
    url = image.text.strip()
    name = url.rsplit('/', 1)[-1]
    if '/data/screenshots/' not in url:
        print(f'FAIL {url} is not one of data/screenshots')
        status = 1
        continue
    declared.add(name)
    path = os.path.join(shots, name)
    if not os.path.exists(path):
        print(f'FAIL {name} is declared but not in data/screenshots')
        status = 1
        continue
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        print(f'FAIL {name} is not a PNG')
        status = 1
        continue
    width, height = struct.unpack('>II', head[16:24])
    want = (int(image.get('width', 0)), int(image.get('height', 0)))
    if (width, height) != want:
        print(f'FAIL {name} is {width}x{height}, the metainfo says {want[0]}x{want[1]}')
        status = 1
    else:
        print(f'ok   {name} {width}x{height}')
for name in sorted(os.listdir(shots)):
    if name.endswith('.png') and name not in declared:
        print(f'FAIL data/screenshots/{name} is not in the metainfo')
        status = 1
if not declared:
    print('FAIL the metainfo declares no screenshots')
    status = 1
sys.exit(status)
