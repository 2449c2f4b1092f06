/* rein-chain.h: a chain backend speaking the Esplora HTTP API
 *
 * Balances of the escrow addresses, the transactions that fund them, their
 * confirmations, fee estimates and broadcasting go through one Esplora
 * server (blockstream.info's API, mempool.space's, or one's own electrs).
 * Every call is asynchronous, cancellable, bounded in time and in size, and
 * everything the backend says is checked before it is believed: amounts are
 * integer satoshis within the 21 million, a transaction's hex must hash to
 * the txid asked for, a broadcast's answer must be the txid we computed.
 * Errors are REIN_NET_ERROR with a message that names the backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  REIN_CHAIN_NETWORK_MAINNET,
  REIN_CHAIN_NETWORK_TESTNET,
  REIN_CHAIN_NETWORK_SIGNET,
  REIN_CHAIN_NETWORK_REGTEST,
} ReinChainNetwork;

/* "mainnet", "testnet", "signet", "regtest" */
const gchar *rein_chain_network_to_string (ReinChainNetwork network);
gboolean rein_chain_network_from_string (const gchar *text, ReinChainNetwork *out_network);
/* The hash of the network's first block (what a backend answers for
 * block 0), and the network of such a hash. */
const gchar *rein_chain_network_genesis_hash (ReinChainNetwork network);
gboolean rein_chain_network_from_genesis_hash (const gchar *hash, ReinChainNetwork *out_network);
/* Signet and regtest use testnet's address formats. */
gboolean rein_chain_network_is_testnet (ReinChainNetwork network);

/* One unspent output of an address. */
typedef struct
{
  gchar *txid;          /* 64 lowercase hex digits, as block explorers show it */
  guint32 vout;
  gint64 value;         /* satoshis */
  gboolean confirmed;
  guint32 block_height; /* 0 when unconfirmed */
} ReinUtxo;

void rein_utxo_free (ReinUtxo *utxo);

typedef struct
{
  gboolean confirmed;
  guint32 block_height; /* 0 when unconfirmed */
  gchar *block_hash;    /* NULL when unconfirmed */
} ReinTxStatus;

void rein_tx_status_free (ReinTxStatus *status);

/* Whether one output of a transaction is spent, and by what. */
typedef struct
{
  gboolean spent;
  gchar *txid;          /* the spending transaction, NULL when unspent */
  guint32 vin;
  gboolean confirmed;
  guint32 block_height;
} ReinOutspend;

void rein_outspend_free (ReinOutspend *outspend);

/* The fee rate the backend expects to confirm within @target blocks, in
 * satoshis per 1000 virtual bytes (rounded up from Esplora's sat/vB). */
typedef struct
{
  guint target;
  gint64 sat_per_kvb;
} ReinFeeEstimate;

/* Confirmations of a transaction mined at @block_height when the tip is
 * @tip_height: 0 when unconfirmed (@block_height 0) or when the tip is
 * behind it. */
guint rein_chain_confirmations (guint32 block_height, guint32 tip_height);

/* The fee rate for @target from @estimates (GArray of ReinFeeEstimate,
 * sorted by target): the estimate for the largest target not above it,
 * else the smallest target's; FALSE when @estimates is empty. */
gboolean rein_fee_estimates_pick (GArray *estimates, guint target, gint64 *out_sat_per_kvb);

#define REIN_TYPE_CHAIN (rein_chain_get_type ())
G_DECLARE_FINAL_TYPE (ReinChain, rein_chain, REIN, CHAIN, GObject)

/* @url: the API's base, "https://host/api/" or "http://127.0.0.1:PORT/"
 * (a missing final slash is added); http or https only. */
ReinChain *rein_chain_new (const gchar *url, GError **error);
const gchar *rein_chain_get_url (ReinChain *self);
/* Seconds a whole call may take (default 30). */
void rein_chain_set_deadline (ReinChain *self, guint seconds);

/* GET address/ADDRESS/utxo: GPtrArray of ReinUtxo. */
void rein_chain_get_utxos_async (ReinChain *self,
                                 const gchar *address,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
GPtrArray *rein_chain_get_utxos_finish (ReinChain *self, GAsyncResult *result, GError **error);

/* GET tx/TXID/hex: the raw transaction, checked to hash to @txid. */
void rein_chain_get_tx_async (ReinChain *self,
                              const gchar *txid,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
GBytes *rein_chain_get_tx_finish (ReinChain *self, GAsyncResult *result, GError **error);

/* GET tx/TXID/status */
void rein_chain_get_tx_status_async (ReinChain *self,
                                     const gchar *txid,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
ReinTxStatus *rein_chain_get_tx_status_finish (ReinChain *self,
                                               GAsyncResult *result,
                                               GError **error);

/* GET tx/TXID/outspends: GPtrArray of ReinOutspend, one per output. */
void rein_chain_get_outspends_async (ReinChain *self,
                                     const gchar *txid,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
GPtrArray *rein_chain_get_outspends_finish (ReinChain *self, GAsyncResult *result, GError **error);

/* GET fee-estimates: GArray of ReinFeeEstimate, sorted by target. */
void rein_chain_get_fee_estimates_async (ReinChain *self,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
GArray *rein_chain_get_fee_estimates_finish (ReinChain *self, GAsyncResult *result, GError **error);

/* GET blocks/tip/height */
void rein_chain_get_tip_height_async (ReinChain *self,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean rein_chain_get_tip_height_finish (ReinChain *self,
                                           GAsyncResult *result,
                                           guint32 *out_height,
                                           GError **error);

/* POST tx: sends the raw transaction @tx; returns its txid, which the
 * backend's answer must repeat. */
/* The hash of the block at @height (64 hex digits): at 0, it names the
 * backend's network. */
void rein_chain_get_block_hash_async (ReinChain *self,
                                      guint32 height,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gchar *rein_chain_get_block_hash_finish (ReinChain *self, GAsyncResult *result, GError **error);

void rein_chain_broadcast_async (ReinChain *self,
                                 GBytes *tx,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gchar *rein_chain_broadcast_finish (ReinChain *self, GAsyncResult *result, GError **error);

/* The txid of a raw transaction (legacy or segwit; the witness is left
 * out), in hex as block explorers show it; NULL when @tx is not one. */
gchar *rein_chain_txid_of (GBytes *tx);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinUtxo, rein_utxo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinTxStatus, rein_tx_status_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinOutspend, rein_outspend_free)

G_END_DECLS
