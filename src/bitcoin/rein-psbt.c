/* rein-psbt.c: BIP174 partially signed transactions (version 0), for
 * legacy P2SH and P2PKH inputs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-encoding.h"
#include "rein-hash.h"
#include "rein-psbt.h"
#include "rein-script.h"
#include "rein-tx-private.h"

/* Consensus limit on a pushed element, so on a redeem script. */
#define MAX_SCRIPT_ELEMENT_SIZE 520

static const guint8 psbt_magic[5] = { 0x70, 0x73, 0x62, 0x74, 0xff };

typedef struct
{
  GBytes *key;
  GBytes *value;
  GBytes *order; /* what the map is sorted by: see order_key() */
} Record;

struct _ReinPsbt
{
  ReinTx *tx;
  /* GPtrArray of Record, sorted by key: the global map, then one per
   * input, then one per output */
  GPtrArray *maps;
};

static void
record_free (gpointer data)
{
  Record *rec = data;

  g_bytes_unref (rec->key);
  g_bytes_unref (rec->value);
  g_bytes_unref (rec->order);
  g_free (rec);
}

/* Records are kept, and written, in the order Bitcoin Core writes them,
 * so that our PSBTs are byte for byte those of the reference
 * implementation: by key, except that partial signatures go by the hash160
 * of their public key (Core keeps them in a map keyed by key id). */
static GBytes *
order_key (ReinPsbtMap map, const guint8 *key, gsize key_len)
{
  guint8 buf[1 + 20 + 65];

  if (map != REIN_PSBT_MAP_INPUT || key[0] != REIN_PSBT_IN_PARTIAL_SIG
      || (key_len != 1 + 33 && key_len != 1 + 65))
    return g_bytes_new (key, key_len);
  buf[0] = key[0];
  rein_hash160 (key + 1, key_len - 1, buf + 1);
  memcpy (buf + 21, key + 1, key_len - 1);
  return g_bytes_new (buf, 20 + key_len);
}

static Record *
record_new (ReinPsbtMap map,
            const guint8 *key,
            gsize key_len,
            const guint8 *value,
            gsize value_len)
{
  Record *rec = g_new (Record, 1);

  rec->key = g_bytes_new (key, key_len);
  rec->value = g_bytes_new (value, value_len);
  rec->order = order_key (map, key, key_len);
  return rec;
}

static Record *
record_ref_copy (const Record *rec)
{
  Record *copy = g_new (Record, 1);

  copy->key = g_bytes_ref (rec->key);
  copy->value = g_bytes_ref (rec->value);
  copy->order = g_bytes_ref (rec->order);
  return copy;
}

static gint
key_compare (const guint8 *a, gsize a_len, const guint8 *b, gsize b_len)
{
  gint c = memcmp (a, b, MIN (a_len, b_len));

  if (c != 0)
    return c;
  return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

static gint
record_compare (gconstpointer pa, gconstpointer pb)
{
  const Record *a = *(const Record *const *) pa;
  const Record *b = *(const Record *const *) pb;
  gsize a_len = 0, b_len = 0;
  const guint8 *a_data = g_bytes_get_data (a->order, &a_len);
  const guint8 *b_data = g_bytes_get_data (b->order, &b_len);

  return key_compare (a_data, a_len, b_data, b_len);
}

static const gchar *
map_name (ReinPsbtMap map)
{
  return map == REIN_PSBT_MAP_GLOBAL ? "global" : map == REIN_PSBT_MAP_INPUT ? "input" : "output";
}

static gboolean
psbt_fail (GError **error, ReinPsbtMap map, guint index, const gchar *format, ...)
  G_GNUC_PRINTF (4, 5);

static gboolean
psbt_fail (GError **error, ReinPsbtMap map, guint index, const gchar *format, ...)
{
  g_autofree gchar *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (map == REIN_PSBT_MAP_GLOBAL)
    g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                 "Not a valid PSBT: global map: %s", what);
  else
    g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                 "Not a valid PSBT: %s %u: %s", map_name (map), index, what);
  return FALSE;
}

static GPtrArray *
psbt_map (const ReinPsbt *psbt, ReinPsbtMap map, guint index)
{
  guint n_in = psbt->tx->inputs->len;

  switch (map)
    {
    case REIN_PSBT_MAP_GLOBAL:
      return g_ptr_array_index (psbt->maps, 0);
    case REIN_PSBT_MAP_INPUT:
      g_return_val_if_fail (index < n_in, NULL);
      return g_ptr_array_index (psbt->maps, 1 + index);
    case REIN_PSBT_MAP_OUTPUT:
    default:
      g_return_val_if_fail (index < psbt->tx->outputs->len, NULL);
      return g_ptr_array_index (psbt->maps, 1 + n_in + index);
    }
}

/* Binary search by order key; returns TRUE when found, and where it is or
 * would go. */
static gboolean
map_find (GPtrArray *records, GBytes *order, guint *out_pos)
{
  gsize key_len = 0;
  const guint8 *key = g_bytes_get_data (order, &key_len);
  guint lo = 0, hi = records->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const Record *rec = g_ptr_array_index (records, mid);
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (rec->order, &len);
      gint c = key_compare (data, len, key, key_len);

      if (c == 0)
        {
          *out_pos = mid;
          return TRUE;
        }
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *out_pos = lo;
  return FALSE;
}

static GBytes *
map_lookup (GPtrArray *records, ReinPsbtMap map, const guint8 *key, gsize key_len)
{
  g_autoptr (GBytes) order = order_key (map, key, key_len);
  guint pos;

  if (!map_find (records, order, &pos))
    return NULL;
  return ((Record *) g_ptr_array_index (records, pos))->value;
}

static GBytes *
map_lookup_type (GPtrArray *records, guint8 type)
{
  /* a bare type is its own order key in any map */
  return map_lookup (records, REIN_PSBT_MAP_GLOBAL, &type, 1);
}

/* Inserts or replaces; takes @rec. */
static void
map_put (GPtrArray *records, Record *rec)
{
  guint pos;

  if (map_find (records, rec->order, &pos))
    {
      record_free (g_ptr_array_index (records, pos));
      records->pdata[pos] = rec;
    }
  else
    g_ptr_array_insert (records, (gint) pos, rec);
}

/* ---- checking records ---- */

static gboolean
key_is_pubkey (const guint8 *key, gsize key_len)
{
  return (key_len == 1 + 33 && (key[1] == 0x02 || key[1] == 0x03))
         || (key_len == 1 + 65 && (key[1] == 0x04 || key[1] == 0x06 || key[1] == 0x07));
}

