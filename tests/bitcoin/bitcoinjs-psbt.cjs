#!/usr/bin/env node
// bitcoinjs-psbt.cjs: the bitcoinjs-lib side of test-psbt-interop
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Reads {"ops": [...]} (JSON) from stdin and writes one result per op, in
// order: {"ok": true, ...} or {"ok": false, "error": "..."}. A string
// "$N" where a PSBT is expected stands for the "psbt" of the result of op
// N of the same request. PSBTs are base64, everything else hex. All keys
// are test keys made by the test.
//
//   {"op": "parse", "psbt"}                 parse and serialize again
//   {"op": "create", "version", "locktime",
//    "inputs": [{"utxo", "vout", "sequence", "redeem"}],
//    "outputs": [{"script", "value"}]}      a PSBT of legacy P2SH inputs
//   {"op": "sign", "psbt", "key"}           the Signer, for every input
//   {"op": "combine", "psbts": [...]}       the Combiner
//   {"op": "finalize", "psbts": [...]}      combine, check every partial
//                                           signature, finalize every
//                                           input and extract:
//                                           {"psbt", "tx"}
//
// The 2-of-3 escrow is bitcoinjs-lib's own p2sh-multisig finalizer; the
// mediator escrow (PROTOCOL.md section 5) has a finalizer of its own here:
// OP_0 <creator-or-worker sig> <mediator sig> <redeem script>.

'use strict';

const bitcoin = require('bitcoinjs-lib');
const ecc = require('tiny-secp256k1');
const { ECPairFactory } = require('ecpair');

const ECPair = ECPairFactory(ecc);
const network = bitcoin.networks.testnet;
const ops = bitcoin.opcodes;

function fromHex(hex) {
  if (typeof hex !== 'string' || !/^([0-9a-f]{2})*$/.test(hex))
    throw new Error('not hex: ' + String(hex).slice(0, 20));
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function toHex(bytes) {
  return Buffer.from(bytes).toString('hex');
}

function sameBytes(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

// The keys of the mediator escrow script, or null for any other script.
function mandatoryKeys(script) {
  const chunks = bitcoin.script.decompile(script);
  const isKey = (c) => c instanceof Uint8Array && c.length === 33;

  if (!chunks || chunks.length !== 7 || !isKey(chunks[0]) || chunks[1] !== ops.OP_CHECKSIGVERIFY
      || chunks[2] !== ops.OP_1 || !isKey(chunks[3]) || !isKey(chunks[4])
      || chunks[5] !== ops.OP_2 || chunks[6] !== ops.OP_CHECKMULTISIG)
    return null;
  return { mandatory: chunks[0], others: [chunks[3], chunks[4]] };
}

function signatureOf(input, pubkey) {
  const found = (input.partialSig || []).find((p) => sameBytes(p.pubkey, pubkey));
  return found ? found.signature : null;
}

// The custom finalizer of the mediator escrow: the mediator's signature
// and one of the others', the other's first.
function finalizeMandatory(index, input, script) {
  const keys = mandatoryKeys(script);

  if (keys === null)
    throw new Error(`input ${index}: not the mediator escrow script`);
  const mediatorSig = signatureOf(input, keys.mandatory);
  if (mediatorSig === null)
    throw new Error(`Can not finalize input #${index}: the mediator's signature is missing`);
  const otherSig = keys.others.map((k) => signatureOf(input, k)).find((s) => s !== null);
  if (otherSig === undefined)
    throw new Error(`Can not finalize input #${index}: needs the creator's or the worker's `
                    + 'signature as well');
  return {
    finalScriptSig: bitcoin.script.compile([ops.OP_0, otherSig, mediatorSig, script]),
    finalScriptWitness: undefined,
  };
}

function validator(pubkey, hash, signature) {
  return ecc.verify(hash, pubkey, signature);
}

function load(value, results) {
  if (typeof value === 'string' && value.startsWith('$')) {
    const r = results[Number(value.slice(1))];

    if (!r || !r.ok || !r.psbt)
      throw new Error(`${value} has no PSBT`);
    value = r.psbt;
  }
  return bitcoin.Psbt.fromBase64(value, { network });
}

function combined(list, results) {
  if (!Array.isArray(list) || list.length === 0)
    throw new Error('no PSBTs');
  const psbts = list.map((p) => load(p, results));
  const first = psbts[0];

  if (psbts.length > 1)
    first.combine(...psbts.slice(1));
  return first;
}

function run(op, results) {
  switch (op.op) {
    case 'parse':
      return { psbt: load(op.psbt, results).toBase64() };
    case 'create': {
      const psbt = new bitcoin.Psbt({ network });

      psbt.setVersion(op.version);
      psbt.setLocktime(op.locktime);
      for (const input of op.inputs) {
        const utxo = bitcoin.Transaction.fromHex(input.utxo);

        psbt.addInput({
          hash: utxo.getId(),
          index: input.vout,
          sequence: input.sequence,
          nonWitnessUtxo: fromHex(input.utxo),
          redeemScript: fromHex(input.redeem),
        });
      }
      for (const out of op.outputs)
        psbt.addOutput({ script: fromHex(out.script), value: BigInt(out.value) });
      return { psbt: psbt.toBase64() };
    }
    case 'sign': {
      const psbt = load(op.psbt, results);
      const key = ECPair.fromPrivateKey(fromHex(op.key), { network, compressed: true });

      for (let i = 0; i < psbt.inputCount; i++)
        psbt.signInput(i, key);
      return { psbt: psbt.toBase64() };
    }
    case 'combine':
      return { psbt: combined(op.psbts, results).toBase64() };
    case 'finalize': {
      const psbt = combined(op.psbts, results);

      psbt.data.inputs.forEach((input, i) => {
        if (!input.partialSig || input.partialSig.length === 0)
          throw new Error(`Can not finalize input #${i}: no signatures`);
        if (!psbt.validateSignaturesOfInput(i, validator))
          throw new Error(`input ${i}: a partial signature does not verify`);
        if (input.redeemScript && mandatoryKeys(input.redeemScript) !== null)
          psbt.finalizeInput(i, finalizeMandatory);
        else
          psbt.finalizeInput(i);
      });
      return { psbt: psbt.toBase64(), tx: psbt.extractTransaction().toHex() };
    }
    default:
      throw new Error('unknown op ' + String(op.op));
  }
}

function main() {
  const chunks = [];

  process.stdin.on('data', (c) => chunks.push(c));
  process.stdin.on('end', () => {
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const results = [];

    for (const op of request.ops) {
      try {
        results.push(Object.assign({ ok: true }, run(op, results)));
      } catch (e) {
        results.push({ ok: false, error: e.message });
      }
    }
    process.stdout.write(JSON.stringify(results));
  });
}

main();
