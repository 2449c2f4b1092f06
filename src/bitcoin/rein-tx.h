/* rein-tx.h: Bitcoin transactions, legacy sighash, ECDSA signatures and
 * the scripts a payout needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-key.h"

G_BEGIN_DECLS

/* Bounds on what rein_tx_parse() accepts. A transaction cannot weigh more
 * than a block (4 MWU), so no valid one serializes to more than 4 MB; a
 * scriptSig longer than the consensus script limit can never be valid. */
#define REIN_TX_MAX_SIZE 4000000
#define REIN_TX_MAX_SCRIPT_SIG_SIZE 10000

/* Consensus limit on amounts: 21 million BTC in satoshis. */
#define REIN_MAX_MONEY G_GUINT64_CONSTANT (2100000000000000)

#define REIN_SIGHASH_ALL 0x01

/* The largest DER signature plus its sighash byte, as pushed in scripts. */
#define REIN_SIGNATURE_MAX_LEN 73

/**
 * ReinTxIn:
 * @prev_txid: the previous transaction's id, in internal (serialized) byte
 *   order; rein_tx_get_txid_hex() shows the reverse
 * @prev_vout: the index of the spent output in that transaction
 * @script_sig: the scriptSig, empty in an unsigned transaction
 * @sequence: the sequence number
 * @witness: the witness stack, #GBytes items; empty for legacy inputs
 */
typedef struct
{
  guint8 prev_txid[32];
  guint32 prev_vout;
  GByteArray *script_sig;
  guint32 sequence;
  GPtrArray *witness;
} ReinTxIn;

/**
 * ReinTxOut:
 * @value: the amount in satoshis
 * @script_pubkey: the output script
 */
typedef struct
{
  guint64 value;
  GByteArray *script_pubkey;
} ReinTxOut;

/**
 * ReinTx:
 * @version: transaction version
 * @inputs: #ReinTxIn items
 * @outputs: #ReinTxOut items
 * @locktime: lock time
 *
 * A transaction. The fields are public: a payout builder fills them in
 * through rein_tx_add_input() and rein_tx_add_output().
 */
typedef struct
{
  guint32 version;
  GPtrArray *inputs;
  GPtrArray *outputs;
  guint32 locktime;
} ReinTx;

#define rein_tx_get_input(tx, i) ((ReinTxIn *) g_ptr_array_index ((tx)->inputs, (i)))
#define rein_tx_get_output(tx, i) ((ReinTxOut *) g_ptr_array_index ((tx)->outputs, (i)))

ReinTx *rein_tx_new (guint32 version, guint32 locktime);
ReinTx *rein_tx_copy (const ReinTx *tx);
void rein_tx_free (ReinTx *tx);

/**
 * rein_tx_add_input:
 * @prev_txid: 32 bytes, internal byte order
 *
 * Appends an input with an empty scriptSig and no witness.
 * Returns: (transfer none): the new input
 */
ReinTxIn *rein_tx_add_input (ReinTx *tx,
                             const guint8 prev_txid[32],
                             guint32 prev_vout,
                             guint32 sequence);
/**
 * rein_tx_add_input_hex:
 * @prev_txid_hex: the previous txid as block explorers show it (reversed)
 *
 * Returns: %FALSE with @error set when @prev_txid_hex is not 64 hex digits.
 */
gboolean rein_tx_add_input_hex (ReinTx *tx,
                                const gchar *prev_txid_hex,
                                guint32 prev_vout,
                                guint32 sequence,
                                GError **error);
ReinTxOut *rein_tx_add_output (ReinTx *tx,
                               guint64 value,
                               const guint8 *script_pubkey,
                               gsize len);

/**
 * rein_tx_add_output_address:
 * @network: the network @address must be of
 *
 * Appends an output paying @value satoshis to @address (P2PKH or P2SH).
 * Returns: (transfer none): the new output, or %NULL with @error set when
 *   @address is not valid on @network or @value is over %REIN_MAX_MONEY
 */
ReinTxOut *rein_tx_add_output_address (ReinTx *tx,
                                       const gchar *address,
                                       ReinNetwork network,
                                       guint64 value,
                                       GError **error);

/**
 * rein_tx_parse:
 * @allow_witness: whether the BIP144 serialization with witnesses is
 *   accepted (%FALSE for the unsigned transaction of a PSBT)
 *
 * Parses exactly @len bytes as one transaction: trailing bytes, counts that
 * the remaining bytes cannot hold, non-minimal sizes, scriptSigs over
 * %REIN_TX_MAX_SCRIPT_SIG_SIZE, amounts over %REIN_MAX_MONEY and anything
 * over %REIN_TX_MAX_SIZE are errors (%REIN_BITCOIN_ERROR_INVALID_TRANSACTION).
 */
ReinTx *rein_tx_parse (const guint8 *data, gsize len, gboolean allow_witness, GError **error);
ReinTx *rein_tx_parse_hex (const gchar *hex, GError **error);

gboolean rein_tx_has_witness (const ReinTx *tx);
/* Network serialization; with witnesses when @with_witness and any input
 * has one. */
GByteArray *rein_tx_serialize (const ReinTx *tx, gboolean with_witness);
gchar *rein_tx_to_hex (const ReinTx *tx);

/* Double SHA-256 of the serialization without witnesses, internal order. */
void rein_tx_get_txid (const ReinTx *tx, guint8 out[32]);
/* The txid as block explorers show it (byte-reversed hex). */
gchar *rein_tx_get_txid_hex (const ReinTx *tx);

/* Size in bytes of the full serialization, and the virtual size
 * ceil(weight / 4) (for a legacy transaction, its size). */
gsize rein_tx_get_size (const ReinTx *tx);
gsize rein_tx_get_vsize (const ReinTx *tx);