static gboolean
check_witness_stack (const guint8 *value, gsize len)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  ReinReader r = { value, len, 0 };

  return _rein_reader_witness (&r, items) && _rein_reader_left (&r) == 0;
}

static gboolean
check_preimage (guint64 type, const guint8 *key, gsize key_len, const guint8 *value, gsize len)
{
  guint8 hash[32], first[32];
  gsize hash_len = (type == 0x0a || type == 0x0c) ? 20 : 32;

  if (key_len != 1 + hash_len)
    return FALSE;
  switch (type)
    {
    case 0x0a:
      rein_ripemd160 (value, len, hash);
      break;
    case 0x0b:
      rein_sha256 (value, len, hash);
      break;
    case 0x0c:
      rein_hash160 (value, len, hash);
      break;
    default:
      rein_sha256 (value, len, first);
      rein_sha256 (first, 32, hash);
      break;
    }
  return memcmp (hash, key + 1, hash_len) == 0;
}

static gboolean
check_utxo_tx (const ReinTx *prev, const ReinTx *tx, guint index, GError **error)
{
  const ReinTxIn *in = rein_tx_get_input (tx, index);
  guint8 txid[32];

  rein_tx_get_txid (prev, txid);
  if (memcmp (txid, in->prev_txid, 32) != 0)
    return psbt_fail (error, REIN_PSBT_MAP_INPUT, index,
                      "the non-witness UTXO is not the transaction this input spends");
  if (in->prev_vout >= prev->outputs->len)
    return psbt_fail (error, REIN_PSBT_MAP_INPUT, index,
                      "the non-witness UTXO has no output %u", in->prev_vout);
  return TRUE;
}

/* Checks one record against what BIP174 says of its type; @tx is the
 * unsigned transaction, NULL while the global map is read. */
static gboolean
check_record (ReinPsbtMap map,
              guint index,
              const ReinTx *tx,
              const guint8 *key,
              gsize key_len,
              const guint8 *value,
              gsize len,
              GError **error)
{
  g_autoptr (GError) local_error = NULL;
  ReinReader kr = { key, key_len, 0 };
  guint64 type;
  gboolean bare;

  if (key_len == 0 || !_rein_reader_compact (&kr, &type))
    return psbt_fail (error, map, index, "a key type is malformed");
  bare = key_len == 1;

  if (map == REIN_PSBT_MAP_GLOBAL)
    switch (type)
      {
      case REIN_PSBT_GLOBAL_UNSIGNED_TX:
        {
          g_autoptr (ReinTx) utx = NULL;

          if (!bare)
            return psbt_fail (error, map, index, "the unsigned transaction key has key data");
          utx = rein_tx_parse (value, len, FALSE, &local_error);
          if (utx == NULL)
            return psbt_fail (error, map, index, "the unsigned transaction: %s",
                              local_error->message);
          for (guint i = 0; i < utx->inputs->len; i++)
            if (rein_tx_get_input (utx, i)->script_sig->len > 0)
              return psbt_fail (error, map, index,
                                "input %u of the unsigned transaction has a scriptSig", i);
          return TRUE;
        }
      case REIN_PSBT_GLOBAL_XPUB:
        if (key_len != 1 + 78 || len < 4 || len % 4 != 0)
          return psbt_fail (error, map, index, "an extended public key record is malformed");
        return TRUE;
      case REIN_PSBT_GLOBAL_VERSION:
        if (!bare || len != 4)
          return psbt_fail (error, map, index, "the version record is malformed");
        if (value[0] != 0 || value[1] != 0 || value[2] != 0 || value[3] != 0)
          return psbt_fail (error, map, index, "only PSBT version 0 is supported");
        return TRUE;
      default:
        return TRUE;
      }

  if (map == REIN_PSBT_MAP_OUTPUT)
    switch (type)
      {
      case REIN_PSBT_OUT_REDEEM_SCRIPT:
      case REIN_PSBT_OUT_WITNESS_SCRIPT:
        if (!bare)
          return psbt_fail (error, map, index, "a script key has key data");
        return TRUE;
      case REIN_PSBT_OUT_BIP32_DERIVATION:
        if (!key_is_pubkey (key, key_len) || len < 4 || len % 4 != 0)
          return psbt_fail (error, map, index, "a BIP32 derivation record is malformed");
        return TRUE;
      default:
        return TRUE;
      }

  switch (type)
    {
    case REIN_PSBT_IN_NON_WITNESS_UTXO:
      {
        g_autoptr (ReinTx) prev = NULL;

        if (!bare)
          return psbt_fail (error, map, index, "the non-witness UTXO key has key data");
        prev = rein_tx_parse (value, len, TRUE, &local_error);
        if (prev == NULL)
          return psbt_fail (error, map, index, "the non-witness UTXO: %s", local_error->message);
        return check_utxo_tx (prev, tx, index, error);
      }
    case REIN_PSBT_IN_WITNESS_UTXO:
      {
        ReinReader r = { value, len, 0 };
        const guint8 *script;
        guint64 amount, script_len;

        if (!bare)
          return psbt_fail (error, map, index, "the witness UTXO key has key data");
        if (!_rein_reader_u64 (&r, &amount) || !_rein_reader_compact (&r, &script_len)
            || !_rein_reader_bytes (&r, script_len, &script) || _rein_reader_left (&r) != 0
            || amount > REIN_MAX_MONEY)
          return psbt_fail (error, map, index, "the witness UTXO is malformed");
        return TRUE;
      }
    case REIN_PSBT_IN_PARTIAL_SIG:
      if (!key_is_pubkey (key, key_len))
        return psbt_fail (error, map, index, "a partial signature's key is not a public key");
      if (len == 0)
        return psbt_fail (error, map, index, "a partial signature is empty");
      return TRUE;
    case REIN_PSBT_IN_SIGHASH_TYPE:
      if (!bare || len != 4)
        return psbt_fail (error, map, index, "the sighash type record is malformed");
      return TRUE;
    case REIN_PSBT_IN_REDEEM_SCRIPT:
    case REIN_PSBT_IN_WITNESS_SCRIPT:
    case REIN_PSBT_IN_FINAL_SCRIPTSIG:
      if (!bare)
        return psbt_fail (error, map, index, "a script key has key data");
      return TRUE;
    case REIN_PSBT_IN_BIP32_DERIVATION:
      if (!key_is_pubkey (key, key_len) || len < 4 || len % 4 != 0)
        return psbt_fail (error, map, index, "a BIP32 derivation record is malformed");
      return TRUE;
    case REIN_PSBT_IN_FINAL_SCRIPTWITNESS:
      if (!bare)
        return psbt_fail (error, map, index, "the final witness key has key data");
      if (!check_witness_stack (value, len))
        return psbt_fail (error, map, index, "the final witness is malformed");
      return TRUE;
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
      if (!check_preimage (type, key, key_len, value, len))
        return psbt_fail (error, map, index, "a hash preimage record is malformed");
      return TRUE;
    default:
      return TRUE;
    }
}

