/* rein-tx.c: Bitcoin transactions, legacy sighash, ECDSA signatures and
 * the scripts a payout needs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <secp256k1.h>

#include "rein-encoding.h"
#include "rein-hash.h"
#include "rein-script.h"
#include "rein-tx-private.h"
#include "rein-tx.h"

/* Smallest serialized input (32 + 4 + 1 + 4) and output (8 + 1). */
#define MIN_INPUT_SIZE 41
#define MIN_OUTPUT_SIZE 9

/* ---- bounded reader and writer ---- */

gboolean
_rein_reader_bytes (ReinReader *r, gsize n, const guint8 **out)
{
  if (_rein_reader_left (r) < n)
    return FALSE;
  *out = r->data + r->pos;
  r->pos += n;
  return TRUE;
}

gboolean
_rein_reader_u32 (ReinReader *r, guint32 *out)
{
  const guint8 *p;

  if (!_rein_reader_bytes (r, 4, &p))
    return FALSE;
  *out = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
  return TRUE;
}

gboolean
_rein_reader_u64 (ReinReader *r, guint64 *out)
{
  guint32 lo, hi;

  if (!_rein_reader_u32 (r, &lo) || !_rein_reader_u32 (r, &hi))
    return FALSE;
  *out = (guint64) hi << 32 | lo;
  return TRUE;
}

gboolean
_rein_reader_compact (ReinReader *r, guint64 *out)
{
  const guint8 *p;
  guint64 v = 0;
  gsize n;

  if (!_rein_reader_bytes (r, 1, &p))
    return FALSE;
  if (p[0] < 0xfd)
    {
      *out = p[0];
      return TRUE;
    }
  n = p[0] == 0xfd ? 2 : p[0] == 0xfe ? 4 : 8;
  if (!_rein_reader_bytes (r, n, &p))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    v |= (guint64) p[i] << (8 * i);
  /* non-minimal encodings are refused, as Bitcoin Core does */
  if ((n == 2 && v < 0xfd) || (n == 4 && v <= 0xffff) || (n == 8 && v <= 0xffffffff))
    return FALSE;
  *out = v;
  return TRUE;
}

void
_rein_append_u32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };

  g_byte_array_append (out, b, 4);
}

void
_rein_append_u64 (GByteArray *out, guint64 v)
{
  _rein_append_u32 (out, (guint32) (v & 0xffffffff));
  _rein_append_u32 (out, (guint32) (v >> 32));
}

gsize
_rein_compact_size (guint64 v)
{
  return v < 0xfd ? 1 : v <= 0xffff ? 3 : v <= 0xffffffff ? 5 : 9;
}

void
_rein_append_compact (GByteArray *out, guint64 v)
{
  guint8 b[9];
  gsize n = _rein_compact_size (v);

  if (n == 1)
    b[0] = (guint8) v;
  else
    {
      b[0] = n == 3 ? 0xfd : n == 5 ? 0xfe : 0xff;
      for (gsize i = 1; i < n; i++)
        b[i] = (v >> (8 * (i - 1))) & 0xff;
    }
  g_byte_array_append (out, b, n);
}

/* ---- transactions ---- */

static void
tx_in_free (gpointer data)
{
  ReinTxIn *in = data;

  g_byte_array_unref (in->script_sig);
  g_ptr_array_unref (in->witness);
  g_free (in);
}

static void
tx_out_free (gpointer data)
{
  ReinTxOut *out = data;

  g_byte_array_unref (out->script_pubkey);
  g_free (out);
}

ReinTx *
rein_tx_new (guint32 version, guint32 locktime)
{
  ReinTx *tx = g_new0 (ReinTx, 1);

  tx->version = version;
  tx->locktime = locktime;
  tx->inputs = g_ptr_array_new_with_free_func (tx_in_free);
  tx->outputs = g_ptr_array_new_with_free_func (tx_out_free);
  return tx;
}

void
rein_tx_free (ReinTx *tx)
{
  if (tx == NULL)
    return;
  g_ptr_array_unref (tx->inputs);
  g_ptr_array_unref (tx->outputs);
  g_free (tx);
}

