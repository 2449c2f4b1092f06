#!/usr/bin/python3
# causeway-server.py: a test server that answers as the original Causeway does
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Rein users run the original Causeway server (Python, Flask, SQLAlchemy),
# which we cannot run here. This stands in for it in the tests, written
# from PROTOCOL.md section 6 and the original's behaviour, with only the
# Python 3 standard library. What our client must cope with:
#
#   - no "enrollments" query: a query it does not know is answered with an
#     empty list (the last version), or with a bare HTML 500 page (earlier
#     versions): --unknown-query empty|error;
#   - every query capped at 100 results (get_user at 20), no paging: limit
#     and offset are ignored;
#   - documents found by text matching ("LIKE"), not by index: a document
#     that merely mentions a label matches;
#   - errors as HTML (unknown owner at /nonce, a put without its fields) or
#     text/plain (a body that is not JSON), some JSON pretty-printed;
#   - signatures checked against mainnet-format addresses unless it runs in
#     testnet mode (--testnet): a testnet identity's put is then refused
#     with 401 "Incorrect signature";
#   - query errors (an owner without buckets) with status 200.
#
# It also answers python-rein 0.3's queries: get_user (search_input: SIN,
# master address, delegate address, then user name or contact, partial and
# case-insensitive), get_user_name (msin), get_user_ratings (source/dest).
#
# Usage: causeway-server.py [--testnet] [--unknown-query empty|error]
# It listens on 127.0.0.1 on a free port, prints "listening on URL" and
# exits (status 0) on SIGTERM.

import argparse
import base64
import datetime
import hashlib
import json
import secrets
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CAP = 100
USER_CAP = 20
FREE_BUCKETS = 4
BUCKET_BYTES = 1024 * 1024
MAX_BODY = 1 << 20

HTML_500 = ('<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n'
            '<title>500 Internal Server Error</title>\n'
            '<h1>Internal Server Error</h1>\n'
            '<p>The server encountered an internal error and was unable to complete '
            'your request. Either the server is overloaded or there is an error in the '
            'application.</p>\n')

# ---- signmessage verification (secp256k1 public key recovery) ----

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)
B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'


def point_add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], -1, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return (x, (lam * (a[0] - x) - a[1]) % P)


def point_mul(k, point):
    result = None
    while k:
        if k & 1:
            result = point_add(result, point)
        point = point_add(point, point)
        k >>= 1
    return result


