/* chain-fixture.h: the test suite's Esplora-compatible chain backend
 *
 * tests/net/esplora-server.py in a child process on 127.0.0.1, stopped
 * with the test (or killed with it when an assertion aborts it).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  gchar *url; /* "http://127.0.0.1:PORT/" */
  SoupSession *session;
} TestChain;

/* Starts the backend for @network ("testnet", "regtest", "mainnet"); the
 * tip is at height 100. */
TestChain *test_chain_start (const gchar *network);
void test_chain_stop (TestChain *chain);

/* Pays @value satoshis to @address in a new transaction with
 * @confirmations (0: in the mempool); returns its txid. */
gchar *test_chain_fund (TestChain *chain, const gchar *address, gint64 value, guint confirmations);
/* The same from a transaction with a witness (as from a bc1/tb1 wallet). */
gchar *test_chain_fund_segwit (TestChain *chain,
                               const gchar *address,
                               gint64 value,
                               guint confirmations);
/* Mines @blocks blocks; the first confirms what is in the mempool. */
void test_chain_mine (TestChain *chain, guint blocks);
/* How the backend answers from now on: "normal", "hang", "garbage",
 * "deep-json", "html", "error500", "wrong-amounts", "wrong-tx",
 * "wrong-txid". */
void test_chain_set_mode (TestChain *chain, const gchar *mode);
/* Replaces the fee estimates with @json ({"1": 20.5, ...}). */
void test_chain_set_fees (TestChain *chain, const gchar *json);
/* The txids broadcast so far and accepted, as a JSON array. */
gchar *test_chain_dup_broadcasts (TestChain *chain);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestChain, test_chain_stop)

G_END_DECLS