ReinTxIn *
rein_tx_add_input (ReinTx *tx, const guint8 prev_txid[32], guint32 prev_vout, guint32 sequence)
{
  ReinTxIn *in;

  g_return_val_if_fail (tx != NULL && prev_txid != NULL, NULL);

  in = g_new0 (ReinTxIn, 1);
  memcpy (in->prev_txid, prev_txid, 32);
  in->prev_vout = prev_vout;
  in->sequence = sequence;
  in->script_sig = g_byte_array_new ();
  in->witness = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (tx->inputs, in);
  return in;
}

gboolean
rein_tx_add_input_hex (ReinTx *tx,
                       const gchar *prev_txid_hex,
                       guint32 prev_vout,
                       guint32 sequence,
                       GError **error)
{
  guint8 txid[32], reversed[32];

  g_return_val_if_fail (tx != NULL && prev_txid_hex != NULL, FALSE);

  if (strlen (prev_txid_hex) != 64 || !rein_hex_decode_fixed (prev_txid_hex, txid, 32, NULL))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_TRANSACTION,
                           "A transaction id is 64 hexadecimal digits");
      return FALSE;
    }
  for (guint i = 0; i < 32; i++)
    reversed[i] = txid[31 - i];
  rein_tx_add_input (tx, reversed, prev_vout, sequence);
  return TRUE;
}

ReinTxOut *
rein_tx_add_output (ReinTx *tx, guint64 value, const guint8 *script_pubkey, gsize len)
{
  ReinTxOut *out;

  g_return_val_if_fail (tx != NULL && (script_pubkey != NULL || len == 0), NULL);

  out = g_new0 (ReinTxOut, 1);
  out->value = value;
  out->script_pubkey = g_byte_array_sized_new (len);
  if (len > 0)
    g_byte_array_append (out->script_pubkey, script_pubkey, len);
  g_ptr_array_add (tx->outputs, out);
  return out;
}

ReinTxOut *
rein_tx_add_output_address (ReinTx *tx,
                            const gchar *address,
                            ReinNetwork network,
                            guint64 value,
                            GError **error)
{
  g_autoptr (GByteArray) script = NULL;

  g_return_val_if_fail (tx != NULL && address != NULL, NULL);

  if (value > REIN_MAX_MONEY)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_TRANSACTION,
                           "An output cannot be worth more than 21 million bitcoins");
      return NULL;
    }
  script = rein_script_from_address (address, network, error);
  if (script == NULL)
    return NULL;
  return rein_tx_add_output (tx, value, script->data, script->len);
}

ReinTx *
rein_tx_copy (const ReinTx *tx)
{
  ReinTx *copy;

  g_return_val_if_fail (tx != NULL, NULL);

  copy = rein_tx_new (tx->version, tx->locktime);
  for (guint i = 0; i < tx->inputs->len; i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);
      ReinTxIn *c = rein_tx_add_input (copy, in->prev_txid, in->prev_vout, in->sequence);

      g_byte_array_append (c->script_sig, in->script_sig->data, in->script_sig->len);
      for (guint j = 0; j < in->witness->len; j++)
        g_ptr_array_add (c->witness, g_bytes_ref (g_ptr_array_index (in->witness, j)));
    }
  for (guint i = 0; i < tx->outputs->len; i++)
    {
      const ReinTxOut *out = rein_tx_get_output (tx, i);

      rein_tx_add_output (copy, out->value, out->script_pubkey->data, out->script_pubkey->len);
    }
  return copy;
}

static gboolean
tx_fail (GError **error, const gchar *what)
{
  g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_TRANSACTION,
               "Not a valid transaction: %s", what);
  return FALSE;
}

static gboolean
read_inputs (ReinReader *r, ReinTx *tx, guint64 count, GError **error)
{
  if (count > _rein_reader_left (r) / MIN_INPUT_SIZE)
    return tx_fail (error, "more inputs than its size can hold");
  for (guint64 i = 0; i < count; i++)
    {
      const guint8 *txid, *script;
      guint32 vout, sequence;
      guint64 script_len;
      ReinTxIn *in;

      if (!_rein_reader_bytes (r, 32, &txid) || !_rein_reader_u32 (r, &vout)
          || !_rein_reader_compact (r, &script_len))
        return tx_fail (error, "it ends inside an input");
      if (script_len > REIN_TX_MAX_SCRIPT_SIG_SIZE)
        return tx_fail (error, "a scriptSig is longer than the script size limit");
      if (!_rein_reader_bytes (r, script_len, &script) || !_rein_reader_u32 (r, &sequence))
        return tx_fail (error, "it ends inside an input");
      in = rein_tx_add_input (tx, txid, vout, sequence);
      g_byte_array_append (in->script_sig, script, script_len);
    }
  return TRUE;
}

