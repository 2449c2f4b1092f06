#!/usr/bin/python3
# legacy-payment.py: the python-rein 0.3 side of test-legacy-payment.c
#
# An independent implementation (python-bitcoinlib) of how python-rein 0.3
# writes and completes its payouts: a transaction of version 1 spending the
# listed escrow coins (in order, sequence 0xffffffff) to the listed outputs
# (the worker's before the creator's), SIGHASH_ALL legacy signatures over
# the redeem script, each written as hex DER + "01"; amounts written with 8
# decimals, the fee fixed. Completing means putting `OP_0 <sigs> <redeem>`
# in each scriptSig, signatures in the order the escrow script wants, and
# VerifyScript must accept it.
#
# One JSON request on stdin, one JSON answer on stdout. The keys are the
# test's throwaway ones.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import sys

from bitcoin.core import (COIN, COutPoint, CMutableTransaction, CMutableTxIn, CMutableTxOut,
                          b2lx, b2x, lx, x)
from bitcoin.core.script import OP_0, CScript, SignatureHash, SIGHASH_ALL
from bitcoin.core.scripteval import SCRIPT_VERIFY_P2SH, VerifyScript
from bitcoin.wallet import CBitcoinAddress, CBitcoinSecret

FEE = 0.001  # BTC, what 0.3 takes from every payment


def btc(value):
    return "{:.8f}".format(value)


def sats(amount_text):
    # 0.3 multiplies a float by COIN; rounded here so that a current
    # python-bitcoinlib takes it
    return int(round(float(amount_text) * COIN))


def txins_of(text):
    ins = []
    for word in text.split():
        txid, vout = word.split("-")
        ins.append(CMutableTxIn(COutPoint(lx(txid), int(vout))))
    return ins


def build(inputs_text, outputs):
    """The transaction 0.3 rebuilds: outputs are (amount text, address)."""
    txouts = [CMutableTxOut(sats(a), CBitcoinAddress(addr).to_scriptPubKey())
              for a, addr in outputs]
    return CMutableTransaction(txins_of(inputs_text), txouts)


def sign_all(tx, redeem, wif):
    key = CBitcoinSecret(wif)
    return [key.sign(SignatureHash(redeem, tx, i, SIGHASH_ALL)) + b"\x01"
            for i in range(len(tx.vin))]


def verify(tx, redeem):
    spk = redeem.to_p2sh_scriptPubKey()
    for i, txin in enumerate(tx.vin):
        VerifyScript(txin.scriptSig, spk, tx, i, (SCRIPT_VERIFY_P2SH,))


def inputs_text(coins):
    return " ".join("%s-%d" % (txid, vout) for txid, vout, _ in coins)


def total_btc(coins):
    return sum(value for _, _, value in coins) / COIN


def deliver(req):
    """The worker's delivery: the primary payment to the worker, signed by
    it; the mediator payment described, unsigned."""
    redeem = CScript(x(req["primary_redeem"]))
    coins = req["primary_coins"] + req.get("extra_coins", [])
    amount = btc(total_btc(coins) - FEE - req.get("amount_cut", 0))
    address = req.get("pay_to", req["worker_address"])
    txins = inputs_text(coins)
    tx = build(txins, [(amount, address)])
    sigs = sign_all(tx, redeem, req.get("signing_wif", req["worker_wif"]))
    m_coins = req["mediator_coins"]
    return {"fields": [
        ["Primary payment inputs", txins],
        ["Primary payment amount", amount],
        ["Primary payment address", address],
        ["Primary payment signature", " ".join(b2x(s) for s in sigs)],
        ["Mediator payment inputs", inputs_text(m_coins)],
        ["Mediator payment amount", btc(total_btc(m_coins) - FEE)],
        ["Mediator payment address", req["mediator_address"]],
    ]}


def accept(req):
    """The creator's accept: completes the primary payment (the creator's
    signature first, as the 2-of-3 script orders the keys), and signs the
    mediator payment, left for the mediator in hex."""
    d = dict(req["delivery"])
    redeem = CScript(x(req["primary_redeem"]))
    tx = build(d["Primary payment inputs"],
               [(d["Primary payment amount"], d["Primary payment address"])])
    worker_sigs = [x(s) for s in d["Primary payment signature"].split()]
    mine = sign_all(tx, redeem, req["creator_wif"])
    for i in range(len(tx.vin)):
        tx.vin[i].scriptSig = CScript([OP_0, mine[i], worker_sigs[i], redeem])
    verify(tx, redeem)
    m_redeem = CScript(x(req["mediator_redeem"]))
    m_tx = build(d["Mediator payment inputs"],
                 [(d["Mediator payment amount"], d["Mediator payment address"])])
    m_sigs = sign_all(m_tx, m_redeem, req["creator_wif"])
    for i in range(len(m_tx.vin)):
        m_tx.vin[i].scriptSig = CScript([OP_0, m_sigs[i], m_redeem])
    fields = [[label, d[label]] for label in (
        "Primary payment inputs", "Primary payment amount", "Primary payment address",
        "Primary payment signature")]
    fields += [["Primary payment txid", b2lx(tx.GetTxid())],
               ["Primary payment client signature", " ".join(b2x(s) for s in mine)]]
    fields += [[label, d[label]] for label in (
        "Mediator payment inputs", "Mediator payment amount", "Mediator payment address")]
    fields += [["Mediator payment client signature", b2x(m_tx.serialize())]]
    return {"fields": fields, "primary_hex": b2x(tx.serialize()),
            "primary_txid": b2lx(tx.GetTxid())}


