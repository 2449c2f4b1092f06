/* rein-psbt.h: BIP174 partially signed transactions (version 0), for
 * legacy P2SH and P2PKH inputs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-key.h"
#include "rein-tx.h"

G_BEGIN_DECLS

/* Bounds on what the parsers accept: the binary form, and the number of
 * key-value records in all maps together. */
#define REIN_PSBT_MAX_SIZE (16 * 1024 * 1024)
#define REIN_PSBT_MAX_RECORDS 100000

/* Key types this code reads and writes (others are kept as they are). */
#define REIN_PSBT_GLOBAL_UNSIGNED_TX 0x00
#define REIN_PSBT_GLOBAL_XPUB 0x01
#define REIN_PSBT_GLOBAL_VERSION 0xfb
#define REIN_PSBT_IN_NON_WITNESS_UTXO 0x00
#define REIN_PSBT_IN_WITNESS_UTXO 0x01
#define REIN_PSBT_IN_PARTIAL_SIG 0x02
#define REIN_PSBT_IN_SIGHASH_TYPE 0x03
#define REIN_PSBT_IN_REDEEM_SCRIPT 0x04
#define REIN_PSBT_IN_WITNESS_SCRIPT 0x05
#define REIN_PSBT_IN_BIP32_DERIVATION 0x06
#define REIN_PSBT_IN_FINAL_SCRIPTSIG 0x07
#define REIN_PSBT_IN_FINAL_SCRIPTWITNESS 0x08
#define REIN_PSBT_OUT_REDEEM_SCRIPT 0x00
#define REIN_PSBT_OUT_WITNESS_SCRIPT 0x01
#define REIN_PSBT_OUT_BIP32_DERIVATION 0x02

typedef enum
{
  REIN_PSBT_MAP_GLOBAL,
  REIN_PSBT_MAP_INPUT,
  REIN_PSBT_MAP_OUTPUT,
} ReinPsbtMap;

/**
 * ReinPsbt:
 *
 * A PSBT: the unsigned transaction and one key-value map for the globals,
 * each input and each output. Records are kept sorted by key, which is the
 * order in which they are serialized; records of unknown types are kept
 * and written back unchanged.
 */
typedef struct _ReinPsbt ReinPsbt;

/**
 * ReinPsbtSignature:
 * @pubkey: the public key (33 or 65 bytes)
 * @signature: DER signature and sighash byte
 */
typedef struct
{
  GBytes *pubkey;
  GBytes *signature;
} ReinPsbtSignature;

/**
 * rein_psbt_new:
 * @tx: the unsigned transaction (copied)
 *
 * The Creator role: a PSBT with empty maps. Fails if an input of @tx has a
 * scriptSig or a witness.
 */
ReinPsbt *rein_psbt_new (const ReinTx *tx, GError **error);
ReinPsbt *rein_psbt_copy (const ReinPsbt *psbt);
void rein_psbt_free (ReinPsbt *psbt);

/**
 * rein_psbt_parse:
 *
 * Parses a binary PSBT, checking the magic, every key and value of the
 * known types, duplicate keys, the maps against the transaction's inputs
 * and outputs, that each non-witness UTXO is the transaction the input
 * spends, and the bounds above. Errors are %REIN_BITCOIN_ERROR_INVALID_PSBT
 * with a message saying what is wrong and where.
 */
ReinPsbt *rein_psbt_parse (const guint8 *data, gsize len, GError **error);
/* Strict RFC 4648 base64 (no whitespace), then rein_psbt_parse(). */
ReinPsbt *rein_psbt_parse_base64 (const gchar *base64, GError **error);
GBytes *rein_psbt_serialize (const ReinPsbt *psbt);
gchar *rein_psbt_to_base64 (const ReinPsbt *psbt);

/* The unsigned transaction; do not change it. */
const ReinTx *rein_psbt_get_tx (const ReinPsbt *psbt);
guint rein_psbt_get_n_inputs (const ReinPsbt *psbt);
guint rein_psbt_get_n_outputs (const ReinPsbt *psbt);

/* One map as serialized (its records and the 0x00 separator). */
GBytes *rein_psbt_serialize_map (const ReinPsbt *psbt, ReinPsbtMap map, guint index);

/**
 * rein_psbt_set_record:
 * @key: the whole key (type and key data)
 *
 * Adds or replaces a record of any type in a map (global, or input or
 * output @index), checked as rein_psbt_parse() checks it. The Updater's
 * general tool; the typed setters below are the usual way.
 */
