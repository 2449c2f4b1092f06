#!/usr/bin/python3
# electrum-psbt.py: the Electrum side of test-psbt-interop, on Debian's
# python3-electrum (4.3)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The same requests as bitcoinjs-psbt.cjs: {"ops": [...]} on stdin, one
# result per op on stdout, "$N" for the PSBT of result N. Electrum only
# finalizes an input whose script type it is told: "finalize" takes
# "script_type" ("p2sh": m-of-n multisig), "num_sig" and "pubkeys" (hex,
# in script order). Electrum 4.3 then builds the scriptSig
# OP_0 <sigs in key order> <m-of-n multisig script of those keys>
# itself, from the keys, not from the PSBT's redeem script: it has no way
# to finalize the mediator escrow script, which is no m-of-n multisig.

import base64
import json
import sys

from electrum import constants
from electrum.ecc import ECPrivkey
from electrum.transaction import (PartialTransaction, PartialTxInput, PartialTxOutput,
                                  Transaction, TxOutpoint)


def b64(tx):
    return base64.b64encode(tx.serialize_as_bytes(force_psbt=True)).decode("ascii")


def load(value, results):
    if isinstance(value, str) and value.startswith("$"):
        r = results[int(value[1:])]
        if not r.get("ok") or "psbt" not in r:
            raise ValueError("%s has no PSBT" % value)
        value = r["psbt"]
    return PartialTransaction.from_raw_psbt(value)


def combined(psbts, results):
    if not psbts:
        raise ValueError("no PSBTs")
    first = load(psbts[0], results)
    for other in psbts[1:]:
        first.combine_with_other_psbt(load(other, results))
    return first


def create(op):
    inputs = []
    for i in op["inputs"]:
        utxo = Transaction(i["utxo"])
        txin = PartialTxInput(prevout=TxOutpoint(txid=bytes.fromhex(utxo.txid()), out_idx=i["vout"]),
                              nsequence=i["sequence"])
        txin.utxo = utxo
        txin.redeem_script = bytes.fromhex(i["redeem"])
        inputs.append(txin)
    outputs = [PartialTxOutput(scriptpubkey=bytes.fromhex(o["script"]), value=o["value"])
               for o in op["outputs"]]
    tx = PartialTransaction.from_io(inputs, outputs, locktime=op["locktime"],
                                    version=op["version"], BIP69_sort=False)
    return {"psbt": b64(tx)}


def sign(op, results):
    tx = load(op["psbt"], results)
    key = ECPrivkey(bytes.fromhex(op["key"]))
    pubkey = key.get_public_key_hex(compressed=True)
    # the signer is told its key; the script type stays unknown, so that
    # Electrum signs the sighash of the PSBT's redeem script and does not
    # try to finalize
    for txin in tx.inputs():
        txin.pubkeys = [bytes.fromhex(pubkey)]
    tx.sign({pubkey: (key.get_secret_bytes(), True)})
    for n, txin in enumerate(tx.inputs()):
        if bytes.fromhex(pubkey) not in txin.part_sigs:
            raise ValueError("Electrum did not sign input %d" % n)
    return {"psbt": b64(tx)}


def finalize(op, results):
    tx = combined(op["psbts"], results)
    for txin in tx.inputs():
        txin.script_type = op["script_type"]
        txin.num_sig = op["num_sig"]
        txin.pubkeys = [bytes.fromhex(k) for k in op["pubkeys"]]
    tx.finalize_psbt()
    if not tx.is_complete():
        have, need = tx.signature_count()
        raise ValueError("cannot finalize: %d of %d signatures" % (have, need))
    return {"psbt": b64(tx), "tx": tx.serialize_to_network()}


def run(op, results):
    kind = op.get("op")
    if kind == "parse":
        return {"psbt": b64(load(op["psbt"], results))}
    if kind == "create":
        return create(op)
    if kind == "sign":
        return sign(op, results)
    if kind == "combine":
        return {"psbt": b64(combined(op["psbts"], results))}
    if kind == "finalize":
        return finalize(op, results)
    raise ValueError("unknown op %r" % kind)


def main():
    constants.set_testnet()
    request = json.load(sys.stdin)
    results = []
    for op in request["ops"]:
        try:
            result = run(op, results)
            result["ok"] = True
        except Exception as e:  # Electrum's refusals are exceptions of many kinds
            result = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        results.append(result)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