/* ---- parsing and serializing ---- */

static GPtrArray *
map_new (void)
{
  return g_ptr_array_new_with_free_func (record_free);
}

static gboolean
read_map (ReinReader *r,
          ReinPsbtMap map,
          guint index,
          const ReinTx *tx,
          guint *n_records,
          GPtrArray **out,
          GError **error)
{
  g_autoptr (GPtrArray) records = map_new ();

  for (;;)
    {
      const guint8 *key, *value;
      guint64 key_len, value_len;

      if (!_rein_reader_compact (r, &key_len))
        return psbt_fail (error, map, index, "the data ends before the map does");
      if (key_len == 0)
        break;
      if (!_rein_reader_bytes (r, key_len, &key))
        return psbt_fail (error, map, index, "the data ends inside a key");
      if (!_rein_reader_compact (r, &value_len) || !_rein_reader_bytes (r, value_len, &value))
        return psbt_fail (error, map, index, "the data ends inside a value");
      if (++*n_records > REIN_PSBT_MAX_RECORDS)
        return psbt_fail (error, map, index, "more than %u records", REIN_PSBT_MAX_RECORDS);
      g_ptr_array_add (records, record_new (map, key, key_len, value, value_len));
    }
  g_ptr_array_sort (records, record_compare);
  for (guint i = 1; i < records->len; i++)
    if (record_compare (&records->pdata[i - 1], &records->pdata[i]) == 0)
      return psbt_fail (error, map, index, "a key appears twice");
  for (guint i = 0; i < records->len; i++)
    {
      const Record *rec = g_ptr_array_index (records, i);
      gsize key_len = 0, value_len = 0;
      const guint8 *key = g_bytes_get_data (rec->key, &key_len);
      const guint8 *value = g_bytes_get_data (rec->value, &value_len);

      if (!check_record (map, index, tx, key, key_len, value, value_len, error))
        return FALSE;
    }
  *out = g_steal_pointer (&records);
  return TRUE;
}

void
rein_psbt_free (ReinPsbt *psbt)
{
  if (psbt == NULL)
    return;
  rein_tx_free (psbt->tx);
  g_ptr_array_unref (psbt->maps);
  g_free (psbt);
}

static ReinPsbt *
psbt_alloc (void)
{
  ReinPsbt *psbt = g_new0 (ReinPsbt, 1);

  psbt->maps = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  return psbt;
}

ReinPsbt *
rein_psbt_parse (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (ReinPsbt) psbt = NULL;
  ReinReader r = { data, len, 0 };
  const guint8 *magic;
  GPtrArray *records = NULL;
  GBytes *tx_bytes;
  guint n_records = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > REIN_PSBT_MAX_SIZE)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                   "Not a valid PSBT: larger than %u bytes", REIN_PSBT_MAX_SIZE);
      return NULL;
    }
  if (!_rein_reader_bytes (&r, 5, &magic) || memcmp (magic, psbt_magic, 5) != 0)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                           "Not a PSBT: it does not start with the PSBT magic bytes");
      return NULL;
    }
  psbt = psbt_alloc ();
  if (!read_map (&r, REIN_PSBT_MAP_GLOBAL, 0, NULL, &n_records, &records, error))
    return NULL;
  g_ptr_array_add (psbt->maps, records);
  tx_bytes = map_lookup_type (records, REIN_PSBT_GLOBAL_UNSIGNED_TX);
  if (tx_bytes == NULL)
    {
      psbt_fail (error, REIN_PSBT_MAP_GLOBAL, 0, "there is no unsigned transaction");
      return NULL;
    }
  /* checked by check_record() already */
  psbt->tx = rein_tx_parse (g_bytes_get_data (tx_bytes, NULL), g_bytes_get_size (tx_bytes),
                            FALSE, NULL);
  g_assert (psbt->tx != NULL);

  for (guint i = 0; i < psbt->tx->inputs->len; i++)
    {
      if (!read_map (&r, REIN_PSBT_MAP_INPUT, i, psbt->tx, &n_records, &records, error))
        return NULL;
      g_ptr_array_add (psbt->maps, records);
    }
  for (guint i = 0; i < psbt->tx->outputs->len; i++)
    {
      if (!read_map (&r, REIN_PSBT_MAP_OUTPUT, i, psbt->tx, &n_records, &records, error))
        return NULL;
      g_ptr_array_add (psbt->maps, records);
    }
  if (_rein_reader_left (&r) != 0)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                           "Not a valid PSBT: bytes follow the last output map");
      return NULL;
    }
  return g_steal_pointer (&psbt);
}

static gboolean
base64_is_strict (const gchar *s, gsize len)
{
  gsize pad = 0;

  if (len == 0 || len % 4 != 0)
    return FALSE;
  while (pad < 2 && s[len - 1 - pad] == '=')
    pad++;
  for (gsize i = 0; i < len - pad; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '+' && s[i] != '/')
      return FALSE;
  return TRUE;
}

ReinPsbt *
rein_psbt_parse_base64 (const gchar *base64, GError **error)
{
  g_autofree guint8 *bytes = NULL;
  gsize len, out_len = 0;

  g_return_val_if_fail (base64 != NULL, NULL);

  len = strnlen (base64, (REIN_PSBT_MAX_SIZE / 3 + 1) * 4 + 1);
  if (len > (REIN_PSBT_MAX_SIZE / 3 + 1) * 4)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                   "Not a valid PSBT: larger than %u bytes", REIN_PSBT_MAX_SIZE);
      return NULL;
    }
  if (!base64_is_strict (base64, len))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_ENCODING,
                           "Not a PSBT: not valid base64");
      return NULL;
    }
  bytes = g_base64_decode (base64, &out_len);
  return rein_psbt_parse (bytes, out_len, error);
}

static void
append_map (GByteArray *out, GPtrArray *records)
{
  for (guint i = 0; i < records->len; i++)
    {
      const Record *rec = g_ptr_array_index (records, i);
      gsize key_len = 0, value_len = 0;
      const guint8 *key = g_bytes_get_data (rec->key, &key_len);
      const guint8 *value = g_bytes_get_data (rec->value, &value_len);

      _rein_append_compact (out, key_len);
      g_byte_array_append (out, key, key_len);
      _rein_append_compact (out, value_len);
      if (value_len > 0)
        g_byte_array_append (out, value, value_len);
    }
  g_byte_array_append (out, (const guint8 *) "", 1);
}

