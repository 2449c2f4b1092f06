/* escrow-test-util.h: an awarded job with its escrows on the test chain
 * server, for the escrow suites of the client and the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "chain-fixture.h"
#include "client-test-util.h"

G_BEGIN_DECLS

#define ESCROW_JOB_NAME "Logo for a bakery"
#define ESCROW_BID "0.01"
#define ESCROW_DUE G_GINT64_CONSTANT (1000000) /* 0.01 BTC */
#define ESCROW_FEE G_GINT64_CONSTANT (15000)   /* Mia's 1.5% of it */

typedef struct
{
  TestServer *server;
  TestChain *chain; /* mainnet, like the people */
  Person mia;       /* mediator */
  Person carol;     /* creator */
  Person walt;      /* worker */
  ReinJob *job;     /* awarded to Walt for ESCROW_BID, as Carol reads it */
} EscrowWorld;

/* Starts the servers, makes the people and the job; Carol's and Walt's
 * data folders use the chain server, with @confirmations required (0:
 * the default). */
void escrow_world_init (EscrowWorld *w, guint confirmations);
void escrow_world_clear (EscrowWorld *w);

G_END_DECLS
