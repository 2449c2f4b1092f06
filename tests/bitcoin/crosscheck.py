#!/usr/bin/python3
# crosscheck.py: the independent side of test-crosscheck, on python-bitcoinlib
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reads one JSON object from stdin: {"mainnet": [records], "testnet": [records]},
# each record holding what our C code produced for one random key. Recomputes
# every value with python-bitcoinlib, verifies our signature, signs a second
# message, and prints the results as JSON, one result per record, in order.

import json
import sys

import bitcoin
from bitcoin.core.script import CScript, OP_2, OP_3, OP_1, OP_CHECKMULTISIG, OP_CHECKSIGVERIFY
from bitcoin.signmessage import BitcoinMessage, SignMessage, VerifyMessage
from bitcoin.wallet import CBitcoinSecret, P2PKHBitcoinAddress, P2SHBitcoinAddress


def check(record):
    key = CBitcoinSecret(record["wif_original"])
    pub = key.pub
    peers = [bytes.fromhex(h) for h in record["peers"]]
    creator = bytes(CBitcoinSecret(record["wif"]).pub)
    mediator, worker = peers[0], peers[1]
    primary = CScript([OP_2, creator, mediator, worker, OP_3, OP_CHECKMULTISIG])
    fee = CScript([mediator, OP_CHECKSIGVERIFY, OP_1, creator, worker, OP_2, OP_CHECKMULTISIG])
    return {
        "address": str(P2PKHBitcoinAddress.from_pubkey(pub)),
        "pubkey": bytes(pub).hex(),
        "compressed": bool(key.is_compressed),
        "our_signature_ok": VerifyMessage(record["address"], BitcoinMessage(record["message"]),
                                          record["signature"]),
        "primary_script": bytes(primary).hex(),
        "primary_address": str(P2SHBitcoinAddress.from_redeemScript(primary)),
        "mediator_script": bytes(fee).hex(),
        "mediator_address": str(P2SHBitcoinAddress.from_redeemScript(fee)),
        "their_message": "python says " + record["message"],
        "their_signature": SignMessage(key, BitcoinMessage("python says " + record["message"]))
        .decode("ascii"),
    }


def main():
    request = json.load(sys.stdin)
    results = {}
    for network in ("mainnet", "testnet"):
        bitcoin.SelectParams(network)
        results[network] = [check(r) for r in request.get(network, [])]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