GBytes *
rein_psbt_serialize (const ReinPsbt *psbt)
{
  GByteArray *out;

  g_return_val_if_fail (psbt != NULL, NULL);

  out = g_byte_array_new ();
  g_byte_array_append (out, psbt_magic, 5);
  for (guint i = 0; i < psbt->maps->len; i++)
    append_map (out, g_ptr_array_index (psbt->maps, i));
  return g_byte_array_free_to_bytes (out);
}

gchar *
rein_psbt_to_base64 (const ReinPsbt *psbt)
{
  g_autoptr (GBytes) bytes = rein_psbt_serialize (psbt);

  return g_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

GBytes *
rein_psbt_serialize_map (const ReinPsbt *psbt, ReinPsbtMap map, guint index)
{
  GByteArray *out;
  GPtrArray *records;

  g_return_val_if_fail (psbt != NULL, NULL);

  records = psbt_map (psbt, map, index);
  g_return_val_if_fail (records != NULL, NULL);
  out = g_byte_array_new ();
  append_map (out, records);
  return g_byte_array_free_to_bytes (out);
}

/* ---- creating, copying, accessors ---- */

ReinPsbt *
rein_psbt_new (const ReinTx *tx, GError **error)
{
  g_autoptr (GByteArray) bytes = NULL;
  guint8 key = REIN_PSBT_GLOBAL_UNSIGNED_TX;
  ReinPsbt *psbt;
  GPtrArray *global;

  g_return_val_if_fail (tx != NULL, NULL);

  for (guint i = 0; i < tx->inputs->len; i++)
    if (rein_tx_get_input (tx, i)->script_sig->len > 0
        || rein_tx_get_input (tx, i)->witness->len > 0)
      {
        g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                     "Input %u of an unsigned transaction must have no scriptSig or witness",
                     i);
        return NULL;
      }
  psbt = psbt_alloc ();
  psbt->tx = rein_tx_copy (tx);
  bytes = rein_tx_serialize (tx, FALSE);
  global = map_new ();
  g_ptr_array_add (global, record_new (REIN_PSBT_MAP_GLOBAL, &key, 1, bytes->data, bytes->len));
  g_ptr_array_add (psbt->maps, global);
  for (guint i = 0; i < tx->inputs->len + tx->outputs->len; i++)
    g_ptr_array_add (psbt->maps, map_new ());
  return psbt;
}

ReinPsbt *
rein_psbt_copy (const ReinPsbt *psbt)
{
  ReinPsbt *copy;

  g_return_val_if_fail (psbt != NULL, NULL);

  copy = psbt_alloc ();
  copy->tx = rein_tx_copy (psbt->tx);
  for (guint i = 0; i < psbt->maps->len; i++)
    {
      GPtrArray *records = g_ptr_array_index (psbt->maps, i);
      GPtrArray *c = map_new ();

      for (guint j = 0; j < records->len; j++)
        g_ptr_array_add (c, record_ref_copy (g_ptr_array_index (records, j)));
      g_ptr_array_add (copy->maps, c);
    }
  return copy;
}

const ReinTx *
rein_psbt_get_tx (const ReinPsbt *psbt)
{
  g_return_val_if_fail (psbt != NULL, NULL);

  return psbt->tx;
}

guint
rein_psbt_get_n_inputs (const ReinPsbt *psbt)
{
  g_return_val_if_fail (psbt != NULL, 0);

  return psbt->tx->inputs->len;
}

guint
rein_psbt_get_n_outputs (const ReinPsbt *psbt)
{
  g_return_val_if_fail (psbt != NULL, 0);

  return psbt->tx->outputs->len;
}

static gboolean
index_valid (const ReinPsbt *psbt, ReinPsbtMap map, guint index)
{
  return map == REIN_PSBT_MAP_GLOBAL
         || (map == REIN_PSBT_MAP_INPUT && index < psbt->tx->inputs->len)
         || (map == REIN_PSBT_MAP_OUTPUT && index < psbt->tx->outputs->len);
}

gboolean
rein_psbt_set_record (ReinPsbt *psbt,
                      ReinPsbtMap map,
                      guint index,
                      const guint8 *key,
                      gsize key_len,
                      const guint8 *value,
                      gsize value_len,
                      GError **error)
{
  g_return_val_if_fail (psbt != NULL && key != NULL && (value != NULL || value_len == 0), FALSE);
  g_return_val_if_fail (index_valid (psbt, map, index), FALSE);

  if (map == REIN_PSBT_MAP_GLOBAL && key_len == 1 && key[0] == REIN_PSBT_GLOBAL_UNSIGNED_TX)
    return psbt_fail (error, map, index, "the unsigned transaction cannot be replaced");
  if (!check_record (map, index, psbt->tx, key, key_len, value, value_len, error))
    return FALSE;
  map_put (psbt_map (psbt, map, index), record_new (map, key, key_len, value, value_len));
  return TRUE;
}

GBytes *
rein_psbt_get_record (const ReinPsbt *psbt,
                      ReinPsbtMap map,
                      guint index,
                      const guint8 *key,
                      gsize key_len)
{
  GBytes *value;

  g_return_val_if_fail (psbt != NULL && key != NULL, NULL);
  g_return_val_if_fail (index_valid (psbt, map, index), NULL);

  value = map_lookup (psbt_map (psbt, map, index), map, key, key_len);
  return value ? g_bytes_ref (value) : NULL;
}

static GPtrArray *
input_map (const ReinPsbt *psbt, guint index)
{
  return psbt_map (psbt, REIN_PSBT_MAP_INPUT, index);
}

ReinTx *
rein_psbt_get_non_witness_utxo (const ReinPsbt *psbt, guint index, GError **error)
{
  GBytes *value;

  g_return_val_if_fail (psbt != NULL && index < psbt->tx->inputs->len, NULL);

  value = map_lookup_type (input_map (psbt, index), REIN_PSBT_IN_NON_WITNESS_UTXO);
  if (value == NULL)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN,
                   "Input %u has no previous transaction (non-witness UTXO)", index);
      return NULL;
    }
  return rein_tx_parse (g_bytes_get_data (value, NULL), g_bytes_get_size (value), TRUE, error);
}