static gboolean
read_outputs (ReinReader *r, ReinTx *tx, GError **error)
{
  guint64 count;

  if (!_rein_reader_compact (r, &count))
    return tx_fail (error, "it ends before its outputs, or their count is malformed");
  if (count > _rein_reader_left (r) / MIN_OUTPUT_SIZE)
    return tx_fail (error, "more outputs than its size can hold");
  for (guint64 i = 0; i < count; i++)
    {
      const guint8 *script;
      guint64 value, script_len;

      if (!_rein_reader_u64 (r, &value) || !_rein_reader_compact (r, &script_len)
          || !_rein_reader_bytes (r, script_len, &script))
        return tx_fail (error, "it ends inside an output");
      if (value > REIN_MAX_MONEY)
        return tx_fail (error, "an output is worth more than 21 million bitcoins");
      rein_tx_add_output (tx, value, script, script_len);
    }
  return TRUE;
}

/* A witness stack: count, then items. Shared with the PSBT final witness. */
gboolean
_rein_reader_witness (ReinReader *r, GPtrArray *witness)
{
  guint64 count;

  if (!_rein_reader_compact (r, &count) || count > _rein_reader_left (r))
    return FALSE;
  for (guint64 i = 0; i < count; i++)
    {
      const guint8 *item;
      guint64 len;

      if (!_rein_reader_compact (r, &len) || !_rein_reader_bytes (r, len, &item))
        return FALSE;
      g_ptr_array_add (witness, g_bytes_new (item, len));
    }
  return TRUE;
}

ReinTx *
rein_tx_parse (const guint8 *data, gsize len, gboolean allow_witness, GError **error)
{
  g_autoptr (ReinTx) tx = NULL;
  ReinReader r = { data, len, 0 };
  guint64 count;
  gboolean witness = FALSE;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > REIN_TX_MAX_SIZE)
    {
      tx_fail (error, "it is larger than 4 MB");
      return NULL;
    }
  tx = rein_tx_new (0, 0);
  if (!_rein_reader_u32 (&r, &tx->version) || !_rein_reader_compact (&r, &count))
    {
      tx_fail (error, "it is too short");
      return NULL;
    }
  /* BIP144: an empty input list followed by flag 0x01 marks witnesses;
   * like Bitcoin Core, a zero flag there means no inputs and no outputs
   * follow the dummy. */
  if (count == 0 && allow_witness)
    {
      const guint8 *flag;

      if (!_rein_reader_bytes (&r, 1, &flag))
        {
          tx_fail (error, "it is too short");
          return NULL;
        }
      if (flag[0] != 0)
        {
          if (flag[0] != 1)
            {
              tx_fail (error, "unknown serialization flags");
              return NULL;
            }
          witness = TRUE;
          if (!_rein_reader_compact (&r, &count))
            {
              tx_fail (error, "it ends before its inputs");
              return NULL;
            }
          if (!read_inputs (&r, tx, count, error) || !read_outputs (&r, tx, error))
            return NULL;
        }
    }
  else if (!read_inputs (&r, tx, count, error) || !read_outputs (&r, tx, error))
    return NULL;

  if (witness)
    {
      for (guint i = 0; i < tx->inputs->len; i++)
        if (!_rein_reader_witness (&r, rein_tx_get_input (tx, i)->witness))
          {
            tx_fail (error, "it ends inside a witness");
            return NULL;
          }
      if (!rein_tx_has_witness (tx))
        {
          tx_fail (error, "it is marked as having witnesses but has none");
          return NULL;
        }
    }
  if (!_rein_reader_u32 (&r, &tx->locktime))
    {
      tx_fail (error, "it ends before its lock time");
      return NULL;
    }
  if (_rein_reader_left (&r) != 0)
    {
      tx_fail (error, "bytes follow its end");
      return NULL;
    }
  return g_steal_pointer (&tx);
}

