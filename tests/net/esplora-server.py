#!/usr/bin/python3
# esplora-server.py: a small Esplora-compatible chain backend for the tests
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# It stands in for a real indexer (electrs behind Esplora), which cannot run
# offline here. It keeps a chain of transactions in memory and answers the
# part of the Esplora HTTP API that Rein uses, in Esplora's formats:
#   GET  address/ADDR/utxo   GET tx/TXID/hex   GET tx/TXID/status
#   GET  tx/TXID/outspends   GET fee-estimates GET blocks/tip/height
#   GET  block-height/0      (the network's genesis block; other heights 404)
#   GET  blocks/tip/hash     GET block/HASH (id, height, timestamp; blocks are
#                            made up: hash = SHA-256d of the height, one every
#                            10 minutes from 2009-01-03 18:15:05 UTC)
#   POST tx                  (hex body; answers the txid as text)
# Broadcast transactions are checked the way a node would check them, with
# python3-bitcoinlib, an implementation independent of ours: every input
# must spend an existing unspent output, every script must pass
# VerifyScript with P2SH, and the outputs may not pay more than the inputs.
# Errors are text/plain like Esplora's.
#
# Tests drive it through a few extra endpoints:
#   POST _test/fund    {"address": A, "value": SATS, "confirmations": N,
#                      "segwit": BOOL} pays A from nowhere (a coinbase-like
#                      input, with a witness when segwit); -> txid
#   POST _test/mine    {"blocks": N}  confirms everything in the mempool
#   POST _test/mode    {"mode": M}    normal, hang, garbage, deep-json, html,
#                      error500, wrong-amounts, wrong-tx, wrong-txid
#   POST _test/fees    {"1": 20.5, ...}
#   GET  _test/broadcasts  the txids broadcast, in order
#
# Usage: esplora-server.py [--network testnet|regtest|mainnet] [--port N]
#                          [--state FILE] [--block-interval SECONDS]
# It listens on 127.0.0.1 (on a free port unless --port) and prints
# "listening on URL". The quick start's demo runs it as its chain: with
# --state it keeps the chain in FILE across runs (written after every
# change), and with --block-interval it mines a block that often.

import argparse
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import bitcoin
from bitcoin.core import (COutPoint, CMutableTransaction, CMutableTxIn, CMutableTxOut,
                          CTransaction, CTxInWitness, CTxWitness, b2lx, x)
from bitcoin.core.script import CScript, CScriptWitness
from bitcoin.core.scripteval import SCRIPT_VERIFY_P2SH, VerifyScript
from bitcoin.wallet import CBitcoinAddress, CBitcoinAddressError

MAX_BODY = 1 << 20


def block_hash(height):
    """The made-up hash of the block at @height (display hex)."""
    return b2lx(hashlib.sha256(hashlib.sha256(str(height).encode()).digest()).digest())


