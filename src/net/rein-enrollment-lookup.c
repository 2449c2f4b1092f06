/* rein-enrollment-lookup.c: finding signers' enrollments on any Causeway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "rein-enrollment-lookup.h"

struct _ReinEnrollmentServers
{
  GHashTable *support; /* URL -> ReinEnrollmentsSupport */
};

ReinEnrollmentServers *
rein_enrollment_servers_new (void)
{
  ReinEnrollmentServers *servers = g_new0 (ReinEnrollmentServers, 1);

  servers->support = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return servers;
}

void
rein_enrollment_servers_free (ReinEnrollmentServers *servers)
{
  if (servers == NULL)
    return;
  g_hash_table_unref (servers->support);
  g_free (servers);
}

ReinEnrollmentsSupport
rein_enrollment_servers_get (ReinEnrollmentServers *servers, const gchar *url)
{
  g_return_val_if_fail (servers != NULL, REIN_ENROLLMENTS_UNKNOWN);
  g_return_val_if_fail (url != NULL, REIN_ENROLLMENTS_UNKNOWN);

  return GPOINTER_TO_INT (g_hash_table_lookup (servers->support, url));
}

void
rein_enrollment_servers_record (ReinEnrollmentServers *servers,
                                const gchar *url,
                                gboolean failed,
                                guint received)
{
  ReinEnrollmentsSupport support;

  g_return_if_fail (servers != NULL);
  g_return_if_fail (url != NULL);

  if (failed)
    support = REIN_ENROLLMENTS_MISSING;
  else if (received > 0)
    support = REIN_ENROLLMENTS_ANSWERED;
  else
    return;
  /* A server that answered once has the query: a later error is a
   * failure of that moment, not a missing query. */
  if (rein_enrollment_servers_get (servers, url) == REIN_ENROLLMENTS_ANSWERED)
    return;
  g_hash_table_insert (servers->support, g_strdup (url), GINT_TO_POINTER (support));
}

GStrv
rein_enrollment_servers_filter (ReinEnrollmentServers *servers,
                                const gchar *const *urls,
                                gboolean want_missing)
{
  g_autoptr (GStrvBuilder) out = g_strv_builder_new ();

  g_return_val_if_fail (servers != NULL, NULL);
  g_return_val_if_fail (urls != NULL, NULL);

  for (guint i = 0; urls[i] != NULL; i++)
    {
      ReinEnrollmentsSupport support = rein_enrollment_servers_get (servers, urls[i]);

      if (want_missing ? support == REIN_ENROLLMENTS_ANSWERED
                       : support == REIN_ENROLLMENTS_MISSING)
        continue;
      g_strv_builder_add (out, urls[i]);
    }
  return g_strv_builder_end (out);
}

GPtrArray *
rein_enrollment_lookup_unfound (GPtrArray *addresses, GPtrArray *docs)
{
  g_autoptr (GHashTable) named = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (addresses != NULL, out);

  for (guint i = 0; docs != NULL && i < docs->len; i++)
    {
      ReinDocument *doc = g_ptr_array_index (docs, i);
      const gchar *delegate, *master;

      if (rein_document_get_document_type (doc) != REIN_DOCUMENT_TYPE_ENROLLMENT)
        continue;
      delegate = rein_document_get_field (doc, REIN_LABEL_DELEGATE_ADDRESS);
      master = rein_document_get_field (doc, REIN_LABEL_MASTER_ADDRESS);
      if (delegate != NULL)
        g_hash_table_add (named, (gpointer) delegate);
      if (master != NULL)
        g_hash_table_add (named, (gpointer) master);
    }
  for (guint i = 0; i < addresses->len; i++)
    if (!g_hash_table_contains (named, g_ptr_array_index (addresses, i)))
      g_ptr_array_add (out, g_strdup (g_ptr_array_index (addresses, i)));
  return out;
}