gboolean
rein_psbt_set_non_witness_utxo (ReinPsbt *psbt, guint index, const ReinTx *prev_tx, GError **error)
{
  g_autoptr (GByteArray) bytes = NULL;
  guint8 key = REIN_PSBT_IN_NON_WITNESS_UTXO;

  g_return_val_if_fail (psbt != NULL && prev_tx != NULL, FALSE);
  g_return_val_if_fail (index < psbt->tx->inputs->len, FALSE);

  bytes = rein_tx_serialize (prev_tx, TRUE);
  return rein_psbt_set_record (psbt, REIN_PSBT_MAP_INPUT, index, &key, 1, bytes->data,
                               bytes->len, error);
}

/* The output input @index spends, from its non-witness UTXO. */
static ReinTxOut *
spent_output (const ReinPsbt *psbt, guint index, ReinTx **out_prev, GError **error)
{
  ReinTx *prev = rein_psbt_get_non_witness_utxo (psbt, index, error);

  if (prev == NULL)
    return NULL;
  *out_prev = prev;
  return rein_tx_get_output (prev, rein_tx_get_input (psbt->tx, index)->prev_vout);
}

gboolean
rein_psbt_set_redeem_script (ReinPsbt *psbt,
                             guint index,
                             const guint8 *script,
                             gsize len,
                             GError **error)
{
  guint8 key = REIN_PSBT_IN_REDEEM_SCRIPT;
  g_autoptr (ReinTx) prev = NULL;
  ReinTxOut *out;

  g_return_val_if_fail (psbt != NULL && script != NULL, FALSE);
  g_return_val_if_fail (index < psbt->tx->inputs->len, FALSE);

  out = spent_output (psbt, index, &prev, NULL);
  if (out != NULL)
    {
      g_autoptr (GByteArray) p2sh = rein_script_p2sh_from_redeem (script, len);

      if (p2sh->len != out->script_pubkey->len
          || memcmp (p2sh->data, out->script_pubkey->data, p2sh->len) != 0)
        return psbt_fail (error, REIN_PSBT_MAP_INPUT, index,
                          "the redeem script does not match the output this input spends");
    }
  return rein_psbt_set_record (psbt, REIN_PSBT_MAP_INPUT, index, &key, 1, script, len, error);
}

gboolean
rein_psbt_set_sighash_type (ReinPsbt *psbt, guint index, guint32 sighash_type, GError **error)
{
  g_autoptr (GByteArray) value = g_byte_array_new ();
  guint8 key = REIN_PSBT_IN_SIGHASH_TYPE;

  g_return_val_if_fail (psbt != NULL && index < psbt->tx->inputs->len, FALSE);

  _rein_append_u32 (value, sighash_type);
  return rein_psbt_set_record (psbt, REIN_PSBT_MAP_INPUT, index, &key, 1, value->data,
                               value->len, error);
}

GBytes *
rein_psbt_get_redeem_script (const ReinPsbt *psbt, guint index)
{
  GBytes *value;

  g_return_val_if_fail (psbt != NULL && index < psbt->tx->inputs->len, NULL);

  value = map_lookup_type (input_map (psbt, index), REIN_PSBT_IN_REDEEM_SCRIPT);
  return value ? g_bytes_ref (value) : NULL;
}

void
rein_psbt_signature_free (ReinPsbtSignature *sig)
{
  if (sig == NULL)
    return;
  g_bytes_unref (sig->pubkey);
  g_bytes_unref (sig->signature);
  g_free (sig);
}

GPtrArray *
rein_psbt_get_partial_signatures (const ReinPsbt *psbt, guint index)
{
  GPtrArray *sigs;
  GPtrArray *records;

  g_return_val_if_fail (psbt != NULL && index < psbt->tx->inputs->len, NULL);

  sigs = g_ptr_array_new_with_free_func ((GDestroyNotify) rein_psbt_signature_free);
  records = input_map (psbt, index);
  for (guint i = 0; i < records->len; i++)
    {
      const Record *rec = g_ptr_array_index (records, i);
      gsize key_len = 0;
      const guint8 *key = g_bytes_get_data (rec->key, &key_len);
      ReinPsbtSignature *sig;

      if (key[0] != REIN_PSBT_IN_PARTIAL_SIG)
        continue;
      sig = g_new (ReinPsbtSignature, 1);
      sig->pubkey = g_bytes_new (key + 1, key_len - 1);
      sig->signature = g_bytes_ref (rec->value);
      g_ptr_array_add (sigs, sig);
    }
  return sigs;
}

gboolean
rein_psbt_input_is_finalized (const ReinPsbt *psbt, guint index)
{
  GPtrArray *records;

  g_return_val_if_fail (psbt != NULL && index < psbt->tx->inputs->len, FALSE);

  records = input_map (psbt, index);
  return map_lookup_type (records, REIN_PSBT_IN_FINAL_SCRIPTSIG) != NULL
         || map_lookup_type (records, REIN_PSBT_IN_FINAL_SCRIPTWITNESS) != NULL;
}

gboolean
rein_psbt_get_input_value (const ReinPsbt *psbt,
                           guint index,
                           guint64 *out_value,
                           GError **error)
{
  g_autoptr (ReinTx) prev = NULL;
  ReinTxOut *out;
  GBytes *witness_utxo;

  g_return_val_if_fail (psbt != NULL && index < psbt->tx->inputs->len, FALSE);

  out = spent_output (psbt, index, &prev, NULL);
  if (out != NULL)
    {
      *out_value = out->value;
      return TRUE;
    }
  witness_utxo = map_lookup_type (input_map (psbt, index), REIN_PSBT_IN_WITNESS_UTXO);
  if (witness_utxo != NULL)
    {
      ReinReader r = { g_bytes_get_data (witness_utxo, NULL), g_bytes_get_size (witness_utxo), 0 };

      return _rein_reader_u64 (&r, out_value);
    }
  g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
               "The amount of input %u is unknown: the PSBT has no UTXO for it", index);
  return FALSE;
}

gboolean
rein_psbt_get_fee (const ReinPsbt *psbt, guint64 *out_fee, GError **error)
{
  g_autofree guint64 *values = NULL;
  guint n;

  g_return_val_if_fail (psbt != NULL, FALSE);

  n = psbt->tx->inputs->len;
  values = g_new0 (guint64, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    if (!rein_psbt_get_input_value (psbt, i, &values[i], error))
      return FALSE;
  return rein_tx_get_fee (psbt->tx, values, out_fee, error);
}

/* ---- signing ---- */

static gboolean
cannot (GError **error, const gchar *verb, guint index, const gchar *format, ...)
  G_GNUC_PRINTF (4, 5);

static gboolean
cannot (GError **error, const gchar *verb, guint index, const gchar *format, ...)
{
  g_autofree gchar *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_CANNOT_SIGN,
               "Cannot %s input %u: %s", verb, index, what);
  return FALSE;
}

