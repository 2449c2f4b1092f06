/* rein-amount.h: Bitcoin amounts, exactly
 *
 * Inside Rein an amount is a whole number of satoshis (gint64). BTC strings
 * ("0.05", "1.5") exist only at the edges, where a user types them or a
 * document carries them; they are parsed digit by digit, never through a
 * floating-point number, so "0.1" is exactly 10,000,000 satoshis.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REIN_SATOSHIS_PER_BTC G_GINT64_CONSTANT (100000000)
/* 21 million BTC: no amount can be larger. */
#define REIN_MAX_SATOSHIS (G_GINT64_CONSTANT (21000000) * REIN_SATOSHIS_PER_BTC)

/* Parses a BTC amount: digits, then optionally a point and 1 to 8 digits
 * ("0.05", "1", "1.00000001", ".5" is refused, "1." is refused). Spaces
 * around it are allowed; signs, exponents, commas and a ninth decimal are
 * not. The amount must be above zero and at most 21 million BTC. Fails
 * with REIN_BITCOIN_ERROR_INVALID_ENCODING and a message that quotes the
 * text (cut to 40 characters). */
gboolean rein_amount_parse_btc (const gchar *text, gint64 *out_satoshis, GError **error);

/* Parses an amount a person typed: what rein_amount_parse_btc() takes,
 * and the exact forms people type that documents do not use: no digit
 * before the point (".5") or after it ("1."), and zeros past the eighth
 * decimal ("0.010000000"). The number is the same, exactly; a document
 * says rein_amount_format_btc() of it. The error is the one
 * rein_amount_parse_btc() gives for @text. */
gboolean rein_amount_parse_btc_typed (const gchar *text, gint64 *out_satoshis, GError **error);

/* Formats @satoshis as BTC with the fewest decimals that keep it exact
 * ("0.05", "1", "0.00000001"; negative amounts get a minus sign). */
gchar *rein_amount_format_btc (gint64 satoshis);

/* @percent ("1.5%", "1", "0.25 %": at most 8 decimals, 0 to 100) of
 * @amount satoshis, to the nearest satoshi (halves rounded up): a
 * mediator's fee as a share of the bid. Fails with
 * REIN_BITCOIN_ERROR_INVALID_ENCODING when @percent is not one. */
gboolean rein_amount_percent_of (gint64 amount,
                                 const gchar *percent,
                                 gint64 *out_share,
                                 GError **error);

G_END_DECLS
