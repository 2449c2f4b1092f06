/* rein-market.h: everything in src/market
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-document.h"
#include "rein-labels.h"
#include "rein-document-builder.h"
#include "rein-job.h"
#include "rein-payment.h"
#include "rein-person.h"
#include "rein-rating.h"
#include "rein-market-enums.h"
