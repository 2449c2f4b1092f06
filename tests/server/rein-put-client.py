#!/usr/bin/python3
# rein-put-client.py: a Causeway client built on python3-bitcoinlib, an
# implementation independent of ours, for rein-server's interoperability test
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: rein-put-client.py URL
# Registers a new identity, puts its enrollment and a job signed the way
# python-rein signs them, checks every answer, and prints one JSON line:
# {"owner": ..., "delegate": ..., "keys": [...], "job_id": ..., "creator": ...}

import json
import os
import random
import string
import sys
import urllib.error
import urllib.parse
import urllib.request

from bitcoin.signmessage import BitcoinMessage, SignMessage
from bitcoin.wallet import CBitcoinSecret, P2PKHBitcoinAddress


def new_key():
    return CBitcoinSecret.from_secret_bytes(os.urandom(32), True)


def address(key):
    return str(P2PKHBitcoinAddress.from_pubkey(key.pub))


def sign(key, text):
    return SignMessage(key, BitcoinMessage(text)).decode('ascii')


def armor(key, text):
    return ('-----BEGIN BITCOIN SIGNED MESSAGE-----\n' + text +
            '\n-----BEGIN SIGNATURE-----\n' + address(key) + '\n' + sign(key, text) +
            '\n-----END BITCOIN SIGNED MESSAGE-----')


def call(url, data=None):
    request = urllib.request.Request(url, data=data, method='POST' if data else 'GET')
    if data:
        request.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(request) as answer:
            assert answer.headers.get_content_type() == 'application/json'
            return answer.status, json.loads(answer.read().decode('utf-8'))
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode('utf-8'))


def main():
    base = sys.argv[1]
    master, delegate = new_key(), new_key()
    maddr, daddr = address(master), address(delegate)
    dpub = delegate.pub.hex()

    query = urllib.parse.urlencode({'owner': maddr, 'delegate': daddr,
                                    'contact': 'py@example.com'})
    status, answer = call(base + 'request?' + query)
    assert status == 200 and answer['result'] == 'success', answer

    status, answer = call(base + 'nonce?' + urllib.parse.urlencode({'address': maddr}))
    assert status == 200 and len(answer['nonce']) == 32, answer
    nonce = answer['nonce']

    enrollment = '\n'.join([
        'Rein User Enrollment',
        'User: Pythonista',
        'Contact: py@example.com',
        'Master signing address: ' + maddr,
        'Delegate signing address: ' + daddr,
        'Willing to mediate: False',
    ])
    job_id = ''.join(random.SystemRandom().choice(string.ascii_lowercase + string.digits)
                     for _ in range(20))
    job = '\n'.join([
        'Rein Job',
        'Job name: Interop check',
        'Job ID: ' + job_id,
        'Category: Testing',
        'Description: Signed by python3-bitcoinlib, caf\u00e9 \u2615',
        'Job creator: Pythonista',
        'Job creator contact: py@example.com',
        'Job creator public key: ' + dpub,
        'Job creator master address: ' + maddr,
    ])
    documents = [armor(master, enrollment), armor(delegate, job)]

    keys = []
    for value in documents:
        key = ''.join(random.SystemRandom().choice(string.ascii_uppercase + string.digits)
                      for _ in range(32))
        body = json.dumps({'key': key, 'value': value, 'nonce': nonce,
                           'signature': sign(delegate, key + value + daddr + nonce),
                           'signature_address': daddr, 'owner': maddr,
                           'testnet': False}).encode('utf-8')
        status, answer = call(base + 'put', body)
        assert status == 201 and answer == {'result': 'success'}, (status, answer)
        status, answer = call(base + 'get?' + urllib.parse.urlencode({'key': key}))
        assert status == 200 and answer == {'key': key, 'value': value}, answer
        keys.append(key)

    status, answer = call(base + 'nonce?' + urllib.parse.urlencode({'address': maddr,
                                                                     'clear': nonce}))
    assert status == 200 and answer == {'nonce': ''}, answer

    print(json.dumps({'owner': maddr, 'delegate': daddr, 'keys': keys, 'job_id': job_id,
                      'creator': dpub}))


if __name__ == '__main__':
    main()
