/* rein-payments-private.h: what only the tests of ReinPayments use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rein-payments.h"

G_BEGIN_DECLS

/* Makes the python-rein 0.3 signature of the writer's next signing fail
 * (after the PSBT's succeeded), as no real key can: what a failure then
 * must leave behind is tested. */
void _rein_payments_set_fail_legacy_signing (ReinPayments *self, gboolean fail);

G_END_DECLS
