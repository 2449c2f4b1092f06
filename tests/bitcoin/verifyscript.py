#!/usr/bin/python3
# verifyscript.py: the independent side of test-psbt-escrow, on python-bitcoinlib
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reads {"cases": [{"tx", "index", "spk", "redeem"}]} (hex) from stdin: a
# transaction our C code built and signed, the input to check and the
# scriptPubKey it spends. For each case, runs python-bitcoinlib's script
# interpreter (VerifyScript) with SCRIPT_VERIFY_P2SH, and again with the
# stricter NULLDUMMY and CLEANSTACK, and computes the txid and the legacy
# SIGHASH_ALL hash of the redeem script for comparison with ours.

import json
import sys

from bitcoin.core import CTransaction, b2lx
from bitcoin.core.script import CScript, SignatureHash, SIGHASH_ALL
from bitcoin.core.scripteval import (VerifyScript, SCRIPT_VERIFY_P2SH, SCRIPT_VERIFY_NULLDUMMY,
                                     SCRIPT_VERIFY_CLEANSTACK)


def verify(tx, index, spk, flags):
    try:
        VerifyScript(tx.vin[index].scriptSig, spk, tx, index, flags=flags)
        return True, None
    except Exception as e:  # the interpreter's refusals are exceptions
        return False, "%s: %s" % (type(e).__name__, e)


def check(case):
    tx = CTransaction.deserialize(bytes.fromhex(case["tx"]))
    spk = CScript(bytes.fromhex(case["spk"]))
    index = case["index"]
    ok, error = verify(tx, index, spk, (SCRIPT_VERIFY_P2SH,))
    strict, strict_error = verify(tx, index, spk, (SCRIPT_VERIFY_P2SH, SCRIPT_VERIFY_NULLDUMMY,
                                                   SCRIPT_VERIFY_CLEANSTACK))
    sighash = SignatureHash(CScript(bytes.fromhex(case["redeem"])), tx, index, SIGHASH_ALL)
    return {
        "p2sh": ok,
        "strict": strict,
        "error": error or strict_error,
        "txid": b2lx(tx.GetTxid()),
        "sighash": sighash.hex(),
    }


def main():
    request = json.load(sys.stdin)
    json.dump([check(c) for c in request["cases"]], sys.stdout)


if __name__ == "__main__":
    main()
