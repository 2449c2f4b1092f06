/* rein-script.c: Rein escrow scripts, a script parser and disassembler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rein-encoding.h"
#include "rein-script.h"

/* Consensus limit on redeem scripts; anything longer is not ours. */
#define MAX_SCRIPT_LEN 10000

GArray *
rein_script_parse (const guint8 *script, gsize len, GError **error)
{
  g_autoptr (GArray) ops = g_array_new (FALSE, FALSE, sizeof (ReinScriptOp));
  gsize pos = 0;

  g_return_val_if_fail (script != NULL || len == 0, NULL);

  if (len > MAX_SCRIPT_LEN)
    {
      g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT,
                           "Script is too long");
      return NULL;
    }
  while (pos < len)
    {
      ReinScriptOp op = { script[pos++], NULL, 0 };
      gsize push = 0, size_bytes = 0;

      if (op.opcode >= 0x01 && op.opcode <= 0x4b)
        push = op.opcode;
      else if (op.opcode == REIN_OP_PUSHDATA1)
        size_bytes = 1;
      else if (op.opcode == REIN_OP_PUSHDATA2)
        size_bytes = 2;
      else if (op.opcode == REIN_OP_PUSHDATA4)
        size_bytes = 4;

      if (size_bytes > 0)
        {
          if (len - pos < size_bytes)
            {
              g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT,
                                   "Script ends inside a push size");
              return NULL;
            }
          for (gsize i = 0; i < size_bytes; i++)
            push |= (gsize) script[pos + i] << (8 * i);
          pos += size_bytes;
        }
      if (push > 0 || size_bytes > 0)
        {
          if (len - pos < push)
            {
              g_set_error_literal (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT,
                                   "Script ends inside a push");
              return NULL;
            }
          op.data = script + pos;
          op.len = push;
          pos += push;
        }
      g_array_append_val (ops, op);
    }
  return g_steal_pointer (&ops);
}

static const gchar *
opcode_name (guint8 opcode)
{
  static const struct
  {
    guint8 code;
    const gchar *name;
  } names[] = {
    { 0x00, "OP_0" }, { 0x4f, "OP_1NEGATE" }, { 0x61, "OP_NOP" }, { 0x63, "OP_IF" },
    { 0x64, "OP_NOTIF" }, { 0x67, "OP_ELSE" }, { 0x68, "OP_ENDIF" }, { 0x69, "OP_VERIFY" },
    { 0x6a, "OP_RETURN" }, { 0x75, "OP_DROP" }, { 0x76, "OP_DUP" }, { 0x87, "OP_EQUAL" },
    { 0x88, "OP_EQUALVERIFY" }, { 0xa6, "OP_RIPEMD160" }, { 0xa8, "OP_SHA256" },
    { 0xa9, "OP_HASH160" }, { 0xaa, "OP_HASH256" }, { 0xac, "OP_CHECKSIG" },
    { 0xad, "OP_CHECKSIGVERIFY" }, { 0xae, "OP_CHECKMULTISIG" },
    { 0xaf, "OP_CHECKMULTISIGVERIFY" }, { 0xb1, "OP_CHECKLOCKTIMEVERIFY" },
    { 0xb2, "OP_CHECKSEQUENCEVERIFY" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].code == opcode)
      return names[i].name;
  return NULL;
}

gchar *
rein_script_disassemble (const guint8 *script, gsize len, GError **error)
{
  g_autoptr (GArray) ops = rein_script_parse (script, len, error);
  GString *out;

  if (ops == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (guint i = 0; i < ops->len; i++)
    {
      const ReinScriptOp *op = &g_array_index (ops, ReinScriptOp, i);
      const gchar *name;

      if (i > 0)
        g_string_append_c (out, ' ');
      if (op->data != NULL)
        {
          g_autofree gchar *hex = rein_hex_encode (op->data, op->len);
          g_string_append (out, op->len > 0 ? hex : "OP_0");
        }
      else if (op->opcode >= REIN_OP_1 && op->opcode <= REIN_OP_16)
        g_string_append_printf (out, "OP_%d", op->opcode - REIN_OP_1 + 1);
      else if ((name = opcode_name (op->opcode)) != NULL)
        g_string_append (out, name);
      else
        g_string_append_printf (out, "OP_UNKNOWN_0x%02x", op->opcode);
    }
  return g_string_free (out, FALSE);
}

static void
append_key (GByteArray *script, const guint8 key[33])
{
  guint8 push = 33;

  g_byte_array_append (script, &push, 1);
  g_byte_array_append (script, key, 33);
}

static void
append_op (GByteArray *script, guint8 op)
{
  g_byte_array_append (script, &op, 1);
}

GByteArray *
rein_script_multisig_2of3 (const guint8 creator[33],
                           const guint8 mediator[33],
                           const guint8 worker[33])
{
  GByteArray *script = g_byte_array_sized_new (105);

  append_op (script, REIN_OP_2);
  append_key (script, creator);
  append_key (script, mediator);
  append_key (script, worker);
  append_op (script, REIN_OP_3);
  append_op (script, REIN_OP_CHECKMULTISIG);
  return script;
}

GByteArray *
rein_script_mandatory_multisig (const guint8 mandatory[33],
                                const guint8 other1[33],
                                const guint8 other2[33])
{
  GByteArray *script = g_byte_array_sized_new (106);

  append_key (script, mandatory);
  append_op (script, REIN_OP_CHECKSIGVERIFY);
  append_op (script, REIN_OP_1);
  append_key (script, other1);
  append_key (script, other2);
  append_op (script, REIN_OP_2);
  append_op (script, REIN_OP_CHECKMULTISIG);
  return script;
}

static gboolean
parse_compressed_key (const gchar *hex, const gchar *who, guint8 out[33], GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint8 buf[65];
  gsize len = 0;

  if (hex == NULL || !rein_public_key_parse_hex (hex, buf, &len, &local_error) || len != 33)
    {
      g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_KEY,
                   "The %s public key is not a compressed public key%s%s", who,
                   local_error ? ": " : "", local_error ? local_error->message : "");
      return FALSE;
    }
  memcpy (out, buf, 33);
  return TRUE;
}

