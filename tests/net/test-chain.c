/* test-chain.c: the Esplora chain backend against the test suite's stand-in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "chain-fixture.h"
#include "net-test-util.h"
#include "rein-bitcoin.h"
#include "rein-chain.h"
#include "rein-client.h"

/* P2SH of the redeem script OP_TRUE: anyone can spend it with the
 * scriptSig <OP_TRUE>, which lets these tests broadcast real, valid
 * transactions without keys. */
static const guint8 op_true[] = { 0x51 };

typedef struct
{
  TestChain *backend;
  ReinChain *chain;
  gchar *address; /* P2SH(OP_TRUE) on testnet */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->backend = test_chain_start ("testnet");
  f->chain = rein_chain_new (f->backend->url, &error);
  g_assert_no_error (error);
  f->address = rein_address_p2sh_from_script (op_true, sizeof op_true, REIN_NETWORK_TESTNET);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->chain);
  test_chain_stop (f->backend);
  g_free (f->address);
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs the main context until the call whose callback is result_cb ends. */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GPtrArray *
get_utxos (Fixture *f, const gchar *address, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_chain_get_utxos_async (f->chain, address, NULL, result_cb, &result);
  return rein_chain_get_utxos_finish (f->chain, wait_result (&result), error);
}

static GBytes *
get_tx (Fixture *f, const gchar *txid, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_chain_get_tx_async (f->chain, txid, NULL, result_cb, &result);
  return rein_chain_get_tx_finish (f->chain, wait_result (&result), error);
}

static gchar *
broadcast (Fixture *f, GBytes *tx, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_chain_broadcast_async (f->chain, tx, NULL, result_cb, &result);
  return rein_chain_broadcast_finish (f->chain, wait_result (&result), error);
}

static guint32
tip_height (Fixture *f)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint32 height = 0;

  rein_chain_get_tip_height_async (f->chain, NULL, result_cb, &result);
  g_assert_true (rein_chain_get_tip_height_finish (f->chain, wait_result (&result), &height,
                                                   &error));
  g_assert_no_error (error);
  return height;
}

/* A legacy transaction spending output @vout of @txid (a P2SH(OP_TRUE)
 * coin) to one P2PKH output of @value satoshis, written out byte by byte
 * so that this test does not lean on the code it may one day check. */
static GBytes *
spend_op_true (const gchar *txid, guint32 vout, gint64 value)
{
  GByteArray *tx = g_byte_array_new ();
  guint8 hash[32];
  guint8 le[8];
  static const guint8 version[] = { 1, 0, 0, 0 };
  static const guint8 script_sig[] = { 0x02, 0x01, 0x51 }; /* 2 bytes: push <0x51> */
  static const guint8 sequence[] = { 0xff, 0xff, 0xff, 0xff };
  static const guint8 p2pkh[] = { 0x19, 0x76, 0xa9, 0x14, 0x11, 0x11, 0x11, 0x11, 0x11,
                                  0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                  0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x88, 0xac };
  static const guint8 locktime[] = { 0, 0, 0, 0 };
  guint8 one = 1;

  g_assert_true (rein_hex_decode_fixed (txid, hash, 32, NULL));
  g_byte_array_append (tx, version, 4);
  g_byte_array_append (tx, &one, 1);
  for (gint i = 31; i >= 0; i--)
    g_byte_array_append (tx, &hash[i], 1);
  for (guint i = 0; i < 4; i++)
    le[i] = (vout >> (8 * i)) & 0xff;
  g_byte_array_append (tx, le, 4);
  g_byte_array_append (tx, script_sig, sizeof script_sig);
  g_byte_array_append (tx, sequence, 4);
  g_byte_array_append (tx, &one, 1);
  for (guint i = 0; i < 8; i++)
    le[i] = ((guint64) value >> (8 * i)) & 0xff;
  g_byte_array_append (tx, le, 8);
  g_byte_array_append (tx, p2pkh, sizeof p2pkh);
  g_byte_array_append (tx, locktime, 4);
  return g_byte_array_free_to_bytes (tx);
}