class Chain:
    def __init__(self):
        self.lock = threading.Lock()
        self.txs = {}        # txid (display hex) -> CTransaction
        self.raw = {}        # txid -> bytes
        self.height = {}     # txid -> block height, absent when in the mempool
        self.spent_by = {}   # (txid, vout) -> (spending txid, vin)
        self.tip = 100
        self.fees = {"1": 25.0, "3": 12.5, "6": 8.25, "144": 1.0}
        self.mode = "normal"
        self.broadcasts = []
        self.fund_count = 0
        self.state = None    # the file the chain is kept in, if any

    def load(self, path):
        """Keeps the chain in @path from now on, reading what it holds."""
        self.state = path
        try:
            with open(path) as f:
                data = json.load(f)
        except FileNotFoundError:
            return
        self.tip = int(data["tip"])
        self.fund_count = int(data.get("fund_count", 0))
        for raw, height in data["txs"]:
            txid = self.add(CTransaction.deserialize(x(raw)), 0)
            if height is not None:
                self.height[txid] = int(height)

    def save(self):
        """Writes the chain to its state file (when it has one), atomically."""
        if self.state is None:
            return
        data = {"tip": self.tip, "fund_count": self.fund_count,
                "txs": [[self.raw[txid].hex(), self.height.get(txid)] for txid in self.txs]}
        tmp = self.state + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, self.state)

    def mine(self, blocks):
        """Confirms the mempool in the first of @blocks new blocks."""
        for _ in range(blocks):
            self.tip += 1
            for txid in self.txs:
                if txid not in self.height:
                    self.height[txid] = self.tip

    def add(self, tx, confirmations):
        txid = b2lx(tx.GetTxid())
        self.txs[txid] = tx
        self.raw[txid] = tx.serialize()
        if confirmations > 0:
            # mined confirmations - 1 blocks below the tip
            self.height[txid] = self.tip - confirmations + 1
        if not tx.is_coinbase():
            for i, txin in enumerate(tx.vin):
                self.spent_by[(b2lx(txin.prevout.hash), txin.prevout.n)] = (txid, i)
        return txid

    def status(self, txid):
        h = self.height.get(txid)
        if h is None:
            return {"confirmed": False}
        return {"confirmed": True, "block_height": h,
                "block_hash": "%064x" % (0xb10c0000 + h), "block_time": 1700000000 + 600 * h}

    def utxos(self, script):
        out = []
        for txid, tx in self.txs.items():
            for n, txout in enumerate(tx.vout):
                if txout.scriptPubKey == script and (txid, n) not in self.spent_by:
                    out.append({"txid": txid, "vout": n, "status": self.status(txid),
                                "value": txout.nValue})
        return out

    def check_and_add(self, tx):
        """Checks @tx as a node's mempool would; returns an error or None."""
        txid = b2lx(tx.GetTxid())
        if txid in self.txs:
            # as Bitcoin Core answers a transaction it has
            return ("transaction already in block chain" if txid in self.height
                    else "txn-already-in-mempool")
        if len(tx.vin) == 0 or len(tx.vout) == 0:
            return "bad-txns-vin-empty" if len(tx.vin) == 0 else "bad-txns-vout-empty"
        total_in = 0
        outpoints = set((b2lx(i.prevout.hash), i.prevout.n) for i in tx.vin)
        if len(outpoints) != len(tx.vin):
            return "bad-txns-inputs-duplicate"
        for i, txin in enumerate(tx.vin):
            prev_txid = b2lx(txin.prevout.hash)
            prev = self.txs.get(prev_txid)
            if prev is None or txin.prevout.n >= len(prev.vout):
                return "bad-txns-inputs-missingorspent"
            if (prev_txid, txin.prevout.n) in self.spent_by:
                return "txn-mempool-conflict"
            prevout = prev.vout[txin.prevout.n]
            try:
                VerifyScript(txin.scriptSig, prevout.scriptPubKey, tx, i,
                             flags=(SCRIPT_VERIFY_P2SH,))
            except Exception as e:  # VerifyScriptError and its kin
                return "mandatory-script-verify-flag-failed (%s)" % e
            total_in += prevout.nValue
        total_out = sum(o.nValue for o in tx.vout)
        if total_out > total_in:
            return "bad-txns-in-belowout"
        self.add(tx, 0)
        self.broadcasts.append(txid)
        return None