ReinEscrow *
rein_escrow_new (const gchar *creator_pk_hex,
                 const gchar *mediator_pk_hex,
                 const gchar *worker_pk_hex,
                 ReinNetwork network,
                 GError **error)
{
  guint8 creator[33], mediator[33], worker[33];
  g_autoptr (GByteArray) primary = NULL;
  g_autoptr (GByteArray) fee = NULL;
  ReinEscrow *escrow;

  if (!parse_compressed_key (creator_pk_hex, "job creator's", creator, error)
      || !parse_compressed_key (mediator_pk_hex, "mediator's", mediator, error)
      || !parse_compressed_key (worker_pk_hex, "worker's", worker, error))
    return NULL;

  primary = rein_script_multisig_2of3 (creator, mediator, worker);
  fee = rein_script_mandatory_multisig (mediator, creator, worker);

  escrow = g_new0 (ReinEscrow, 1);
  escrow->primary_script_hex = rein_hex_encode (primary->data, primary->len);
  escrow->primary_address = rein_address_p2sh_from_script (primary->data, primary->len, network);
  escrow->mediator_script_hex = rein_hex_encode (fee->data, fee->len);
  escrow->mediator_address = rein_address_p2sh_from_script (fee->data, fee->len, network);
  return escrow;
}

void
rein_escrow_free (ReinEscrow *escrow)
{
  if (escrow == NULL)
    return;
  g_free (escrow->primary_script_hex);
  g_free (escrow->primary_address);
  g_free (escrow->mediator_script_hex);
  g_free (escrow->mediator_address);
  g_free (escrow);
}

/* Explains, for the user, how @script differs from @expected. Both are
 * parsed so that the message can name the first differing element. */
static gboolean
check_script_equal (const guint8 *script,
                    gsize len,
                    GByteArray *expected,
                    const gchar *what,
                    GError **error)
{
  g_autoptr (GArray) ops = NULL;
  g_autoptr (GArray) want = NULL;

  ops = rein_script_parse (script, len, error);
  if (ops == NULL)
    return FALSE;
  if (len == expected->len && memcmp (script, expected->data, len) == 0)
    return TRUE;

  want = rein_script_parse (expected->data, expected->len, NULL);
  for (guint i = 0; i < MIN (ops->len, want->len); i++)
    {
      const ReinScriptOp *a = &g_array_index (ops, ReinScriptOp, i);
      const ReinScriptOp *b = &g_array_index (want, ReinScriptOp, i);

      if (a->opcode != b->opcode || a->len != b->len
          || (a->len > 0 && memcmp (a->data, b->data, a->len) != 0))
        {
          g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT,
                       "The %s script differs from the one these keys make at element %u%s",
                       what, i + 1,
                       b->len == 33 ? " (a key is wrong, missing or out of order)" : "");
          return FALSE;
        }
    }
  g_set_error (error, REIN_BITCOIN_ERROR, REIN_BITCOIN_ERROR_INVALID_SCRIPT,
               "The %s script has %u elements where these keys make %u", what, ops->len,
               want->len);
  return FALSE;
}

gboolean
rein_script_check_2of3 (const guint8 *script,
                        gsize len,
                        const guint8 creator[33],
                        const guint8 mediator[33],
                        const guint8 worker[33],
                        GError **error)
{
  g_autoptr (GByteArray) expected = rein_script_multisig_2of3 (creator, mediator, worker);

  return check_script_equal (script, len, expected, "primary escrow", error);
}

gboolean
rein_script_check_mandatory (const guint8 *script,
                             gsize len,
                             const guint8 mandatory[33],
                             const guint8 other1[33],
                             const guint8 other2[33],
                             GError **error)
{
  g_autoptr (GByteArray) expected = rein_script_mandatory_multisig (mandatory, other1, other2);

  return check_script_equal (script, len, expected, "mediator escrow", error);
}
