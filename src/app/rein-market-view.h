/* rein-market-view.h: the Market tab
 *
 * The jobs of the market service (rein-market-service.h) in a list with
 * search as you type (the store's full-text index), a category filter, an
 * "Open only" filter and three sort orders, and the chosen job's details
 * beside it when the window is wide (navigated to when narrow). From there
 * a worker bids, and anyone posts a job.
 *
 * Actions: market.refresh, market.post, market.bid, market.back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rein-context.h"

G_BEGIN_DECLS

#define REIN_TYPE_MARKET_VIEW (rein_market_view_get_type ())
G_DECLARE_FINAL_TYPE (ReinMarketView, rein_market_view, REIN, MARKET_VIEW, AdwBin)

typedef enum
{
  REIN_MARKET_SORT_NEWEST,
  REIN_MARKET_SORT_MOST_BIDS,
  REIN_MARKET_SORT_LOWEST_FEE,
} ReinMarketSort;

void rein_market_view_set_context (ReinMarketView *self, ReinContext *context);

/* For tests and the window: what the list shows (after filter and sort),
 * of ReinJobSummary. */
GListModel *rein_market_view_get_shown (ReinMarketView *self);
/* The job in the detail pane, or NULL. */
ReinJobSummary *rein_market_view_get_selected (ReinMarketView *self);
/* Selects the @position'th shown job and shows its details. */
void rein_market_view_select (ReinMarketView *self, guint position);
/* "list", "empty", "loading", "error" or "no-identity". */
const gchar *rein_market_view_get_state (ReinMarketView *self);
/* TRUE while a search is waiting for the index. */
gboolean rein_market_view_get_searching (ReinMarketView *self);

void rein_market_view_set_search (ReinMarketView *self, const gchar *text);
/* NULL for every category. */
void rein_market_view_set_category (ReinMarketView *self, const gchar *category);
void rein_market_view_set_open_only (ReinMarketView *self, gboolean open_only);
void rein_market_view_set_sort (ReinMarketView *self, ReinMarketSort sort);

/* Why the chosen job takes no bid from the user (NULL when it does). */
const gchar *rein_market_view_get_bid_refusal (ReinMarketView *self);
/* For tests: the chosen job's creator's and mediator's ratings and my
 * trust in them as the detail pane shows them ("rated 4.5 by 3 · trust
 * 4.2", "no ratings · no trust link", "" when not enrolled or without an
 * identity), NULL while they are read or no job is chosen. */
const gchar *rein_market_view_get_creator_ratings (ReinMarketView *self);
const gchar *rein_market_view_get_mediator_ratings (ReinMarketView *self);

G_END_DECLS