ReinTx *
rein_tx_parse_hex (const gchar *hex, GError **error)
{
  g_autofree guint8 *bytes = NULL;
  gsize len = 0;

  g_return_val_if_fail (hex != NULL, NULL);

  if (strlen (hex) > 2 * (gsize) REIN_TX_MAX_SIZE)
    {
      tx_fail (error, "it is larger than 4 MB");
      return NULL;
    }
  bytes = rein_hex_decode (hex, &len, error);
  if (bytes == NULL)
    return NULL;
  return rein_tx_parse (bytes, len, TRUE, error);
}

gboolean
rein_tx_has_witness (const ReinTx *tx)
{
  g_return_val_if_fail (tx != NULL, FALSE);

  for (guint i = 0; i < tx->inputs->len; i++)
    if (rein_tx_get_input (tx, i)->witness->len > 0)
      return TRUE;
  return FALSE;
}

GByteArray *
rein_tx_serialize (const ReinTx *tx, gboolean with_witness)
{
  GByteArray *out;

  g_return_val_if_fail (tx != NULL, NULL);

  with_witness = with_witness && rein_tx_has_witness (tx);
  out = g_byte_array_new ();
  _rein_append_u32 (out, tx->version);
  if (with_witness)
    {
      static const guint8 marker[2] = { 0x00, 0x01 };

      g_byte_array_append (out, marker, 2);
    }
  _rein_append_compact (out, tx->inputs->len);
  for (guint i = 0; i < tx->inputs->len; i++)
    {
      const ReinTxIn *in = rein_tx_get_input (tx, i);

      g_byte_array_append (out, in->prev_txid, 32);
      _rein_append_u32 (out, in->prev_vout);
      _rein_append_compact (out, in->script_sig->len);
      g_byte_array_append (out, in->script_sig->data, in->script_sig->len);
      _rein_append_u32 (out, in->sequence);
    }
  _rein_append_compact (out, tx->outputs->len);
  for (guint i = 0; i < tx->outputs->len; i++)
    {
      const ReinTxOut *o = rein_tx_get_output (tx, i);

      _rein_append_u64 (out, o->value);
      _rein_append_compact (out, o->script_pubkey->len);
      g_byte_array_append (out, o->script_pubkey->data, o->script_pubkey->len);
    }
  if (with_witness)
    for (guint i = 0; i < tx->inputs->len; i++)
      {
        GPtrArray *witness = rein_tx_get_input (tx, i)->witness;

        _rein_append_compact (out, witness->len);
        for (guint j = 0; j < witness->len; j++)
          {
            gsize item_len = 0;
            const guint8 *item = g_bytes_get_data (g_ptr_array_index (witness, j), &item_len);

            _rein_append_compact (out, item_len);
            g_byte_array_append (out, item, item_len);
          }
      }
  _rein_append_u32 (out, tx->locktime);
  return out;
}

gchar *
rein_tx_to_hex (const ReinTx *tx)
{
  g_autoptr (GByteArray) bytes = rein_tx_serialize (tx, TRUE);

  return rein_hex_encode (bytes->data, bytes->len);
}

void
rein_tx_get_txid (const ReinTx *tx, guint8 out[32])
{
  g_autoptr (GByteArray) bytes = rein_tx_serialize (tx, FALSE);

  rein_sha256d (bytes->data, bytes->len, out);
}

gchar *
rein_tx_get_txid_hex (const ReinTx *tx)
{
  guint8 txid[32], reversed[32];

  rein_tx_get_txid (tx, txid);
  for (guint i = 0; i < 32; i++)
    reversed[i] = txid[31 - i];
  return rein_hex_encode (reversed, 32);
}

gsize
rein_tx_get_size (const ReinTx *tx)
{
  g_autoptr (GByteArray) bytes = rein_tx_serialize (tx, TRUE);

  return bytes->len;
}

gsize
rein_tx_get_vsize (const ReinTx *tx)
{
  g_autoptr (GByteArray) full = rein_tx_serialize (tx, TRUE);
  g_autoptr (GByteArray) base = rein_tx_serialize (tx, FALSE);
  gsize weight = base->len * 3 + full->len;

  return (weight + 3) / 4;
}

