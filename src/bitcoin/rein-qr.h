/* rein-qr.h: QR codes of payment requests, and PNG files of them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Longest text put in a QR code (at error correction level M a code holds
 * at most 2331 bytes). */
#define REIN_QR_MAX_TEXT 2048

/* A QR code: @size × @size modules, row by row, 1 for dark. */
typedef struct
{
  guint size;
  guint8 *modules;
} ReinQr;

/* Encodes @text (UTF-8, at most REIN_QR_MAX_TEXT bytes) as bytes, at
 * error correction level M, in the smallest version that holds it. */
ReinQr *rein_qr_encode (const gchar *text, GError **error);
void rein_qr_free (ReinQr *qr);
/* Whether the module at @x, @y is dark (FALSE outside the code). */
gboolean rein_qr_is_dark (const ReinQr *qr, guint x, guint y);

/* A black on white PNG of @qr with @scale pixels per module (1 to 32)
 * and the standard quiet zone of 4 modules around it. */
GBytes *rein_qr_to_png (const ReinQr *qr, guint scale, GError **error);

/* A BIP21 URI: "bitcoin:ADDRESS?amount=0.01&label=...". @amount (satoshis)
 * is left out when 0, @label and @message when NULL or empty; they are
 * percent-encoded. */
gchar *rein_bip21_uri (const gchar *address,
                       gint64 amount,
                       const gchar *label,
                       const gchar *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinQr, rein_qr_free)

G_END_DECLS