/* What a legacy input must satisfy: the script code (redeem script, or
 * the P2PKH scriptPubKey) and the sighash type, after the Signer checks. */
static gboolean
legacy_script_code (const ReinPsbt *psbt,
                    guint index,
                    const gchar *verb,
                    GBytes **out_script_code,
                    guint32 *out_sighash,
                    GError **error)
{
  g_autoptr (ReinTx) prev = NULL;
  GPtrArray *records = input_map (psbt, index);
  GBytes *redeem, *sighash;
  ReinTxOut *out;

  if (map_lookup_type (records, REIN_PSBT_IN_WITNESS_UTXO) != NULL)
    return cannot (error, verb, index, "it has a witness UTXO; only legacy inputs are handled");
  out = spent_output (psbt, index, &prev, NULL);
  if (out == NULL)
    return cannot (error, verb, index, "it has no previous transaction (non-witness UTXO)");

  redeem = map_lookup_type (records, REIN_PSBT_IN_REDEEM_SCRIPT);
  if (redeem != NULL)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (redeem, &len);
      g_autoptr (GByteArray) p2sh = rein_script_p2sh_from_redeem (data, len);

      if (p2sh->len != out->script_pubkey->len
          || memcmp (p2sh->data, out->script_pubkey->data, p2sh->len) != 0)
        return cannot (error, verb, index,
                       "the redeem script does not match the output it spends");
      *out_script_code = g_bytes_ref (redeem);
    }
  else if (rein_script_is_p2sh (out->script_pubkey->data, out->script_pubkey->len, NULL))
    return cannot (error, verb, index, "it spends a P2SH output but has no redeem script");
  else if (rein_script_is_p2pkh (out->script_pubkey->data, out->script_pubkey->len, NULL))
    *out_script_code = g_bytes_new (out->script_pubkey->data, out->script_pubkey->len);
  else
    return cannot (error, verb, index, "it spends an output of a kind not handled here");

  *out_sighash = REIN_SIGHASH_ALL;
  sighash = map_lookup_type (records, REIN_PSBT_IN_SIGHASH_TYPE);
  if (sighash != NULL)
    {
      ReinReader r = { g_bytes_get_data (sighash, NULL), g_bytes_get_size (sighash), 0 };

      if (!_rein_reader_u32 (&r, out_sighash) || *out_sighash != REIN_SIGHASH_ALL)
        {
          g_clear_pointer (out_script_code, g_bytes_unref);
          return cannot (error, verb, index,
                         "it asks for sighash type %u; only SIGHASH_ALL is supported",
                         *out_sighash);
        }
    }
  return TRUE;
}

/* Whether @pubkey is one of the keys @script_code pays to. */
static gboolean
script_has_key (GBytes *script_code, const guint8 *pubkey, gsize pubkey_len)
{
  gsize len = 0;
  const guint8 *script = g_bytes_get_data (script_code, &len);
  g_autoptr (GArray) ops = NULL;
  guint8 hash[20], key_hash[20];

  if (rein_script_is_p2pkh (script, len, hash))
    {
      rein_hash160 (pubkey, pubkey_len, key_hash);
      return memcmp (hash, key_hash, 20) == 0;
    }
  ops = rein_script_parse (script, len, NULL);
  for (guint i = 0; ops != NULL && i < ops->len; i++)
    {
      const ReinScriptOp *op = &g_array_index (ops, ReinScriptOp, i);

      if (op->data != NULL && op->len == pubkey_len && memcmp (op->data, pubkey, pubkey_len) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The scripts this code signs and finalizes: the legacy sighash we
 * compute is right for them (no OP_CODESEPARATOR, no signature inside). */
static gboolean
script_is_known (GBytes *script_code)
{
  gsize len = 0;
  const guint8 *script = g_bytes_get_data (script_code, &len);

  return len <= MAX_SCRIPT_ELEMENT_SIZE
         && (rein_script_is_p2pkh (script, len, NULL)
             || rein_script_parse_multisig (script, len, NULL, NULL)
             || rein_script_parse_mandatory (script, len, NULL, NULL));
}

gboolean
rein_psbt_sign_input (ReinPsbt *psbt, guint index, const ReinPrivateKey *key, GError **error)
{
  g_autoptr (GBytes) script_code = NULL;
  g_autoptr (GByteArray) sig = NULL;
  g_autofree guint8 *record_key = NULL;
  guint8 pubkey[65], hash[32], sighash_byte;
  guint32 sighash_type;
  gsize pubkey_len;

  g_return_val_if_fail (psbt != NULL && key != NULL, FALSE);
  g_return_val_if_fail (index < psbt->tx->inputs->len, FALSE);

  if (rein_psbt_input_is_finalized (psbt, index))
    return cannot (error, "sign", index, "it is already final");
  if (!legacy_script_code (psbt, index, "sign", &script_code, &sighash_type, error))
    return FALSE;
  if (!script_is_known (script_code))
    return cannot (error, "sign", index, "its script is neither P2PKH, a multisig nor the "
                   "mediator escrow script");
  pubkey_len = rein_private_key_get_public_key (key, pubkey);
  if (!script_has_key (script_code, pubkey, pubkey_len))
    return cannot (error, "sign", index, "this key is not one of the keys of its script");
  if (!rein_tx_sighash_legacy (psbt->tx, index, g_bytes_get_data (script_code, NULL),
                               g_bytes_get_size (script_code), sighash_type, hash, error))
    return FALSE;
  sig = rein_ecdsa_sign (key, hash, error);
  if (sig == NULL)
    return FALSE;
  sighash_byte = (guint8) sighash_type;
  g_byte_array_append (sig, &sighash_byte, 1);

  record_key = g_malloc (1 + pubkey_len);
  record_key[0] = REIN_PSBT_IN_PARTIAL_SIG;
  memcpy (record_key + 1, pubkey, pubkey_len);
  map_put (input_map (psbt, index),
           record_new (REIN_PSBT_MAP_INPUT, record_key, 1 + pubkey_len, sig->data, sig->len));
  return TRUE;
}

/* ---- combining ---- */

gboolean
rein_psbt_combine (ReinPsbt *psbt, const ReinPsbt *other, GError **error)
{
  g_return_val_if_fail (psbt != NULL && other != NULL, FALSE);

  if (!g_bytes_equal (map_lookup_type (g_ptr_array_index (psbt->maps, 0), 0),
                      map_lookup_type (g_ptr_array_index (other->maps, 0), 0)))
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                           "Cannot combine PSBTs of different transactions");
      return FALSE;
    }
  g_assert (psbt->maps->len == other->maps->len);

  /* first look for conflicts, so that a refusal changes nothing */
  for (guint m = 0; m < other->maps->len; m++)
    {
      GPtrArray *theirs = g_ptr_array_index (other->maps, m);
      GPtrArray *ours = g_ptr_array_index (psbt->maps, m);

      for (guint i = 0; i < theirs->len; i++)
        {
          const Record *rec = g_ptr_array_index (theirs, i);
          gsize key_len = 0;
          const guint8 *key = g_bytes_get_data (rec->key, &key_len);
          guint pos;
          GBytes *mine = map_find (ours, rec->order, &pos)
                         ? ((Record *) g_ptr_array_index (ours, pos))->value : NULL;

          if (mine != NULL && !g_bytes_equal (mine, rec->value))
            {
              ReinPsbtMap map = m == 0 ? REIN_PSBT_MAP_GLOBAL
                                : m <= psbt->tx->inputs->len ? REIN_PSBT_MAP_INPUT
                                                             : REIN_PSBT_MAP_OUTPUT;
              guint index = m == 0 ? 0 : m <= psbt->tx->inputs->len ? m - 1
                                   : m - 1 - psbt->tx->inputs->len;

              if (map == REIN_PSBT_MAP_GLOBAL)
                g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                             "Cannot combine: the PSBTs disagree on a global record of type "
                             "0x%02x", key[0]);
              else
                g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_PSBT,
                             "Cannot combine: the PSBTs disagree on a record of type 0x%02x "
                             "of %s %u", key[0], map_name (map), index);
              return FALSE;
            }
        }
    }
  for (guint m = 0; m < other->maps->len; m++)
    {
      GPtrArray *theirs = g_ptr_array_index (other->maps, m);
      GPtrArray *ours = g_ptr_array_index (psbt->maps, m);

      for (guint i = 0; i < theirs->len; i++)
        {
          map_put (ours, record_ref_copy (g_ptr_array_index (theirs, i)));
        }
    }
  return TRUE;
}

