/* rein-rate-limiter.c: token buckets per client address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rein-rate-limiter.h"

/* Forget clients whose bucket has been full for this long. */
#define PRUNE_INTERVAL_US (10 * G_USEC_PER_SEC)

typedef struct
{
  gdouble tokens;
  gint64 updated_us;
} Bucket;

struct _ReinRateLimiter
{
  gdouble rate;
  gdouble burst;
  GHashTable *buckets; /* client -> Bucket */
  gint64 pruned_us;
};

ReinRateLimiter *
rein_rate_limiter_new (gdouble rate, gdouble burst)
{
  ReinRateLimiter *self;

  g_return_val_if_fail (rate > 0, NULL);

  self = g_new0 (ReinRateLimiter, 1);
  self->rate = rate;
  self->burst = MAX (burst, 1.0);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
rein_rate_limiter_free (ReinRateLimiter *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->buckets);
  g_free (self);
}

static void
refill (ReinRateLimiter *self, Bucket *bucket, gint64 now_us)
{
  gdouble elapsed = (gdouble) (now_us - bucket->updated_us) / G_USEC_PER_SEC;

  if (elapsed > 0)
    {
      bucket->tokens = MIN (self->burst, bucket->tokens + elapsed * self->rate);
      bucket->updated_us = now_us;
    }
}

static void
prune (ReinRateLimiter *self, gint64 now_us)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->buckets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Bucket *bucket = value;

      refill (self, bucket, now_us);
      if (bucket->tokens >= self->burst)
        g_hash_table_iter_remove (&iter);
    }
  self->pruned_us = now_us;
}

gboolean
rein_rate_limiter_take (ReinRateLimiter *self, const gchar *client, gint64 now_us)
{
  Bucket *bucket;

  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (client != NULL, TRUE);

  if (now_us - self->pruned_us > PRUNE_INTERVAL_US)
    prune (self, now_us);

  bucket = g_hash_table_lookup (self->buckets, client);
  if (bucket == NULL)
    {
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = self->burst;
      bucket->updated_us = now_us;
      g_hash_table_insert (self->buckets, g_strdup (client), bucket);
    }
  else
    refill (self, bucket, now_us);

  if (bucket->tokens < 1.0)
    return FALSE;
  bucket->tokens -= 1.0;
  return TRUE;
}

guint
rein_rate_limiter_get_size (ReinRateLimiter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return g_hash_table_size (self->buckets);
}