gsize
rein_tx_estimate_vsize (const ReinTx *tx, const gsize *script_sig_sizes)
{
  g_autoptr (GByteArray) base = NULL;
  gsize size;

  g_return_val_if_fail (tx != NULL, 0);

  base = rein_tx_serialize (tx, FALSE);
  size = base->len;
  if (script_sig_sizes != NULL)
    for (guint i = 0; i < tx->inputs->len; i++)
      {
        gsize now = rein_tx_get_input (tx, i)->script_sig->len;

        size -= _rein_compact_size (now) + now;
        size += _rein_compact_size (script_sig_sizes[i]) + script_sig_sizes[i];
      }
  return size;
}

gboolean
rein_tx_get_fee (const ReinTx *tx,
                 const guint64 *input_values,
                 guint64 *out_fee,
                 GError **error)
{
  guint64 in_sum = 0, out_sum = 0;

  g_return_val_if_fail (tx != NULL, FALSE);
  g_return_val_if_fail (input_values != NULL || tx->inputs->len == 0, FALSE);

  /* Each term is at most REIN_MAX_MONEY (2^51), checked before adding, so
   * the sums cannot wrap before the check that follows each addition. */
  for (guint i = 0; i < tx->inputs->len; i++)
    {
      if (input_values[i] > REIN_MAX_MONEY || (in_sum += input_values[i]) > REIN_MAX_MONEY)
        return tx_fail (error, "its inputs are worth more than 21 million bitcoins");
    }
  for (guint i = 0; i < tx->outputs->len; i++)
    {
      guint64 v = rein_tx_get_output (tx, i)->value;

      if (v > REIN_MAX_MONEY || (out_sum += v) > REIN_MAX_MONEY)
        return tx_fail (error, "its outputs are worth more than 21 million bitcoins");
    }
  if (out_sum > in_sum)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_TRANSACTION,
                   "The outputs (%" G_GUINT64_FORMAT " sat) spend more than the inputs hold (%"
                   G_GUINT64_FORMAT " sat)", out_sum, in_sum);
      return FALSE;
    }
  if (out_fee != NULL)
    *out_fee = in_sum - out_sum;
  return TRUE;
}

gboolean
rein_tx_sighash_legacy (const ReinTx *tx,
                        guint input_index,
                        const guint8 *script_code,
                        gsize script_code_len,
                        guint32 sighash_type,
                        guint8 out[32],
                        GError **error)
{
  g_autoptr (ReinTx) copy = NULL;
  g_autoptr (GByteArray) bytes = NULL;

  g_return_val_if_fail (tx != NULL && out != NULL, FALSE);
  g_return_val_if_fail (script_code != NULL || script_code_len == 0, FALSE);

  if (input_index >= tx->inputs->len)
    return tx_fail (error, "no such input");
  if (sighash_type != REIN_SIGHASH_ALL)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                   "Only SIGHASH_ALL signatures are supported, not sighash type %u",
                   sighash_type);
      return FALSE;
    }
  /* SIGHASH_ALL: every scriptSig emptied but the signed input's, which
   * holds the script code; our scripts have no OP_CODESEPARATOR to strip. */
  copy = rein_tx_copy (tx);
  for (guint i = 0; i < copy->inputs->len; i++)
    {
      ReinTxIn *in = rein_tx_get_input (copy, i);

      g_byte_array_set_size (in->script_sig, 0);
      if (i == input_index)
        g_byte_array_append (in->script_sig, script_code, script_code_len);
    }
  bytes = rein_tx_serialize (copy, FALSE);
  _rein_append_u32 (bytes, sighash_type);
  rein_sha256d (bytes->data, bytes->len, out);
  return TRUE;
}

/* ---- ECDSA and DER ---- */

static void
der_append_integer (GByteArray *out, const guint8 v[32])
{
  gsize skip = 0;
  guint8 header[3] = { 0x02, 0, 0 };
  gboolean pad;

  while (skip < 31 && v[skip] == 0)
    skip++;
  pad = (v[skip] & 0x80) != 0;
  header[1] = (guint8) (32 - skip + pad);
  g_byte_array_append (out, header, pad ? 3 : 2);
  g_byte_array_append (out, v + skip, 32 - skip);
}

GByteArray *
rein_der_encode (const guint8 compact[64])
{
  GByteArray *out = g_byte_array_sized_new (72);
  guint8 header[2] = { 0x30, 0 };

  g_return_val_if_fail (compact != NULL, NULL);

  g_byte_array_append (out, header, 2);
  der_append_integer (out, compact);
  der_append_integer (out, compact + 32);
  out->data[1] = (guint8) (out->len - 2);
  return out;
}