CHAIN = Chain()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, content_type="text/plain"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, value):
        self.send(200, json.dumps(value), "application/json")

    def faulty(self):
        """Answers in the way the current mode breaks; True when it did."""
        mode = CHAIN.mode
        if mode == "garbage":
            self.send(200, b"\x00\xff{not json", "application/json")
            return True
        if mode == "deep-json":
            self.send(200, "[" * 100000, "application/json")
            return True
        if mode == "html":
            self.send(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
            return True
        if mode == "error500":
            self.send(500, "Internal error: database is locked")
            return True
        return False

    def read_body(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length)

    def hang(self, parts):
        # outside the lock: a hanging answer must not hold up the others
        if CHAIN.mode == "hang" and parts[0] != "_test":
            time.sleep(30)
            return True
        return False

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if self.hang(parts):
            return
        with CHAIN.lock:
            if parts == ["_test", "broadcasts"]:
                return self.send_json(CHAIN.broadcasts)
            if self.faulty():
                return
            mode = CHAIN.mode
            if parts == ["blocks", "tip", "height"]:
                return self.send(200, str(CHAIN.tip))
            if parts == ["blocks", "tip", "hash"]:
                return self.send(200, block_hash(CHAIN.tip))
            if len(parts) == 2 and parts[0] == "block":
                for height in range(CHAIN.tip + 1):
                    if block_hash(height) == parts[1]:
                        return self.send_json({"id": parts[1], "height": height,
                                               "timestamp": 1231006505 + 600 * height})
                return self.send(404, "Block not found")
            if parts == ["block-height", "0"]:
                return self.send(200, b2lx(bitcoin.params.GENESIS_BLOCK.GetHash()))
            if parts == ["fee-estimates"]:
                return self.send_json(CHAIN.fees)
            if len(parts) == 3 and parts[0] == "address" and parts[2] == "utxo":
                try:
                    script = CBitcoinAddress(parts[1]).to_scriptPubKey()
                except (CBitcoinAddressError, ValueError):
                    return self.send(400, "Invalid Bitcoin address")
                utxos = CHAIN.utxos(script)
                if mode == "wrong-amounts":
                    for u in utxos:
                        u["value"] = u["value"] + 0.5
                return self.send_json(utxos)
            if len(parts) == 3 and parts[0] == "tx":
                txid = parts[1]
                if txid not in CHAIN.txs:
                    return self.send(404, "Transaction not found")
                if parts[2] == "hex":
                    raw = CHAIN.raw[txid]
                    if mode == "wrong-tx":
                        other = [t for t in CHAIN.raw if t != txid]
                        raw = CHAIN.raw[other[0]] if other else raw + b"\x00"
                    return self.send(200, raw.hex())
                if parts[2] == "status":
                    return self.send_json(CHAIN.status(txid))
                if parts[2] == "outspends":
                    out = []
                    for n in range(len(CHAIN.txs[txid].vout)):
                        s = CHAIN.spent_by.get((txid, n))
                        if s is None:
                            out.append({"spent": False})
                        else:
                            out.append({"spent": True, "txid": s[0], "vin": s[1],
                                        "status": CHAIN.status(s[0])})
                    return self.send_json(out)
        self.send(404, "Not Found")

    def do_POST(self):
        parts = self.path.strip("/").split("/")
        try:
            body = self.read_body()
        except ValueError:
            return self.send(413, "Payload Too Large")
        if self.hang(parts):
            return
        with CHAIN.lock:
            try:
                return self.post(parts, body)
            finally:
                CHAIN.save()

    def post(self, parts, body):
        if parts and parts[0] == "_test":
            return self.control(parts[1:], json.loads(body or b"{}"))
        if self.faulty():
            return
        if parts == ["tx"]:
            try:
                tx = CTransaction.deserialize(x(body.decode().strip()))
            except Exception:
                return self.send(400, "sendrawtransaction RPC error: "
                                 '{"code":-22,"message":"TX decode failed"}')
            error = CHAIN.check_and_add(tx)
            if error is not None:
                return self.send(400, "sendrawtransaction RPC error: "
                                 + json.dumps({"code": -26, "message": error}))
            txid = b2lx(tx.GetTxid())
            if CHAIN.mode == "wrong-txid":
                txid = "%064x" % 1
            return self.send(200, txid)
        self.send(404, "Not Found")

    def control(self, parts, args):
        if parts == ["fund"]:
            script = CBitcoinAddress(args["address"]).to_scriptPubKey()
            CHAIN.fund_count += 1
            # a coinbase-like input makes every funding transaction unique
            txin = CMutableTxIn(COutPoint(), CScript([CHAIN.fund_count, b"rein-test"]))
            witness = None
            if args.get("segwit"):
                # as segwit coinbases are: their hex is not what their txid hashes
                witness = CTxWitness([CTxInWitness(CScriptWitness([b"\x00" * 32]))])
            tx = CMutableTransaction([txin], [CMutableTxOut(int(args["value"]), script)],
                                     witness=witness)
            txid = CHAIN.add(CTransaction.from_tx(tx), int(args.get("confirmations", 1)))
            return self.send(200, txid)
        if parts == ["mine"]:
            CHAIN.mine(int(args.get("blocks", 1)))
            return self.send(200, str(CHAIN.tip))
        if parts == ["mode"]:
            CHAIN.mode = args["mode"]
            return self.send(200, CHAIN.mode)
        if parts == ["fees"]:
            CHAIN.fees = args
            return self.send(200, "ok")
        return self.send(404, "Not Found")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--network", default="testnet",
                        choices=["mainnet", "testnet", "regtest"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state", help="keep the chain in this file across runs")
    parser.add_argument("--block-interval", type=float, default=0,
                        help="mine a block every so many seconds")
    options = parser.parse_args()
    bitcoin.SelectParams(options.network)
    if options.state:
        CHAIN.load(options.state)
    if options.block_interval > 0:
        def miner():
            while True:
                time.sleep(options.block_interval)
                with CHAIN.lock:
                    CHAIN.mine(1)
                    CHAIN.save()
        threading.Thread(target=miner, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    server.daemon_threads = True
    print("listening on http://127.0.0.1:%d/" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
