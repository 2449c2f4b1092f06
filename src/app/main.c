/* main.c: starts Rein
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "rein-application.h"
#include "rein-background.h"
#include "rein-fetch.h"

int
main (int argc, char *argv[])
{
  g_autoptr (ReinApplication) app = NULL;

  rein_background_tune_allocator ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, REIN_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  int status;

  app = rein_application_new ();
  status = g_application_run (G_APPLICATION (app), argc, argv);
  /* The context goes with the application and cancels its reads: let the
   * fetch thread see them end before the process does. */
  g_clear_object (&app);
  rein_fetch_shutdown (3000);
  return status;
}
