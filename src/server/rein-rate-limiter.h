/* rein-rate-limiter.h: token buckets per client address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ReinRateLimiter ReinRateLimiter;

/* @rate requests per second on average, bursts of up to @burst. */
ReinRateLimiter *rein_rate_limiter_new (gdouble rate, gdouble burst);
void rein_rate_limiter_free (ReinRateLimiter *self);

/* Takes one token for @client at @now_us (monotonic microseconds); FALSE
 * when its bucket is empty. */
gboolean rein_rate_limiter_take (ReinRateLimiter *self, const gchar *client, gint64 now_us);

/* Number of clients currently tracked (for tests). */
guint rein_rate_limiter_get_size (ReinRateLimiter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReinRateLimiter, rein_rate_limiter_free)

G_END_DECLS