def resolve(req):
    """The mediator's resolution: the primary payment split between the
    worker and the creator, the mediator payment to the mediator, both
    signed by the mediator."""
    redeem = CScript(x(req["primary_redeem"]))
    coins = req["primary_coins"]
    client = btc(req["client_amount"] / COIN)
    worker = btc(total_btc(coins) - FEE - req["client_amount"] / COIN)
    txins = inputs_text(coins)
    tx = build(txins, [(worker, req["worker_address"]), (client, req["client_address"])])
    sigs = sign_all(tx, redeem, req["mediator_wif"])
    m_redeem = CScript(x(req["mediator_redeem"]))
    m_coins = req["mediator_coins"]
    m_amount = btc(total_btc(m_coins) - FEE)
    m_txins = inputs_text(m_coins)
    m_tx = build(m_txins, [(m_amount, req["mediator_address"])])
    m_sigs = sign_all(m_tx, m_redeem, req["mediator_wif"])
    return {"fields": [
        ["Primary payment inputs", txins],
        ["Primary worker payment amount", worker],
        ["Primary worker payment address", req["worker_address"]],
        ["Primary client payment amount", client],
        ["Primary client payment address", req["client_address"]],
        ["Primary payment signature", " ".join(b2x(s) for s in sigs)],
        ["Mediator payment inputs", m_txins],
        ["Mediator payment amount", m_amount],
        ["Mediator payment address", req["mediator_address"]],
        ["Mediator payment signature", " ".join(b2x(s) for s in m_sigs)],
    ]}


def complete_mediator(req):
    """The mediator completes an accept's mediator payment: its signature
    after the creator's, before the redeem script."""
    m_redeem = CScript(x(req["mediator_redeem"]))
    tx = CMutableTransaction.from_tx(
        CMutableTransaction.deserialize(x(req["partial_hex"])))
    creator_sigs = []
    for txin in tx.vin:
        ops = list(txin.scriptSig)
        if len(ops) != 3 or ops[0] != 0 or bytes(ops[2]) != bytes(m_redeem):
            raise ValueError("not OP_0 <sig> <redeem>: %r" % ops)
        creator_sigs.append(bytes(ops[1]))
        txin.scriptSig = CScript()
    mine = sign_all(tx, m_redeem, req["mediator_wif"])
    for i in range(len(tx.vin)):
        tx.vin[i].scriptSig = CScript([OP_0, creator_sigs[i], mine[i], m_redeem])
    verify(tx, m_redeem)
    return {"hex": b2x(tx.serialize()), "txid": b2lx(tx.GetTxid())}


def accept_resolution(req):
    """The creator or the worker takes the mediator's payments: rebuilt
    from the resolution's fields, its signature added in key order."""
    d = dict(req["resolution"])
    redeem = CScript(x(req["primary_redeem"]))
    tx = build(d["Primary payment inputs"],
               [(d["Primary worker payment amount"], d["Primary worker payment address"]),
                (d["Primary client payment amount"], d["Primary client payment address"])])
    theirs = [x(s) for s in d["Primary payment signature"].split()]
    mine = sign_all(tx, redeem, req["wif"])
    for i in range(len(tx.vin)):
        # keys are creator, mediator, worker: the worker's signature last
        pair = [theirs[i], mine[i]] if req["is_worker"] else [mine[i], theirs[i]]
        tx.vin[i].scriptSig = CScript([OP_0] + pair + [redeem])
    verify(tx, redeem)
    m_redeem = CScript(x(req["mediator_redeem"]))
    m_tx = build(d["Mediator payment inputs"],
                 [(d["Mediator payment amount"], d["Mediator payment address"])])
    m_theirs = [x(s) for s in d["Mediator payment signature"].split()]
    m_mine = sign_all(m_tx, m_redeem, req["wif"])
    for i in range(len(m_tx.vin)):
        m_tx.vin[i].scriptSig = CScript([OP_0, m_mine[i], m_theirs[i], m_redeem])
    verify(m_tx, m_redeem)
    return {"primary_hex": b2x(tx.serialize()), "mediator_hex": b2x(m_tx.serialize())}


OPS = {"deliver": deliver, "accept": accept, "resolve": resolve,
       "complete_mediator": complete_mediator, "accept_resolution": accept_resolution}


def main():
    req = json.load(sys.stdin)
    json.dump(OPS[req["op"]](req), sys.stdout)


if __name__ == "__main__":
    main()
