/* causeway-fixture.h: a server that answers as the original Causeway does
 *
 * tests/server/causeway-server.py in a child process on 127.0.0.1, as a
 * TestServer (so http_get(), identity_put() and test_server_free() work
 * with it), stopped with the test or killed with it when an assertion
 * aborts it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "server-fixture.h"

G_BEGIN_DECLS

typedef enum
{
  TEST_CAUSEWAY_MAINNET = 0,
  /* Signatures checked against testnet addresses (its testnet mode). */
  TEST_CAUSEWAY_TESTNET = 1 << 0,
  /* A query it does not know is a bare HTML 500 (earlier versions), not
   * an empty list. */
  TEST_CAUSEWAY_UNKNOWN_QUERY_ERROR = 1 << 1,
} TestCausewayFlags;

TestServer *test_causeway_start (TestCausewayFlags flags);

G_END_DECLS