gboolean rein_psbt_set_record (ReinPsbt *psbt,
                               ReinPsbtMap map,
                               guint index,
                               const guint8 *key,
                               gsize key_len,
                               const guint8 *value,
                               gsize value_len,
                               GError **error);
/* The value of a record, or NULL when there is none. */
GBytes *rein_psbt_get_record (const ReinPsbt *psbt,
                              ReinPsbtMap map,
                              guint index,
                              const guint8 *key,
                              gsize key_len);

/* Updater: the previous transaction of input @index (its txid must be the
 * one the input spends), its redeem script (which must match the UTXO's
 * P2SH script when the UTXO is known), the sighash type. */
gboolean rein_psbt_set_non_witness_utxo (ReinPsbt *psbt,
                                         guint index,
                                         const ReinTx *prev_tx,
                                         GError **error);
gboolean rein_psbt_set_redeem_script (ReinPsbt *psbt,
                                      guint index,
                                      const guint8 *script,
                                      gsize len,
                                      GError **error);
gboolean rein_psbt_set_sighash_type (ReinPsbt *psbt,
                                     guint index,
                                     guint32 sighash_type,
                                     GError **error);

/* The previous transaction of input @index, parsed, or NULL (with @error
 * set) when the input has none. */
ReinTx *rein_psbt_get_non_witness_utxo (const ReinPsbt *psbt, guint index, GError **error);
/* The redeem script of input @index, or NULL. */
GBytes *rein_psbt_get_redeem_script (const ReinPsbt *psbt, guint index);
/* #ReinPsbtSignature items, in key order. */
GPtrArray *rein_psbt_get_partial_signatures (const ReinPsbt *psbt, guint index);
gboolean rein_psbt_input_is_finalized (const ReinPsbt *psbt, guint index);

/**
 * rein_psbt_get_input_value:
 *
 * The amount, in satoshis, of the output input @index spends, from its
 * non-witness UTXO (or its witness UTXO).
 */
gboolean rein_psbt_get_input_value (const ReinPsbt *psbt,
                                    guint index,
                                    guint64 *out_value,
                                    GError **error);
/* Sum of the inputs minus sum of the outputs, overflow-checked; fails when
 * an input's UTXO is missing. */
gboolean rein_psbt_get_fee (const ReinPsbt *psbt, guint64 *out_fee, GError **error);

/**
 * rein_psbt_sign_input:
 *
 * The Signer role for one legacy input: checks that the non-witness UTXO
 * is present and is the transaction spent, that the redeem script hashes
 * to the spent P2SH output (or that the output is P2PKH), that no witness
 * UTXO is given, that the sighash type (when set) is SIGHASH_ALL and that
 * @key is one of the script's keys; then adds its SIGHASH_ALL signature
 * (RFC 6979, low S) as a partial signature.
 * Errors: %REIN_BITCOIN_ERROR_CANNOT_SIGN saying which check failed.
 */
gboolean rein_psbt_sign_input (ReinPsbt *psbt,
                               guint index,
                               const ReinPrivateKey *key,
                               GError **error);

/**
 * rein_psbt_combine:
 *
 * The Combiner: adds to @psbt every record of @other. Fails, leaving
 * @psbt unchanged, if they are not for the same transaction or if a key
 * has different values in the two.
 */
gboolean rein_psbt_combine (ReinPsbt *psbt, const ReinPsbt *other, GError **error);

/**
 * rein_psbt_finalize_input:
 *
 * The Input Finalizer for one input: builds the final scriptSig of a
 * P2SH m-of-n multisig (the primary escrow among them: signatures in key
 * order), of the mediator escrow (`OP_0 <creator-or-worker sig> <mediator
 * sig> <redeem>`) or of a P2PKH output, from partial signatures that it
 * first verifies against the transaction; then clears all but the UTXOs and
 * unknown records, as BIP174 says. An input already final is left as it is.
 * Errors: %REIN_BITCOIN_ERROR_INCOMPLETE when signatures are missing
 * (saying whose), others for a bad signature or an unknown script.
 */
gboolean rein_psbt_finalize_input (ReinPsbt *psbt, guint index, GError **error);
/* Every input; stops at the first that fails. */
gboolean rein_psbt_finalize (ReinPsbt *psbt, GError **error);

/**
 * rein_psbt_extract:
 *
 * The Transaction Extractor: the network transaction, with the final
 * scriptSigs and witnesses, when every input is final.
 */
ReinTx *rein_psbt_extract (const ReinPsbt *psbt, GError **error);

void rein_psbt_signature_free (ReinPsbtSignature *sig);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinPsbt, rein_psbt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinPsbtSignature, rein_psbt_signature_free)

G_END_DECLS