static gboolean
der_fail (GError **error, const gchar *what)
{
  g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
               "Not a strict DER signature: %s", what);
  return FALSE;
}

/* Checks one INTEGER at @p (length @len) as BIP66 does, and copies it
 * right-aligned into 32 bytes. */
static gboolean
der_read_integer (const guint8 *p, gsize len, guint8 out[32], GError **error)
{
  if (len == 0)
    return der_fail (error, "an integer is empty");
  if (p[0] & 0x80)
    return der_fail (error, "an integer is negative");
  if (len > 1 && p[0] == 0 && !(p[1] & 0x80))
    return der_fail (error, "an integer has a superfluous zero byte");
  if (p[0] == 0)
    {
      p++;
      len--;
    }
  if (len > 32)
    return der_fail (error, "an integer is longer than 32 bytes");
  memset (out, 0, 32);
  memcpy (out + 32 - len, p, len);
  return TRUE;
}

gboolean
rein_der_parse (const guint8 *der, gsize len, guint8 out_compact[64], GError **error)
{
  gsize len_r, len_s;

  g_return_val_if_fail (der != NULL || len == 0, FALSE);

  /* 0x30 total 0x02 len_r r 0x02 len_s s, all short-form lengths */
  if (len < 8 || len > 72)
    return der_fail (error, "wrong length");
  if (der[0] != 0x30 || der[1] != len - 2)
    return der_fail (error, "wrong sequence header");
  len_r = der[3];
  if (der[2] != 0x02 || 5 + len_r >= len)
    return der_fail (error, "malformed R");
  len_s = der[5 + len_r];
  if (der[4 + len_r] != 0x02 || len_r + len_s + 6 != len)
    return der_fail (error, "malformed S");
  return der_read_integer (der + 4, len_r, out_compact, error)
         && der_read_integer (der + 6 + len_r, len_s, out_compact + 32, error);
}

GByteArray *
rein_ecdsa_sign (const ReinPrivateKey *key, const guint8 hash[32], GError **error)
{
  const secp256k1_context *ctx = rein_secp256k1_context ();
  secp256k1_ecdsa_signature sig;
  guint8 compact[64];

  g_return_val_if_fail (key != NULL && hash != NULL, NULL);

  /* NULL nonce function: RFC 6979; NULL data: no extra entropy. The
   * result is always normalized to low S. */
  if (!secp256k1_ecdsa_sign (ctx, &sig, hash, rein_private_key_get_secret (key), NULL, NULL))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_FAILED,
                           "Signing failed");
      return NULL;
    }
  secp256k1_ecdsa_signature_serialize_compact (ctx, compact, &sig);
  return rein_der_encode (compact);
}

gboolean
rein_ecdsa_verify (const guint8 *pubkey,
                   gsize pubkey_len,
                   const guint8 *sig,
                   gsize sig_len,
                   const guint8 hash[32],
                   guint32 sighash_type,
                   GError **error)
{
  const secp256k1_context *ctx = rein_secp256k1_context ();
  secp256k1_ecdsa_signature parsed, normalized;
  secp256k1_pubkey point;
  guint8 compact[64];

  g_return_val_if_fail (pubkey != NULL && hash != NULL, FALSE);
  g_return_val_if_fail (sig != NULL || sig_len == 0, FALSE);

  if (sig_len < 1)
    return der_fail (error, "empty");
  if (sig[sig_len - 1] != sighash_type)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                   "The signature has sighash type %u where %u is required",
                   sig[sig_len - 1], sighash_type);
      return FALSE;
    }
  if (!rein_der_parse (sig, sig_len - 1, compact, error))
    return FALSE;
  if (!secp256k1_ecdsa_signature_parse_compact (ctx, &parsed, compact))
    return der_fail (error, "R or S is out of range");
  if (secp256k1_ecdsa_signature_normalize (ctx, &normalized, &parsed))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                           "The signature has a high S value, which the network refuses");
      return FALSE;
    }
  if (!secp256k1_ec_pubkey_parse (ctx, &point, pubkey, pubkey_len))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                           "Not a valid public key");
      return FALSE;
    }
  if (!secp256k1_ecdsa_verify (ctx, &parsed, hash, &point))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                           "The signature does not match this transaction and key");
      return FALSE;
    }
  return TRUE;
}

/* ---- scripts ---- */