/* ---- finalizing ---- */

static gboolean
incomplete (GError **error, guint index, const gchar *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
incomplete (GError **error, guint index, const gchar *format, ...)
{
  g_autofree gchar *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE,
               "Cannot finalize input %u: %s", index, what);
  return FALSE;
}

/* The verified signature of @pubkey on input @index, or NULL when there is
 * none. A signature that is there but does not verify is an error. */
static GBytes *
verified_signature (const ReinPsbt *psbt,
                    guint index,
                    GBytes *pubkey,
                    const guint8 hash[32],
                    guint32 sighash_type,
                    GError **error)
{
  g_autofree guint8 *key = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize pubkey_len = 0;
  const guint8 *pubkey_data = g_bytes_get_data (pubkey, &pubkey_len);
  GBytes *sig;

  key = g_malloc (1 + pubkey_len);
  key[0] = REIN_PSBT_IN_PARTIAL_SIG;
  memcpy (key + 1, pubkey_data, pubkey_len);
  sig = map_lookup (input_map (psbt, index), REIN_PSBT_MAP_INPUT, key, 1 + pubkey_len);
  if (sig == NULL)
    return NULL;
  if (!rein_ecdsa_verify (pubkey_data, pubkey_len, g_bytes_get_data (sig, NULL),
                          g_bytes_get_size (sig), hash, sighash_type, &local_error))
    {
      g_autofree gchar *hex = rein_hex_encode (pubkey_data, pubkey_len);

      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                   "Cannot finalize input %u: the signature of key %s is not valid: %s", index,
                   hex, local_error->message);
      return NULL;
    }
  return g_bytes_ref (sig);
}

static gchar *
keys_hex (GPtrArray *keys)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < keys->len; i++)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (keys, i), &len);
      g_autofree gchar *hex = rein_hex_encode (data, len);

      g_string_append_printf (s, "%s%s", i ? ", " : "", hex);
    }
  return g_string_free (s, FALSE);
}

