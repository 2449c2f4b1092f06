/* rein-script.h: Rein escrow scripts, a script parser and disassembler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rein-key.h"

G_BEGIN_DECLS

#define REIN_OP_0 0x00
#define REIN_OP_PUSHDATA1 0x4c
#define REIN_OP_PUSHDATA2 0x4d
#define REIN_OP_PUSHDATA4 0x4e
#define REIN_OP_1 0x51
#define REIN_OP_2 0x52
#define REIN_OP_3 0x53
#define REIN_OP_16 0x60
#define REIN_OP_DUP 0x76
#define REIN_OP_EQUAL 0x87
#define REIN_OP_EQUALVERIFY 0x88
#define REIN_OP_HASH160 0xa9
#define REIN_OP_CHECKSIG 0xac
#define REIN_OP_CHECKSIGVERIFY 0xad
#define REIN_OP_CHECKMULTISIG 0xae

/* One element of a parsed script: an opcode, with its data for pushes. */
typedef struct
{
  guint8 opcode;
  const guint8 *data; /* points into the script; NULL for non-push ops */
  gsize len;
} ReinScriptOp;

/* Parses @script into ops (GArray of ReinScriptOp pointing into @script).
 * Fails on truncated pushes. */
GArray *rein_script_parse (const guint8 *script, gsize len, GError **error);
/* "OP_2 02ab... OP_3 OP_CHECKMULTISIG" */
gchar *rein_script_disassemble (const guint8 *script, gsize len, GError **error);

/* Keys are 33-byte compressed public keys (hex in the _hex variants). */
GByteArray *rein_script_multisig_2of3 (const guint8 creator[33],
                                       const guint8 mediator[33],
                                       const guint8 worker[33]);
GByteArray *rein_script_mandatory_multisig (const guint8 mandatory[33],
                                            const guint8 other1[33],
                                            const guint8 other2[33]);

/* The two escrow scripts of a job and their P2SH addresses. */
typedef struct
{
  gchar *primary_script_hex;
  gchar *primary_address;
  gchar *mediator_script_hex;
  gchar *mediator_address;
} ReinEscrow;

ReinEscrow *rein_escrow_new (const gchar *creator_pk_hex,
                             const gchar *mediator_pk_hex,
                             const gchar *worker_pk_hex,
                             ReinNetwork network,
                             GError **error);
void rein_escrow_free (ReinEscrow *escrow);

/* Checkers: TRUE only for exactly the script these keys make. */
gboolean rein_script_check_2of3 (const guint8 *script,
                                 gsize len,
                                 const guint8 creator[33],
                                 const guint8 mediator[33],
                                 const guint8 worker[33],
                                 GError **error);
gboolean rein_script_check_mandatory (const guint8 *script,
                                      gsize len,
                                      const guint8 mandatory[33],
                                      const guint8 other1[33],
                                      const guint8 other2[33],
                                      GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinEscrow, rein_escrow_free)

G_END_DECLS