static void
test_chain_utxos (Fixture *f, gconstpointer data)
{
  g_autofree gchar *confirmed = test_chain_fund (f->backend, f->address, 150000, 3);
  g_autofree gchar *pending = test_chain_fund (f->backend, f->address, 2500, 0);
  g_autoptr (GPtrArray) utxos = NULL;
  g_autoptr (GError) error = NULL;
  guint32 tip = tip_height (f);
  gint64 total = 0;

  g_assert_cmpuint (tip, ==, 100);
  utxos = get_utxos (f, f->address, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (utxos->len, ==, 2);
  for (guint i = 0; i < utxos->len; i++)
    {
      ReinUtxo *u = g_ptr_array_index (utxos, i);

      total += u->value;
      g_assert_cmpuint (u->vout, ==, 0);
      if (g_str_equal (u->txid, confirmed))
        {
          g_assert_true (u->confirmed);
          g_assert_cmpint (u->value, ==, 150000);
          g_assert_cmpuint (rein_chain_confirmations (u->block_height, tip), ==, 3);
        }
      else
        {
          g_assert_cmpstr (u->txid, ==, pending);
          g_assert_false (u->confirmed);
          g_assert_cmpuint (rein_chain_confirmations (u->block_height, tip), ==, 0);
        }
    }
  g_assert_cmpint (total, ==, 152500);

  /* an address nobody paid has no coins; one that is no address is
   * refused by the backend, in its words */
  g_clear_pointer (&utxos, g_ptr_array_unref);
  utxos = get_utxos (f, "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (utxos->len, ==, 0);
  g_clear_pointer (&utxos, g_ptr_array_unref);
  utxos = get_utxos (f, "notanaddress", &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "Invalid Bitcoin address"));
  g_assert_nonnull (strstr (error->message, f->backend->url));
  g_assert_null (utxos);
  g_clear_error (&error);

  /* nothing but an address's characters reaches the path */
  utxos = get_utxos (f, "../tx/00/hex", &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID);
  g_assert_null (utxos);
}

static void
test_chain_tx_and_broadcast (Fixture *f, gconstpointer data)
{
  g_autofree gchar *funding = test_chain_fund (f->backend, f->address, 100000, 1);
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (GBytes) spend = NULL;
  g_autoptr (GBytes) conflict = NULL;
  g_autoptr (GBytes) garbage = g_bytes_new_static ("\x01\x02\x03", 3);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (ReinTxStatus) status = NULL;
  g_autoptr (GPtrArray) outspends = NULL;
  g_autoptr (GPtrArray) utxos = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *txid = NULL;
  g_autofree gchar *expected = NULL;
  g_autofree gchar *sent = NULL;

  raw = get_tx (f, funding, &error);
  g_assert_no_error (error);
  g_autofree gchar *raw_txid = rein_chain_txid_of (raw);
  g_assert_cmpstr (raw_txid, ==, funding);

  spend = spend_op_true (funding, 0, 99000);
  expected = rein_chain_txid_of (spend);
  txid = broadcast (f, spend, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (txid, ==, expected);
  sent = test_chain_dup_broadcasts (f->backend);
  g_assert_nonnull (strstr (sent, expected));

  /* sent again (as when the other party broadcast it first): the backend
   * refuses it as known, which counts as sent */
  {
    g_autofree gchar *again = broadcast (f, spend, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, expected);
  }

  /* the coin is spent: gone from the address, and its outspend names us */
  utxos = get_utxos (f, f->address, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (utxos->len, ==, 0);
  rein_chain_get_outspends_async (f->chain, funding, NULL, result_cb, &result);
  outspends = rein_chain_get_outspends_finish (f->chain, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (outspends->len, ==, 1);
  g_assert_true (((ReinOutspend *) outspends->pdata[0])->spent);
  g_assert_cmpstr (((ReinOutspend *) outspends->pdata[0])->txid, ==, expected);
  g_assert_false (((ReinOutspend *) outspends->pdata[0])->confirmed);
  g_clear_object (&result);

  /* a double spend and a transaction that does not decode are refused
   * with the node's reason */
  conflict = spend_op_true (funding, 0, 98000);
  g_clear_pointer (&txid, g_free);
  txid = broadcast (f, conflict, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "txn-mempool-conflict"));
  g_assert_null (txid);
  g_clear_error (&error);
  /* bytes that are no transaction are not sent at all */
  txid = broadcast (f, garbage, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID);
  g_assert_null (txid);
  g_clear_error (&error);

  /* mined: confirmed at the new tip */
  rein_chain_get_tx_status_async (f->chain, expected, NULL, result_cb, &result);
  status = rein_chain_get_tx_status_finish (f->chain, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_false (status->confirmed);
  g_clear_object (&result);
  g_clear_pointer (&status, rein_tx_status_free);
  test_chain_mine (f->backend, 2);
  rein_chain_get_tx_status_async (f->chain, expected, NULL, result_cb, &result);
  status = rein_chain_get_tx_status_finish (f->chain, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (status->confirmed);
  g_assert_cmpuint (status->block_height, ==, 101);
  g_assert_nonnull (status->block_hash);
  g_assert_cmpuint (rein_chain_confirmations (status->block_height, tip_height (f)), ==, 2);
  g_clear_object (&result);

  /* a transaction the backend does not know */
  g_clear_pointer (&raw, g_bytes_unref);
  raw = get_tx (f, "00000000000000000000000000000000000000000000000000000000000000aa", &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  raw = get_tx (f, "not-a-txid", &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID);
}

static void
test_chain_fees (Fixture *f, gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GArray) fees = NULL;
  g_autoptr (GError) error = NULL;
  gint64 rate = 0;

  test_chain_set_fees (f->backend, "{\"6\": 8.25, \"1\": 25, \"144\": 1.0001, \"3\": 12.5}");
  rein_chain_get_fee_estimates_async (f->chain, NULL, result_cb, &result);
  fees = rein_chain_get_fee_estimates_finish (f->chain, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fees->len, ==, 4);
  g_assert_cmpuint (g_array_index (fees, ReinFeeEstimate, 0).target, ==, 1);
  g_assert_cmpint (g_array_index (fees, ReinFeeEstimate, 0).sat_per_kvb, ==, 25000);
  g_assert_cmpint (g_array_index (fees, ReinFeeEstimate, 2).sat_per_kvb, ==, 8250);
  /* 1.0001 sat/vB is 1000.1 sat/kvB: rounded up, never under */
  g_assert_cmpint (g_array_index (fees, ReinFeeEstimate, 3).sat_per_kvb, ==, 1001);

  g_assert_true (rein_fee_estimates_pick (fees, 6, &rate));
  g_assert_cmpint (rate, ==, 8250);
  g_assert_true (rein_fee_estimates_pick (fees, 10, &rate));
  g_assert_cmpint (rate, ==, 8250);
  g_assert_true (rein_fee_estimates_pick (fees, 2, &rate));
  g_assert_cmpint (rate, ==, 25000);
  g_assert_true (rein_fee_estimates_pick (fees, 1000, &rate));
  g_assert_cmpint (rate, ==, 1001);
  g_clear_object (&result);

  /* a rate that is not one */
  test_chain_set_fees (f->backend, "{\"1\": -3}");
  g_clear_pointer (&fees, g_array_unref);
  rein_chain_get_fee_estimates_async (f->chain, NULL, result_cb, &result);
  fees = rein_chain_get_fee_estimates_finish (f->chain, wait_result (&result), &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_null (fees);
}

/* Whatever the backend sends, a clear error and no crash. */
static gchar *
block_hash (Fixture *f, guint32 height, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rein_chain_get_block_hash_async (f->chain, height, NULL, result_cb, &result);
  return rein_chain_get_block_hash_finish (f->chain, wait_result (&result), error);
}

/* The first block names the backend's network. */
static void
test_chain_genesis (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *genesis = block_hash (f, 0, &error);
  ReinChainNetwork network = REIN_CHAIN_NETWORK_MAINNET;

  g_assert_no_error (error);
  g_assert_cmpstr (genesis, ==, rein_chain_network_genesis_hash (REIN_CHAIN_NETWORK_TESTNET));
  g_assert_true (rein_chain_network_from_genesis_hash (genesis, &network));
  g_assert_cmpint (network, ==, REIN_CHAIN_NETWORK_TESTNET);
  g_assert_false (rein_chain_network_from_genesis_hash ("00", &network));
  g_clear_pointer (&genesis, g_free);

  test_chain_set_mode (f->backend, "garbage");
  genesis = block_hash (f, 0, &error);
  g_assert_null (genesis);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "not a block hash"));
}

static void
test_chain_bad_backends (Fixture *f, gconstpointer data)
{
  g_autofree gchar *funding = test_chain_fund (f->backend, f->address, 5000, 1);
  g_autoptr (GBytes) spend = spend_op_true (funding, 0, 4000);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) utxos = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autofree gchar *txid = NULL;
  g_autofree gchar *dead = net_test_dead_url ();
  g_autoptr (ReinChain) offline = NULL;

  test_chain_set_mode (f->backend, "wrong-amounts");
  utxos = get_utxos (f, f->address, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "whole number of satoshis"));
  g_clear_error (&error);

  g_free (test_chain_fund (f->backend, f->address, 1, 1)); /* another tx for wrong-tx */
  test_chain_set_mode (f->backend, "wrong-tx");
  raw = get_tx (f, funding, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "another transaction"));
  g_assert_null (raw);
  g_clear_error (&error);

  test_chain_set_mode (f->backend, "garbage");
  utxos = get_utxos (f, f->address, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_clear_error (&error);

  test_chain_set_mode (f->backend, "deep-json");
  utxos = get_utxos (f, f->address, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_clear_error (&error);

  test_chain_set_mode (f->backend, "html");
  utxos = get_utxos (f, f->address, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "HTTP 502"));
  g_assert_null (strstr (error->message, "<html>"));
  g_clear_error (&error);

  test_chain_set_mode (f->backend, "error500");
  utxos = get_utxos (f, f->address, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "database is locked"));
  g_clear_error (&error);

  /* a backend that claims another txid than the one sent */
  test_chain_set_mode (f->backend, "wrong-txid");
  txid = broadcast (f, spend, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_BAD_ANSWER);
  g_assert_null (txid);
  g_clear_error (&error);

  /* one that never answers is given up on at the deadline */
  test_chain_set_mode (f->backend, "hang");
  rein_chain_set_deadline (f->chain, 1);
  utxos = get_utxos (f, f->address, &error);
  g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "after 1 s"));
  g_clear_error (&error);

  /* and one that is not there at all */
  offline = rein_chain_new (dead, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GAsyncResult) result = NULL;

    rein_chain_get_utxos_async (offline, f->address, NULL, result_cb, &result);
    utxos = rein_chain_get_utxos_finish (offline, wait_result (&result), &error);
    g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_UNREACHABLE);
    g_assert_nonnull (strstr (error->message, dead));
    g_clear_error (&error);
  }
}