static GByteArray *
finalize_multisig (const ReinPsbt *psbt,
                   guint index,
                   GBytes *redeem,
                   guint m,
                   GPtrArray *keys,
                   const guint8 hash[32],
                   guint32 sighash_type,
                   GError **error)
{
  g_autoptr (GPtrArray) sigs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree gchar *names = NULL;

  for (guint i = 0; i < keys->len && sigs->len < m; i++)
    {
      GError *local_error = NULL;
      GBytes *sig = verified_signature (psbt, index, g_ptr_array_index (keys, i), hash,
                                        sighash_type, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (sig != NULL)
        g_ptr_array_add (sigs, sig);
    }
  if (sigs->len < m)
    {
      names = keys_hex (keys);
      incomplete (error, index, "it needs %u signatures of the keys %s and has %u", m, names,
                  sigs->len);
      return NULL;
    }
  return rein_script_sig_multisig (sigs, g_bytes_get_data (redeem, NULL),
                                   g_bytes_get_size (redeem));
}

static GByteArray *
finalize_mandatory (const ReinPsbt *psbt,
                    guint index,
                    GBytes *redeem,
                    GBytes *mandatory,
                    GPtrArray *others,
                    const guint8 hash[32],
                    guint32 sighash_type,
                    GError **error)
{
  g_autoptr (GBytes) mandatory_sig = NULL;
  g_autoptr (GBytes) other_sig = NULL;
  GError *local_error = NULL;

  mandatory_sig = verified_signature (psbt, index, mandatory, hash, sighash_type, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  for (guint i = 0; i < others->len && other_sig == NULL; i++)
    {
      other_sig = verified_signature (psbt, index, g_ptr_array_index (others, i), hash,
                                      sighash_type, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
    }
  if (mandatory_sig == NULL)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (mandatory, &len);
      g_autofree gchar *hex = rein_hex_encode (data, len);

      incomplete (error, index, "the signature of the mandatory key %s (the mediator's) is "
                  "missing", hex);
      return NULL;
    }
  if (other_sig == NULL)
    {
      g_autofree gchar *names = keys_hex (others);

      incomplete (error, index, "it needs a signature of one of the keys %s as well", names);
      return NULL;
    }
  return rein_script_sig_mandatory (other_sig, mandatory_sig, g_bytes_get_data (redeem, NULL),
                                    g_bytes_get_size (redeem));
}

static GByteArray *
finalize_p2pkh (const ReinPsbt *psbt,
                guint index,
                GBytes *script_code,
                const guint8 hash[32],
                guint32 sighash_type,
                GError **error)
{
  g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, index);

  for (guint i = 0; i < sigs->len; i++)
    {
      ReinPsbtSignature *ps = g_ptr_array_index (sigs, i);
      gsize key_len = 0;
      const guint8 *key = g_bytes_get_data (ps->pubkey, &key_len);

      if (script_has_key (script_code, key, key_len))
        {
          g_autoptr (GBytes) sig = verified_signature (psbt, index, ps->pubkey, hash,
                                                       sighash_type, error);
          GByteArray *script_sig;

          if (sig == NULL)
            return NULL;
          script_sig = g_byte_array_new ();
          rein_script_append_push (script_sig, g_bytes_get_data (sig, NULL),
                                   g_bytes_get_size (sig));
          rein_script_append_push (script_sig, key, key_len);
          return script_sig;
        }
    }
  incomplete (error, index, "it has no signature of the key it pays to");
  return NULL;
}

static gboolean
is_known_input_type (guint8 type)
{
  return type <= REIN_PSBT_IN_FINAL_SCRIPTWITNESS || (type >= 0x0a && type <= 0x0d);
}

gboolean
rein_psbt_finalize_input (ReinPsbt *psbt, guint index, GError **error)
{
  g_autoptr (GBytes) script_code = NULL;
  g_autoptr (GByteArray) script_sig = NULL;
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GBytes) mandatory = NULL;
  GPtrArray *records;
  guint32 sighash_type;
  guint8 hash[32];
  guint m;
  gsize len = 0;
  const guint8 *script;

  g_return_val_if_fail (psbt != NULL, FALSE);
  g_return_val_if_fail (index < psbt->tx->inputs->len, FALSE);

  if (rein_psbt_input_is_finalized (psbt, index))
    return TRUE;
  if (!legacy_script_code (psbt, index, "finalize", &script_code, &sighash_type, error))
    return FALSE;
  script = g_bytes_get_data (script_code, &len);
  if (!rein_tx_sighash_legacy (psbt->tx, index, script, len, sighash_type, hash, error))
    return FALSE;
  /* BIP174: no signature of another sighash type, used or not */
  {
    g_autoptr (GPtrArray) sigs = rein_psbt_get_partial_signatures (psbt, index);

    for (guint i = 0; i < sigs->len; i++)
      {
        ReinPsbtSignature *sig = g_ptr_array_index (sigs, i);
        gsize sig_len = 0;
        const guint8 *data = g_bytes_get_data (sig->signature, &sig_len);

        if (data[sig_len - 1] != sighash_type)
          {
            g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SIGNATURE,
                         "Cannot finalize input %u: a signature has sighash type %u where %u "
                         "is required", index, data[sig_len - 1], sighash_type);
            return FALSE;
          }
      }
  }

  if (!rein_script_is_p2pkh (script, len, NULL) && len > MAX_SCRIPT_ELEMENT_SIZE)
    {
      /* the scriptSig could not push it: the output cannot be spent */
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT,
                   "Cannot finalize input %u: its redeem script is longer than %u bytes",
                   index, MAX_SCRIPT_ELEMENT_SIZE);
      return FALSE;
    }
  if (rein_script_is_p2pkh (script, len, NULL))
    script_sig = finalize_p2pkh (psbt, index, script_code, hash, sighash_type, error);
  else if (rein_script_parse_multisig (script, len, &m, &keys))
    script_sig = finalize_multisig (psbt, index, script_code, m, keys, hash, sighash_type, error);
  else if (rein_script_parse_mandatory (script, len, &mandatory, &keys))
    script_sig = finalize_mandatory (psbt, index, script_code, mandatory, keys, hash,
                                     sighash_type, error);
  else
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT,
                   "Cannot finalize input %u: its redeem script is neither a multisig nor the "
                   "mediator escrow script", index);
      return FALSE;
    }
  if (script_sig == NULL)
    return FALSE;

  /* BIP174: keep the UTXOs and the records of unknown types, drop the rest */
  records = input_map (psbt, index);
  for (guint i = records->len; i > 0; i--)
    {
      const Record *rec = g_ptr_array_index (records, i - 1);
      guint8 type = *(const guint8 *) g_bytes_get_data (rec->key, NULL);

      if (is_known_input_type (type) && type != REIN_PSBT_IN_NON_WITNESS_UTXO
          && type != REIN_PSBT_IN_WITNESS_UTXO)
        g_ptr_array_remove_index (records, i - 1);
    }
  {
    guint8 key = REIN_PSBT_IN_FINAL_SCRIPTSIG;

    map_put (records, record_new (REIN_PSBT_MAP_INPUT, &key, 1, script_sig->data,
                                  script_sig->len));
  }
  return TRUE;
}

gboolean
rein_psbt_finalize (ReinPsbt *psbt, GError **error)
{
  g_return_val_if_fail (psbt != NULL, FALSE);

  for (guint i = 0; i < psbt->tx->inputs->len; i++)
    if (!rein_psbt_finalize_input (psbt, i, error))
      return FALSE;
  return TRUE;
}

ReinTx *
rein_psbt_extract (const ReinPsbt *psbt, GError **error)
{
  g_autoptr (ReinTx) tx = NULL;

  g_return_val_if_fail (psbt != NULL, NULL);

  tx = rein_tx_copy (psbt->tx);
  for (guint i = 0; i < tx->inputs->len; i++)
    {
      GPtrArray *records = input_map (psbt, i);
      GBytes *script_sig = map_lookup_type (records, REIN_PSBT_IN_FINAL_SCRIPTSIG);
      GBytes *witness = map_lookup_type (records, REIN_PSBT_IN_FINAL_SCRIPTWITNESS);
      ReinTxIn *in = rein_tx_get_input (tx, i);

      if (script_sig == NULL && witness == NULL)
        {
          g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INCOMPLETE,
                       "Cannot extract the transaction: input %u is not final", i);
          return NULL;
        }
      if (script_sig != NULL)
        g_byte_array_append (in->script_sig, g_bytes_get_data (script_sig, NULL),
                             g_bytes_get_size (script_sig));
      if (witness != NULL)
        {
          ReinReader r = { g_bytes_get_data (witness, NULL), g_bytes_get_size (witness), 0 };

          /* checked when the record was added */
          if (!_rein_reader_witness (&r, in->witness))
            g_assert_not_reached ();
        }
    }
  return g_steal_pointer (&tx);
}
