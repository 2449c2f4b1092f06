/* rein-bitcoin.h: everything in src/bitcoin
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-bitcoin-error.h"
#include "rein-amount.h"
#include "rein-hash.h"
#include "rein-encoding.h"
#include "rein-key.h"
#include "rein-message.h"
#include "rein-bip39.h"
#include "rein-bip32.h"
#include "rein-script.h"
#include "rein-qr.h"
#include "rein-tx.h"
#include "rein-psbt.h"