static void
test_chain_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GPtrArray) utxos = NULL;
  g_autoptr (GError) error = NULL;

  test_chain_set_mode (f->backend, "hang");
  rein_chain_get_utxos_async (f->chain, f->address, cancellable, result_cb, &result);
  g_cancellable_cancel (cancellable);
  utxos = rein_chain_get_utxos_finish (f->chain, wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (utxos);
}

static void
test_chain_urls (void)
{
  const gchar *bad[] = { "", "ftp://example.org/", "blockstream.info/api", "http://",
                         "https://host/api/?x=1", "file:///etc/passwd" };
  ReinChainNetwork network;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ReinChain) chain = rein_chain_new (bad[i], &error);

      g_assert_null (chain);
      g_assert_error (error, REIN_NET_ERROR, REIN_NET_ERROR_INVALID);
    }
  {
    g_autoptr (ReinChain) chain = rein_chain_new ("https://blockstream.info/testnet/api", NULL);

    g_assert_cmpstr (rein_chain_get_url (chain), ==, "https://blockstream.info/testnet/api/");
  }
  g_assert_true (rein_chain_network_from_string ("Signet", &network));
  g_assert_cmpint (network, ==, REIN_CHAIN_NETWORK_SIGNET);
  g_assert_true (rein_chain_network_is_testnet (network));
  g_assert_false (rein_chain_network_from_string ("main", &network));
  g_assert_cmpstr (rein_chain_network_to_string (REIN_CHAIN_NETWORK_REGTEST), ==, "regtest");
  g_assert_cmpuint (rein_chain_confirmations (0, 100), ==, 0);
  g_assert_cmpuint (rein_chain_confirmations (101, 100), ==, 0);
  g_assert_cmpuint (rein_chain_confirmations (100, 100), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rein_crypto_init ();

  g_test_add_func ("/chain/urls", test_chain_urls);
  g_test_add ("/chain/utxos", Fixture, NULL, fixture_set_up, test_chain_utxos, fixture_tear_down);
  g_test_add ("/chain/tx-and-broadcast", Fixture, NULL, fixture_set_up,
              test_chain_tx_and_broadcast, fixture_tear_down);
  g_test_add ("/chain/fees", Fixture, NULL, fixture_set_up, test_chain_fees, fixture_tear_down);
  g_test_add ("/chain/genesis", Fixture, NULL, fixture_set_up, test_chain_genesis,
              fixture_tear_down);
  g_test_add ("/chain/bad-backends", Fixture, NULL, fixture_set_up, test_chain_bad_backends,
              fixture_tear_down);
  g_test_add ("/chain/cancel", Fixture, NULL, fixture_set_up, test_chain_cancel,
              fixture_tear_down);
  return g_test_run ();
}