void
rein_script_append_push (GByteArray *script, const guint8 *data, gsize len)
{
  guint8 header[3];
  gsize header_len;

  g_return_if_fail (script != NULL && (data != NULL || len == 0));
  g_return_if_fail (len <= 0xffff);

  if (len < REIN_OP_PUSHDATA1)
    {
      header[0] = (guint8) len;
      header_len = 1;
    }
  else if (len <= 0xff)
    {
      header[0] = REIN_OP_PUSHDATA1;
      header[1] = (guint8) len;
      header_len = 2;
    }
  else
    {
      header[0] = REIN_OP_PUSHDATA2;
      header[1] = len & 0xff;
      header[2] = (len >> 8) & 0xff;
      header_len = 3;
    }
  g_byte_array_append (script, header, header_len);
  if (len > 0)
    g_byte_array_append (script, data, len);
}

static gsize
push_size (gsize len)
{
  return len + (len < REIN_OP_PUSHDATA1 ? 1 : len <= 0xff ? 2 : 3);
}

GByteArray *
rein_script_p2pkh (const guint8 hash160[20])
{
  static const guint8 head[3] = { REIN_OP_DUP, REIN_OP_HASH160, 20 };
  static const guint8 tail[2] = { REIN_OP_EQUALVERIFY, REIN_OP_CHECKSIG };
  GByteArray *script = g_byte_array_sized_new (25);

  g_byte_array_append (script, head, 3);
  g_byte_array_append (script, hash160, 20);
  g_byte_array_append (script, tail, 2);
  return script;
}

GByteArray *
rein_script_p2sh (const guint8 hash160[20])
{
  static const guint8 head[2] = { REIN_OP_HASH160, 20 };
  static const guint8 tail[1] = { REIN_OP_EQUAL };
  GByteArray *script = g_byte_array_sized_new (23);

  g_byte_array_append (script, head, 2);
  g_byte_array_append (script, hash160, 20);
  g_byte_array_append (script, tail, 1);
  return script;
}

GByteArray *
rein_script_p2sh_from_redeem (const guint8 *redeem, gsize len)
{
  guint8 hash[20];

  rein_hash160 (redeem, len, hash);
  return rein_script_p2sh (hash);
}

GByteArray *
rein_script_from_address (const gchar *address, ReinNetwork network, GError **error)
{
  ReinNetwork address_network;
  ReinAddressType type;
  guint8 hash[20];

  g_return_val_if_fail (address != NULL, NULL);

  if (!rein_address_validate (address, &address_network, &type, hash, error))
    return NULL;
  if (address_network != network)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ADDRESS,
                   "%s is a %s address, not a %s one", address,
                   address_network == REIN_NETWORK_MAINNET ? "mainnet" : "testnet",
                   network == REIN_NETWORK_MAINNET ? "mainnet" : "testnet");
      return NULL;
    }
  return type == REIN_ADDRESS_P2PKH ? rein_script_p2pkh (hash) : rein_script_p2sh (hash);
}

gboolean
rein_script_is_p2pkh (const guint8 *script, gsize len, guint8 out_hash160[20])
{
  if (script == NULL || len != 25 || script[0] != REIN_OP_DUP || script[1] != REIN_OP_HASH160
      || script[2] != 20 || script[23] != REIN_OP_EQUALVERIFY || script[24] != REIN_OP_CHECKSIG)
    return FALSE;
  if (out_hash160 != NULL)
    memcpy (out_hash160, script + 3, 20);
  return TRUE;
}

gboolean
rein_script_is_p2sh (const guint8 *script, gsize len, guint8 out_hash160[20])
{
  if (script == NULL || len != 23 || script[0] != REIN_OP_HASH160 || script[1] != 20
      || script[22] != REIN_OP_EQUAL)
    return FALSE;
  if (out_hash160 != NULL)
    memcpy (out_hash160, script + 2, 20);
  return TRUE;
}

static gboolean
op_is_key (const ReinScriptOp *op)
{
  return op->data != NULL && (op->len == REIN_PUBKEY_COMPRESSED_LEN
                              || op->len == REIN_PUBKEY_UNCOMPRESSED_LEN);
}

static gint
op_small_int (const ReinScriptOp *op)
{
  if (op->data == NULL && op->opcode >= REIN_OP_1 && op->opcode <= REIN_OP_16)
    return op->opcode - REIN_OP_1 + 1;
  return -1;
}