def varint(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b'\xfd' + n.to_bytes(2, 'little')
    return b'\xfe' + n.to_bytes(4, 'little')


def sha256d(data):
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def base58check(payload):
    data = payload + sha256d(payload)[:4]
    n = int.from_bytes(data, 'big')
    out = ''
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return '1' * (len(data) - len(data.lstrip(b'\0'))) + out


def recover_address(message, signature, version):
    """The P2PKH address (of @version) whose key made @signature, or None."""
    try:
        sig = base64.b64decode(signature, validate=True)
    except Exception:
        return None
    if len(sig) != 65 or not 27 <= sig[0] <= 34:
        return None
    recid = (sig[0] - 27) & 3
    compressed = sig[0] >= 31
    r = int.from_bytes(sig[1:33], 'big')
    s = int.from_bytes(sig[33:], 'big')
    if not (0 < r < N and 0 < s < N):
        return None
    magic = b'Bitcoin Signed Message:\n'
    data = message.encode('utf-8')
    e = int.from_bytes(sha256d(varint(len(magic)) + magic + varint(len(data)) + data), 'big')
    x = r + (recid >> 1) * N
    if x >= P:
        return None
    y = pow((x * x * x + 7) % P, (P + 1) // 4, P)
    if (y * y - (x * x * x + 7)) % P != 0:
        return None
    if y & 1 != recid & 1:
        y = P - y
    rinv = pow(r, -1, N)
    q = point_add(point_mul(s * rinv % N, (x, y)), point_mul((-e * rinv) % N, G))
    if q is None:
        return None
    if compressed:
        pub = bytes([2 + (q[1] & 1)]) + q[0].to_bytes(32, 'big')
    else:
        pub = b'\x04' + q[0].to_bytes(32, 'big') + q[1].to_bytes(32, 'big')
    h160 = hashlib.new('ripemd160', hashlib.sha256(pub).digest()).digest()
    return base58check(bytes([version]) + h160)


# ---- the store (in memory, as the original's tables) ----

class Store:
    def __init__(self, testnet_mode):
        self.lock = threading.Lock()
        self.testnet_mode = testnet_mode
        self.owners = {}   # address -> {"delegate", "nonce"}
        self.sales = []    # {"id", "owner", "created", "bytes_used"}
        self.kv = []       # {"key", "value", "owner", "sale", "testnet"}, in insertion order
        self.started = time.time()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'
    server_version = 'Werkzeug/0.11.11'
    sys_version = 'Python/3.5.2'

    def log_message(self, fmt, *args):
        pass

    # -- answers --

    def send(self, code, body, content_type='application/json'):
        data = body.encode('utf-8')
        self.send_response(code)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def send_json(self, code, obj, indent=None):
        self.send(code, json.dumps(obj, indent=indent))

    def send_500(self):
        self.send(500, HTML_500, 'text/html')

    def send_404(self):
        self.send(404, '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n'
                       '<title>404 Not Found</title>\n<h1>Not Found</h1>\n'
                       '<p>The requested URL was not found on the server.</p>\n', 'text/html')

    # -- routes --

    def do_GET(self):
        url = urlsplit(self.path)
        args = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        store = self.server.store
        routes = {
            '/': self.home, '/help': self.home, '/status': self.status,
            '/request': self.request_hosting, '/nonce': self.nonce, '/get': self.get,
            '/query': self.query,
        }
        route = routes.get(url.path)
        if route is None:
            self.send_404()
            return
        with store.lock:
            try:
                route(store, args)
            except Exception:
                self.send_500()

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path != '/put':
            self.send(405, '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n'
                           '<title>405 Method Not Allowed</title>\n', 'text/html')
            return
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_BODY:
            self.send(413, 'Request Entity Too Large', 'text/plain')
            return
        body = self.rfile.read(length)
        store = self.server.store
        with store.lock:
            try:
                self.put(store, body)
            except Exception:
                self.send_500()

    def home(self, store, args):
        self.send_json(200, [{
            'name': 'causeway/1.freebeer',
            'pricing-type': 'per-mb',
            'pricing': [{'rpc': 'request', 'per-req': 0, 'per-unit': 0,
                         'description': '1 MB hosting, 50 MB bandwidth, 1 year expiration - '
                                        'free version for testing'},
                        {'rpc': 'get', 'per-req': 0, 'per-mb': 0},
                        {'rpc': 'put', 'per-req': 0, 'per-mb': 0},
                        {'rpc': True, 'per-req': 0, 'per-mb': 0}],
            'description': 'This Causeway server provides microhosting services.'}], indent=2)

    def status(self, store, args):
        self.send_json(200, {'uptime': str(int(time.time() - store.started)),
                             'stored': str(len(store.kv)), 'free': '1000000000',
                             'price': '0'}, indent=2)

    def buckets_of(self, store, sale):
        return [{'id': sale['id'], 'created': sale['created'],
                 'bytes_free': str(BUCKET_BYTES - sale['bytes_used'])}]

    def request_hosting(self, store, args):
        owner = args.get('owner')
        if owner not in store.owners:
            store.owners[owner] = {'delegate': args.get('delegate'), 'nonce': ''}
        mine = [s for s in store.sales if s['owner'] == owner]
        if len(mine) < FREE_BUCKETS:
            sale = {'id': len(store.sales) + 1, 'owner': owner, 'bytes_used': 0,
                    'created': datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S')}
            store.sales.append(sale)
            self.send_json(200, {'result': 'success', 'buckets': self.buckets_of(store, sale)},
                           indent=2)
        else:
            self.send_json(200, {'result': 'error', 'message': 'Maximum free buckets granted',
                                 'buckets': self.buckets_of(store, mine[0])}, indent=2)

    def nonce(self, store, args):
        owner = store.owners.get(args.get('address'))
        if owner is None:
            self.send_500()
            return
        clear = args.get('clear')
        if clear and clear == owner['nonce']:
            owner['nonce'] = ''
        elif not (owner['nonce'] and len(owner['nonce']) == 32):
            owner['nonce'] = secrets.token_hex(16)
        self.send_json(200, {'nonce': owner['nonce']})

    def get(self, store, args):
        key = args.get('key')
        for kv in store.kv:
            if kv['key'] == key:
                self.send_json(200, {'key': key, 'value': kv['value']})
                return
        self.send_json(404, {'error': 'Key not found.'})

    def put(self, store, body):
        try:
            obj = json.loads(body.decode('utf-8'))
        except Exception:
            self.send(400, 'JSON Decode failed', 'text/plain')
            return
        # A missing field is a KeyError: the original's bare 500.
        k, v, o = obj['key'], obj['value'], obj['owner']
        n, s, d = obj['nonce'], obj['signature'], obj['signature_address']
        testnet = bool(obj.get('testnet', False))
        owner = store.owners.get(o)
        version = 0x6f if store.testnet_mode else 0x00
        if owner is None:
            self.send_json(403, {'error': 'User not found'})
        elif owner['nonce'] != n:
            self.send_json(401, {'error': 'Bad nonce'})
        elif recover_address(k + v + d + n, s, version) != d:
            self.send_json(401, {'error': 'Incorrect signature'})
        else:
            size = len(k) + len(v)
            sale = None
            for candidate in store.sales:
                if candidate['owner'] == o and candidate['bytes_used'] + size < BUCKET_BYTES:
                    sale = candidate
            if sale is None:
                self.send_json(403, {'error': 'Insufficient storage space.'})
                return
            for kv in store.kv:
                if kv['key'] == k and kv['owner'] == o:
                    kv['value'] = v
                    kv['testnet'] = testnet
                    break
            else:
                store.kv.append({'key': k, 'value': v, 'owner': o, 'sale': sale['id'],
                                 'testnet': testnet})
            sale['bytes_used'] += size
            self.send_json(201, {'result': 'success'})

    # -- queries: text matching, as the original's LIKE --

    def matching(self, store, testnet, *needles, cap=CAP, nocase=False):
        out = []
        for kv in store.kv:
            if kv['testnet'] != testnet:
                continue
            value = kv['value'].lower() if nocase else kv['value']
            if all((needle.lower() if nocase else needle) in value for needle in needles):
                out.append(kv)
                if len(out) == cap:
                    break
        return out

    def query(self, store, args):
        owner = args.get('owner')
        name = args.get('query')
        testnet = args.get('testnet') in ('True', '1')
        if not any(s['owner'] == owner for s in store.sales):
            self.send_json(200, {'result': 'error',
                                 'message': 'Account required to make queries'})
            return
        res = []

        def values(kvs):
            res.extend(kv['value'] for kv in kvs)

        if name == 'mediators':
            values(self.matching(store, testnet, 'Willing to mediate: True', nocase=True))
        elif name == 'jobs':
            values(self.matching(store, testnet, 'Rein Job'))
        elif name == 'bids':
            values(self.matching(store, testnet, 'Rein Bid'))
        elif name == 'deliveries':
            values(self.matching(store, testnet, 'Job creator public key: '
                                 + args['job_creator'], 'Rein Delivery', nocase=True))
        elif name == 'in-process':
            values(self.matching(store, testnet, 'Worker public key: ' + args['worker'],
                                 nocase=True))
        elif name == 'review':
            values(self.matching(store, testnet, 'Mediator public key: ' + args['mediator'],
                                 nocase=True))
        elif name == 'by_job_id':
            for job_id in args['job_ids'].split(','):
                values(self.matching(store, testnet, 'Job ID: ' + job_id, nocase=True))
        elif name == 'dispute':
            for job_id in args['job_ids'].split(','):
                found = self.matching(store, testnet, 'Job ID: ' + job_id, 'Rein Delivery',
                                      nocase=True)
                if not found:
                    found = self.matching(store, testnet, 'Job ID: ' + job_id, 'Rein Offer',
                                          nocase=True)
                values(found)
        elif name == 'get_user_ratings':
            dest, source = args.get('dest'), args.get('source')
            if not dest and not source:
                res.append('error')
            else:
                needles = ['Rein Rating']
                if dest:
                    needles.append('User msin: ' + dest)
                if source:
                    needles.append('Rater msin: ' + source)
                res.extend({'key': kv['key'], 'value': kv['value']}
                           for kv in self.matching(store, testnet, *needles))
        elif name == 'get_user_name':
            msin = args.get('msin')
            if not msin:
                res.append('error')
            else:
                res.extend({'key': kv['key'], 'value': kv['value']}
                           for kv in self.matching(store, testnet, 'Rein User Enrollment',
                                                   'Secure Identity Number: ' + msin))
        elif name == 'get_user':
            search = args.get('search_input')
            if not search:
                res.append('error')
            else:
                found = []
                for label, nocase in (('Secure Identity Number: ', False),
                                      ('Master signing address: ', False),
                                      ('Delegate signing address: ', False)):
                    found = self.matching(store, testnet, 'Rein User Enrollment',
                                          label + search + '\n', cap=USER_CAP, nocase=nocase)
                    if not found:
                        found = self.matching(store, testnet, 'Rein User Enrollment',
                                              label + search + '\r', cap=USER_CAP)
                    if found:
                        break
                if not found:
                    found = [kv for kv in self.matching(store, testnet, 'Rein User Enrollment',
                                                        cap=len(store.kv) + 1)
                             if self.label_contains(kv['value'], ('User', 'Contact'), search)]
                    found = found[:USER_CAP]
                values(found)
        elif self.server.unknown_query == 'error':
            # The earlier versions had no answer for it: a bare 500.
            self.send_500()
            return
        self.send_json(200, {'result': 'success', name: res, 'block_info': None})

    @staticmethod
    def label_contains(value, labels, search):
        for line in value.splitlines():
            label, sep, rest = line.partition(': ')
            if sep and label in labels and search.lower() in rest.lower():
                return True
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--testnet', action='store_true')
    parser.add_argument('--unknown-query', choices=('empty', 'error'), default='empty')
    options = parser.parse_args()

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    server.store = Store(options.testnet)
    server.unknown_query = options.unknown_query

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print('listening on http://127.0.0.1:%d/' % server.server_address[1], flush=True)
    server.serve_forever()
    server.server_close()
    sys.exit(0)


if __name__ == '__main__':
    main()
