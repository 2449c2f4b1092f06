/* escrow-test-util.c: an awarded job with its escrows on the test chain
 * server, for the escrow suites of the client and the app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "escrow-test-util.h"

#include "rein-chain-settings.h"

void
escrow_world_init (EscrowWorld *w, guint confirmations)
{
  g_autoptr (GError) error = NULL;

  /* the environment's backend would win over the settings */
  g_unsetenv (REIN_CHAIN_URL_ENV);
  w->server = test_server_start (NULL, NULL);
  w->chain = test_chain_start ("mainnet");
  person_init (&w->mia, w->server, "Mia", TRUE);
  person_init (&w->carol, w->server, "Carol", FALSE);
  person_init (&w->walt, w->server, "Walt", FALSE);
  w->job = award_job (&w->carol, &w->walt, &w->mia, ESCROW_JOB_NAME, ESCROW_BID);
  for (guint i = 0; i < 2; i++)
    {
      ReinStore *store = i == 0 ? w->carol.store : w->walt.store;

      g_assert_true (rein_chain_settings_set_url (store, REIN_CHAIN_NETWORK_MAINNET,
                                                  w->chain->url, &error));
      g_assert_no_error (error);
      if (confirmations > 0)
        g_assert_true (rein_chain_settings_set_confirmations (store, confirmations, &error));
      g_assert_no_error (error);
    }
}

void
escrow_world_clear (EscrowWorld *w)
{
  g_clear_object (&w->job);
  person_clear (&w->mia);
  person_clear (&w->carol);
  person_clear (&w->walt);
  test_chain_stop (w->chain);
  test_server_stop (w->server);
  test_server_free (w->server);
}