gboolean
rein_script_parse_multisig (const guint8 *script,
                            gsize len,
                            guint *out_m,
                            GPtrArray **out_keys)
{
  g_autoptr (GArray) ops = rein_script_parse (script, len, NULL);
  g_autoptr (GPtrArray) keys = NULL;
  gint m, n;

  if (ops == NULL || ops->len < 4)
    return FALSE;
  m = op_small_int (&g_array_index (ops, ReinScriptOp, 0));
  n = op_small_int (&g_array_index (ops, ReinScriptOp, ops->len - 2));
  if (m < 1 || n < m || (guint) n != ops->len - 3
      || g_array_index (ops, ReinScriptOp, ops->len - 1).opcode != REIN_OP_CHECKMULTISIG)
    return FALSE;
  keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  for (guint i = 1; i <= (guint) n; i++)
    {
      const ReinScriptOp *op = &g_array_index (ops, ReinScriptOp, i);

      if (!op_is_key (op))
        return FALSE;
      g_ptr_array_add (keys, g_bytes_new (op->data, op->len));
    }
  if (out_m != NULL)
    *out_m = (guint) m;
  if (out_keys != NULL)
    *out_keys = g_steal_pointer (&keys);
  return TRUE;
}

gboolean
rein_script_parse_mandatory (const guint8 *script,
                             gsize len,
                             GBytes **out_mandatory,
                             GPtrArray **out_others)
{
  g_autoptr (GArray) ops = rein_script_parse (script, len, NULL);
  const ReinScriptOp *op;

  if (ops == NULL || ops->len != 7)
    return FALSE;
  op = (const ReinScriptOp *) (gpointer) ops->data;
  if (!op_is_key (&op[0]) || op[1].data != NULL || op[1].opcode != REIN_OP_CHECKSIGVERIFY
      || op_small_int (&op[2]) != 1 || !op_is_key (&op[3]) || !op_is_key (&op[4])
      || op_small_int (&op[5]) != 2 || op[6].data != NULL
      || op[6].opcode != REIN_OP_CHECKMULTISIG)
    return FALSE;
  if (out_mandatory != NULL)
    *out_mandatory = g_bytes_new (op[0].data, op[0].len);
  if (out_others != NULL)
    {
      *out_others = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_ptr_array_add (*out_others, g_bytes_new (op[3].data, op[3].len));
      g_ptr_array_add (*out_others, g_bytes_new (op[4].data, op[4].len));
    }
  return TRUE;
}

static void
append_bytes_push (GByteArray *script, GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  rein_script_append_push (script, data, len);
}

GByteArray *
rein_script_sig_multisig (GPtrArray *sigs, const guint8 *redeem, gsize redeem_len)
{
  GByteArray *script;
  guint8 op0 = REIN_OP_0;

  g_return_val_if_fail (sigs != NULL && redeem != NULL, NULL);

  script = g_byte_array_new ();
  /* the dummy element OP_CHECKMULTISIG pops, empty as BIP147 wants */
  g_byte_array_append (script, &op0, 1);
  for (guint i = 0; i < sigs->len; i++)
    append_bytes_push (script, g_ptr_array_index (sigs, i));
  rein_script_append_push (script, redeem, redeem_len);
  return script;
}

GByteArray *
rein_script_sig_mandatory (GBytes *other_sig,
                           GBytes *mandatory_sig,
                           const guint8 *redeem,
                           gsize redeem_len)
{
  GByteArray *script;
  guint8 op0 = REIN_OP_0;

  g_return_val_if_fail (other_sig != NULL && mandatory_sig != NULL && redeem != NULL, NULL);

  /* The mandatory key's OP_CHECKSIGVERIFY runs first and takes the top of
   * the stack, so its signature is pushed last. */
  script = g_byte_array_new ();
  g_byte_array_append (script, &op0, 1);
  append_bytes_push (script, other_sig);
  append_bytes_push (script, mandatory_sig);
  rein_script_append_push (script, redeem, redeem_len);
  return script;
}

gsize
rein_script_sig_multisig_max_size (guint n_sigs, gsize redeem_len)
{
  return 1 + n_sigs * push_size (REIN_SIGNATURE_MAX_LEN) + push_size (redeem_len);
}