/**
 * rein_tx_estimate_vsize:
 * @script_sig_sizes: per input, the size the scriptSig will have once
 *   signed (for example rein_script_sig_multisig_max_size())
 *
 * The virtual size of @tx once signed, for a fee computed before signing.
 * Legacy inputs only: the witnesses of @tx are ignored.
 */
gsize rein_tx_estimate_vsize (const ReinTx *tx, const gsize *script_sig_sizes);

/**
 * rein_tx_get_fee:
 * @input_values: the value of the output each input spends, in satoshis
 * @out_fee: (out): sum of inputs minus sum of outputs
 *
 * Fails when a value or a sum is over %REIN_MAX_MONEY, or when the outputs
 * spend more than the inputs hold.
 */
gboolean rein_tx_get_fee (const ReinTx *tx,
                          const guint64 *input_values,
                          guint64 *out_fee,
                          GError **error);

/**
 * rein_tx_sighash_legacy:
 * @script_code: the script being satisfied (the redeem script of a P2SH
 *   input, the scriptPubKey otherwise)
 *
 * The pre-segwit signature hash of input @input_index. Only
 * %REIN_SIGHASH_ALL is supported.
 */
gboolean rein_tx_sighash_legacy (const ReinTx *tx,
                                 guint input_index,
                                 const guint8 *script_code,
                                 gsize script_code_len,
                                 guint32 sighash_type,
                                 guint8 out[32],
                                 GError **error);

/* ECDSA signatures, DER-encoded as in scripts but without the sighash
 * byte. Signing uses RFC 6979 nonces without extra entropy, so it is
 * deterministic, and always gives a low-S signature. */
GByteArray *rein_ecdsa_sign (const ReinPrivateKey *key, const guint8 hash[32], GError **error);
/* DER of a 64-byte compact (r || s) signature, minimal as BIP66 wants. */
GByteArray *rein_der_encode (const guint8 compact[64]);
/* Strict BIP66 DER, no sighash byte; fills r || s. */
gboolean rein_der_parse (const guint8 *der, gsize len, guint8 out_compact[64], GError **error);
/**
 * rein_ecdsa_verify:
 * @sig: a strict DER signature followed by its sighash byte (as in a
 *   scriptSig or a PSBT partial signature)
 *
 * Checks @sig for @pubkey over @hash: strict DER, low S, and the sighash
 * byte equal to @sighash_type.
 */
gboolean rein_ecdsa_verify (const guint8 *pubkey,
                            gsize pubkey_len,
                            const guint8 *sig,
                            gsize sig_len,
                            const guint8 hash[32],
                            guint32 sighash_type,
                            GError **error);

/* Appends a minimal push of @data (direct, OP_PUSHDATA1 or 2). */
void rein_script_append_push (GByteArray *script, const guint8 *data, gsize len);

/* Output scripts. */
GByteArray *rein_script_p2pkh (const guint8 hash160[20]);
GByteArray *rein_script_p2sh (const guint8 hash160[20]);
GByteArray *rein_script_p2sh_from_redeem (const guint8 *redeem, gsize len);
/**
 * rein_script_from_address:
 * @network: the network @address must belong to
 *
 * The output script paying @address (P2PKH or P2SH), refusing an address of
 * another network.
 */
GByteArray *rein_script_from_address (const gchar *address, ReinNetwork network, GError **error);
/* TRUE, with the hash, when @script is OP_DUP OP_HASH160 <20> OP_EQUALVERIFY
 * OP_CHECKSIG (resp. OP_HASH160 <20> OP_EQUAL). */
gboolean rein_script_is_p2pkh (const guint8 *script, gsize len, guint8 out_hash160[20]);
gboolean rein_script_is_p2sh (const guint8 *script, gsize len, guint8 out_hash160[20]);

/**
 * rein_script_parse_multisig:
 * @out_m: (out): signatures required
 * @out_keys: (out): #GBytes public keys, in script order
 *
 * Recognizes `OP_m <key>... OP_n OP_CHECKMULTISIG` with 1 <= m <= n <= 16.
 */
gboolean rein_script_parse_multisig (const guint8 *script,
                                     gsize len,
                                     guint *out_m,
                                     GPtrArray **out_keys);
/**
 * rein_script_parse_mandatory:
 * @out_mandatory: (out): the key that must sign
 * @out_others: (out): the two keys one of which must sign
 *
 * Recognizes the mediator escrow script
 * `<mandatory> OP_CHECKSIGVERIFY OP_1 <k1> <k2> OP_2 OP_CHECKMULTISIG`.
 */
gboolean rein_script_parse_mandatory (const guint8 *script,
                                      gsize len,
                                      GBytes **out_mandatory,
                                      GPtrArray **out_others);

/**
 * rein_script_sig_multisig:
 * @sigs: #GBytes signatures (with sighash byte) in the order of their keys
 *   in @redeem
 *
 * `OP_0 <sig>... <redeem>`: the scriptSig of an m-of-n P2SH multisig, such
 * as the primary escrow.
 */
GByteArray *rein_script_sig_multisig (GPtrArray *sigs, const guint8 *redeem, gsize redeem_len);
/**
 * rein_script_sig_mandatory:
 *
 * `OP_0 <other sig> <mandatory sig> <redeem>`: the scriptSig of the
 * mediator escrow, the mediator's (mandatory) signature last.
 */
GByteArray *rein_script_sig_mandatory (GBytes *other_sig,
                                       GBytes *mandatory_sig,
                                       const guint8 *redeem,
                                       gsize redeem_len);
/* The largest scriptSig of @n_sigs signatures and a redeem script, for
 * rein_tx_estimate_vsize(). */
gsize rein_script_sig_multisig_max_size (guint n_sigs, gsize redeem_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinTx, rein_tx_free)

G_END_DECLS
