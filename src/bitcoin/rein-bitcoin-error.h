/* rein-bitcoin-error.h: the error domain of the Bitcoin primitives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REIN_BITCOIN_ERROR (rein_bitcoin_error_quark ())

typedef enum
{
  REIN_BITCOIN_ERROR_INVALID_ENCODING,  /* bad hex, base58, base64 */
  REIN_BITCOIN_ERROR_BAD_CHECKSUM,      /* base58check or BIP39 checksum */
  REIN_BITCOIN_ERROR_INVALID_KEY,       /* key out of range, wrong length */
  REIN_BITCOIN_ERROR_INVALID_ADDRESS,   /* unknown version, wrong length */
  REIN_BITCOIN_ERROR_INVALID_SIGNATURE, /* malformed, or does not match */
  REIN_BITCOIN_ERROR_INVALID_MNEMONIC,  /* unknown word, wrong count */
  REIN_BITCOIN_ERROR_INVALID_PATH,      /* BIP32 path syntax */
  REIN_BITCOIN_ERROR_INVALID_SCRIPT,    /* script parse or check failure */
  REIN_BITCOIN_ERROR_FAILED,            /* anything else (RNG, library) */
  REIN_BITCOIN_ERROR_INVALID_TRANSACTION, /* malformed or over the bounds */
  REIN_BITCOIN_ERROR_INVALID_PSBT,        /* malformed BIP174 PSBT */
  REIN_BITCOIN_ERROR_CANNOT_SIGN,         /* key, script or UTXO do not allow it */
  REIN_BITCOIN_ERROR_INCOMPLETE,          /* not enough signatures to finalize */
} ReinBitcoinError;

GQuark rein_bitcoin_error_quark (void);

typedef enum
{
  REIN_NETWORK_MAINNET,
  REIN_NETWORK_TESTNET,
} ReinNetwork;

G_END_DECLS
